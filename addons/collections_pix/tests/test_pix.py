import datetime
import json
import time
from unittest.mock import patch

from freezegun import freeze_time

import odoo
from odoo import Command, fields
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.collections_ruler.tests.common import CollectionsCommon, RealConnectionsMixin

from ..tools import api_pix, brcode
from .common import sandbox_pix_provider
from .fake_psp import DEFAULT_PIX_KEY, FakePspServer

HMAC_SECRET = "hmac-shared-secret"
CHARGE_LOGGER = "odoo.addons.collections_pix.models.collection_pix_charge"
CPF = "529.982.247-25"


@tagged("post_install", "-at_install")
class TestPix(CollectionsCommon, HttpCase):
    """Charges, webhook and polling against the local PSP sandbox over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = FakePspServer(client_id="odoo", client_secret="s3cret", webhook_hmac_secret=HMAC_SECRET)
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.customer.vat = CPF
        cls.policy = cls.env["collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        cls.policy.write({"fine_percent": 2.0, "interest_percent_month": 1.0})
        cls.provider = sandbox_pix_provider(
            cls.env,
            cls.company,
            cls.company_data["default_journal_bank"],
            cls.sandbox,
            webhook_hmac_secret=HMAC_SECRET,
        )

    def setUp(self):
        super().setUp()
        self.addCleanup(self.sandbox._failures.clear)
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.provider.action_register_webhook()

    def charge_for(self, move):
        """Click "Create Pix Charge", then let the sync cron call the PSP (after the click's commit)."""
        move.action_collection_pix_charge()
        self.sync()
        return move.collection_pix_charge_id

    def sync(self):
        self.env["collection.pix.charge"]._cron_sync()

    def poll(self):
        """The polling cron, then the reconciliation cron it triggers."""
        self.env["collection.pix.provider"]._cron_poll()
        self.env["collection.pix.event"]._cron_reconcile()

    def pay_invoice(self, invoice, amount=None):
        values = {"amount": amount} if amount else {}
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            values
        )._create_payments()

    def webhook_path(self, token=None):
        return f"/collections_pix/webhook/{self.provider.id}/{token or self.provider.webhook_token}/pix"

    def post_webhook(self, body, token=None, signature=True):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signature:
            headers[api_pix.SIGNATURE_HEADER] = api_pix.sign_body(HMAC_SECRET, raw)
        return self.url_open(self.webhook_path(token), data=raw, headers=headers)

    def notification(self, txid, amount, e2e="E12345678202603161200abcdefghijk"):
        return {"pix": [{"endToEndId": e2e, "txid": txid, "valor": amount, "horario": "2026-03-16T12:00:00Z"}]}

    # ------------------------------------------------------------------
    # Charges
    # ------------------------------------------------------------------
    def test_charge_with_due_date_takes_fine_and_interest_from_the_policy(self):
        self.policy.fine_percent = 10.0  # consumers pay 2 % at most
        due = fields.Date.context_today(self.env.user) + datetime.timedelta(days=5)
        invoice = self.make_invoice(self.customer, 250.0, due)
        charge = self.charge_for(invoice)
        self.assertEqual(charge.kind, "cobv")
        self.assertTrue(api_pix.is_valid_txid(charge.txid))
        remote = self.sandbox.charges[charge.txid]
        self.assertEqual(remote["calendario"]["dataDeVencimento"], due.isoformat())
        self.assertEqual(remote["valor"]["original"], "250.00")
        self.assertEqual(remote["valor"]["multa"], {"modalidade": "2", "valorPerc": "2.00"})
        self.assertEqual(remote["valor"]["juros"], {"modalidade": "3", "valorPerc": "1.00"})
        self.assertEqual(remote["devedor"]["cpf"], "52998224725")
        decoded = brcode.parse(charge.payload)
        self.assertEqual(decoded.url, remote["location"])
        self.assertTrue(invoice.collection_pix_qr_image)
        self.assertEqual(invoice.collection_pix_payload, charge.payload)

    def test_overdue_debt_gets_an_immediate_charge_for_the_updated_amount(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 1000.0, today - datetime.timedelta(days=45))
        charge = self.charge_for(invoice)
        self.assertEqual(charge.kind, "cob")
        self.assertAlmostEqual(charge.amount, 1035.0)  # 2 % fine + 1.5 % interest
        self.assertEqual(self.sandbox.charges[charge.txid]["valor"]["original"], "1035.00")

    def test_charge_is_created_after_commit_by_the_sync_cron(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        puts = len(self.sandbox.requests)
        action = invoice.action_collection_pix_charge()
        charge = invoice.collection_pix_charge_ids
        self.assertEqual(charge.state, "to_send", "only marked in the click's transaction")
        self.assertEqual(len(self.sandbox.requests), puts, "no call to the PSP before the commit")
        self.assertIn("registered at the PSP", action["params"]["message"])
        self.sync()
        self.assertEqual(charge.state, "active")
        self.assertEqual(self.sandbox.charges[charge.txid]["status"], "ATIVA")

    def test_charge_is_reused_then_withdrawn_when_paid_elsewhere(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        self.assertEqual(self.charge_for(invoice), charge, "one live charge per receivable")
        self.pay_invoice(invoice)
        self.assertEqual((charge.state, charge.cancel_reason), ("to_cancel", "settled"))
        self.assertEqual(self.sandbox.charges[charge.txid]["status"], "ATIVA", "withdrawn after commit, not inline")
        self.sync()
        self.assertEqual(charge.state, "cancelled")
        self.assertEqual(self.sandbox.charges[charge.txid]["status"], "REMOVIDA_PELO_USUARIO_RECEBEDOR")

    def test_rolled_back_payment_leaves_the_charge_alive_at_the_psp(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        requests_before = len(self.sandbox.requests)
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self.pay_invoice(invoice)
            self.assertEqual(charge.state, "to_cancel")
            raise RuntimeError("the payment's transaction rolls back (a constraint, a crash)")
        self.env.invalidate_all()
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(charge.state, "active")
        self.sync()
        self.assertEqual(len(self.sandbox.requests), requests_before, "the PSP never heard of it")
        self.assertEqual(self.sandbox.charges[charge.txid]["status"], "ATIVA", "the customer's QR still works")
        self.assertEqual(invoice.collection_pix_payload, charge.payload)

    def test_a_stalling_psp_does_not_slow_a_payment_registration(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        self.sandbox.stall_next(10, count=20)  # every call to the PSP would now wait 10 s
        self.addCleanup(self.sandbox._stalls.clear)
        requests_before = len(self.sandbox.requests)
        started = time.monotonic()
        self.pay_invoice(invoice)
        elapsed = time.monotonic() - started
        self.assertEqual(len(self.sandbox.requests), requests_before, "the payment made no call to the PSP")
        self.assertLess(elapsed, 10, "and so never waited on it")
        self.assertEqual(charge.state, "to_cancel")

    def test_psp_outage_is_retried_then_shown_as_failed(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        invoice.action_collection_pix_charge()
        charge = invoice.collection_pix_charge_ids
        self.sandbox.fail_next(400, count=1, path="/cobv/")
        with mute_logger(CHARGE_LOGGER):
            self.sync()
        self.assertEqual(charge.state, "error", "a refusal (4xx) needs a person: no retry")
        self.assertTrue(charge.error_message)
        self.assertFalse(invoice.collection_pix_payload, "nothing to show or print")
        charge.action_retry()
        self.sync()
        self.assertEqual(invoice.collection_pix_charge_id.state, "active", "a user's retry creates a new one")

    def test_psp_server_errors_are_retried_later_with_backoff(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        invoice.action_collection_pix_charge()
        charge = invoice.collection_pix_charge_ids
        self.sandbox.fail_next(503, count=4, retry_after=0, path="/cobv/")  # the client's own retries are spent too
        with mute_logger("odoo.addons.collections_ruler.tools.http_client"):
            self.sync()
        self.assertEqual(charge.state, "to_send")
        self.assertEqual(charge.attempt_count, 1)
        self.assertTrue(charge.next_attempt_at and charge.next_attempt_at > fields.Datetime.now())
        self.sync()
        self.assertEqual(charge.attempt_count, 1, "not before its next attempt")
        with freeze_time(charge.next_attempt_at + datetime.timedelta(seconds=1)):
            self.sync()
        self.assertEqual(charge.state, "active")

    def test_an_invalid_copia_e_cola_from_the_psp_is_never_shown(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        with (
            patch.object(type(self.sandbox), "_copy_paste", lambda *_args: "000201not-a-br-code6304ABCD"),
            mute_logger(CHARGE_LOGGER),
        ):
            invoice.action_collection_pix_charge()
            self.sync()
        charge = invoice.collection_pix_charge_ids
        # Withdrawn in the same run (withdrawals are the sync's next job), the PSP's text never stored as payload.
        self.assertEqual((charge.state, charge.cancel_reason), ("cancelled", "invalid"))
        self.assertIn("invalid Pix copia e cola", charge.error_message)
        self.assertFalse(charge.payload)
        self.assertFalse(invoice.collection_pix_payload)
        html = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)[0].decode()
        self.assertNotIn("not-a-br-code", html)
        self.assertEqual(self.sandbox.charges[charge.txid]["status"], "REMOVIDA_PELO_USUARIO_RECEBEDOR")

    def test_a_new_charge_waits_while_the_old_one_cannot_be_withdrawn(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        first = self.charge_for(invoice)
        self.pay_invoice(invoice, 100.0)
        self.assertEqual(first.state, "to_cancel")
        self.sandbox.fail_next(503, count=4, retry_after=0, path=f"/cobv/{first.txid}")
        invoice.action_collection_pix_charge()
        with mute_logger("odoo.addons.collections_ruler.tools.http_client"):
            self.sync()
        second = invoice.collection_pix_charge_ids - first
        self.assertEqual(first.state, "to_cancel", "the withdrawal failed and waits for its retry")
        self.assertEqual(second.state, "to_send", "two live charges for one receivable: never")
        self.assertNotIn(second.txid, self.sandbox.charges)
        with freeze_time(first.next_attempt_at + datetime.timedelta(seconds=1)):
            self.sync()
        self.assertEqual((first.state, second.state), ("cancelled", "active"))

    def test_partial_payment_replaces_the_charge(self):
        invoice = self.make_invoice(self.customer, 300.0, fields.Date.context_today(self.env.user))
        first = self.charge_for(invoice)
        self.pay_invoice(invoice, 100.0)
        self.assertEqual((first.state, first.cancel_reason), ("to_cancel", "outdated"))
        second = self.charge_for(invoice)
        self.assertEqual(first.state, "cancelled", "the old charge goes before the new one is sent")
        self.assertNotEqual(second, first)
        self.assertEqual(second.state, "active")
        self.assertAlmostEqual(second.amount, 200.0)

    def test_reminder_email_carries_the_pix(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 120.0, today + datetime.timedelta(days=3))
        self.plan(today)
        contact = self.comms(self.customer, channel="email")
        self.assertEqual(contact.move_ids, invoice)
        self.dispatch(contact.scheduled_at)
        self.assertEqual(contact.state, "queued", "the reminder waits for its Pix")
        self.assertEqual(invoice.collection_pix_charge_ids.state, "to_send")
        self.sync()
        self.dispatch(contact.scheduled_at)
        self.assertEqual(contact.state, "sent")
        charge = invoice.collection_pix_charge_id
        self.assertTrue(charge, "the ruler created the charge")
        body = contact.mail_message_id.body
        self.assertIn(charge.payload, body)
        self.assertIn(f"/collections_pix/qr/{charge.txid}.png", body)
        image = self.url_open(f"/collections_pix/qr/{charge.txid}.png")
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.headers["Content-Type"], "image/png")

    def test_a_reminder_does_not_wait_for_its_pix_forever(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 120.0, today + datetime.timedelta(days=3))
        self.plan(today)
        contact = self.comms(self.customer, channel="email")
        self.dispatch(contact.scheduled_at)
        self.assertEqual(contact.state, "queued", "waits for its Pix")
        # The sync cron never ran (stopped, or the PSP unreachable for longer than its retries).
        self.dispatch(contact.scheduled_at + datetime.timedelta(minutes=31))
        self.assertEqual(contact.state, "sent", "sent without the Pix rather than never")
        self.assertEqual(invoice.collection_pix_charge_ids.state, "to_send")
        self.assertIn(invoice.name, contact.mail_message_id.body)
        self.assertNotIn("/collections_pix/qr/", contact.mail_message_id.body)

    def test_the_invoice_page_a_reminder_links_to_shows_what_the_qr_charges(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 1000.0, today - datetime.timedelta(days=45))
        charge = self.charge_for(invoice)
        self.assertEqual(charge.amount, 1035.0)
        page = self.url_open(invoice._get_collection_pay_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("To pay today, with the late fine and interest", page.text)
        self.assertIn("1,035.00", page.text)

    def test_the_page_a_reminder_links_to_is_the_companys_invoice_not_a_proforma(self):
        """What a customer opens from a reminder: the invoice company's name, no PROFORMA, no OdooBot."""
        self.company.name = "Cobrança Demo Ltda"
        invoice = self.make_invoice(self.customer, 1000.0, "2026-03-10")
        self.plan("2026-03-11")  # D+1, a Wednesday
        self.dispatch("2026-03-11 15:00:00")  # waits for its Pix
        self.sync()
        self.dispatch("2026-03-11 15:03:00")
        reminder = self.comms(self.customer, channel="email")
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.mail_message_id.author_id, self.company.partner_id)
        page = self.url_open(invoice._get_collection_pay_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/logo.png?company={self.company.id}", page.text)
        main_company = self.env.ref("base.main_company")
        self.assertNotEqual(main_company, self.company)
        self.assertNotIn(main_company.name, page.text, "the database's first company is not the invoice's")
        report = self.url_open(invoice._get_collection_pay_url() + "&report_type=html")
        self.assertEqual(report.status_code, 200)
        self.assertIn(invoice.name, report.text)
        self.assertNotIn("PROFORMA", report.text)

    def test_an_expired_immediate_charge_is_not_shown_and_is_replaced(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 1000.0, today - datetime.timedelta(days=45))
        charge = self.charge_for(invoice)
        self.assertEqual(charge.kind, "cob")
        html = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)[0].decode()
        self.assertIn("Valid until", html, "an immediate charge says until when it can be paid")
        with freeze_time(charge.expires_at + datetime.timedelta(minutes=1)):
            invoice.invalidate_recordset()
            self.assertFalse(invoice.collection_pix_payload, "past its expiry it is no longer offered")
            html = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)[0].decode()
            self.assertNotIn(charge.payload, html)
            self.assertEqual(self.url_open(f"/collections_pix/qr/{charge.txid}.png").status_code, 404)
            self.assertTrue(charge._outdated())
            self.assertNotEqual(self.charge_for(invoice), charge, "a new charge replaces it")
        self.assertEqual(charge.state, "cancelled")

    def test_invoice_pdf_shows_the_qr(self):
        invoice = self.make_invoice(self.customer, 120.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        html = self.env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)[0].decode()
        self.assertIn("Pay with Pix", html)
        self.assertIn(charge.payload, html)

    # ------------------------------------------------------------------
    # Webhook
    # ------------------------------------------------------------------
    def test_customer_pays_webhook_reconciles_the_invoice(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 150.0, today + datetime.timedelta(days=2))
        self.plan(today - datetime.timedelta(days=1))  # the D-3 reminder is queued
        queued = self.comms(self.customer, state="queued")
        charge = self.charge_for(invoice)
        result = self.sandbox.pay(charge.txid)
        self.assertEqual(result["deliveries"], [200])
        self.assertTrue(self.sandbox.deliveries[0]["url"].endswith("/pix"))
        event = self.env["collection.pix.event"].search([("txid", "=", charge.txid)])
        self.assertEqual((event.state, event.source), ("new", "webhook"))
        self.env["collection.pix.event"]._cron_reconcile()
        self.assertEqual(event.state, "done")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(charge.state, "paid")
        self.assertEqual(event.payment_id.journal_id, self.provider.journal_id)
        self.assertEqual(set(queued.mapped("state")), {"cancelled"})

    def test_duplicate_deliveries_make_one_payment(self):
        invoice = self.make_invoice(self.customer, 80.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        result = self.sandbox.pay(charge.txid, duplicates=2)
        self.assertEqual(result["deliveries"], [200, 200, 200])
        self.env["collection.pix.event"]._cron_reconcile()
        self.env["collection.pix.event"]._cron_reconcile()
        events = self.env["collection.pix.event"].search([("txid", "=", charge.txid)])
        self.assertEqual(len(events), 1)
        payments = self.env["account.payment"].search([("memo", "like", events.end_to_end_id)])
        self.assertEqual(len(payments), 1)

    def test_unknown_txid_goes_to_review(self):
        response = self.post_webhook(self.notification("unknownTxid00000000000000000000", "10.00"))
        self.assertEqual(response.status_code, 200)
        self.env["collection.pix.event"]._cron_reconcile()
        event = self.env["collection.pix.event"].search([("txid", "=", "unknownTxid00000000000000000000")])
        self.assertEqual(event.state, "review")
        self.assertIn("No charge", event.review_reason)

    def test_retry_reconciles_only_the_chosen_notification_with_the_users_rights(self):
        invoice = self.make_invoice(self.customer, 10.0, fields.Date.context_today(self.env.user))
        txids = [api_pix.new_txid() for _n in range(3)]
        Event = self.env["collection.pix.event"]
        notifications = [
            api_pix.parse_pix_record(
                {"endToEndId": f"E1234567820260316120{n}abcdefghijk", "txid": txid, "valor": "10.00",
                 "horario": "2026-03-16T12:00:00Z"}
            )
            for n, txid in enumerate(txids)
        ]  # fmt: skip
        Event._ingest(self.provider, notifications[:2], "webhook")
        Event._cron_reconcile()  # unknown txids: both to review
        Event._ingest(self.provider, notifications[2:], "webhook")  # a third, not yet reconciled
        first, second, third = (Event.search([("txid", "=", txid)]) for txid in txids)
        self.assertEqual((first.state, second.state, third.state), ("review", "review", "new"))
        # The charge turns out to exist (created by hand at the PSP, say): retry the first one only.
        self.env["collection.pix.charge"].sudo().create(
            {
                "txid": txids[0],
                "provider_id": self.provider.id,
                "company_id": self.company.id,
                "move_id": invoice.id,
                "kind": "cob",
                "state": "active",
                "amount": 10.0,
            }
        )
        first.with_user(self.collector).action_retry()
        self.assertEqual(first.state, "done")
        self.assertEqual(first.payment_id.create_uid, self.collector, "made with the collector's rights")
        self.assertEqual((second.state, third.state), ("review", "new"), "nothing else was reconciled")

    def test_wrong_amount_goes_to_review_and_leaves_the_invoice_open(self):
        invoice = self.make_invoice(self.customer, 80.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        self.sandbox.pay(charge.txid, amount="70.00")
        self.env["collection.pix.event"]._cron_reconcile()
        event = self.env["collection.pix.event"].search([("txid", "=", charge.txid)])
        self.assertEqual(event.state, "review")
        self.assertEqual(event.move_id, invoice)
        self.assertEqual(invoice.payment_state, "not_paid")

    def balance_of(self, account):
        self.env.flush_all()
        return round(sum(self.env["account.move.line"].search([("account_id", "=", account.id)]).mapped("balance")), 2)

    def separate_fine_account(self):
        """The generic chart has one "Other Income": give the fine an account of its own to see the split."""
        fine_account = self.env["account.account"].create(
            {"name": "Late fines received", "code": "450001", "account_type": "income_other"}
        )
        self.policy.fine_account_id = fine_account
        return fine_account, self.policy.interest_account_id

    def test_late_cobv_payment_books_fine_and_interest_each_to_its_account(self):
        fine_account, interest_account = self.separate_fine_account()
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 1000.0, today)
        charge = self.charge_for(invoice)
        paid_at = datetime.datetime.combine(today + datetime.timedelta(days=30), datetime.time(15, 0))
        before = self.balance_of(fine_account), self.balance_of(interest_account)
        self.sandbox.pay(charge.txid, amount="1030.00", paid_at=paid_at.replace(tzinfo=datetime.timezone.utc))
        self.env["collection.pix.event"]._cron_reconcile()
        self.assertEqual(charge.state, "paid")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.balance_of(fine_account) - before[0], -20.0)  # 2 % fine
        self.assertEqual(self.balance_of(interest_account) - before[1], -10.0)  # 1 % a month for 30 days

    def test_overdue_cob_payment_splits_the_update_it_was_created_with(self):
        fine_account, interest_account = self.separate_fine_account()
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 1000.0, today - datetime.timedelta(days=45))
        charge = self.charge_for(invoice)
        self.assertEqual((charge.fine_amount, charge.interest_amount), (20.0, 15.0))
        before = self.balance_of(fine_account), self.balance_of(interest_account)
        self.sandbox.pay(charge.txid)
        self.env["collection.pix.event"]._cron_reconcile()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.balance_of(fine_account) - before[0], -20.0)
        self.assertEqual(self.balance_of(interest_account) - before[1], -15.0)

    def test_bad_secret_bad_signature_and_garbage(self):
        body = self.notification("anyTxid0000000000000000000000", "10.00")
        self.assertEqual(self.post_webhook(body, token="wrong").status_code, 401)
        self.assertEqual(self.post_webhook(body, signature=False).status_code, 401)
        self.assertEqual(self.post_webhook(b"not json at all").status_code, 400)
        self.assertEqual(self.post_webhook({"pix": [{"endToEndId": "short"}]}).status_code, 400)
        self.assertFalse(self.env["collection.pix.event"].search([("txid", "=", "anyTxid0000000000000000000000")]))

    def test_storage_failure_answers_503_never_500(self):
        body = self.notification("anyTxid0000000000000000000000", "10.00")
        model = type(self.env["collection.pix.event"])
        with (
            patch.object(model, "_ingest", side_effect=RuntimeError("disk full")),
            odoo.tools.mute_logger("odoo.addons.collections_pix.controllers.main"),
        ):
            response = self.post_webhook(body)
        self.assertEqual(response.status_code, 503)

    # ------------------------------------------------------------------
    # Polling
    # ------------------------------------------------------------------
    def test_polling_reconciles_what_the_webhook_missed_and_not_twice(self):
        invoice = self.make_invoice(self.customer, 90.0, fields.Date.context_today(self.env.user))
        charge = self.charge_for(invoice)
        self.sandbox.pay(charge.txid, deliver=False)
        self.assertFalse(self.env["collection.pix.event"].search([("txid", "=", charge.txid)]))
        self.env["collection.pix.provider"]._cron_poll()
        stored = self.env["collection.pix.event"].search([("txid", "=", charge.txid)])
        self.assertEqual(stored.state, "new", "stored by polling, reconciled by its own cron")
        self.env["collection.pix.event"]._cron_reconcile()
        event = self.env["collection.pix.event"].search([("txid", "=", charge.txid)])
        self.assertEqual((event.source, event.state), ("polling", "done"))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # The late webhook delivery of the same Pix changes nothing.
        response = self.post_webhook({"pix": [json.loads(event.payload)]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content)["new"], 0)
        self.poll()
        self.assertEqual(len(self.env["collection.pix.event"].search([("txid", "=", charge.txid)])), 1)
        self.assertEqual(len(invoice.matched_payment_ids | event.payment_id), 1)

    def test_polling_keeps_the_good_pix_next_to_one_it_cannot_store(self):
        good = self.charge_for(self.make_invoice(self.customer, 90.0, fields.Date.context_today(self.env.user)))
        other = self.charge_for(self.make_invoice(self.customer, 40.0, fields.Date.context_today(self.env.user)))
        unstorable = self.sandbox.pay(other.txid, deliver=False, info="pago\x00hoje")  # PostgreSQL refuses NUL
        # The sandbox lives for the whole class: forget this Pix afterwards, other tests poll too.
        self.addCleanup(self.sandbox._pix.pop, unstorable["pix"]["endToEndId"], None)
        self.sandbox.pay(good.txid, deliver=False)
        with mute_logger("odoo.addons.collections_pix.models.collection_pix_provider"):
            self.poll()
        self.assertEqual(good.state, "paid", "the good Pix is stored and reconciled")
        self.assertFalse(self.env["collection.pix.event"].search([("txid", "=", other.txid)]))

    def test_polling_stores_record_by_record_when_the_batch_cannot_be_stored(self):
        first = self.charge_for(self.make_invoice(self.customer, 90.0, fields.Date.context_today(self.env.user)))
        second = self.charge_for(self.make_invoice(self.customer, 40.0, fields.Date.context_today(self.env.user)))
        self.sandbox.pay(first.txid, deliver=False)
        self.sandbox.pay(second.txid, deliver=False)
        Event = type(self.env["collection.pix.event"])
        real_insert = Event._insert_notifications

        def refuse_the_second(event, cr, provider, notifications, source):
            if any(n.txid == second.txid for n in notifications):
                raise ValueError("storage refused this record")  # what PostgreSQL does to an unstorable one
            return real_insert(event, cr, provider, notifications, source)

        with (
            patch.object(Event, "_insert_notifications", refuse_the_second),
            mute_logger("odoo.addons.collections_pix.models.collection_pix_event"),
        ):
            self.poll()
        self.assertEqual(first.state, "paid")
        self.assertEqual(second.state, "active")
        self.assertFalse(self.env["collection.pix.event"].search([("txid", "=", second.txid)]))


@tagged("post_install", "-at_install")
class TestPixConcurrency(RealConnectionsMixin, TransactionCase):
    """Webhook and poller handling the same Pix at the same moment, on real committed data."""

    def setUp(self):
        super().setUp()
        cr, env = self._connect()
        company = env.ref("base.main_company")
        self.partner = env["res.partner"].create({"name": "Concurrent Pix payer", "vat": CPF})
        self.move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": self.partner.id,
                "invoice_date": "2026-03-01",
                "invoice_date_due": "2026-03-20",
                "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100, "tax_ids": []})],
            }
        )
        self.move.action_post()
        journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        self.provider = env["collection.pix.provider"].create(
            {
                "name": "Concurrency PSP",
                "base_url": "https://127.0.0.1:1",
                "pix_key": DEFAULT_PIX_KEY,
                "journal_id": journal.id,
                "company_id": company.id,
            }
        )
        self.charge = env["collection.pix.charge"].create(
            {
                "txid": api_pix.new_txid(),
                "provider_id": self.provider.id,
                "company_id": company.id,
                "move_id": self.move.id,
                "kind": "cob",
                "state": "active",
                "amount": 100.0,
            }
        )
        self.ids = (self.partner.id, self.move.id, self.provider.id, self.charge.id)
        cr.commit()
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        cr, env = self._connect()
        partner_id, move_id, provider_id, charge_id = self.ids
        events = env["collection.pix.event"].search([("provider_id", "=", provider_id)])
        payments = events.payment_id
        env["collection.pix.charge"].browse(charge_id).write(
            {"event_id": False, "payment_id": False, "state": "cancelled"}
        )
        events.unlink()
        payments.action_draft()
        payments.unlink()
        move = env["account.move"].browse(move_id)
        move.button_draft()
        env["collection.pix.charge"].browse(charge_id).unlink()
        move.with_context(force_delete=True).unlink()
        env["collection.pix.provider"].browse(provider_id).unlink()
        env["account.payment.register"].search([("partner_id", "=", partner_id)]).unlink()
        env["res.partner"].browse(partner_id).unlink()
        cr.commit()

    def test_webhook_and_poller_at_once_make_one_payment(self):
        record = {
            "endToEndId": "E9999999920260316120000000000001",
            "txid": self.charge.txid,
            "valor": "100.00",
            "horario": "2026-03-16T12:00:00Z",
        }
        notification = api_pix.parse_pix_record(record)
        cr_hook, env_hook = self._connect()
        cr_poll, env_poll = self._connect()
        provider_id = self.ids[2]
        # Both store the same Pix: the second insert waits for the first to commit, then does nothing.
        self.assertEqual(
            env_hook["collection.pix.event"]._ingest(
                env_hook["collection.pix.provider"].browse(provider_id), [notification], "webhook"
            ),
            1,
        )
        cr_hook.commit()
        self.assertEqual(
            env_poll["collection.pix.event"]._ingest(
                env_poll["collection.pix.provider"].browse(provider_id), [notification], "polling"
            ),
            0,
        )
        cr_poll.commit()
        # The webhook's worker holds the row while it reconciles; the poller's run skips it.
        cr_hook.execute(
            "SELECT id FROM collection_pix_event WHERE end_to_end_id = %s FOR UPDATE", (record["endToEndId"],)
        )
        self.assertEqual(env_poll["collection.pix.event"]._cron_reconcile(), 0)
        cr_poll.commit()
        self.assertEqual(env_hook["collection.pix.event"]._cron_reconcile(), 1)
        cr_hook.commit()
        self.assertEqual(env_poll["collection.pix.event"]._cron_reconcile(), 0, "nothing left once reconciled")
        cr_poll.commit()
        _cr, env = self._connect()
        events = env["collection.pix.event"].search([("end_to_end_id", "=", record["endToEndId"])])
        self.assertEqual(len(events), 1)
        self.assertEqual(events.state, "done")
        payments = env["account.payment"].search([("memo", "like", record["endToEndId"])])
        self.assertEqual(len(payments), 1)
        self.assertIn(env["account.move"].browse(self.ids[1]).payment_state, ("paid", "in_payment"))
