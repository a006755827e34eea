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

    def test_promise_to_pay_from_the_customer(self):
        today = fields.Date.context_today(self.env.user)
        invoices = self.make_invoice(self.customer, 300.0, today - datetime.timedelta(days=10)) | self.make_invoice(
            self.customer, 200.0, today - datetime.timedelta(days=3)
        )
        self.start_tour(f"/odoo/res.partner/{self.customer.id}", "collections_promise_to_pay", login="collector")
        self.assertEqual(set(invoices.mapped("collection_promise_date")), {datetime.date(2099, 12, 31)})
        activity = invoices.activity_ids.filtered(lambda a: a.summary == "Check the promise to pay")
        self.assertEqual(len(activity), 2)
        self.assertIn("Will pay by Pix", str(activity[0].note))

    def test_export_the_negativacao_file(self):
        self.customer.write({"vat": "104.332.181-00", "street": "Rua A, 1", "city": "São Paulo", "zip": "01000-000"})
        invoice = self.make_invoice(self.customer, 800, "2026-01-05")
        self.reach_measures("2026-03-06")
        self.assertEqual(invoice.collection_negativacao_state, "to_register")
        action = self.env.ref("collections_ruler.collection_export_wizard_action")
        self.start_tour(f"/odoo/action-{action.id}", "collections_bureau_export", login="collections_manager")
        self.assertEqual(invoice.collection_negativacao_state, "registered")

    def test_add_a_stage_to_the_ruler(self):
        self.start_tour(
            f"/odoo/action-collections_ruler.collection_ruler_action/{self.ruler.id}",
            "collections_ruler_config",
            login="collections_manager",
        )
        stage = self.ruler.stage_ids.filtered(lambda s: s.name == "Last call before the agency")
        self.assertEqual((stage.offset_days, stage._get_channels()), (45, ["phone"]))


@tagged("post_install", "-at_install")
class TestReportTours(CollectionsCommon, HttpCase):
    """The dashboard and the reports as a Portuguese-speaking manager clicks them."""

    def test_dashboard_to_aging_to_invoice_and_a_report_for_a_period(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.collections_manager.lang = "pt_BR"
        self.customer.collection_user_id = self.collections_manager
        today = self.company._collection_today()
        invoice = self.make_invoice(self.customer, 1200.0, today - datetime.timedelta(days=10))
        stage = self.stages["friendly"]
        self.env["collection.communication"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "ruler_id": self.ruler.id,
                "stage_id": stage.id,
                "channel": "email",
                "state": "sent",
                "sent_at": fields.Datetime.now(),
                "scheduled_at": fields.Datetime.now(),
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "move_id": invoice.id,
                            "stage_id": stage.id,
                            "channel": "email",
                            "amount_residual": 1200.0,
                        },
                    )
                ],
            }
        )
        self.start_tour(
            "/odoo/action-collections_ruler.collection_dashboard_action",
            "collections_reports",
            login="collections_manager",
        )
        self.start_tour(
            "/odoo/action-collections_ruler.collection_report_export_action",
            "collections_report_period",
            login="collections_manager",
        )
