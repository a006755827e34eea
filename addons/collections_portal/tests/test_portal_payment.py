import json
import re

from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPixInOdoosPaymentFramework(PortalCommon):
    """Odoo's own "Pay now" on an invoice offers our Pix; the customer lands on the Pix panel and the
    payment completes Odoo's transaction without a second payment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pix_method = cls.env.ref("payment.payment_method_pix")
        cls.payment_provider = cls.env["payment.provider"].create(
            {
                "name": "Pix",
                "code": "collections_pix",
                "state": "test",
                "is_published": True,
                "company_id": cls.company.id,
                "redirect_form_view_id": cls.env.ref("collections_portal.redirect_form").id,
                "payment_method_ids": [(6, 0, cls.pix_method.ids)],
            }
        )
        cls.pix_method.active = True  # once a provider supports it, as enabling a provider does

    def compatible(self, company):
        return self.env["payment.provider"]._get_compatible_providers(
            company.id, self.customer.id, 100.0, currency_id=company.currency_id.id
        )

    def test_offered_only_where_the_company_has_a_pix_psp(self):
        self.assertIn(self.payment_provider, self.compatible(self.company))
        self.assertNotIn(
            self.payment_provider,
            self.env["payment.provider"]._get_compatible_providers(
                self.company.id, self.customer.id, 100.0, currency_id=self.company.currency_id.id, sale_order_id=1
            ),
            "a sales order pays its invoice",
        )
        self.provider.active = False
        self.assertNotIn(self.payment_provider, self.compatible(self.company))

    def test_pay_now_with_pix_lands_on_the_pix_panel_and_the_payment_completes_the_transaction(self):
        self.authenticate("joana", "joana-portal-1")
        invoice = self.later
        debts = self.url_open("/my/debts")
        self.assertIn(
            f'o_collection_other" href="{invoice.get_portal_url()}', debts.text, "Odoo's Pay now, one click away"
        )
        page = self.url_open(invoice.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-provider-id="{self.payment_provider.id}"', page.text, "Pix among the ways to pay")
        values = self.make_jsonrpc_request(
            f"/invoice/transaction/{invoice.id}",
            {
                "access_token": invoice._portal_ensure_token(),
                "provider_id": self.payment_provider.id,
                "payment_method_id": self.pix_method.id,
                "token_id": None,
                "amount": invoice.amount_residual,
                "flow": "redirect",
                "tokenization_requested": False,
                "landing_route": invoice.get_portal_url(),
                "is_validation": False,
            },
        )
        form = values["redirect_form_html"]
        action = re.search(r'action="([^"]+)"', form).group(1)
        reference = re.search(r'name="reference" value="([^"]+)"', form).group(1)
        self.assertEqual(action, "/payment/collections_pix/process")
        response = self.url_open(action, data={"reference": reference}, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertRegex(response.headers["Location"], rf"/my/debts\?token=[0-9a-f.]+&pix={invoice.id}#pix$")
        tx = self.env["payment.transaction"].search([("reference", "=", reference)])
        self.assertEqual(tx.state, "pending")
        charge = invoice.collection_pix_charge_ids
        self.assertEqual(charge.state, "to_send", "the same charge as everywhere: one per receivable")
        self.assertEqual(self.url_open(response.headers["Location"]).status_code, 200)
        self.env["collection.pix.charge"]._cron_sync()
        before = self.env["account.payment"].search([])
        record = self.sandbox.pay(charge.txid, deliver=False)["pix"]
        path = f"/collections_pix/webhook/{self.provider.id}/{self.provider.webhook_token}/pix"
        self.url_open(path, data=json.dumps({"pix": [record]}), headers={"Content-Type": "application/json"})
        self.env["collection.pix.event"]._cron_reconcile()
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.payment_id, charge.payment_id)
        tx._post_process()
        new_payments = self.env["account.payment"].search([]) - before
        self.assertEqual(new_payments, charge.payment_id, "Odoo's post-processing creates no second payment")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_an_unknown_reference_is_a_404(self):
        response = self.url_open("/payment/collections_pix/process", data={"reference": "nope"})
        self.assertEqual(response.status_code, 404)


@tagged("post_install", "-at_install")
class TestCardThroughOdoosProviders(PortalCommon):
    """Card, or any provider the company enabled, is Odoo's own flow one click from the debts page; a card
    payment stops the ruler like any other."""

    def test_a_card_payment_from_the_debts_page_settles_the_invoice_and_stops_the_ruler(self):
        self.assertIn("demo", dict(self.env["payment.provider"]._fields["code"].selection), "payment_demo installed")
        card = self.env["payment.provider"].create(
            {
                "name": "Card (demo)",
                "code": "demo",
                "state": "test",
                "is_published": True,
                "company_id": self.company.id,
                "payment_method_ids": [(6, 0, self.env.ref("payment_demo.payment_method_demo").ids)],
            }
        )
        self.send_reminders()
        invoice = self.later
        self.assertTrue(self.comms(self.customer).filtered(lambda c: invoice in c.move_ids))
        pix = invoice.collection_pix_charge_ids
        self.assertEqual(pix.state, "active", "the reminder carried the invoice's Pix")
        self.authenticate("joana", "joana-portal-1")
        debts = self.url_open("/my/debts")
        self.assertIn(f'o_collection_other" href="{invoice.get_portal_url()}', debts.text)
        page = self.url_open(invoice.get_portal_url())
        self.assertIn(f'data-provider-id="{card.id}"', page.text)
        values = self.make_jsonrpc_request(
            f"/invoice/transaction/{invoice.id}",
            {
                "access_token": invoice._portal_ensure_token(),
                "provider_id": card.id,
                "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                "token_id": None,
                "amount": invoice.amount_residual,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": invoice.get_portal_url(),
                "is_validation": False,
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": values["reference"], "payment_details": "4242", "simulated_state": "done"},
        )
        tx = self.env["payment.transaction"].search([("reference", "=", values["reference"])])
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertNotIn(invoice, self.customer.with_company(self.company)._collection_portal_moves(self.company))
        self.assertEqual(
            (pix.state, pix.cancel_reason), ("to_cancel", "settled"), "paid by card: its Pix is withdrawn at the PSP"
        )
