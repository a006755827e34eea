import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CollectionsCommon

TODAY = datetime.date(2026, 3, 16)  # a Monday
DUE_45_DAYS_AGO = datetime.date(2026, 1, 30)


@tagged("post_install", "-at_install")
class AgreementCommon(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        cls.policy.write(
            {
                "fine_percent": 2.0,
                "interest_percent_month": 1.0,
                "max_installments": 6,
                "min_installment_amount": 50.0,
                "max_cash_discount_percent": 10.0,
                "max_first_due_days": 30,
                "breach_tolerance_days": 10,
                "max_reschedule_days": 15,
            }
        )
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.income_accounts = cls.policy.fine_account_id | cls.policy.interest_account_id
        cls.accounts = (
            cls.receivable | cls.income_accounts | cls.policy.discount_account_id | cls.policy.clearing_account_id
        )

    def setUp(self):
        super().setUp()
        self.frozen = freeze_time(datetime.datetime.combine(TODAY, datetime.time(12, 0)))
        self.frozen.start()
        self.addCleanup(self.frozen.stop)

    def balances(self):
        """Balance per account of everything posted, rounded to cents."""
        self.env.flush_all()
        groups = self.env["account.move.line"]._read_group(
            [("account_id", "in", self.accounts.ids), ("parent_state", "=", "posted")],
            ["account_id"],
            ["balance:sum"],
        )
        found = {account: round(balance, 2) for account, balance in groups}
        return {
            "receivable": found.get(self.receivable, 0.0),
            "income": round(sum(found.get(account, 0.0) for account in self.income_accounts), 2),
            "discount": found.get(self.policy.discount_account_id, 0.0),
            "clearing": found.get(self.policy.clearing_account_id, 0.0),
        }

    def propose(self, moves, count=1, discount=0.0, first_due=None, down_payment=0.0, user=None):
        Agreement = self.env["collection.agreement"].with_user(user or self.env.user)
        values = Agreement._prepare_proposal(
            moves.commercial_partner_id,
            moves,
            self.policy,
            count,
            discount,
            first_due or TODAY + datetime.timedelta(days=7),
            TODAY,
            down_payment,
        )
        return Agreement.create(values)

    def pay(self, move, amount=None, day=None):
        register = self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids)
        values = {"payment_date": day or TODAY}
        if amount is not None:
            values["amount"] = amount
        register.create(values)._create_payments()


@tagged("post_install", "-at_install")
class TestDebtUpdate(AgreementCommon):
    def test_invoice_shows_fine_interest_and_updated_amount(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        # 2 % fine = 20.00; 1 % a month for 45 days = 15.00
        self.assertEqual(invoice.collection_days_late, 45)
        self.assertAlmostEqual(invoice.collection_fine_amount, 20.0)
        self.assertAlmostEqual(invoice.collection_interest_amount, 15.0)
        self.assertAlmostEqual(invoice.collection_updated_amount, 1035.0)
        self.assertAlmostEqual(self.customer.collection_updated_total, 1035.0)

    def test_consumers_pay_two_percent_fine_at_most_companies_what_was_agreed(self):
        self.policy.fine_percent = 10.0
        self.assertTrue(self.policy.consumer_fine_warning)
        person = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        company = self.make_invoice(self.other_customer, 1000.0, DUE_45_DAYS_AGO)
        self.assertAlmostEqual(person.collection_fine_amount, 20.0)
        self.assertAlmostEqual(company.collection_fine_amount, 100.0)

    def test_payer_type_follows_the_document_and_caps_the_consumer_fine(self):
        self.policy.fine_percent = 10.0
        Partner = self.env["res.partner"]
        ticked_company_with_cpf = Partner.create({"name": "MEI", "is_company": True, "vat": "529.982.247-25"})
        person_with_cnpj = Partner.create({"name": "Loja", "vat": "11.222.333/0001-81"})
        no_document = Partner.create({"name": "Empresa", "is_company": True})
        self.assertEqual(ticked_company_with_cpf.collection_payer_type, "consumer", "a CPF is a person")
        self.assertEqual(person_with_cnpj.collection_payer_type, "business", "a CNPJ is a business")
        self.assertEqual(no_document.collection_payer_type, "business")
        self.assertEqual(self.customer.collection_payer_type, "consumer")
        fines = {
            partner: self.make_invoice(partner, 1000.0, DUE_45_DAYS_AGO).collection_fine_amount
            for partner in (ticked_company_with_cpf, person_with_cnpj)
        }
        self.assertEqual(fines[ticked_company_with_cpf], 20.0, "2 % at most for a consumer")
        self.assertEqual(fines[person_with_cnpj], 100.0)
        no_document.collection_payer_type = "consumer"  # the contract says so
        self.assertEqual(self.make_invoice(no_document, 1000.0, DUE_45_DAYS_AGO).collection_fine_amount, 20.0)

    def test_invoice_pdf_shows_what_it_costs_today(self):
        """The figure a reminder and a Pix charge use, on the document the customer opens."""
        overdue = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        not_due = self.make_invoice(self.customer, 500.0, TODAY + datetime.timedelta(days=10))
        render = self.env["ir.actions.report"]._render_qweb_html
        html = render("account.account_invoices", overdue.ids)[0].decode()
        self.assertIn("Updated today (45 days late)", html)
        for figure in ("1,000.00", "20.00", "15.00", "1,035.00"):
            self.assertIn(figure, html)
        self.assertNotIn("Updated today", render("account.account_invoices", not_due.ids)[0].decode())

    def test_grace_days_and_invoices_not_yet_due(self):
        self.policy.grace_days = 45
        late = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        upcoming = self.make_invoice(self.customer, 500.0, TODAY + datetime.timedelta(days=3))
        self.assertAlmostEqual(late.collection_updated_amount, 1000.0)
        self.assertAlmostEqual(upcoming.collection_updated_amount, 500.0)
        self.policy.grace_days = 44
        late.invalidate_recordset()
        self.assertAlmostEqual(late.collection_updated_amount, 1035.0)

    def test_partner_policy_overrides_the_default(self):
        strict = self.policy.copy({"name": "Strict", "is_default": False, "interest_percent_month": 3.0})
        self.customer.collection_policy_id = strict
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        self.assertAlmostEqual(invoice.collection_interest_amount, 45.0)

    def test_one_default_policy_per_company(self):
        with self.assertRaises(ValidationError):
            self.policy.copy({"is_default": True})

    def test_reminder_table_shows_the_updated_amount(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        html = self.env["ir.qweb"]._render(
            "collections_ruler.collection_invoice_table", {"moves": invoice, "show_links": False}
        )
        self.assertIn("Updated amount", html)
        self.assertIn("1,035.00", html)


@tagged("post_install", "-at_install")
class TestAgreementOverSeveralInvoices(AgreementCommon):
    """A customer's whole overdue debt: three invoices, different due dates, one partly paid.

    Runs on the generic chart here and on the Brazilian one in collections_pix
    (test_agreements_br), which is what our users have.
    """

    def three_invoices(self):
        """1,000.00 due 45 days ago, 500.00 due 20 days ago, 300.00 due 10 days ago of which 100.00 is paid.

        With 2 % fine and 1 % a month: 1,035.00 + 513.33 + 204.67 = 1,753.00 (fine 34.00, interest 19.00).
        """
        first = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        second = self.make_invoice(self.customer, 500.0, TODAY - datetime.timedelta(days=20))
        third = self.make_invoice(self.customer, 300.0, TODAY - datetime.timedelta(days=10))
        self.pay(third, 100.0)
        self.assertEqual(third.payment_state, "partial")
        return first | second | third

    def test_confirm_settles_every_invoice_in_one_entry(self):
        invoices = self.three_invoices()
        before = self.balances()
        agreement = self.propose(invoices, count=3)
        self.assertEqual(
            (agreement.principal_amount, agreement.fine_amount, agreement.interest_amount), (1700.0, 34.0, 19.0)
        )
        self.assertEqual(agreement.total_amount, 1753.0)
        agreement.with_user(self.collector).action_confirm()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        credits = agreement.settlement_move_id.line_ids.filtered(lambda line: line.account_id == self.receivable)
        self.assertEqual(sorted(credits.mapped("credit")), [200.0, 500.0, 1000.0])
        after = self.balances()
        self.assertEqual(after["receivable"] - before["receivable"], 53.0)
        self.assertEqual(after["income"] - before["income"], -53.0)
        self.assertEqual(after["clearing"], before["clearing"])
        for invoice in invoices:
            self.assertIn(agreement.name, invoice.message_ids[0].body)

    def test_a_manager_approves_an_agreement_over_several_invoices(self):
        invoices = self.three_invoices()
        agreement = self.propose(invoices, count=8)  # beyond the policy's 6
        agreement.action_confirm()
        self.assertEqual(agreement.state, "to_approve")
        agreement.with_user(self.collections_manager).action_approve()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})

    def test_cancel_reopens_each_invoice_with_its_balance(self):
        invoices = self.three_invoices()
        before = self.balances()
        agreement = self.propose(invoices, count=2)
        agreement.action_confirm()
        agreement.action_cancel()
        self.assertEqual(agreement.state, "cancelled")
        self.assertEqual(invoices.mapped("amount_residual"), [1000.0, 500.0, 200.0])
        self.assertEqual(self.balances(), before)
        for invoice in invoices:
            self.assertIn("cancelled", invoice.message_ids[0].body)

    def test_breach_charges_back_exactly_the_discount_on_what_is_unpaid(self):
        invoices = self.three_invoices()
        agreement = self.propose(invoices, count=3, discount=100.0)
        self.assertEqual((agreement.discount_on_charges, agreement.discount_on_principal), (53.0, 47.0))
        agreement.action_confirm()
        first, second, third = agreement.installment_ids.move_id
        self.assertEqual(agreement.installment_ids.mapped("amount"), [551.0, 551.0, 551.0])
        self.pay(first)
        self.plan(second.invoice_date_due + datetime.timedelta(days=11))
        self.assertEqual(agreement.state, "broken")
        # 1,102.00 of 1,653.00 unpaid = 2/3 of the 100.00 discount: 66.67, not 35.33 + 31.33 = 66.66.
        self.assertEqual(agreement.discount_revert_move_id.amount_total, 66.67)
        self.assertEqual((second | third).mapped("amount_residual"), [551.0, 551.0])

    def test_first_installment_cannot_be_due_before_the_agreement_date(self):
        invoices = self.three_invoices()
        with self.assertRaisesRegex(UserError, "before the agreement date"):
            self.propose(invoices, count=2, first_due=TODAY - datetime.timedelta(days=1))
        agreement = self.propose(invoices, count=2, first_due=TODAY)  # today is fine
        agreement.installment_ids[0].date_due = TODAY - datetime.timedelta(days=3)
        with self.assertRaisesRegex(ValidationError, "before the agreement date"):
            agreement.action_confirm()

    def test_wizard_on_a_paid_invoice_says_so(self):
        paid = self.make_invoice(self.customer, 100.0, DUE_45_DAYS_AGO)
        self.pay(paid)
        wizard = self.env["collection.agreement.wizard"].with_context(active_model="account.move", active_ids=paid.ids)
        with self.assertRaisesRegex(UserError, "Select open customer invoices"):
            Form(wizard)


@tagged("post_install", "-at_install")
class TestAgreementLifecycle(AgreementCommon):
    def test_within_policy_activates_and_books_a_clean_entry(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        before = self.balances()
        agreement = self.propose(invoice, count=3)
        self.assertEqual(agreement.state, "draft")
        self.assertEqual(agreement.installment_ids.mapped("amount"), [345.0, 345.0, 345.0])
        agreement.with_user(self.collector).action_confirm()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(invoice.payment_state, "paid", "the agreement settles the original invoice")
        after = self.balances()
        # Receivable: 1,000 of the invoice out, 1,035 of installments in; fine and interest to income.
        self.assertEqual(after["receivable"] - before["receivable"], 35.0)
        self.assertEqual(after["income"] - before["income"], -35.0)
        self.assertEqual(after["discount"] - before["discount"], 0.0)
        self.assertEqual(after["clearing"], before["clearing"], "the clearing account nets to zero")
        installments = agreement.installment_ids.move_id
        self.assertEqual(len(installments), 3)
        self.assertEqual(installments.mapped("invoice_date_due"), agreement.installment_ids.mapped("date_due"))
        self.assertTrue(
            all(m.payment_state == "not_paid" and m.collection_agreement_id == agreement for m in installments)
        )
        self.assertEqual(installments.collection_ruler_id, self.policy.installment_ruler_id)
        settlement = agreement.settlement_move_id
        self.assertEqual(settlement.state, "posted")
        self.assertTrue(all(line.reconciled for line in settlement.line_ids if line.account_id.reconcile))

    def test_cash_discount_goes_to_the_discount_account(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        before = self.balances()
        agreement = self.propose(invoice, count=1, discount=103.5)  # 10 % of 1,035.00
        self.assertEqual(agreement.discount_on_charges, 35.0, "fine and interest are forgiven first")
        self.assertEqual(agreement.discount_on_principal, 68.5)
        agreement.action_confirm()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.total_amount, 931.5)
        after = self.balances()
        self.assertEqual(after["income"] - before["income"], -35.0)
        self.assertEqual(after["discount"] - before["discount"], 103.5)
        self.assertEqual(after["receivable"] - before["receivable"], -68.5)

    def test_installment_interest_is_income_and_installments_sum_to_the_total(self):
        self.policy.installment_interest_percent = 2.0
        invoice = self.make_invoice(self.other_customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=4)
        amounts = agreement.installment_ids.mapped("amount")
        self.assertAlmostEqual(sum(amounts), agreement.total_amount)
        self.assertGreater(agreement.installment_interest_amount, 0)
        before = self.balances()
        agreement.action_confirm()
        after = self.balances()
        self.assertAlmostEqual(
            after["income"] - before["income"], -(35.0 + agreement.installment_interest_amount), places=2
        )

    def test_paying_every_installment_fulfils_the_agreement(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2)
        agreement.action_confirm()
        first, second = agreement.installment_ids.move_id
        self.pay(first)
        self.assertEqual(agreement.state, "active")
        self.assertAlmostEqual(agreement.amount_residual, second.amount_total)
        self.pay(second)
        self.assertEqual(agreement.state, "done")

    def test_installments_follow_the_agreement_ruler(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2, first_due=TODAY + datetime.timedelta(days=10))
        agreement.action_confirm()
        first = agreement.installment_ids[0].move_id
        self.plan(first.invoice_date_due - datetime.timedelta(days=3))
        self.assertEqual(first.collection_stage_id.ruler_id, self.policy.installment_ruler_id)
        contacts = self.comms(self.customer, stage_id=first.collection_stage_id.id)
        self.assertTrue(contacts)
        self.assertEqual(contacts.move_ids, first)
        self.assertFalse(invoice.collection_line_ids.filtered(lambda line: line.communication_id.state == "queued"))

    def test_terms_are_mailed_with_the_pdf_on_activation(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2)
        agreement.action_confirm()
        message = agreement.message_ids.filtered(lambda m: m.message_type == "comment" and m.attachment_ids)
        self.assertEqual(len(message), 1)
        self.assertIn(agreement.name, message.subject)
        # Tests render reports as HTML (no wkhtmltopdf round trip); the attachment is the terms report.
        self.assertTrue(
            message.attachment_ids.name.startswith(f"Termo de acordo - {agreement.name.replace('/', '-')}.")
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("collections_ruler.report_collection_agreement", agreement.ids)[0]
            .decode()
        )
        self.assertIn(agreement.name, html)
        self.assertIn("1,035.00", html)

    def test_an_invoice_paid_meanwhile_stops_the_activation(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2)
        self.pay(invoice, 100.0)
        with self.assertRaises(UserError):
            agreement.action_confirm()
        self.assertEqual(agreement.state, "draft")
        self.assertFalse(agreement.installment_ids.move_id)


@tagged("post_install", "-at_install")
class TestAgreementApproval(AgreementCommon):
    def test_outside_the_policy_waits_for_a_manager(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=8, discount=200.0, user=self.collector)
        self.assertEqual(set(agreement.violation_codes.split(",")), {"installments", "discount"})
        agreement.with_user(self.collector).action_confirm()
        self.assertEqual(agreement.state, "to_approve")
        activity = agreement.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("collections_ruler.mail_activity_agreement_approval"))
        self.assertIn("More than 6 installments", agreement.violation_text)
        with self.assertRaises(AccessError):
            agreement.with_user(self.collector).action_approve()
        agreement.with_user(self.collections_manager).action_approve()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.approved_by_id, self.collections_manager)
        self.assertFalse(agreement.activity_ids)

    def test_manager_rejects_back_to_draft(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2, first_due=TODAY + datetime.timedelta(days=60))
        self.assertEqual(agreement.violation_codes, "first_due")
        agreement.action_confirm()
        agreement.with_user(self.collections_manager).action_reject()
        self.assertEqual(agreement.state, "draft")
        self.assertFalse(agreement.settlement_move_id)

    def test_amount_limit_min_installment_and_down_payment(self):
        self.policy.write({"approval_amount_limit": 500.0, "min_down_payment_percent": 20.0})
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=6, down_payment=100.0)
        codes = set(agreement.violation_codes.split(","))
        self.assertEqual(codes, {"amount_limit", "down_payment"})
        small = self.make_invoice(self.other_customer, 200.0, DUE_45_DAYS_AGO)
        self.assertIn("min_installment", self.propose(small, count=6).violation_codes)

    def test_wizard_offers_the_policy_options_and_creates_the_agreement(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        wizard = (
            self.env["collection.agreement.wizard"]
            .with_user(self.collector)
            .with_context(active_model="res.partner", active_id=self.customer.id)
            .create({})
        )
        self.assertEqual(wizard.move_ids, invoice)
        self.assertAlmostEqual(wizard.updated_amount, 1035.0)
        self.assertAlmostEqual(wizard.discount_amount, 103.5, msg="1x starts with the best discount")
        self.assertIn("6 installments of", wizard.options_html, "the same table the negotiation message shows")
        wizard.write({"installment_count": 3, "discount_amount": 0.0})
        self.assertIn("345.00", wizard.preview_html)
        self.assertFalse(wizard.violation_text)
        action = wizard.action_confirm()
        agreement = self.env["collection.agreement"].browse(action["res_id"])
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.origin, "backoffice")


@tagged("post_install", "-at_install")
class TestAgreementBreachAndCancel(AgreementCommon):
    def test_breach_accelerates_reverts_the_discount_and_resumes_the_ruler(self):
        self.policy.write({"max_cash_discount_percent": 10.0})
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=3, discount=103.5)
        self.assertFalse(agreement.violation_codes)
        agreement.action_confirm()
        first, second, third = agreement.installment_ids.move_id
        self.pay(first)
        breach_day = second.invoice_date_due + datetime.timedelta(days=11)
        self.plan(breach_day)
        self.assertEqual(agreement.state, "broken")
        self.assertEqual((second | third).mapped("invoice_date_due"), [breach_day, breach_day])
        self.assertFalse((second | third).collection_ruler_id, "the customer's own ruler takes over")
        # 2/3 of the plan unpaid: 2/3 of the 103.50 discount is charged again.
        revert = agreement.discount_revert_move_id
        self.assertAlmostEqual(revert.amount_total, 69.0)
        self.assertEqual(revert.invoice_line_ids.account_id, self.policy.discount_account_id)
        self.assertEqual(self.customer.collection_broken_promises, 1)
        self.assertEqual(first.payment_state, "paid")
        self.plan(breach_day + datetime.timedelta(days=1))
        self.assertEqual(second.collection_stage_id.ruler_id, self.ruler)

    def test_on_time_installments_do_not_break(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2)
        agreement.action_confirm()
        first = agreement.installment_ids[0].move_id
        self.plan(first.invoice_date_due + datetime.timedelta(days=10))  # exactly the tolerance
        self.assertEqual(agreement.state, "active")

    def test_breach_sql_counts_days_beyond_the_tolerance_only(self):
        """The breach rule as production runs it (SQL): late by more than the tolerance, any unpaid one."""
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2)
        agreement.action_confirm()
        first, second = agreement.installment_ids.move_id
        Agreement = self.env["collection.agreement"]
        due = first.invoice_date_due
        self.policy.breach_tolerance_days = 5
        self.assertFalse(Agreement._collection_breach_candidates(self.company, due + datetime.timedelta(days=5)))
        self.assertEqual(
            Agreement._collection_breach_candidates(self.company, due + datetime.timedelta(days=6)), agreement
        )
        self.policy.breach_tolerance_days = 0
        self.assertFalse(Agreement._collection_breach_candidates(self.company, due))
        self.assertEqual(
            Agreement._collection_breach_candidates(self.company, due + datetime.timedelta(days=1)), agreement
        )
        self.assertFalse(Agreement._collection_breach_candidates(self.company, due - datetime.timedelta(days=30)))
        self.pay(first)  # paid: only the second one counts now
        self.assertFalse(Agreement._collection_breach_candidates(self.company, due + datetime.timedelta(days=1)))
        self.assertEqual(
            Agreement._collection_breach_candidates(self.company, second.invoice_date_due + datetime.timedelta(days=1)),
            agreement,
        )

    def test_one_agreement_that_cannot_break_does_not_stop_the_day(self):
        """A policy that lost its discount account: that breach fails alone, reported; the rest is planned."""
        self.policy.write({"max_cash_discount_percent": 10.0, "revert_discount_on_breach": True})
        bad_policy = self.policy.copy({"name": "Broken policy", "is_default": False})
        customer_b = self.env["res.partner"].create({"name": "Bruno", "email": "bruno@example.com"})
        good = self.propose(self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO), count=2)
        good.action_confirm()
        bad = self.propose(self.make_invoice(customer_b, 1000.0, DUE_45_DAYS_AGO), count=2, discount=50.0)
        bad.policy_id = bad_policy
        bad.action_confirm()
        bad_policy.discount_account_id = False
        control = self.env["res.partner"].create({"name": "Control", "email": "control@example.com"})
        breach_day = good.installment_ids[0].move_id.invoice_date_due + datetime.timedelta(days=11)
        control_invoice = self.make_invoice(control, 100.0, breach_day - datetime.timedelta(days=1))
        with mute_logger("odoo.addons.collections_ruler.models.collection_agreement"):
            self.plan(breach_day)
        self.assertEqual(good.state, "broken")
        self.assertEqual(bad.state, "active", "rolled back to its savepoint, nothing half-done")
        self.assertFalse(bad.discount_revert_move_id)
        self.assertEqual(bad.installment_ids[0].move_id.invoice_date_due, bad.installment_ids[0].date_due)
        todo = bad.activity_ids.filtered(lambda a: "fix agreement" in a.summary)
        self.assertEqual(len(todo), 1, "the collector is told")
        self.assertIn("breach", bad.message_ids[0].body)
        self.assertEqual(self.comms(control).move_ids, control_invoice, "the day's planning went on")
        with mute_logger("odoo.addons.collections_ruler.models.collection_agreement"):
            self.plan(breach_day + datetime.timedelta(days=1))
        self.assertEqual(len(bad.activity_ids.filtered(lambda a: "fix agreement" in a.summary)), 1, "told once")

    def test_a_breach_failing_midway_is_rolled_back_whole(self):
        """The failure comes after the installments were accelerated: the savepoint must undo that too."""
        self.policy.write({"max_cash_discount_percent": 10.0, "revert_discount_on_breach": True})
        customer_b = self.env["res.partner"].create({"name": "Bruno", "email": "bruno@example.com"})
        good = self.propose(self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO), count=2)
        good.action_confirm()
        bad = self.propose(self.make_invoice(customer_b, 1000.0, DUE_45_DAYS_AGO), count=2, discount=50.0)
        bad.action_confirm()
        Agreement = type(self.env["collection.agreement"])
        original = Agreement._create_discount_revert

        def failing(agreement, revert, day):
            if agreement == bad:
                raise ValueError("the discount revert cannot be posted")
            return original(agreement, revert, day)

        breach_day = good.installment_ids[0].move_id.invoice_date_due + datetime.timedelta(days=11)
        with (
            patch.object(Agreement, "_create_discount_revert", failing),
            mute_logger("odoo.addons.collections_ruler.models.collection_agreement"),
        ):
            self.plan(breach_day)
        self.assertEqual(good.state, "broken")
        self.assertEqual(bad.state, "active")
        for installment in bad.installment_ids:
            self.assertEqual(installment.move_id.invoice_date_due, installment.date_due, "not accelerated")

    def test_cancel_before_any_payment_reverses_exactly(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        before = self.balances()
        agreement = self.propose(invoice, count=3, discount=50.0)
        agreement.action_confirm()
        agreement.action_cancel()
        self.assertEqual(agreement.state, "cancelled")
        self.assertEqual(self.balances(), before)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertAlmostEqual(invoice.amount_residual, 1000.0)
        installments = agreement.installment_ids.move_id
        self.assertEqual(set(installments.mapped("payment_state")), {"reversed"})
        self.assertEqual(agreement.reversal_move_ids.reversed_entry_id, agreement.settlement_move_id | installments)

    def test_cancel_after_a_payment_keeps_it_and_the_rest_falls_due(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=3)
        agreement.action_confirm()
        first, second, third = agreement.installment_ids.move_id
        self.pay(first)
        agreement.action_cancel()
        self.assertEqual(agreement.state, "cancelled")
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual((second | third).mapped("invoice_date_due"), [TODAY, TODAY])
        self.assertFalse(agreement.discount_revert_move_id)

    def test_reschedule_within_policy_is_audited_beyond_needs_a_manager(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        agreement = self.propose(invoice, count=2)
        agreement.action_confirm()
        installment = agreement.installment_ids[1].with_user(self.collector)
        new_date = installment.date_due + datetime.timedelta(days=10)
        installment._reschedule(new_date, "Salary day changed")
        self.assertEqual(installment.move_id.invoice_date_due, new_date)
        self.assertIn("Salary day changed", agreement.message_ids[0].body)
        with self.assertRaises(AccessError):
            installment._reschedule(new_date + datetime.timedelta(days=30), "Too far")
        agreement.installment_ids[1].with_user(self.collections_manager)._reschedule(
            new_date + datetime.timedelta(days=30), "Approved by the manager"
        )
        self.assertEqual(installment.move_id.invoice_date_due, new_date + datetime.timedelta(days=30))


@tagged("post_install", "-at_install")
class TestAgreementAccess(AgreementCommon):
    def test_access_matrix(self):
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO)
        # Collector: reads policies, proposes and confirms agreements, cannot configure or delete.
        self.policy.with_user(self.collector).read(["fine_percent"])
        with self.assertRaises(AccessError):
            self.policy.with_user(self.collector).write({"fine_percent": 1.0})
        agreement = self.propose(invoice, count=2, user=self.collector)
        with self.assertRaises(AccessError):
            agreement.with_user(self.collector).unlink()
        # Manager: configures policies.
        self.policy.with_user(self.collections_manager).write({"fine_percent": 1.5})
        # A billing user without collections rights sees no agreement.
        billing = new_test_user(
            self.env, login="billing_only", groups="account.group_account_invoice", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            agreement.with_user(billing).read(["name"])

    def test_default_names_are_in_every_installed_language(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        other = self.setup_other_company()["company"]
        policy = self.env["collection.policy"].search([("company_id", "=", other.id), ("is_default", "=", True)])
        self.assertEqual(policy.with_context(lang="en_US").name, "Standard Policy")
        self.assertEqual(policy.with_context(lang="pt_BR").name, "Política Padrão")
        self.assertEqual(policy.clearing_account_id.with_context(lang="pt_BR").name, "Acordos de Cobrança a Faturar")

    def test_companies_are_isolated(self):
        other = self.setup_other_company()["company"]
        other_policy = self.env["collection.policy"].search([("company_id", "=", other.id), ("is_default", "=", True)])
        self.assertTrue(other_policy, "every company with a chart gets a default policy")
        self.assertTrue(other_policy.clearing_account_id)
        invoice = self.make_invoice(self.customer, 1000.0, DUE_45_DAYS_AGO, company=other)
        agreement = (
            self.env["collection.agreement"]
            .with_company(other)
            .create(
                self.env["collection.agreement"]._prepare_proposal(
                    self.customer, invoice, other_policy, 2, 0.0, TODAY + datetime.timedelta(days=7), TODAY
                )
            )
        )
        agreement.action_confirm()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.settlement_move_id.company_id, other)
        visible = self.env["collection.agreement"].with_user(self.collector).search([])
        self.assertNotIn(agreement, visible)


@tagged("post_install", "-at_install")
class TestNegotiationOffer(AgreementCommon):
    def test_negotiation_message_offers_the_policy_options(self):
        invoice = self.make_invoice(self.customer, 1000.0, TODAY - datetime.timedelta(days=15))
        self.plan(TODAY)
        contact = self.comms(self.customer, phase="negotiation", channel="email")
        self.assertTrue(contact)
        self.assertEqual(contact.move_ids, invoice)
        offer = str(contact.agreement_offer_html)
        self.assertIn("6 installments", offer)
        self.dispatch(fields.Datetime.to_datetime(f"{TODAY} 13:00:00"))
        body = contact.mail_message_id.body
        self.assertIn("Pay at once", body)
        self.assertIn("installments of", body)
