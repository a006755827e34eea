import datetime

from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestRulerReplay(CollectionsCommon):
    def test_sixty_day_replay_fires_each_stage_on_its_day(self):
        """Replay every day from D-5 to D+55: plan each morning, dispatch at 09:00 and 18:00 local."""
        due = datetime.date(2026, 3, 10)  # a Tuesday
        invoice = self.make_invoice(self.customer, 1000, due)
        for offset in range(-5, 56):
            day = due + datetime.timedelta(days=offset)
            self.plan(day)
            self.dispatch(datetime.datetime.combine(day, datetime.time(12, 0)))
            self.dispatch(datetime.datetime.combine(day, datetime.time(21, 0)))
        emails = self.comms(self.customer, channel="email")
        planned = {c.stage_id.phase: c.plan_date for c in emails}
        sent = {c.stage_id.phase: c.sent_at.date() for c in emails}
        d = datetime.date
        self.assertEqual(
            planned,
            {
                "reminder": d(2026, 3, 7),  # D-3
                "friendly": d(2026, 3, 11),  # D+1
                "escalation": d(2026, 3, 17),  # D+7
                "negotiation": d(2026, 3, 25),  # D+15
                "severe": d(2026, 4, 9),  # D+30
            },
        )
        # D-3 fell on a Saturday: the e-mail waited for Monday; every other stage went out on its day.
        self.assertEqual(sent, dict(planned, reminder=d(2026, 3, 9)))
        self.assertEqual(set(emails.mapped("state")), {"sent"})
        self.assertEqual(len(self.comms(self.customer, channel="sms")), 1)
        self.assertEqual(len(self.comms(self.customer, channel="phone")), 1)
        self.assertEqual(len(self.comms(self.customer, channel="letter")), 1)
        self.assertEqual(invoice.collection_stage_id, self.stages["severe"])
        self.assertTrue(self.customer.collection_credit_hold)
