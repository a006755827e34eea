import datetime
import json

from freezegun import freeze_time

from odoo.tests import tagged

from ..tools.masking import mask_email
from .common import LINK, PortalCommon


@tagged("post_install", "-at_install")
class TestPortalRoutes(PortalCommon):
    """Every route of the debts page over real HTTP, as a link holder, a portal user and a stranger."""

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    # ------------------------------------------------------------------
    # Who sees what
    # ------------------------------------------------------------------
    def test_a_reminder_link_opens_the_customers_debts_updated_to_today_and_records_the_first_opening(self):
        self.send_reminders()
        comm = self.comms(self.customer, channel="email", state="sent")
        self.assertEqual(len(comm), 1, "the ruler e-mailed the customer once")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", comm.mail_message_id.id)])
        link = LINK.search(mail.body_html).group(1)
        self.assertFalse(comm.link_opened_at)
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        for move in (self.late, self.later, self.partial, self.upcoming):
            self.assertIn(move.name, response.text)
        self.assertNotIn(self.theirs.name, response.text)
        statement = self.customer.with_company(self.company)._collection_statement()
        # 1000 + 300 + 300 (500 partly paid) + 250 open, plus 2 % fine and 1 %/month interest on the late ones.
        self.assertEqual(statement["totals"]["residual"], 1850.0)
        self.assertGreater(statement["totals"]["updated"], 1850.0)
        formatted = self.company.currency_id.format(statement["totals"]["updated"]).replace("\xa0", " ")
        self.assertIn(formatted.split(" ")[-1], response.text.replace("\xa0", " "))
        self.assertTrue(comm.link_opened_at, "the first opening is recorded for the reports")
        first = comm.link_opened_at
        with freeze_time(datetime.datetime.now() + datetime.timedelta(hours=2)):
            self.url_open(link)
        self.assertEqual(comm.link_opened_at, first, "only the first opening counts")

    def test_no_token_no_session_goes_to_the_login_page(self):
        response = self.url_open("/my/debts", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_a_tampered_or_foreign_token_opens_nothing(self):
        token = self.token()
        _partner_id, rest = token.split(".", 1)
        forged = f"{self.other_customer.id}.{rest}"  # someone else's id under Joana's signature
        for bad in (forged, token[:-1] + ("0" if token[-1] != "0" else "1"), "1.1.1.20990101.abc", "x" * 60):
            with self.subTest(token=bad):
                response = self.page(bad)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn(self.late.name, response.text)
                self.assertNotIn(self.theirs.name, response.text)

    def test_another_customers_link_shows_only_their_own_debts(self):
        response = self.page(self.token(self.other_customer))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.theirs.name, response.text)
        self.assertNotIn(self.late.name, response.text)

    def test_an_expired_link_offers_a_fresh_one_sent_to_the_email_on_file_only(self):
        self.company.collection_portal_link_days = 30
        old = self.token(days_ago=31)
        response = self.page(old)
        self.assertEqual(response.status_code, 200)
        self.assertIn("expired", response.text)
        self.assertNotIn(self.late.name, response.text)
        self.assertIn(mask_email(self.customer.email), response.text, "the address is masked")
        self.assertNotIn(self.customer.email, response.text)
        self.assertIn(self.company.name, response.text, "the company's page, not the database's first company")
        before = self.env["mail.mail"].search_count([])
        on_file = self.customer.email
        response = self.post("/my/debts/link", {"email": "attacker@example.com"}, token=old)
        self.assertEqual(response.status_code, 200)
        self.assertIn(mask_email(on_file), response.text, "the page names the address on file")
        self.assertNotIn(mask_email("attacker@example.com"), response.text)
        self.customer.invalidate_recordset(["email"])
        self.assertEqual(self.customer.email, on_file, "a typed address never replaces the one on file")
        mails = self.env["mail.mail"].search([], order="id desc", limit=self.env["mail.mail"].search_count([]) - before)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.customer, "to the e-mail on file, never one typed on the page")
        fresh = LINK.search(mails.body_html).group(1)
        self.assertEqual(self.url_open(fresh).status_code, 200)
        for _second in range(2):
            self.post("/my/debts/link", {}, token=old)
        response = self.post("/my/debts/link", {}, token=old)
        self.assertEqual(response.status_code, 400, "rate-limited: three links a day")
        self.assertIn("try again tomorrow", response.text)

    def test_a_portal_user_sees_their_own_page_and_the_entry_on_my_home(self):
        self.authenticate("joana", "joana-portal-1")
        response = self.url_open("/my/debts")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.late.name, response.text)
        self.assertNotIn(self.theirs.name, response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["collection_debt_count"]})
        self.assertEqual(counters["collection_debt_count"], 4)

    # ------------------------------------------------------------------
    # Guessing ids, tampering, CSRF
    # ------------------------------------------------------------------
    def test_guessing_another_customers_invoice_id_is_refused_and_creates_nothing(self):
        token = self.token()
        for path in ("/my/debts/pix", "/my/debts/boleto", "/my/debts/promise"):
            with self.subTest(path=path):
                response = self.post(path, {"move_ids": self.theirs.id, "promise_date": str(self.today)}, token=token)
                self.assertEqual(response.status_code, 400)
                self.assertIn("not open in your name", response.text)
        self.assertFalse(self.theirs.collection_pix_charge_ids)
        self.assertFalse(self.theirs.collection_boleto_ids)
        self.assertFalse(self.theirs.collection_promise_date)
        response = self.url_open(f"/my/debts/pix/status?move_id={self.theirs.id}&token={token}")
        self.assertEqual(response.status_code, 403)
        for junk in ("abc", "1" * 40, "-1", "1,,x"):
            with self.subTest(junk=junk):
                response = self.post("/my/debts/pix", {"move_ids": junk}, token=token)
                self.assertEqual(response.status_code, 400)

    def test_a_post_without_csrf_token_is_refused(self):
        response = self.url_open(
            "/my/debts/promise", data={"token": self.token(), "move_ids": self.late.id, "promise_date": str(self.today)}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.late.collection_promise_date)

    # ------------------------------------------------------------------
    # Paying
    # ------------------------------------------------------------------
    def test_pix_from_the_page_is_marked_then_active_then_paid_as_the_page_polls(self):
        token = self.token()
        status = f"/my/debts/pix/status?move_id={self.late.id}&token={token}"
        self.assertEqual(self.url_open(status).json()["state"], "none")
        response = self.post("/my/debts/pix", {"move_ids": self.late.id}, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_collection_pix_panel", response.text)
        charge = self.late.collection_pix_charge_ids
        self.assertEqual(charge.state, "to_send", "marked only: the PSP is called after commit by the cron")
        self.assertFalse([r for r in self.sandbox.requests if charge.txid in r["path"]])
        self.assertEqual(self.url_open(status).json()["state"], "pending")
        self.env["collection.pix.charge"]._cron_sync()
        answer = self.url_open(status).json()
        self.assertEqual(answer["state"], "active")
        self.assertEqual(answer["payload"], charge.payload)
        self.assertGreater(charge.amount, 1000.0, "the updated amount: fine and interest included")
        record = self.sandbox.pay(charge.txid, deliver=False)["pix"]
        path = f"/collections_pix/webhook/{self.provider.id}/{self.provider.webhook_token}/pix"
        delivered = self.url_open(
            path, data=json.dumps({"pix": [record]}), headers={"Content-Type": "application/json"}
        )
        self.assertEqual(delivered.status_code, 200)
        self.env["collection.pix.event"]._cron_reconcile()
        self.assertEqual(self.url_open(status).json()["state"], "paid")
        # A second click does not create a second charge.
        self.post("/my/debts/pix", {"move_ids": self.later.id}, token=token)
        self.post("/my/debts/pix", {"move_ids": self.later.id}, token=token)
        self.assertEqual(len(self.later.collection_pix_charge_ids), 1)

    def test_boleto_and_statement_download(self):
        # Under test, Odoo renders reports as HTML unless told otherwise; the PDF itself is checked with
        # wkhtmltopdf in test_statement_pdf.
        token = self.token()
        response = self.post("/my/debts/boleto", {"move_ids": self.later.id}, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        boleto = self.later.collection_boleto_ids
        self.assertEqual(len(boleto), 1)
        self.assertIn(boleto.line, response.text, "the slip with its typeable line")
        self.post("/my/debts/boleto", {"move_ids": self.later.id}, token=token)
        self.assertEqual(len(self.later.collection_boleto_ids), 1, "one boleto however often it is downloaded")
        response = self.url_open(f"/my/debts/statement.pdf?token={token}")
        self.assertEqual(response.status_code, 200)
        for move in (self.late, self.later, self.partial, self.upcoming):
            self.assertIn(move.name, response.text)
        self.assertNotIn(self.theirs.name, response.text)

    # ------------------------------------------------------------------
    # Negotiating
    # ------------------------------------------------------------------
    def negotiate_page(self, token, moves):
        ids = ",".join(str(i) for i in moves.ids)
        return self.url_open(f"/my/debts/negotiate?token={token}&move_ids={ids}")

    def digest(self, response):
        return response.text.split('name="terms_digest" value="')[1].split('"')[0]

    def test_the_options_are_the_policys_and_an_accepted_option_is_active_with_its_acceptance_recorded(self):
        token = self.token()
        moves = self.late | self.later
        response = self.negotiate_page(token, moves)
        self.assertEqual(response.status_code, 200)
        partner = self.customer.with_company(self.company)
        debt, options = partner._collection_agreement_options(moves)
        self.assertEqual([o.count for o in options], [1, 2, 3, 4, 5, 6])
        digest = self.digest(response)
        first_due = self.today + datetime.timedelta(days=7)
        base = {"move_ids": f"{self.late.id},{self.later.id}", "first_due": str(first_due), "terms_digest": digest}
        Agreement = self.env["collection.agreement"]
        refusals = {
            "no terms ticked": {"choice": "3"},
            "a count the policy does not offer": {"choice": "9", "accept_terms": "1"},
            "other terms than those shown": {"choice": "3", "accept_terms": "1", "terms_digest": "0" * 16},
            "a first date past the policy": {
                "choice": "3",
                "accept_terms": "1",
                "first_due": str(self.today + datetime.timedelta(days=45)),
            },
            "a date in the past": {"choice": "3", "accept_terms": "1", "first_due": "2020-01-01"},
            "someone else's invoice": {
                "choice": "3",
                "accept_terms": "1",
                "move_ids": f"{self.late.id},{self.theirs.id}",
            },
            "an invoice not yet due": {"choice": "3", "accept_terms": "1", "move_ids": f"{self.upcoming.id}"},
        }
        for reason, changes in refusals.items():
            with self.subTest(reason=reason):
                response = self.post("/my/debts/negotiate", {**base, **changes}, token=token)
                self.assertEqual(response.status_code, 400, reason)
                self.assertFalse(Agreement.search([("partner_id", "=", self.customer.id)]), reason)
        response = self.post("/my/debts/negotiate", {**base, "choice": "3", "accept_terms": "1"}, token=token)
        self.assertEqual(response.status_code, 200)
        agreement = Agreement.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((agreement.state, agreement.origin, agreement.installment_count), ("active", "portal", 3))
        self.assertEqual(agreement.currency_id.round(agreement.updated_amount), float(debt.total))
        self.assertEqual(agreement.installment_ids[:1].date_due, first_due)
        self.assertEqual(agreement.portal_accepted_ip, "127.0.0.1")
        self.assertIn("breaks this agreement", agreement.portal_terms)
        rates = "a 2.00% fine and 1.00% a month interest"
        self.assertIn(rates, agreement.portal_terms, "the policy's rates, formatted")
        self.assertIn("127.0.0.1", agreement.message_ids[-1:].body + "".join(agreement.message_ids.mapped("body")))
        page = self.page(token)
        self.assertIn(agreement.name, page.text)
        first_installment = agreement.installment_ids[:1].move_id
        self.assertIn(f"debt-{first_installment.id}", page.text, "the first installment is payable on the page")

    def test_a_request_refused_midway_leaves_nothing_behind(self):
        token = self.token()
        response = self.negotiate_page(token, self.late)
        self.assertEqual(response.status_code, 200)
        self.policy.clearing_account_id = False  # activation fails after the log row and draft agreement exist
        data = {
            "move_ids": str(self.late.id),
            "first_due": str(self.today + datetime.timedelta(days=7)),
            "terms_digest": self.digest(response),
            "choice": "3",
            "accept_terms": "1",
        }
        response = self.post("/my/debts/negotiate", data, token=token)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["collection.agreement"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["collection.portal.action"].search([("partner_id", "=", self.customer.id)]))

    def test_a_counter_proposal_outside_the_policy_waits_for_a_manager_and_the_answer_is_emailed(self):
        token = self.token()
        response = self.negotiate_page(token, self.late)
        data = {
            "move_ids": str(self.late.id),
            "terms_digest": self.digest(response),
            "choice": "counter",
            "counter_count": "10",
            "counter_first_due": str(self.today + datetime.timedelta(days=40)),
            "accept_terms": "1",
        }
        response = self.post("/my/debts/negotiate", data, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("waiting for approval", response.text)
        agreement = self.env["collection.agreement"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((agreement.state, agreement.installment_count), ("to_approve", 10))
        self.assertIn("installments", agreement.violation_codes)
        before = self.env["mail.mail"].search([]).ids
        agreement.with_user(self.collections_manager).action_approve()
        self.assertEqual(agreement.state, "active")
        mails = self.env["mail.mail"].search([("id", "not in", before), ("recipient_ids", "in", self.customer.ids)])
        self.assertEqual(len(mails), 1, "one answer: the terms of the approved agreement")
        self.assertIn("We approved the agreement you proposed", mails.body_html)
        self.assertTrue(LINK.search(mails.body_html), "the answer links back to the page")
        # Another proposal, rejected: the customer is told, with the way back to the options.
        response = self.negotiate_page(token, self.later)
        data.update(move_ids=str(self.later.id), terms_digest=self.digest(response), counter_count="12")
        self.assertEqual(self.post("/my/debts/negotiate", data, token=token).status_code, 200)
        rejected = self.env["collection.agreement"].search(
            [("partner_id", "=", self.customer.id), ("id", "!=", agreement.id)]
        )
        self.assertEqual(rejected.state, "to_approve")
        before = self.env["mail.mail"].search([]).ids
        rejected.with_user(self.collections_manager).action_reject()
        mails = self.env["mail.mail"].search([("id", "not in", before), ("recipient_ids", "in", self.customer.ids)])
        self.assertEqual(len(mails), 1)
        self.assertIn("could not approve", mails.body_html)
        self.assertTrue(LINK.search(mails.body_html))

    # ------------------------------------------------------------------
    # Promise and preferences
    # ------------------------------------------------------------------
    def test_a_promise_within_the_policy_pauses_the_ruler_and_a_later_one_is_refused(self):
        token = self.token()
        ids = f"{self.late.id},{self.later.id}"
        response = self.post(
            "/my/debts/promise",
            {"move_ids": ids, "promise_date": str(self.today + datetime.timedelta(days=16))},
            token=token,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.late.collection_promise_date)
        promised = self.today + datetime.timedelta(days=10)
        response = self.post("/my/debts/promise", {"move_ids": ids, "promise_date": str(promised)}, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual((self.late | self.later).mapped("collection_promise_date"), [promised, promised])
        self.assertIn("Promised", response.text)
        self.plan(self.today)
        self.assertFalse(
            self.comms(self.customer, state="queued").line_ids.move_id & (self.late | self.later),
            "no reminder for promised invoices",
        )
        for _more in range(2):
            self.post("/my/debts/promise", {"move_ids": ids, "promise_date": str(promised)}, token=token)
        response = self.post("/my/debts/promise", {"move_ids": ids, "promise_date": str(promised)}, token=token)
        self.assertEqual(response.status_code, 400, "three promises a day at most")

    def test_contact_preferences_are_saved_and_read_by_the_ruler(self):
        token = self.token()
        data = {
            "channel_email": "on",
            "channel_whatsapp": "on",
            "preferred_channel": "whatsapp",
            "contact_time": "evening",
            "whatsapp_number": "(11) 91234-5678",
        }
        response = self.post("/my/debts/preferences", data, token=token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            (
                self.customer.collection_optout_email,
                self.customer.collection_optout_sms,
                self.customer.collection_optout_phone,
                self.customer.collection_preferred_channel,
                self.customer.collection_contact_time,
                self.customer._collection_mobile("whatsapp"),
            ),
            (False, True, True, "whatsapp", "evening", "(11) 91234-5678"),
        )
        window = self.ruler._get_contact_window(self.customer.collection_contact_time)
        self.assertEqual((window.hour_from, window.hour_to), (18.0, min(21.0, self.ruler.contact_hour_to)))
        for bad in (
            {"preferred_channel": "pigeon"},
            {"contact_time": "midnight"},
            {"whatsapp_number": "123"},
            {"preferred_channel": "sms"},
        ):
            with self.subTest(bad=bad):
                response = self.post("/my/debts/preferences", {**data, **bad}, token=token)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.customer.collection_preferred_channel, "whatsapp")

    def test_no_route_answers_500_to_junk(self):
        token = self.token()
        junk_values = ["", "x", "-1", "0", "9" * 30, "1,2,abc", "2026-13-45", "<script>", "1e9", "%00"]
        gets = ["/my/debts", "/my/debts/negotiate", "/my/debts/pix/status", "/my/debts/statement.pdf"]
        posts = [
            "/my/debts/pix",
            "/my/debts/boleto",
            "/my/debts/negotiate",
            "/my/debts/promise",
            "/my/debts/preferences",
            "/my/debts/link",
        ]
        fields_ = ["move_ids", "move_id", "first_due", "choice", "counter_count", "promise_date", "contact_time"]
        for value in junk_values:
            params = dict.fromkeys(fields_, value)
            for tok in (token, value):
                for path in gets:
                    with self.subTest(path=path, value=value, token=tok == token):
                        query = "&".join(f"{k}={v}" for k, v in {**params, "token": tok}.items())
                        self.assertLess(self.url_open(f"{path}?{query}").status_code, 500)
                for path in posts:
                    with self.subTest(path=path, value=value, token=tok == token):
                        self.assertLess(self.post(path, {**params, "accept_terms": "1"}, token=tok).status_code, 500)
        self.assertLess(self.url_open("/payment/collections_pix/process", data={"reference": "<x>"}).status_code, 500)
        self.assertFalse(self.env["collection.agreement"].search([("partner_id", "=", self.customer.id)]))
