from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.collections_ruler.tests import test_agreements as generic

# Template ids of the Brazilian chart (l10n_br) the default collection policy must use.
BR_FINE = "account_template_30101050124"  # 3.01.01.05.01.24 Multas e Outras Vantagens Recebidas
BR_INTEREST = "account_template_30101050105"  # 3.01.01.05.01.05 Outras Receitas Financeiras
BR_DISCOUNT = "account_template_30101090108"  # 3.01.01.09.01.08 (-) Outras Despesas Financeiras


@tagged("post_install", "-at_install")
class TestAgreementsOnTheBrazilianChart(generic.TestAgreementOverSeveralInvoices):
    """The same agreements over several invoices, on the chart our users have."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("br")
    @AccountTestInvoicingCommon.setup_chart_template("br")
    def setUpClass(cls):
        super().setUpClass()

    def br_account(self, xmlid):
        return self.env["account.chart.template"].with_company(self.company).ref(xmlid)

    def test_default_policy_books_to_the_brazilian_accounts(self):
        self.assertEqual(self.company.chart_template, "br")
        self.assertEqual(self.policy.fine_account_id, self.br_account(BR_FINE))
        self.assertEqual(self.policy.interest_account_id, self.br_account(BR_INTEREST))
        self.assertEqual(self.policy.discount_account_id, self.br_account(BR_DISCOUNT))
        # Not "Receitas de Juros sobre o Capital Próprio" (interest on equity), nor a deduction from sales.
        self.assertEqual(
            (
                self.policy.fine_account_id.code,
                self.policy.interest_account_id.code,
                self.policy.discount_account_id.code,
            ),
            ("3.01.01.05.01.24", "3.01.01.05.01.05", "3.01.01.09.01.08"),
        )

    def test_fine_and_interest_land_on_their_own_accounts(self):
        invoices = self.three_invoices()
        agreement = self.propose(invoices, count=2, discount=20.0)
        agreement.action_confirm()
        lines = agreement.settlement_move_id.line_ids
        by_account = {
            account: round(sum(lines.filtered(lambda line, a=account: line.account_id == a).mapped("balance")), 2)
            for account in lines.account_id
        }
        self.assertEqual(by_account[self.br_account(BR_FINE)], -34.0)
        self.assertEqual(by_account[self.br_account(BR_INTEREST)], -19.0)
        self.assertEqual(by_account[self.br_account(BR_DISCOUNT)], 20.0)
