import json
import threading
import time
from unittest.mock import patch

import odoo
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.collections_ruler.tests.common import CollectionsCommon, RealConnectionsMixin

from ..controllers import main as webhook_controller
from ..tools import api_pix
from .fake_psp import DEFAULT_PIX_KEY
from .test_pix import HMAC_SECRET

E2E = "E12345678202611281200abcdefghijk"


@tagged("post_install", "-at_install")
class TestPixWebhookHostileInput(CollectionsCommon, HttpCase):
    """The webhook over real HTTP: every malformed delivery is a 4xx and stores nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        journal = cls.company_data["default_journal_bank"]
        common = {
            "base_url": "https://127.0.0.1:1",
            "client_id": "odoo",
            "client_secret": "s3cret",
            "pix_key": DEFAULT_PIX_KEY,
            "journal_id": journal.id,
            "company_id": cls.company.id,
        }
        cls.provider = cls.env["collection.pix.provider"].create(
            {**common, "name": "PSP A", "webhook_hmac_secret": HMAC_SECRET}
        )
        cls.other_provider = cls.env["collection.pix.provider"].create({**common, "name": "PSP B"})
        cls.invoice = cls.make_invoice(cls.customer, 100.0, "2026-12-01")
        cls.charge = (
            cls.env["collection.pix.charge"]
            .sudo()
            .create(
                {
                    "txid": api_pix.new_txid(),
                    "provider_id": cls.provider.id,
                    "company_id": cls.company.id,
                    "move_id": cls.invoice.id,
                    "kind": "cob",
                    "state": "active",
                    "amount": 100.0,
                }
            )
        )

    def path(self, provider=None, token=None):
        provider = provider or self.provider
        return f"/collections_pix/webhook/{provider.id}/{token or provider.webhook_token}/pix"

    def deliver(self, body, provider=None, token=None, headers=None, sign=True):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json"}
        if sign:
            all_headers[api_pix.SIGNATURE_HEADER] = api_pix.sign_body(HMAC_SECRET, raw)
        all_headers.update(headers or {})
        return self.url_open(self.path(provider, token), data=raw, headers=all_headers)

    def good(self, **changes):
        record = {"endToEndId": E2E, "txid": self.charge.txid, "valor": "100.00", "horario": "2026-11-28T12:00:00Z"}
        record.update(changes)
        return {"pix": [record]}

    def stored(self):
        return self.env["collection.pix.event"].search_count(
            [("provider_id", "in", (self.provider | self.other_provider).ids)]
        )

    def test_a_duplicate_is_answered_200_and_stored_once(self):
        first, second = self.deliver(self.good()), self.deliver(self.good())
        self.assertEqual((first.status_code, second.status_code), (200, 200))
        self.assertEqual((first.json()["new"], second.json()["new"]), (1, 0))
        self.assertEqual(self.stored(), 1)

    def test_every_malformed_body_is_a_400_and_stores_nothing(self):
        deep = b'{"pix": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
        cases = {
            "NUL byte": self.good(infoPagador="pago\x00hoje"),
            "NUL in the payer's name": self.good(pagador={"nome": "Ana\x00"}),
            "lone surrogate": json.dumps(self.good(infoPagador="\ud800")).encode(),
            "deep nesting": deep,
            "year 1": self.good(horario="0001-01-01T00:00:00+01:00"),
            "year 9999": self.good(horario="9999-12-31T23:59:59-03:00"),
            "wrong types": {"pix": [{"endToEndId": 5, "txid": [], "valor": 1.5, "horario": {}}]},
            "three decimals": self.good(valor="100.001"),
            "NaN": json.dumps(self.good()).replace('"100.00"', "NaN").encode(),
            "negative": self.good(valor="-100.00"),
            "not JSON": b"pix=1",
            "not UTF-8": b"\xff\xfe{}",
        }
        for label, body in cases.items():
            with self.subTest(label):
                response = self.deliver(body)
                self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(self.stored(), 0)

    def test_secrets_signatures_content_types_and_sizes(self):
        body = json.dumps(self.good()).encode()
        cases = [
            ("wrong secret", {"token": "wrong"}, 401),
            ("non-ASCII secret", {"token": "%C3%A9t%C3%A9"}, 401),
            ("no signature", {"sign": False}, 401),
            ("wrong signature", {"sign": False, "headers": {api_pix.SIGNATURE_HEADER: "sha256=" + "0" * 64}}, 401),
            ("non-ASCII signature", {"sign": False, "headers": {api_pix.SIGNATURE_HEADER: "sha256=é".encode()}}, 401),
            ("form body", {"headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415),
            ("text body", {"headers": {"Content-Type": "text/plain"}}, 415),
        ]
        for label, options, status in cases:
            with self.subTest(label):
                self.assertEqual(self.deliver(body, **options).status_code, status)
        # Too large: refused from its Content-Length alone, the body never read nor hashed.
        with (
            patch.object(webhook_controller, "MAX_BODY", len(body) - 1),
            patch.object(api_pix, "verify_signature", side_effect=AssertionError("the body was hashed")),
        ):
            self.assertEqual(self.deliver(body).status_code, 413)
        self.assertEqual(self.stored(), 0)

    def test_a_notification_through_another_providers_url_pays_nothing(self):
        response = self.deliver(self.good(), provider=self.other_provider, sign=False)
        self.assertEqual(response.status_code, 200, "stored: it may be real, but it pays nothing")
        self.env["collection.pix.event"]._cron_reconcile()
        event = self.env["collection.pix.event"].search([("end_to_end_id", "=", E2E)])
        self.assertEqual(event.state, "review")
        self.assertIn("PSP A", event.review_reason)
        self.assertEqual(self.invoice.payment_state, "not_paid")
        self.assertEqual(self.charge.state, "active")

    def test_reconciliation_stops_inside_the_cron_time_limit(self):
        txids = [api_pix.new_txid() for _n in range(3)]
        notifications = [
            api_pix.parse_pix_record(
                {"endToEndId": f"E{n:031d}", "txid": txid, "valor": "1.00", "horario": "2026-11-28T12:00:00Z"}
            )
            for n, txid in enumerate(txids)
        ]
        Event = self.env["collection.pix.event"]
        Event._ingest(self.provider, notifications, "webhook")
        original = type(Event)._reconcile

        def slow(event):
            time.sleep(0.6)
            return original(event)

        with (
            patch.dict(odoo.tools.config.options, {"limit_time_real_cron": 2}),  # half of it: 1 s of work
            patch.object(type(Event), "_reconcile", slow),
        ):
            done = Event._cron_reconcile()
        self.assertEqual(done, 2, "stopped once its time was half spent, the third left for the next call")
        self.assertEqual(Event.search_count([("end_to_end_id", "like", "E000"), ("state", "=", "new")]), 1)


@tagged("post_install", "-at_install")
class TestPixStorageConcurrency(RealConnectionsMixin, TransactionCase):
    """Storing on real, committing connections: a racing duplicate waits and finds the row, no error."""

    def setUp(self):
        super().setUp()
        cr, env = self._connect()
        company = env.ref("base.main_company")
        journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        self.provider_id = (
            env["collection.pix.provider"]
            .create(
                {
                    "name": "Storage PSP",
                    "base_url": "https://127.0.0.1:1",
                    "pix_key": DEFAULT_PIX_KEY,
                    "journal_id": journal.id,
                    "company_id": company.id,
                }
            )
            .id
        )
        cr.commit()
        self.addCleanup(self._cleanup)
        self.notification = api_pix.parse_pix_record(
            {"endToEndId": E2E, "txid": "abc", "valor": "10.00", "horario": "2026-11-28T12:00:00Z"}
        )

    def _cleanup(self):
        cr, env = self._connect()
        env["collection.pix.event"].search([("provider_id", "=", self.provider_id)]).unlink()
        env["collection.pix.provider"].browse(self.provider_id).unlink()
        cr.commit()

    def factory(self):
        return odoo.sql_db.db_connect(self.env.cr.dbname).cursor()

    def test_a_duplicate_racing_its_first_delivery_waits_and_finds_it(self):
        first_cr, first_env = self._connect()
        first_cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        provider = first_env["collection.pix.provider"].browse(self.provider_id)
        self.assertEqual(first_env["collection.pix.event"]._ingest(provider, [self.notification], "webhook"), 1)
        result = {}
        # Environments are made here: a thread cannot open the registry while the test runner holds it.
        _cr, env = self._connect()
        Event, provider = env["collection.pix.event"], env["collection.pix.provider"].browse(self.provider_id)
        provider.fetch(["company_id"])  # read now: the thread only runs the storing

        def second_delivery():
            try:
                result["new"] = Event._ingest_committed(
                    provider, [self.notification], "webhook", cursor_factory=self.factory
                )
            except Exception as error:
                result["error"] = error

        thread = threading.Thread(target=second_delivery)
        thread.start()
        thread.join(1.0)
        self.assertTrue(thread.is_alive(), "the duplicate waits for the first delivery's transaction")
        first_cr.commit()
        thread.join(10)
        self.assertNotIn("error", result, "never a serialization failure")
        self.assertEqual(result.get("new"), 0, "already stored: answered as a duplicate")

    def test_a_redelivery_does_not_wait_for_a_running_reconciliation(self):
        _cr, env = self._connect()
        provider = env["collection.pix.provider"].browse(self.provider_id)
        env["collection.pix.event"]._ingest_committed(
            provider, [self.notification], "webhook", cursor_factory=self.factory
        )
        holder_cr, _holder_env = self._connect()
        holder_cr.execute("SELECT id FROM collection_pix_event WHERE end_to_end_id = %s FOR UPDATE", (E2E,))
        started = time.monotonic()
        new = env["collection.pix.event"]._ingest_committed(
            provider, [self.notification], "webhook", cursor_factory=self.factory
        )
        self.assertEqual(new, 0)
        self.assertLess(time.monotonic() - started, 2, "ON CONFLICT DO NOTHING does not wait for the row lock")
        holder_cr.rollback()
