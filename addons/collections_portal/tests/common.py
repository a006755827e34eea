import datetime
import re

from freezegun import freeze_time

from odoo import fields, http
from odoo.tests import HttpCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.collections_pix.tests.common import bb_collection_account, sandbox_pix_provider
from odoo.addons.collections_pix.tests.fake_psp import FakePspServer
from odoo.addons.collections_ruler.tests.common import CollectionsCommon

LINK = re.compile(r"(/my/debts\?token=[0-9a-f.]+)")
# A Wednesday at 09:00 in São Paulo: reminders go out at once (the contact window is open).
NOW = datetime.datetime(2026, 11, 25, 12, 0)


class PortalCommon(CollectionsCommon, HttpCase):
    """A customer like a real one on the Brazilian chart: four open invoices with different due dates (one
    not yet due, one partly paid), a Pix PSP sandbox, a boleto account, a portal login."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("br")
    @AccountTestInvoicingCommon.setup_chart_template("br")
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"vat": "84.969.653/0001-73", "name": "Cobrança Demo Ltda", "email": "cobranca@demo.example.com"}
        )
        cls.customer.write(
            {
                "vat": "104.332.181-00",
                "street": "Rua das Flores, 10",
                "city": "São Paulo",
                "zip": "01000-000",
                "country_id": cls.env.ref("base.br").id,
            }
        )
        cls.policy = cls.env["collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        cls.policy.write(
            {
                "fine_percent": 2.0,
                "interest_percent_month": 1.0,
                "grace_days": 0,
                "max_installments": 6,
                "min_installment_amount": 50.0,
                "max_cash_discount_percent": 10.0,
                "max_first_due_days": 30,
                "max_promise_days": 15,
            }
        )
        cls.sandbox = FakePspServer(client_id="odoo", client_secret="s3cret")
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        journal = cls.company_data["default_journal_bank"]
        cls.provider = sandbox_pix_provider(cls.env, cls.company, journal, cls.sandbox)
        cls.bank_account = bb_collection_account(
            cls.env, cls.company, journal, cls.company_data["default_account_expense"]
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="joana",
            password="joana-portal-1",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            company_id=cls.company.id,
        )

    def setUp(self):
        super().setUp()
        frozen = freeze_time(NOW, tick=True)
        frozen.start()
        self.addCleanup(frozen.stop)
        self.today = fields.Date.context_today(self.env.user)
        # Four open invoices: 45 and 20 days late, 10 days late and partly paid, and one not yet due.
        self.late = self.make_invoice(self.customer, 1000.0, self.today - datetime.timedelta(days=45))
        self.later = self.make_invoice(self.customer, 300.0, self.today - datetime.timedelta(days=20))
        self.partial = self.make_invoice(self.customer, 500.0, self.today - datetime.timedelta(days=10))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.partial.ids
        ).create({"amount": 200.0, "payment_date": self.today})._create_payments()
        self.upcoming = self.make_invoice(self.customer, 250.0, self.today + datetime.timedelta(days=5))
        self.theirs = self.make_invoice(self.other_customer, 777.0, self.today - datetime.timedelta(days=30))

    def send_reminders(self):
        """Plan today and send its reminders: the dispatch waits for each reminder's Pix charge, which the
        sync cron registers at the PSP sandbox in between."""
        self.plan(self.today)
        moment = datetime.datetime.combine(self.today, datetime.time(15, 0))
        self.dispatch(moment)
        with freeze_time(moment):
            self.env["collection.pix.charge"]._cron_sync()
        self.dispatch(moment + datetime.timedelta(minutes=10))

    def token(self, partner=None, communication=None, days_ago=0):
        partner = partner or self.customer
        if days_ago:
            with freeze_time(self.today - datetime.timedelta(days=days_ago)):
                return partner.with_company(self.company)._collection_portal_token(communication=communication)
        return partner.with_company(self.company)._collection_portal_token(communication=communication)

    def csrf(self):
        return http.Request.csrf_token(self)

    def post(self, path, data, token=None, **kwargs):
        data = {"csrf_token": self.csrf(), **data}
        if token:
            data["token"] = token
        return self.url_open(path, data=data, allow_redirects=kwargs.pop("allow_redirects", True), **kwargs)

    def page(self, token=None, **params):
        query = "&".join(f"{k}={v}" for k, v in {"token": token, **params}.items() if v)
        return self.url_open("/my/debts" + (f"?{query}" if query else ""))
