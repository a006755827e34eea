from odoo.tests import TransactionCase, tagged

from odoo.addons.collections_ruler.tests.common import assert_translations_in_sync


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_pot_and_pt_br_are_in_sync_with_the_code(self):
        assert_translations_in_sync(self, "collections_pix")
