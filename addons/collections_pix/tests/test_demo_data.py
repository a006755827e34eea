import datetime

from odoo.tests import TransactionCase, tagged

from odoo.addons.collections_ruler.tools.documents import parse_tax_id


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo must keep building a believable collections scenario."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["collection.demo"]._collections_create_demo_data()
        # the day the demo was built for: the company's (São Paulo), not UTC's, which is ahead after 21:00
        cls.today = cls.company._collection_today()

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
                ("collection_agreement_id", "=", False),
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
                ("invoice_date_due", "<=", self.today - datetime.timedelta(days=60)),
                ("collection_agreement_id", "=", False),
                ("id", "not in", self.env["collection.agreement"].search([]).move_ids.ids),
            ]
        )
        self.assertEqual(len(paid), 36)
        days_late = {
            inv: max((line.date - inv.invoice_date_due).days for line in inv._get_reconciled_amls()) for inv in paid
        }
        self.assertTrue(any(d <= 0 for d in days_late.values()), "some invoices were paid on time")
        self.assertTrue(any(d > 20 for d in days_late.values()), "some invoices were paid very late")
        self.assertTrue(all(inv.invoice_date_due <= self.today - datetime.timedelta(days=60) for inv in paid))


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """A month of collection work replayed by the ruler, so the demo shows a living operation on any day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["collection.demo"]._collections_create_demo_data()
        cls.today = cls.company._collection_today()
        cls.comms = cls.env["collection.communication"].search([("company_id", "=", cls.company.id)])

    def _story_invoice(self, customer, amount):
        return self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "=", "out_invoice"),
                ("partner_id.name", "=", customer),
                ("amount_total", "=", amount),
                ("invoice_date_due", ">", self.today - datetime.timedelta(days=30)),
            ]
        )

    def test_contacts_went_out_on_their_days_within_contact_hours(self):
        sent = self.comms.filtered(lambda c: c.state == "sent")
        days = {self.company._collection_to_local(c.sent_at).date() for c in sent}
        self.assertGreaterEqual(len(days), 12, "a month of contacts, not one day's")
        self.assertTrue(all(day < self.today for day in days))
        for comm in sent:
            local = self.company._collection_to_local(comm.sent_at)
            self.assertLess(local.weekday(), 5, comm.name)
            self.assertTrue(8 <= local.hour < 20, comm.name)
            self.assertGreaterEqual(local.date(), comm.plan_date)
        self.assertEqual(
            set(sent.stage_id.mapped("phase")), {"reminder", "friendly", "escalation", "negotiation", "severe"}
        )
        self.assertFalse(self.env["mail.mail"].search([("state", "=", "outgoing")]), "the past sends no e-mail")

    def test_a_debt_paid_after_its_reminder(self):
        invoice = self._story_invoice("Felipe Araújo Rocha", 640.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        paid_on = max(invoice._get_reconciled_amls().mapped("date"))
        reminders = invoice.collection_line_ids.communication_id.filtered(lambda c: c.state == "sent")
        self.assertTrue(reminders)
        self.assertLess(max(c.sent_at.date() for c in reminders), paid_on)

    def test_one_promise_kept_and_one_broken(self):
        kept = self._story_invoice("Carla Mendes Oliveira", 410.0)
        self.assertIn(kept.payment_state, ("paid", "in_payment"))
        self.assertEqual(max(kept._get_reconciled_amls().mapped("date")), kept.collection_promise_date)
        broken = self._story_invoice("Eduarda Costa Martins", 530.0)
        self.assertEqual(broken.payment_state, "not_paid")
        self.assertFalse(broken.collection_promise_date, "the broken promise no longer pauses the ruler")
        self.assertTrue(
            any("was not kept" in (m.body or "") or "não foi cumprida" in (m.body or "") for m in broken.message_ids)
        )
        promised_for = self.today - datetime.timedelta(days=12)
        resumed = broken.collection_line_ids.communication_id.filtered(lambda c: c.plan_date > promised_for)
        self.assertTrue(resumed, "after the broken promise the ruler wrote again")

    def test_one_agreement_active_and_one_broken(self):
        agreements = self.env["collection.agreement"].search([("company_id", "=", self.company.id)])
        by_state = {a.state: a for a in agreements}
        self.assertEqual(sorted(by_state), ["active", "broken"])
        active = by_state["active"]
        paid = active.installment_ids.move_id.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        self.assertEqual(len(paid), 1)
        self.assertEqual(active.partner_id.name, "Construtora Horizonte Ltda")
        self.assertEqual(by_state["broken"].partner_id.name, "Diego Fernandes Lima")

    def test_a_pix_paid_by_webhook(self):
        invoice = self._story_invoice("Clínica Sorriso Feliz S/S", 980.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        event = self.env["collection.pix.event"].search([("move_id", "=", invoice.id)])
        self.assertEqual((event.source, event.state), ("webhook", "done"))
        self.assertEqual(event.charge_id.state, "paid")

    def test_today_has_work_and_the_portal_has_a_customer(self):
        worklist = self.env["res.partner"].search(
            [("company_id", "=", self.company.id), ("collection_action_needed", "=", True)]
        )
        self.assertTrue(worklist, "the collectors' worklist is not empty")
        self.assertTrue(self.comms.filtered(lambda c: c.plan_date == self.today or c.state == "queued"))
        portal = self.env["res.users"].search([("login", "=", "cliente")])
        self.assertTrue(portal.has_group("base.group_portal"))
        self.assertEqual((portal.partner_id.name, portal.lang), ("Bruno Carvalho Souza", "pt_BR"))
        debts = portal.partner_id.collection_open_move_ids
        self.assertGreaterEqual(len(debts.filtered(lambda m: m.invoice_date_due < self.today)), 3)
        self.assertTrue(debts.filtered(lambda m: m.payment_state == "partial"), "one debt partly paid")

    def test_boletos_went_to_the_bank_and_one_came_back_paid(self):
        boletos = self.env["collection.boleto"].search([("company_id", "=", self.company.id)])
        self.assertGreaterEqual(len(boletos), 3)
        self.assertEqual(set(boletos.mapped("state")), {"registered", "paid"})
        self.assertEqual(len(boletos.filtered(lambda b: b.state == "paid")), 1)
        ret = self.env["collection.bank.return"].search([("company_id", "=", self.company.id)])
        self.assertEqual((ret.review_count, ret.fee_amount), (0, 2.10))
        paid = boletos.filtered(lambda b: b.state == "paid").move_id
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
