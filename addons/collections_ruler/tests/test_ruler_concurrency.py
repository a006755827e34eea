import threading
import time

import psycopg2
from freezegun import freeze_time

import odoo
from odoo import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import RealConnectionsMixin


@tagged("post_install", "-at_install")
class TestRulerConcurrency(RealConnectionsMixin, TransactionCase):
    """Two workers at once, on real committed data and separate database connections.

    The rest of the suite runs inside one rolled-back transaction, which cannot show
    what row locks do; these tests open their own connections, commit, and clean up.
    """

    def setUp(self):
        super().setUp()
        cr, env = self._connect()
        company = env.ref("base.main_company")
        self.partners = env["res.partner"].create(
            [{"name": f"Concurrent customer {n}", "email": f"c{n}@example.com"} for n in range(12)]
        )
        self.moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "invoice_date": "2026-02-01",
                    "invoice_date_due": "2026-03-01",
                    "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100, "tax_ids": []})],
                }
                for partner in self.partners
            ]
        )
        self.moves.action_post()
        self.company_id = company.id
        self.move_ids = self.moves.ids
        cr.commit()
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        cr, env = self._connect()
        env["collection.communication"].search([("partner_id", "in", self.partners.ids)]).unlink()
        moves = env["account.move"].browse(self.move_ids)
        moves.button_draft()
        moves.with_context(force_delete=True).unlink()
        env["mail.mail"].search([("recipient_ids", "in", self.partners.ids)]).unlink()
        env["res.partner"].browse(self.partners.ids).unlink()
        cr.commit()

    def _plan_emails(self):
        """Plan the customers' D+1 contacts on a connection of its own: (cursor, env, e-mail contacts due)."""
        cr, env = self._connect()
        env["collection.ruler"]._plan_company(
            env["res.company"].browse(self.company_id), odoo.fields.Date.to_date("2026-03-02")
        )
        emails = env["collection.communication"].search(
            [("partner_id", "in", self.partners.ids), ("channel", "=", "email")]
        )
        emails.write({"scheduled_at": "2026-03-02 12:00:00"})
        return cr, env, emails

    def test_two_planners_at_once_plan_each_invoice_once(self):
        day = odoo.fields.Date.to_date("2026-03-02")  # D+1 for every invoice: e-mail + WhatsApp
        cr_a, env_a = self._connect()
        cr_b, env_b = self._connect()
        planned_a = env_a["collection.ruler"]._plan_company(env_a["res.company"].browse(self.company_id), day)
        result = {}

        def plan_b():
            try:
                with mute_logger("odoo.sql_db"):  # the expected serialization failure logs a bad query
                    result["b"] = env_b["collection.ruler"]._plan_company(
                        env_b["res.company"].browse(self.company_id), day
                    )
            except psycopg2.errors.SerializationFailure as error:
                result["error"] = error
                cr_b.rollback()

        worker = threading.Thread(target=plan_b)
        worker.start()
        time.sleep(0.5)  # B now waits on the invoices A updated
        cr_a.commit()
        worker.join(timeout=30)
        self.assertEqual(planned_a, 24)
        # Odoo's REPEATABLE READ makes the second planner fail; the cron framework retries it later.
        self.assertIn("error", result)
        _cr_c, env_c = self._connect()
        self.assertEqual(env_c["collection.ruler"]._plan_company(env_c["res.company"].browse(self.company_id), day), 0)
        lines = env_c["collection.communication.line"].search([("move_id", "in", self.move_ids)])
        keys = {(line.move_id.id, line.stage_id.id, line.channel) for line in lines}
        self.assertEqual(len(lines), len(keys))
        self.assertEqual(len(lines), 24)

    def test_a_replay_of_another_day_during_the_planning_fails_to_serialize(self):
        """A person replaying a past day while the cron plans today: both would start the same invoices, on
        different stages. The second fails to serialize, as two planners of the same day do (and is retried),
        rather than breaking a unique key (reported to the managers as a failed planning)."""
        cr_a, env_a = self._connect()
        cr_b, env_b = self._connect()
        company_a, company_b = (env["res.company"].browse(self.company_id) for env in (env_a, env_b))
        env_b["res.partner"].search([], limit=1).read(["name"])  # B's snapshot: before A commits
        planned_a = env_a["collection.ruler"]._plan_company(company_a, odoo.fields.Date.to_date("2026-03-02"))
        result = {}

        def plan_b():
            try:
                with mute_logger("odoo.sql_db"):
                    result["b"] = env_b["collection.ruler"]._plan_company(
                        company_b, odoo.fields.Date.to_date("2026-03-20")
                    )
            except psycopg2.Error as error:
                result["error"] = error
                cr_b.rollback()

        worker = threading.Thread(target=plan_b)
        worker.start()
        time.sleep(0.5)
        cr_a.commit()
        worker.join(timeout=30)
        self.assertEqual(planned_a, 24)
        self.assertIsInstance(result.get("error"), psycopg2.errors.SerializationFailure, result)
        _cr_c, env_c = self._connect()
        env_c.cr.execute(
            "SELECT COUNT(*), COUNT(DISTINCT move_id) FROM collection_invoice_stage WHERE current AND move_id IN %s",
            [tuple(self.move_ids)],
        )
        self.assertEqual(env_c.cr.fetchone(), (len(self.move_ids), len(self.move_ids)))

    def test_two_dispatchers_at_once_never_send_twice(self):
        cr, env, emails = self._plan_emails()
        env["collection.communication"].search(
            [("partner_id", "in", self.partners.ids), ("channel", "!=", "email")]
        ).write({"state": "cancelled"})
        cr.commit()

        cr_a, env_a = self._connect()
        cr_b, env_b = self._connect()
        with freeze_time("2026-03-02 13:00:00"):
            batch_a = env_a["collection.communication"]._lock_due_batch(8)
            batch_b = env_b["collection.communication"]._lock_due_batch(8)  # while A still holds its rows
            self.assertEqual(len(batch_a), 8)
            self.assertEqual(len(batch_b), 4, "B skips the rows A locked")
            self.assertFalse(set(batch_a.ids) & set(batch_b.ids))
            batch_b._dispatch()
            cr_b.commit()
            batch_a._dispatch()
            cr_a.commit()
            _cr_c, env_c = self._connect()
            self.assertFalse(env_c["collection.communication"]._lock_due_batch(100) & emails)

        sent = env_c["collection.communication"].browse(emails.ids)
        self.assertEqual(set(sent.mapped("state")), {"sent"})
        mails = env_c["mail.mail"].search([("mail_message_id", "in", sent.mail_message_id.ids)])
        self.assertEqual(len(mails), 12, "one e-mail per contact, none twice")

    def test_a_lock_refused_by_a_concurrent_update_is_tried_again(self):
        cr, _env, emails = self._plan_emails()
        cr.commit()
        cr_a, env_a = self._connect()
        cr_b, env_b = self._connect()
        cr_a.execute("SELECT COUNT(*) FROM collection_communication")  # A's snapshot starts here
        # B changes a due contact and commits after A's snapshot: locking it in A's snapshot is refused
        env_b["collection.communication"].browse(emails[0].id).write({"reason": "touched by another worker"})
        cr_b.commit()
        with freeze_time("2026-03-02 13:00:00"), self.assertNoLogs("odoo.sql_db", level="ERROR"):
            batch = env_a["collection.communication"]._lock_due_batch(100)
        self.assertEqual(set(emails.ids) - set(batch.ids), set(), "every due contact, on a fresh snapshot")
        cr_a.rollback()

    def test_planning_does_not_wait_for_a_user_editing_an_invoice(self):
        """An accountant registering a payment holds the invoice's row until they commit; the morning's
        planning must not queue behind them (nor block them until it commits): the stage pointer is not
        a column of the invoice."""
        cr_user, _env_user = self._connect()
        cr_user.execute("UPDATE account_move SET ref = 'payment being registered' WHERE id = ANY(%s)", (self.move_ids,))
        cr_plan, env_plan = self._connect()
        cr_plan.execute("SET LOCAL lock_timeout = '2s'")
        planned = env_plan["collection.ruler"]._plan_company(
            env_plan["res.company"].browse(self.company_id), odoo.fields.Date.to_date("2026-03-02")
        )
        self.assertEqual(planned, 24)  # D+1: an e-mail and a WhatsApp for each of the 12 customers
        self.assertEqual(
            set(env_plan["account.move"].browse(self.move_ids).mapped("collection_stage_id.offset_days")), {1}
        )
        cr_plan.commit()
        cr_user.rollback()
