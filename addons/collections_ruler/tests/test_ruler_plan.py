import datetime
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CollectionsCommon

DUE = "2026-03-10"  # a Tuesday


@tagged("post_install", "-at_install")
class TestRulerPlan(CollectionsCommon):
    def test_default_ruler_has_the_five_phases(self):
        self.assertEqual(
            [(s.offset_days, s.phase) for s in self.ruler.stage_ids],
            [(-3, "reminder"), (1, "friendly"), (7, "escalation"), (15, "negotiation"), (30, "severe")],
        )

    def test_planner_sql_picks_the_latest_stage_reached(self):
        """The current stage is the largest offset already reached (the planner's SQL, not a twin)."""
        day = fields.Date.to_date("2026-03-11")
        vectors = [(-10, None), (-3, -3), (-1, -3), (0, -3), (1, 1), (6, 1), (7, 7), (29, 15), (90, 30)]
        partners = self.env["res.partner"].create(
            [{"name": f"Stage {days}", "email": f"stage{n}@example.com"} for n, (days, _x) in enumerate(vectors)]
        )
        invoices = [
            self.make_invoice(partner, 100, day - datetime.timedelta(days=days))
            for partner, (days, _expected) in zip(partners, vectors, strict=True)
        ]
        self.plan(day)
        reached = [
            invoice.collection_stage_id.offset_days if invoice.collection_stage_id else None for invoice in invoices
        ]
        self.assertEqual(reached, [expected for _days, expected in vectors])

    def test_one_company_failing_does_not_stop_the_others(self):
        """Each company plans in its own savepoint: a failure is rolled back, reported and logged."""
        other = self.setup_other_company()["company"]
        other_ruler = self.env["collection.ruler"].search([("company_id", "=", other.id), ("usage", "=", "invoice")])
        other_invoice = self.make_invoice(self.customer, 100, DUE, company=other)
        planned = self.make_invoice(self.other_customer, 100, DUE)
        Ruler = type(self.env["collection.ruler"])
        real_plan = Ruler._plan_advance_stages

        def plan_failing_for_other(ruler, company, *args):
            result = real_plan(ruler, company, *args)  # rows written, then the failure: all must go
            if company == other:
                raise ValueError("stage template lost")
            return result

        with (
            patch.object(Ruler, "_plan_advance_stages", plan_failing_for_other),
            mute_logger("odoo.addons.collections_ruler.models.collection_ruler"),
        ):
            self.plan("2026-03-11")
        self.assertEqual(self.comms(self.other_customer).move_ids, planned)
        self.assertFalse(self.env["collection.communication"].search([("company_id", "=", other.id)]))
        self.assertFalse(other_invoice.collection_stage_id, "the failed company's work was rolled back")
        todo = other_ruler.activity_ids.filtered(lambda a: "planning failed" in a.summary)
        self.assertEqual(len(todo), 1)
        self.assertIn("stage template lost", todo.note)

    def test_stage_fires_on_its_day_with_each_channel(self):
        invoice = self.make_invoice(self.customer, 500, DUE)
        earlier = self.make_invoice(self.other_customer, 500, "2026-03-09")
        self.plan("2026-03-06")  # D-4: nothing yet (while the other invoice, D-3, is planned)
        self.assertFalse(self.comms(self.customer))
        self.assertEqual(self.comms(self.other_customer).move_ids, earlier)
        self.plan("2026-03-07")  # D-3
        reminder = self.comms(self.customer)
        self.assertEqual(reminder.mapped("channel"), ["email"])
        self.assertEqual(reminder.stage_id, self.stages["reminder"])
        self.assertEqual(reminder.state, "queued")
        self.assertEqual(reminder.move_ids, invoice)
        self.assertEqual(invoice.collection_stage_id, self.stages["reminder"])
        self.plan("2026-03-11")  # D+1
        friendly = self.comms(self.customer, stage_id=self.stages["friendly"].id)
        self.assertEqual(sorted(friendly.mapped("channel")), ["email", "whatsapp"])

    def test_rerun_and_replay_never_plan_twice(self):
        self.make_invoice(self.customer, 500, DUE)
        self.plan("2026-03-11")
        self.plan("2026-03-11")
        self.plan("2026-03-12")
        self.assertEqual(len(self.comms(self.customer)), 2)  # friendly: e-mail + WhatsApp, once

    def test_old_debt_gets_only_its_current_stage_and_its_measures(self):
        self.stages["severe"].action_agency = True
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        self.plan("2026-03-06")  # 60 days late
        comms = self.comms(self.customer)
        self.assertEqual(set(comms.stage_id.mapped("phase")), {"severe"})
        self.assertEqual(sorted(comms.mapped("channel")), ["email", "letter"])
        self.reach_measures("2026-03-06")
        self.assertTrue(self.customer.collection_credit_hold)
        self.assertEqual(invoice.collection_negativacao_state, "to_register")
        self.assertEqual(invoice.collection_agency_state, "to_hand_over")
        self.assertEqual(invoice.collection_measures_stage_id, self.stages["severe"])

    def test_measures_wait_for_the_notice_and_the_days_it_announces(self):
        """CDC art. 43 §2: the customer is told first; the bureau mark comes after the announced wait."""
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        self.plan("2026-03-06")  # reaches the final notice: nothing happens to the customer's credit yet
        self.assertFalse(self.customer.collection_credit_hold)
        self.assertFalse(invoice.collection_negativacao_state)
        self.dispatch("2026-03-06 15:00:00")
        notice = self.comms(self.customer, channel="email")
        self.assertEqual(notice.state, "sent")
        self.assertIn("10 dias" if self.customer.lang == "pt_BR" else "10 days", notice.mail_message_id.body)
        self.plan("2026-03-15")  # nine days after the notice
        self.assertFalse(self.customer.collection_credit_hold)
        self.assertFalse(invoice.collection_negativacao_state)
        self.plan("2026-03-16")  # the tenth day
        self.assertTrue(self.customer.collection_credit_hold)
        self.assertEqual(invoice.collection_negativacao_state, "to_register")
        # undone by hand, not taken again the next morning
        invoice.collection_negativacao_state = False
        self.plan("2026-03-17")
        self.assertFalse(invoice.collection_negativacao_state)

    def test_no_measures_without_a_written_notice_sent(self):
        self.stages["severe"].write({"channel_letter": False, "measure_wait_days": 0})
        self.customer.email = False
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        self.plan("2026-03-06")
        self.dispatch("2026-03-06 15:00:00")
        self.assertEqual(self.comms(self.customer, channel="email").state, "failed")
        self.plan("2026-03-20")
        self.assertFalse(self.customer.collection_credit_hold)
        self.assertFalse(invoice.collection_negativacao_state)

    def test_a_stage_with_measures_must_send_a_written_notice(self):
        with self.assertRaisesRegex(ValidationError, "written notice"):
            self.stages["severe"].write({"channel_email": False, "channel_letter": False, "channel_phone": True})

    def test_stages_reached_the_same_day_make_one_message_in_the_firmest_stage(self):
        """An invoice at the renegotiation offer and one at the final notice: one final notice listing both."""
        negotiation = self.make_invoice(self.customer, 300, "2026-02-19")  # D+15 on 2026-03-06
        severe = self.make_invoice(self.customer, 800, "2026-02-04")  # D+30 on 2026-03-06
        self.plan("2026-03-06")
        comms = self.comms(self.customer)
        self.assertEqual(sorted(comms.mapped("channel")), ["email", "letter"])
        self.assertEqual(comms.stage_id, self.stages["severe"])
        for comm in comms:
            self.assertEqual(comm.move_ids, negotiation | severe)
            self.assertEqual(
                {line.move_id: line.stage_id for line in comm.line_ids},
                {negotiation: self.stages["negotiation"], severe: self.stages["severe"]},
            )
        self.dispatch("2026-03-06 15:00:00")
        self.assertEqual(len(self.comms(self.customer, channel="email", state="sent")), 1)

    def test_one_message_per_customer_lists_every_invoice(self):
        first = self.make_invoice(self.customer, 100, DUE)
        second = self.make_invoice(self.customer, 250, DUE)
        self.plan("2026-03-07")
        comm = self.comms(self.customer)
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm.move_ids, first | second)
        self.assertEqual(comm.amount_due, 350)

    def test_one_message_per_invoice_when_asked(self):
        self.ruler.group_by_partner = False
        self.make_invoice(self.customer, 100, DUE)
        self.make_invoice(self.customer, 250, DUE)
        self.plan("2026-03-07")
        self.assertEqual(len(self.comms(self.customer)), 2)
        self.assertEqual([len(c.move_ids) for c in self.comms(self.customer)], [1, 1])

    def test_ruler_chosen_by_override_then_risk_then_amount(self):
        firm = self.ruler.copy({"name": "High risk", "sequence": 1, "risk_level": "high"})
        big = self.ruler.copy({"name": "Big debts", "sequence": 2, "min_amount_due": 10000})
        risky = self.env["res.partner"].create({"name": "Risky", "email": "r@example.com"})
        risky.collection_risk_level = "high"
        rich = self.env["res.partner"].create({"name": "Big", "email": "b@example.com"})
        chosen = self.env["res.partner"].create(
            {"name": "Chosen", "email": "c@example.com", "collection_ruler_id": big.id}
        )
        for partner, amount in ((risky, 100), (rich, 20000), (chosen, 100), (self.customer, 100)):
            self.make_invoice(partner, amount, DUE)
        self.plan("2026-03-07")
        self.assertEqual(self.comms(risky).ruler_id, firm)
        self.assertEqual(self.comms(rich).ruler_id, big)
        self.assertEqual(self.comms(chosen).ruler_id, big)
        self.assertEqual(self.comms(self.customer).ruler_id, self.ruler)

    def test_changing_to_a_firmer_ruler_fires_its_current_stage(self):
        invoice = self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-11")
        firm = self.ruler.copy({"name": "High risk", "sequence": 1, "risk_level": "high"})
        self.customer.collection_risk_level = "high"
        self.plan("2026-03-12")
        self.assertEqual(invoice.collection_stage_id.ruler_id, firm)
        self.assertEqual(len(self.comms(self.customer, ruler_id=firm.id)), 2)

    def test_paid_and_draft_invoices_are_not_planned(self):
        paid = self.make_invoice(self.customer, 100, DUE)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {}
        )._create_payments()
        draft = self.make_invoice(self.other_customer, 100, DUE)
        draft.button_draft()
        control = self.env["res.partner"].create({"name": "Control", "email": "control@example.com"})
        planned = self.make_invoice(control, 100, DUE)  # the same day's planning must still work
        self.plan("2026-03-11")
        self.assertEqual(self.comms().move_ids, planned)
