import email
import socket
from unittest.mock import patch

from aiosmtpd.controller import Controller
from freezegun import freeze_time

import odoo
from odoo import fields
from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import CollectionsCommon
from .fake_whatsapp import FakeWhatsAppServer

DUE = "2026-03-10"  # Tuesday
FRIENDLY_DAY = "2026-03-11"
WEDNESDAY_9H = "2026-03-11 12:00:00"  # 09:00 in São Paulo


class _Inbox:
    """aiosmtpd handler keeping what the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
        return "250 Message accepted for delivery"


@tagged("post_install", "-at_install")
class TestRulerDispatch(CollectionsCommon, SMSCase):
    def test_email_reaches_the_queue_and_a_real_smtp_server(self):
        invoice = self.make_invoice(self.customer, 1234.56, DUE)
        self.plan(FRIENDLY_DAY)
        self.dispatch(WEDNESDAY_9H)
        contact = self.comms(self.customer, channel="email")
        self.assertEqual(contact.state, "sent")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", contact.mail_message_id.id)])
        self.assertEqual(mail.state, "outgoing", "queued for Odoo's mail queue, not sent inline")
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn(self.customer, mail.recipient_ids)

        inbox = _Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            server = (
                self.env["ir.mail_server"]
                .sudo()
                .create({"name": "Local SMTP", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_encryption": "none"})
            )
            mail.mail_server_id = server
            # Odoo skips SMTP while a test runs; lift that for this one real delivery.
            with patch.object(odoo.modules.module, "current_test", None):
                mail.send(raise_exception=True)
        finally:
            controller.stop()
        self.assertEqual(len(inbox.messages), 1)
        _sender, recipients, content = inbox.messages[0]
        self.assertEqual(recipients, ["joana@example.com"])
        received = email.message_from_string(content)
        self.assertIn("we have not received your payment", received["Subject"])
        html = next(p for p in received.walk() if p.get_content_type() == "text/html").get_payload(decode=True)
        self.assertIn(invoice.name, html.decode())
        self.assertEqual(mail.state, "sent")

    def test_sms_goes_through_odoo_sms_queue(self):
        self.ruler.stage_ids.filtered(lambda s: s.phase == "escalation").channel_email = False
        invoice = self.make_invoice(self.customer, 99.9, DUE)
        self.plan("2026-03-17")  # D+7: escalation by SMS
        self.dispatch("2026-03-17 12:00:00")
        sms_comm = self.comms(self.customer, channel="sms")
        self.assertEqual(sms_comm.state, "sent")
        self.assertEqual(sms_comm.sms_id.state, "outgoing")
        self.assertIn(invoice.name, sms_comm.sms_id.body)
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo()._process_queue()
        self.assertSMSIapSent([sms_comm.sms_id.number], content=invoice.name)

    def test_whatsapp_cloud_api_against_a_fake_server(self):
        invoice = self.make_invoice(self.customer, 300, DUE)
        with FakeWhatsAppServer(token="graph-token") as server:
            self.company.sudo().write(
                {
                    "collection_whatsapp_provider": "cloud_api",
                    "collection_whatsapp_url": server.base_url,
                    "collection_whatsapp_phone_number_id": "1234567890",
                    "collection_whatsapp_token": "graph-token",
                }
            )
            self.plan(FRIENDLY_DAY)
            with freeze_time(WEDNESDAY_9H):
                self.env["collection.communication"]._cron_dispatch()
            whatsapp = self.comms(self.customer, channel="whatsapp")
            self.assertEqual(whatsapp.state, "sending", "handed to the outbox, not sent by the dispatch")
            self.assertFalse(server.requests, "no gateway call inside the dispatch's transaction")
            self.dispatch(WEDNESDAY_9H)
        self.assertEqual(whatsapp.state, "sent", whatsapp.reason)
        self.assertTrue(whatsapp.external_id.startswith("wamid."))
        [request] = server.requests
        self.assertEqual(request["json"]["to"], "5511987654321")
        self.assertEqual(request["json"]["template"]["name"], "cobranca_lembrete")
        parameters = [p["text"] for p in request["json"]["template"]["components"][0]["parameters"]]
        self.assertEqual(parameters[0], "Joana Silva")
        self.assertEqual(parameters[1], invoice.name)
        # the message's own link: the invoice's page, or the debts page where the portal addon is installed
        self.assertEqual(parameters[3], whatsapp.pay_url)
        self.assertRegex(parameters[3], r"/my/(invoices/|debts\?token=)")

    def test_whatsapp_generic_gateway_is_signed_and_retried_on_server_errors(self):
        self.make_invoice(self.customer, 300, DUE)
        with FakeWhatsAppServer(webhook_secret="s3cr3t") as server:
            self.company.sudo().write(
                {
                    "collection_whatsapp_provider": "webhook",
                    "collection_whatsapp_url": server.webhook_url,
                    "collection_whatsapp_secret": "s3cr3t",
                }
            )
            self.plan(FRIENDLY_DAY)
            server.fail_next(status=503)
            self.dispatch(WEDNESDAY_9H)
            whatsapp = self.comms(self.customer, channel="whatsapp")
            self.assertEqual(whatsapp.state, "sending", "a 503 is retried later")
            self.assertEqual(whatsapp.attempt_count, 1)
            self.assertIn("503", whatsapp.reason)
            self.dispatch("2026-03-11 13:00:00")
        self.assertEqual(whatsapp.state, "sent")
        self.assertEqual(len(server.requests), 2, "the failed attempt and the retry")
        self.assertEqual(whatsapp.external_id, "hook-1")
        self.assertIn("Joana Silva", server.requests[-1]["json"]["message"])

    def test_whatsapp_without_gateway_is_skipped_with_the_reason(self):
        self.make_invoice(self.customer, 300, DUE)
        self.plan(FRIENDLY_DAY)
        self.dispatch(WEDNESDAY_9H)
        whatsapp = self.comms(self.customer, channel="whatsapp")
        self.assertEqual((whatsapp.state, whatsapp.reason_code), ("skipped", "gateway_missing"))

    def test_letter_and_phone_task(self):
        invoice = self.make_invoice(self.customer, 700, "2026-02-01")
        self.plan("2026-03-04")  # D+31: severe (letter); negotiation was skipped on the way
        self.dispatch("2026-03-04 12:00:00")
        letter = self.comms(self.customer, channel="letter")
        self.assertEqual(letter.state, "sent")
        self.assertTrue(letter.letter_attachment_id)
        self.assertTrue(self.customer.collection_action_needed, "a letter waits to be printed")
        letter.action_print_letters()
        self.assertTrue(letter.letter_printed)
        self.customer.invalidate_recordset(["collection_action_needed"])  # non-stored: recomputed per request
        self.assertFalse(self.customer.collection_action_needed)

        self.company.collection_user_id = self.collector
        other = self.make_invoice(self.other_customer, 450, "2026-02-20")
        self.plan("2026-03-07")  # D+15 for the other customer: negotiation call
        self.dispatch("2026-03-09 12:00:00")
        call = self.comms(self.other_customer, channel="phone")
        self.assertEqual(call.state, "sent")
        self.assertEqual(call.activity_id.user_id, self.collector)
        self.assertIn(other.name, call.activity_id.note)
        self.assertIn(self.other_customer, self.env["res.partner"].search([("collection_action_needed", "=", True)]))
        self.assertNotEqual(invoice, other)

    def test_failing_contact_does_not_block_the_batch(self):
        no_email = self.env["res.partner"].create({"name": "No E-mail"})
        self.make_invoice(no_email, 100, DUE)
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-07")
        self.dispatch("2026-03-09 12:00:00")
        failed = self.comms(no_email)
        self.assertEqual((failed.state, failed.reason_code), ("failed", "error"))
        self.assertIn("e-mail", failed.reason)
        self.assertEqual(self.comms(self.customer).state, "sent")
        failed.action_retry()
        self.assertEqual(failed.state, "queued")

    def test_quiet_hours_weekends_and_holidays_postpone(self):
        self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-07")  # planned on a Saturday
        email = self.comms(self.customer)
        self.assertEqual(email.scheduled_at, fields.Datetime.to_datetime("2026-03-09 11:00:00"), "Monday 08:00 local")
        self.dispatch("2026-03-09 10:30:00")  # Monday 07:30 local: too early, nothing due yet
        self.assertEqual(email.state, "queued")
        email.scheduled_at = "2026-03-09 00:00:00"
        self.dispatch("2026-03-09 01:00:00")  # due, but 22:00 local on Sunday: postponed
        self.assertEqual(email.state, "queued")
        self.assertEqual(email.scheduled_at, fields.Datetime.to_datetime("2026-03-09 11:00:00"))
        self.dispatch("2026-03-09 11:00:00")
        self.assertEqual(email.state, "sent")

    def test_holiday_moves_the_send_to_the_next_business_day(self):
        self.make_invoice(self.customer, 100, "2026-04-06")
        self.plan("2026-04-03")  # D-3 is Good Friday
        email = self.comms(self.customer)
        self.assertEqual(email.scheduled_at, fields.Datetime.to_datetime("2026-04-06 11:00:00"))

    def test_weekly_cap_postpones_the_next_contact(self):
        self.ruler.max_contacts_per_week = 1
        self.make_invoice(self.customer, 100, "2026-03-10")
        self.make_invoice(self.customer, 100, "2026-03-13")
        self.plan("2026-03-10")  # D-3 of the second invoice (the first is due today)
        self.dispatch("2026-03-10 12:00:00")
        self.plan("2026-03-11")  # D+1 of the first: friendly
        self.dispatch("2026-03-11 12:00:00")
        friendly_email = self.comms(self.customer, channel="email", stage_id=self.stages["friendly"].id)
        self.assertEqual(friendly_email.state, "queued")
        self.assertEqual(friendly_email.scheduled_at, fields.Datetime.to_datetime("2026-03-17 12:00:00"))

    def test_payment_cancels_queued_contacts_and_releases_measures(self):
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        recent = self.make_invoice(self.customer, 100, "2026-03-16")
        self.plan("2026-03-06")
        self.dispatch("2026-03-06 15:00:00")
        self.plan("2026-03-16")  # the final notice's wait has passed
        self.assertTrue(self.customer.collection_credit_hold)
        self.plan("2026-03-17")  # D+1 of the recent invoice: its reminders are queued when the payment arrives
        queued = self.comms(self.customer, state="queued")
        self.assertEqual(queued.move_ids, recent)
        invoice.collection_negativacao_state = "registered"
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=(invoice | recent).ids
        ).create({})._create_payments()
        self.assertEqual(set(queued.mapped("state")), {"cancelled"})
        self.assertEqual(set(queued.mapped("reason_code")), {"paid"})
        self.assertEqual(set((self.comms(self.customer) - queued).mapped("state")), {"sent"})
        self.assertFalse(self.customer.collection_credit_hold)
        self.assertEqual(invoice.collection_negativacao_state, "to_remove")

    def test_credit_note_cancels_with_reversed_reason(self):
        invoice = self.make_invoice(self.customer, 100, DUE)
        self.plan("2026-03-07")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "error"})
        )
        reversal.refund_moves()
        self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)]).action_post()
        self.assertEqual(self.comms(self.customer).reason_code, "reversed")

    def test_grouped_contact_still_goes_out_while_one_invoice_is_open(self):
        paid = self.make_invoice(self.customer, 100, DUE)
        still_open = self.make_invoice(self.customer, 200, DUE)
        self.plan("2026-03-07")
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {}
        )._create_payments()
        email = self.comms(self.customer)
        self.assertEqual(email.state, "queued")
        self.assertEqual(email.open_move_ids, still_open)
        self.dispatch("2026-03-09 12:00:00")
        self.assertEqual(email.state, "sent")
        self.assertNotIn(paid.name, email.mail_message_id.body)
