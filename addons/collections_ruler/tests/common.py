import datetime
from pathlib import Path

import polib
from freezegun import freeze_time

import odoo
from odoo import Command, api, fields
from odoo.modules.module import get_module_path
from odoo.tests import new_test_user
from odoo.tools.translate import TranslationModuleReader

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CollectionsCommon(AccountTestInvoicingCommon):
    """Invoicing fixtures, the default ruler of the company, customers, a collector and a manager.

    The company lives in São Paulo time; tests freeze time at noon UTC (09:00 there)
    on business days unless they test the contact window itself.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.partner_id.tz = "America/Sao_Paulo"
        cls.ruler = cls.env["collection.ruler"].search([("company_id", "=", cls.company.id), ("usage", "=", "invoice")])
        cls.stages = {stage.phase: stage for stage in cls.ruler.stage_ids}
        cls.customer = cls.env["res.partner"].create(
            {"name": "Joana Silva", "email": "joana@example.com", "mobile": "+55 11 98765-4321"}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Padaria Pão Dourado", "is_company": True, "email": "contas@paodourado.example.com"}
        )
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

    @classmethod
    def make_invoice(cls, partner, amount, due, company=None):
        """A posted customer invoice due on ``due`` (a date or 'YYYY-MM-DD')."""
        due = fields.Date.to_date(due)
        company = company or cls.company
        invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due - datetime.timedelta(days=30),
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create({"name": "Monthly service", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    def plan(self, day):
        """Run the planning cron for ``day`` at 09:00 São Paulo time."""
        day = fields.Date.to_date(day)
        with freeze_time(datetime.datetime.combine(day, datetime.time(12, 0))):
            self.env["collection.ruler"]._cron_plan(run_date=day)

    def dispatch(self, moment):
        """Run the dispatch cron, then the WhatsApp outbox cron, at ``moment`` (naive UTC) until nothing
        due is left: what the cron workers do after each other's commits."""
        Communication = self.env["collection.communication"]
        with freeze_time(fields.Datetime.to_datetime(moment)):
            for _round in range(20):
                dispatched = Communication._cron_dispatch()
                handed_over = Communication._cron_send_gateway()
                if not dispatched and not handed_over:
                    break

    def reach_measures(self, day):
        """Plan ``day``, send its contacts at noon and plan again once the notice's wait has passed:
        the way a stage's credit measures take effect."""
        day = fields.Date.to_date(day)
        self.plan(day)
        self.dispatch(datetime.datetime.combine(day, datetime.time(15, 0)))
        self.plan(day + datetime.timedelta(days=self.stages["severe"].measure_wait_days))

    def comms(self, partner=None, **filters):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.env["collection.communication"].search(domain, order="id")


class RealConnectionsMixin:
    """Separate, committing database connections for tests of what row locks do.

    The rest of the suite runs inside one rolled-back transaction; tests using this
    commit their own data and must clean it up.
    """

    def _connect(self):
        cursor = odoo.sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cursor.close)
        return cursor, api.Environment(cursor, odoo.SUPERUSER_ID, {})


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
