from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval, time

from ..models.account_move import open_receivable_domain, open_receivable_sql
from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestFoundation(CollectionsCommon):
    def test_open_receivable_is_one_rule_as_domain_filter_and_sql(self):
        """The planner's SQL, searches and record filters all pick exactly the open customer invoices."""
        open_invoice = self.make_invoice(self.customer, 100, "2026-03-10")
        partial = self.make_invoice(self.customer, 100, "2026-03-10")
        paid = self.make_invoice(self.customer, 100, "2026-03-10")
        for move, amount in ((partial, 40.0), (paid, 100.0)):
            self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                {"amount": amount}
            )._create_payments()
        draft = self.make_invoice(self.customer, 100, "2026-03-10")
        draft.button_draft()
        cancelled = self.make_invoice(self.customer, 100, "2026-03-10")
        cancelled.button_cancel()
        reversed_invoice = self.make_invoice(self.customer, 100, "2026-03-10")
        credit_note = reversed_invoice._reverse_moves(cancel=True)
        refund = self.make_invoice(self.customer, 100, "2026-03-10")._reverse_moves()
        refund.action_post()
        moves = open_invoice | partial | paid | draft | cancelled | reversed_invoice | credit_note | refund
        self.assertEqual(partial.payment_state, "partial")
        self.assertEqual(reversed_invoice.payment_state, "reversed")
        expected = open_invoice | partial
        self.assertEqual(moves.search([("id", "in", moves.ids), *open_receivable_domain()]), expected)
        self.assertEqual(moves._collection_filter_open(), expected)
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT m.id FROM account_move m WHERE m.id IN %s AND %s", tuple(moves.ids), open_receivable_sql("m"))
        )
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, set(expected.ids))

    def test_in_payment_invoices_are_not_open_in_any_form(self):
        """With the accountant module a paid invoice waits "in payment" until the bank matches it; Community
        never shows that state, so it is forced here: the domain, the filter and the SQL must agree on it."""
        AccountMove = type(self.env["account.move"])
        open_invoice = self.make_invoice(self.customer, 100, "2026-03-10")
        in_payment = self.make_invoice(self.customer, 100, "2026-03-10")
        with patch.object(AccountMove, "_get_invoice_in_payment_state", lambda _move: "in_payment"):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=in_payment.ids
            ).create({})._create_payments()
            self.assertEqual(in_payment.payment_state, "in_payment")
            moves = open_invoice | in_payment
            self.assertEqual(moves.search([("id", "in", moves.ids), *open_receivable_domain()]), open_invoice)
            self.assertEqual(moves._collection_filter_open(), open_invoice)
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT m.id FROM account_move m WHERE m.id IN %s AND %s",
                    tuple(moves.ids),
                    open_receivable_sql("m"),
                )
            )
            self.assertEqual({row[0] for row in self.env.cr.fetchall()}, set(open_invoice.ids))

    def test_manager_implies_user_and_user_implies_billing(self):
        self.assertTrue(self.collections_manager.has_group("collections_ruler.collections_ruler_group_user"))
        self.assertTrue(self.collector.has_group("account.group_account_invoice"))
        self.assertFalse(self.collector.has_group("collections_ruler.collections_ruler_group_manager"))

    def test_invoicing_administrators_manage_collections(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("account.group_account_manager"))
        self.assertTrue(admin.has_group("collections_ruler.collections_ruler_group_manager"))

    def test_menu_visible_to_collectors_and_settings_to_administrators_only(self):
        root = self.env.ref("collections_ruler.collections_ruler_menu_root")
        overdue = self.env.ref("collections_ruler.collections_ruler_menu_overdue")
        settings = self.env.ref("collections_ruler.collections_ruler_menu_settings")
        collector_menus = self.env["ir.ui.menu"].with_user(self.collector)._visible_menu_ids()
        admin_menus = self.env["ir.ui.menu"].with_user(self.env.ref("base.user_admin"))._visible_menu_ids()
        self.assertTrue({root.id, overdue.id} <= collector_menus)
        self.assertNotIn(settings.id, collector_menus)
        self.assertIn(settings.id, admin_menus)
        self.assertEqual(root.parent_id, self.env.ref("account.menu_finance"))

    def test_settings_are_saved_on_the_company(self):
        company = self.company_data["company"]
        settings = (
            self.env["res.config.settings"]
            .with_company(company)
            .create({"collection_user_id": self.collector.id, "collection_reply_to": "cobranca@example.com"})
        )
        settings.execute()
        self.assertEqual(company.collection_user_id, self.collector)
        self.assertEqual(company.collection_reply_to, "cobranca@example.com")

    def test_collector_cannot_change_company_collection_settings(self):
        company = self.company_data["company"]
        with self.assertRaises(AccessError):
            company.with_user(self.collector).write({"collection_reply_to": "hijack@example.com"})

    def test_overdue_action_lists_only_overdue_open_customer_invoices(self):
        overdue = self.init_invoice("out_invoice", amounts=[100.0], invoice_date="2020-01-01", post=True)
        self.init_invoice("out_invoice", amounts=[100.0], invoice_date="2099-01-01", post=True)
        action = self.env.ref("collections_ruler.account_move_overdue_action")
        domain = [*safe_eval(action.domain), *self._late_filter_domain()]
        found = self.env["account.move"].search(domain)
        self.assertEqual(found, overdue)

    def test_overdue_invoices_is_a_collections_list(self):
        """Stage, days late, updated amount, next contact and risk; no "New" or "Upload" there."""
        action = self.env.ref("collections_ruler.account_move_overdue_action")
        views = (
            self.env["account.move"]
            .with_user(self.collector)
            .get_views([(action.view_id.id, "list")], {"action_id": action.id})
        )
        arch = etree.fromstring(views["views"]["list"]["arch"])
        self.assertEqual((arch.get("create"), arch.get("import")), ("false", "false"))
        self.assertFalse(arch.get("js_class"), "account's list class adds the Upload button")
        columns = {node.get("name") for node in arch.iter("field")}
        self.assertLessEqual(
            {"collection_stage_id", "collection_days_late", "collection_updated_amount", "collection_next_date",
             "collection_risk_level"},
            columns,
        )  # fmt: skip
        invoice = self.init_invoice("out_invoice", amounts=[100.0], invoice_date="2020-01-01", post=True)
        row = invoice.with_user(self.collector).read(list(columns & set(invoice._fields)))[0]
        self.assertGreater(row["collection_days_late"], 0)

    def _late_filter_domain(self):
        """The "Overdue" filter the action enables by default, read from the search view."""
        arch = etree.fromstring(self.env.ref("account.view_account_invoice_filter").arch)
        node = arch.xpath("//filter[@name='late']")[0]
        self.assertIn("search_default_late", self.env.ref("collections_ruler.account_move_overdue_action").context)
        return safe_eval(node.get("domain"), {"time": time})
