import datetime
import json

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LINK, PortalCommon


@tagged("post_install", "-at_install")
class TestPortalTours(PortalCommon):
    """The customer's side in headless Chromium, from the link in a real reminder."""

    def reminder_link(self):
        self.send_reminders()
        comm = self.comms(self.customer, channel="email", state="sent")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", comm.mail_message_id.id)])
        return comm, LINK.search(mail.body_html).group(1)

    def test_from_a_reminder_to_an_agreement_and_its_first_installment_paid_by_pix(self):
        comm, link = self.reminder_link()
        self.start_tour(link, "collections_portal_agreement")
        self.assertTrue(comm.link_opened_at, "the opening of the reminder's link is recorded")
        agreement = self.env["collection.agreement"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((agreement.state, agreement.origin, agreement.installment_count), ("active", "portal", 3))
        self.assertEqual(agreement.move_ids, self.late | self.later)
        self.assertTrue(agreement.portal_accepted_at and agreement.portal_terms)
        first = agreement.installment_ids[:1].move_id
        charge = first.collection_pix_charge_ids
        self.assertEqual(charge.state, "to_send")
        with freeze_time(datetime.datetime.now()):
            self.env["collection.pix.charge"]._cron_sync()
        self.assertEqual(charge.state, "active")
        self.assertEqual(charge.amount, agreement.installment_ids[:1].amount)
        page = f"{link}&pix={first.id}#debt-{first.id}"
        self.start_tour(page, "collections_portal_pix_active")
        # The payer's bank pays at the PSP sandbox, whose notification reaches Odoo over HTTP.
        record = self.sandbox.pay(charge.txid, deliver=False)["pix"]
        path = f"/collections_pix/webhook/{self.provider.id}/{self.provider.webhook_token}/pix"
        answer = self.url_open(path, data=json.dumps({"pix": [record]}), headers={"Content-Type": "application/json"})
        self.assertEqual(answer.status_code, 200)
        self.env["collection.pix.event"]._cron_reconcile()
        self.assertEqual(first.payment_state in ("paid", "in_payment"), True)
        self.start_tour(page, "collections_portal_pix_paid")

    def test_a_promise_and_contact_preferences_from_the_link(self):
        _comm, link = self.reminder_link()
        self.start_tour(link, "collections_portal_promise")
        limit = self.today + datetime.timedelta(days=self.policy.max_promise_days)
        overdue = self.late | self.later | self.partial
        self.assertEqual(set(overdue.mapped("collection_promise_date")), {limit})
        self.assertFalse(self.upcoming.collection_promise_date, "a debt not yet due needs no promise")
        self.assertEqual(
            (
                self.customer.collection_optout_sms,
                self.customer.collection_optout_email,
                self.customer.collection_preferred_channel,
                self.customer.collection_contact_time,
            ),
            (True, False, "whatsapp", "evening"),
        )
