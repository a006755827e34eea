import datetime

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestBackOfficeTours(CollectionsCommon, HttpCase):
    """The back office as a collector clicks it, in headless Chromium."""

    def test_propose_and_confirm_an_agreement_from_the_customer(self):
        today = fields.Date.context_today(self.env.user)
        invoices = self.make_invoice(self.customer, 1000.0, today - datetime.timedelta(days=45)) | self.make_invoice(
            self.customer, 500.0, today - datetime.timedelta(days=20)
        )
        self.start_tour(f"/odoo/res.partner/{self.customer.id}", "collections_propose_agreement", login="collector")
        agreement = self.env["collection.agreement"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.move_ids, invoices)
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
