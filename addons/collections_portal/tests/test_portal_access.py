from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

# Every model the collections addons add: none is for portal users. The portal pages show a
# customer their own debts through controllers that check who asks, never through these models.
COLLECTIONS_MODELS = [
    "collection.ruler",
    "collection.ruler.stage",
    "collection.communication",
    "collection.communication.line",
    "collection.communication.line.stored",
    "collection.invoice.stage",
    "collection.policy",
    "collection.agreement",
    "collection.agreement.installment",
    "collection.pix.provider",
    "collection.pix.charge",
    "collection.pix.event",
    "collection.boleto",
    "collection.bank.remittance",
    "collection.bank.return",
    "collection.bank.return.line",
    "collection.portal.action",
    "collection.aging.bucket",
    "collection.aging.report",
    "collection.effectiveness.report",
    "collection.agreement.report",
    "collection.ruler.stage.variant",
    "collection.promise",
]


@tagged("post_install", "-at_install")
class TestPortalAccess(TransactionCase):
    def test_portal_and_public_users_reach_no_collections_model(self):
        customer = self.env["res.partner"].create({"name": "Portal Customer"})
        portal_user = new_test_user(
            self.env, login="portal_customer", groups="base.group_portal", partner_id=customer.id
        )
        public_user = self.env.ref("base.public_user")
        for user in (portal_user, public_user):
            for model in COLLECTIONS_MODELS:
                for operation in ("read", "write", "create", "unlink"):
                    with (
                        self.subTest(user=user.login, model=model, operation=operation),
                        self.assertRaises(AccessError),
                    ):
                        self.env[model].with_user(user).check_access(operation)

    def test_the_list_covers_every_collections_model(self):
        ours = self.env["ir.model"].search([("model", "=like", "collection.%"), ("transient", "=", False)])
        stored = {model for model in ours.mapped("model") if not self.env[model]._abstract}
        self.assertEqual(stored, set(COLLECTIONS_MODELS))
