import datetime

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.collections_ruler.tests.common import CollectionsCommon

from .common import sandbox_pix_provider
from .fake_psp import FakePspServer


@tagged("post_install", "-at_install")
class TestPixTours(CollectionsCommon, HttpCase):
    """The Pix buttons as a collector clicks them, in headless Chromium, against the PSP sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = FakePspServer(client_id="odoo", client_secret="s3cret")
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.customer.vat = "104.332.181-00"
        cls.provider = sandbox_pix_provider(cls.env, cls.company, cls.company_data["default_journal_bank"], cls.sandbox)

    def test_create_a_pix_charge_from_the_invoice(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.make_invoice(self.customer, 450.0, today - datetime.timedelta(days=5))
        self.start_tour(f"/odoo/account.move/{invoice.id}", "collections_pix_charge", login="collector")
        charge = invoice.collection_pix_charge_ids
        self.assertEqual((len(charge), charge.state), (1, "to_send"))
        self.assertFalse([r for r in self.sandbox.requests if "/cob" in r["path"]], "the click itself calls no PSP")
        self.env["collection.pix.charge"]._cron_sync()
        self.assertEqual(charge.state, "active")
        self.assertGreater(charge.amount, 450.0, "overdue: the charge carries the fine and interest")
