import datetime

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.collections_ruler.tools.documents import parse_tax_id


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo must keep building a believable collections scenario."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["collection.demo"]._collections_create_demo_data()
        cls.today = fields.Date.context_today(cls.env["res.company"])

    def test_company_is_brazilian_on_the_br_chart(self):
        self.assertEqual(self.company.country_id.code, "BR")
        self.assertEqual(self.company.currency_id.name, "BRL")
        self.assertEqual(self.company.chart_template, "br")
        self.assertIn(self.company, self.env.ref("base.user_admin").company_ids)

    def test_customers_have_valid_documents_and_contacts(self):
        partners = self.env["res.partner"].search([("company_id", "=", self.company.id), ("vat", "!=", False)])
        self.assertEqual(len(partners), 12)
        kinds = {parse_tax_id(p.vat).kind for p in partners}
        self.assertEqual(kinds, {"cpf", "cnpj"})
        self.assertTrue(all(p.email and p.mobile for p in partners))

    def test_open_receivables_span_due_soon_to_ninety_days_overdue(self):
        open_invoices = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
            ]
        )
        offsets = sorted((self.today - inv.invoice_date_due).days for inv in open_invoices)
        self.assertEqual(offsets[0], -5)
        self.assertEqual(offsets[-1], 90)
        self.assertGreaterEqual(len(open_invoices), 12)

    def test_ruler_is_at_work_on_the_demo(self):
        ruler = self.env["collection.ruler"].search([("company_id", "=", self.company.id), ("usage", "=", "invoice")])
        self.assertEqual(len(ruler.stage_ids), 5)
        contacts = self.env["collection.communication"].search([("company_id", "=", self.company.id)])
        self.assertEqual(
            set(contacts.stage_id.mapped("phase")), {"reminder", "friendly", "escalation", "negotiation", "severe"}
        )
        levels = set(
            self.env["res.partner"].search([("company_id", "=", self.company.id)]).mapped("collection_risk_level")
        )
        self.assertTrue({"low", "high"} <= levels, levels)

    def test_history_has_on_time_and_late_payments(self):
        paid = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("paid", "in_payment")),
            ]
        )
        self.assertEqual(len(paid), 36)
        days_late = {
            inv: max((line.date - inv.invoice_date_due).days for line in inv._get_reconciled_amls()) for inv in paid
        }
        self.assertTrue(any(d <= 0 for d in days_late.values()), "some invoices were paid on time")
        self.assertTrue(any(d > 20 for d in days_late.values()), "some invoices were paid very late")
        self.assertTrue(all(inv.invoice_date_due <= self.today - datetime.timedelta(days=60) for inv in paid))
