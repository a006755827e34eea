from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalAccess(TransactionCase):
    def test_portal_user_reaches_no_back_office_collections(self):
        customer = self.env["res.partner"].create({"name": "Portal Customer"})
        portal_user = new_test_user(
            self.env, login="portal_customer", groups="base.group_portal", partner_id=customer.id
        )
        with self.assertRaises(AccessError):
            self.env["ir.ui.menu"].with_user(portal_user).search([])
        self.assertFalse(portal_user.has_group("collections_ruler.collections_ruler_group_user"))
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(portal_user).create({})
