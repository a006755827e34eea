from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import new_test_user
from odoo.tools.translate import TranslationModuleReader

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CollectionsCommon(AccountTestInvoicingCommon):
    """Invoicing fixtures plus a collector (user) and a collections manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="collector",
            groups="collections_ruler.collections_ruler_group_user",
            company_id=cls.company_data["company"].id,
        )
        cls.collections_manager = new_test_user(
            cls.env,
            login="collections_manager",
            groups="collections_ruler.collections_ruler_group_manager",
            company_id=cls.company_data["company"].id,
        )


def assert_translations_in_sync(testcase, module):
    """The committed .pot lists exactly what the code exports, and pt_BR.po translates all of it."""
    exported = {row[4] for row in TranslationModuleReader(testcase.env.cr, modules=[module])}
    i18n = Path(get_module_path(module)) / "i18n"
    committed = {entry.msgid for entry in polib.pofile(str(i18n / f"{module}.pot"))}
    testcase.assertEqual(exported - committed, set(), f"{module}: sources missing from the .pot: run `make pot`")
    testcase.assertEqual(committed - exported, set(), f"{module}: obsolete sources in the .pot: run `make pot`")
    pt_br = polib.pofile(str(i18n / "pt_BR.po"))
    translated = {entry.msgid for entry in pt_br if entry.msgstr}
    testcase.assertEqual(committed - translated, set(), f"{module}: untranslated in pt_BR.po")
