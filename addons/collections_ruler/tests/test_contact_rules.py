import base64

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CollectionsCommon

DUE = "2026-03-10"


@tagged("post_install", "-at_install")
class TestContactRules(CollectionsCommon):
    def test_opt_out_is_recorded_as_skipped(self):
        self.customer.collection_optout_whatsapp = True
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-11")
        whatsapp = self.comms(self.customer, channel="whatsapp")
        self.assertEqual((whatsapp.state, whatsapp.reason_code), ("skipped", "opt_out"))
        self.assertEqual(self.comms(self.customer, channel="email").state, "queued")

    def test_preferred_channel_replaces_the_other_electronic_ones(self):
        self.customer.collection_preferred_channel = "whatsapp"
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-11")
        self.assertEqual(self.comms(self.customer, channel="whatsapp").state, "queued")
        email = self.comms(self.customer, channel="email")
        self.assertEqual((email.state, email.reason_code), ("skipped", "preferred_channel"))

    def test_preferred_channel_absent_from_the_stage_changes_nothing(self):
        self.customer.collection_preferred_channel = "sms"
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-11")  # friendly stage: e-mail + WhatsApp, no SMS
        self.assertEqual(set(self.comms(self.customer).mapped("state")), {"queued"})

    def test_good_payers_get_no_pre_due_reminder(self):
        self.customer.collection_risk_level = "low"
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-07")
        reminder = self.comms(self.customer)
        self.assertEqual((reminder.state, reminder.reason_code), ("skipped", "good_payer"))
        self.plan("2026-03-11")
        self.assertEqual(self.comms(self.customer, stage_id=self.stages["friendly"].id)[:1].state, "queued")
        self.ruler.skip_good_payers = False
        self.make_invoice(self.customer, 50, "2026-03-23")  # D-3 on 2026-03-20, a day with no other stage
        self.plan("2026-03-17")  # the first invoice's escalation
        self.plan("2026-03-20")
        reminder = self.comms(self.customer, plan_date="2026-03-20", stage_id=self.stages["reminder"].id)
        self.assertEqual(reminder.state, "queued")

    def test_excluded_partner_and_invoice_are_left_alone(self):
        excluded_invoice = self.make_invoice(self.customer, 100, DUE)
        excluded_invoice.collection_excluded = True
        self.other_customer.collection_excluded = True
        self.make_invoice(self.other_customer, 100, DUE)
        control = self.env["res.partner"].create({"name": "Control", "email": "control@example.com"})
        planned = self.make_invoice(control, 100, DUE)  # the same day's planning must still work
        self.plan("2026-03-11")
        self.assertEqual(self.comms().partner_id, control)
        self.assertEqual(self.comms().move_ids, planned)

    def test_rules_changed_after_planning_are_respected_when_sending(self):
        """The dispatch applies the same rule as the planner (skip_reason_sql) to what is queued."""
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-11")  # friendly stage: e-mail and WhatsApp queued
        self.assertEqual(set(self.comms(self.customer).mapped("state")), {"queued"})
        self.customer.write({"collection_preferred_channel": "email", "collection_optout_email": False})
        self.dispatch("2026-03-11 13:00:00")
        whatsapp = self.comms(self.customer, channel="whatsapp")
        self.assertEqual((whatsapp.state, whatsapp.reason_code), ("skipped", "preferred_channel"))
        self.assertEqual(self.comms(self.customer, channel="email").state, "sent")

    def test_opt_out_after_planning_skips_the_queued_contact(self):
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-11")
        self.customer.collection_optout_email = True
        self.dispatch("2026-03-11 13:00:00")
        email = self.comms(self.customer, channel="email")
        self.assertEqual((email.state, email.reason_code), ("skipped", "opt_out"))

    def test_pause_until_a_date(self):
        self.customer.collection_paused_until = "2026-03-12"
        self.make_invoice(self.customer, 100, DUE)
        self.make_invoice(self.other_customer, 100, DUE)  # not paused: planned the same day
        self.plan("2026-03-11")
        self.assertFalse(self.comms(self.customer))
        self.assertTrue(self.comms(self.other_customer))
        self.plan("2026-03-13")
        self.assertEqual(self.comms(self.customer).stage_id, self.stages["friendly"])

    def test_promise_to_pay_pauses_reminds_and_a_broken_promise_resumes(self):
        invoice = self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-07")
        queued = self.comms(self.customer)
        wizard = Form(
            self.env["collection.promise.wizard"]
            .with_user(self.collector)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        wizard.promise_date = "2099-03-20"
        wizard.note = "Pays by Pix on Friday"
        wizard.save().action_confirm()
        self.assertEqual((queued.state, queued.reason_code), ("cancelled", "paused"))
        activity = invoice.activity_ids
        self.assertEqual(str(activity.date_deadline), "2099-03-20")
        invoice.collection_promise_date = "2026-03-20"  # as if it had been promised for the 20th
        self.plan("2026-03-15")
        self.assertEqual(len(self.comms(self.customer)), 1, "no contact while the promise holds")
        self.plan("2026-03-21")
        self.assertFalse(invoice.collection_promise_date)
        self.assertEqual(self.customer.collection_broken_promises, 1)
        self.assertIn("not kept", invoice.message_ids[0].body)
        # D+11: the ruler resumes at the stage reached meanwhile.
        self.assertEqual(self.comms(self.customer, plan_date="2026-03-21").stage_id, self.stages["escalation"])

    def test_promise_in_the_past_is_refused(self):
        invoice = self.make_invoice(self.customer, 100, DUE)
        wizard = self.env["collection.promise.wizard"].create(
            {"partner_id": self.customer.id, "move_ids": invoice.ids, "promise_date": "2000-01-01"}
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()

    def test_absurd_contact_hours_are_refused(self):
        with self.assertRaises(Exception):  # noqa: B017 - ValidationError raised by the constraint
            self.ruler.write({"contact_hour_from": 21, "contact_hour_to": 8})


@tagged("post_install", "-at_install")
class TestRiskAndExports(CollectionsCommon):
    def _pay(self, invoice, day):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"payment_date": day}
        )._create_payments()

    def test_risk_from_twelve_months_of_behaviour(self):
        punctual, late = self.customer, self.other_customer
        for month in range(1, 10):
            due = f"2026-{month:02d}-10"
            self._pay(self.make_invoice(punctual, 100, due), due)
            self._pay(
                self.make_invoice(late, 100, due), f"2026-{month:02d}-28" if month < 9 else f"2026-{month + 1:02d}-28"
            )
        self.make_invoice(late, 900, "2026-10-01")
        with freeze_time("2026-11-15"):
            self.env["res.partner"]._cron_compute_collection_risk()
        self.assertEqual((punctual.collection_risk_level, punctual.collection_risk_score), ("low", 0))
        self.assertEqual(late.collection_risk_level, "high")
        self.assertGreater(late.collection_risk_score, 50)

    def test_negativacao_export_in_one_transaction(self):
        self.customer.write({"vat": "104.332.181-00", "street": "Rua A, 1", "city": "São Paulo", "zip": "01000-000"})
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        self.reach_measures("2026-03-06")
        wizard = (
            self.env["collection.export.wizard"].with_user(self.collections_manager).create({"kind": "negativacao"})
        )
        self.assertEqual(wizard.move_count, 1)
        wizard.action_export()
        content = base64.b64decode(wizard.file).decode()
        header, line = content.strip().split("\r\n")
        self.assertTrue(header.startswith("evento;documento;nome"))
        self.assertTrue(
            line.startswith(f"inclusao;10433218100;Joana Silva;Rua A, 1;São Paulo;;01000000;{invoice.name};")
        )
        self.assertIn(";800,00;", line)
        self.assertEqual(invoice.collection_negativacao_state, "registered")
        self._pay(invoice, "2026-03-08")
        self.assertEqual(invoice.collection_negativacao_state, "to_remove")
        removal = self.env["collection.export.wizard"].create({"kind": "negativacao"})
        removal.action_export()
        self.assertTrue(base64.b64decode(removal.file).decode().split("\r\n")[1].startswith("exclusao;"))
        self.assertEqual(invoice.collection_negativacao_state, "removed")

    def test_export_refuses_a_debt_without_document_and_changes_nothing(self):
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        self.reach_measures("2026-03-06")
        wizard = self.env["collection.export.wizard"].create({"kind": "negativacao"})
        with self.assertRaisesRegex(UserError, "CPF or CNPJ"):
            wizard.action_export()
        self.assertEqual(invoice.collection_negativacao_state, "to_register")


@tagged("post_install", "-at_install")
class TestAccessAndCompanies(CollectionsCommon):
    def test_collector_reads_rulers_and_works_contacts_manager_configures(self):
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-07")
        comm = self.comms(self.customer)
        ruler_as_collector = self.ruler.with_user(self.collector)
        self.assertTrue(ruler_as_collector.stage_ids)
        with self.assertRaises(AccessError):
            ruler_as_collector.name = "Mine"
        with self.assertRaises(AccessError):
            self.env["collection.ruler"].with_user(self.collector).create({"name": "New"})
        comm.with_user(self.collector).action_cancel()
        self.assertEqual(comm.state, "cancelled")
        with self.assertRaises(AccessError):
            comm.with_user(self.collector).unlink()
        self.ruler.with_user(self.collections_manager).name = "Standard (edited)"
        stage = self.ruler.stage_ids[0].with_user(self.collections_manager)
        stage.offset_days = -5
        self.assertEqual(stage.offset_days, -5)

    def test_companies_are_isolated(self):
        other_company = self.setup_other_company()["company"]
        other_rulers = self.env["collection.ruler"].sudo().search([("company_id", "=", other_company.id)])
        self.assertEqual(
            sorted(other_rulers.mapped("usage")), ["agreement", "invoice"], "every new company gets the standard rulers"
        )
        other_ruler = other_rulers.filtered(lambda r: r.usage == "invoice")
        self.make_invoice(self.customer, 100, DUE)
        self.make_invoice(self.customer, 100, DUE, company=other_company)
        self.plan("2026-03-07")
        all_comms = self.env["collection.communication"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertEqual(all_comms.company_id, self.company | other_company)
        self.assertEqual(all_comms.filtered(lambda c: c.company_id == other_company).ruler_id, other_ruler)
        visible = self.env["collection.communication"].with_user(self.collector).search([])
        self.assertEqual(visible.company_id, self.company)
        # the lines have no company column of their own: their contact's company decides
        lines = self.env["collection.communication.line"].sudo().search([("move_id.partner_id", "=", self.customer.id)])
        self.assertEqual(lines.company_id, self.company | other_company)
        visible_lines = self.env["collection.communication.line"].with_user(self.collector).search([])
        self.assertEqual(visible_lines, lines.filtered(lambda line: line.communication_id.company_id == self.company))
        self.assertEqual(visible_lines.currency_id, visible_lines.move_id.currency_id)
        with self.assertRaises(AccessError):
            lines.filtered(lambda line: line.company_id == other_company).with_user(self.collector).read(["move_id"])
        # nor the other company's invoices' stages
        pointers = self.env["collection.invoice.stage"].sudo().search([("move_id", "in", lines.move_id.ids)])
        self.assertEqual(pointers.move_id.company_id, self.company | other_company)
        visible_pointers = self.env["collection.invoice.stage"].with_user(self.collector).search([])
        self.assertEqual(visible_pointers.move_id.company_id, self.company)
        with self.assertRaises(AccessError):
            other_ruler.with_user(self.collector).sudo(False).read(["name"])
