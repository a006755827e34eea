import datetime

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import CollectionsCommon

DUE = "2026-03-10"  # Tuesday
FRIENDLY_DAY = "2026-03-11"
WEDNESDAY_9H = datetime.datetime(2026, 3, 11, 12, 0)  # 09:00 in São Paulo


@tagged("post_install", "-at_install")
class TestDispatchAtScale(CollectionsCommon):
    """What keeps the dispatch near the cost of rendering the e-mails, and several jobs sending at once."""

    def queue_emails(self, count, tag):
        """``count`` customers with an invoice one day late, planned: one e-mail each is due."""
        partners = self.env["res.partner"].create(
            [{"name": f"Cliente {tag} {n}", "email": f"cliente.{tag}.{n}@example.com"} for n in range(count)]
        )
        for partner in partners:
            self.make_invoice(partner, 100.0 + len(partner.name), DUE)
        self.plan(FRIENDLY_DAY)
        comms = self.comms(channel="email").filtered(lambda c: c.partner_id in partners)
        self.assertEqual(len(comms), count)
        return comms

    def queries_to_dispatch(self, comms):
        """SQL queries of one dispatch batch of ``comms`` (the other queued contacts left for later)."""
        others = self.comms().filtered(lambda c: c.state == "queued") - comms
        others.write({"scheduled_at": "2999-01-01"})
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(WEDNESDAY_9H):
            before = self.env.cr.sql_log_count
            self.env["collection.communication"]._cron_dispatch(batch_size=len(comms))
            self.env.flush_all()
            queries = self.env.cr.sql_log_count - before
        others.write({"scheduled_at": fields.Datetime.to_datetime(WEDNESDAY_9H)})
        self.assertEqual(set(comms.mapped("state")), {"sent"})
        return queries

    def test_a_dispatch_batch_costs_a_few_queries_per_email(self):
        small = self.queries_to_dispatch(self.queue_emails(5, "a"))
        large = self.queries_to_dispatch(self.queue_emails(25, "b"))
        per_email = (large - small) / 20
        # Each further e-mail costs its savepoint and little else (rendering, the message, the mail and
        # its notification are created for the batch). Contact by contact it was ~34 queries per e-mail.
        self.assertLessEqual(per_email, 4, f"{small} queries for 5 e-mails, {large} for 25")

    def test_the_emails_of_a_batch_are_the_ones_a_contact_alone_would_send(self):
        comms = self.queue_emails(3, "c")
        with freeze_time(WEDNESDAY_9H):
            self.env["collection.communication"]._cron_dispatch()
        for comm in comms:
            message = comm.mail_message_id
            self.assertEqual(message.author_id, self.company.partner_id)
            self.assertEqual(message.partner_ids, comm.partner_id)
            self.assertEqual(message.model, "collection.communication")
            self.assertEqual(message.res_id, comm.id)
            self.assertEqual(message.record_name, comm.stage_id.name)
            self.assertIn(comm.line_ids.move_id.name, message.body)
            mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
            self.assertEqual(mail.recipient_ids, comm.partner_id)
            self.assertIn(comm.line_ids.move_id.name, mail.body_html)
            self.assertIn(comm.stage_id.name, mail.body_html, "the light layout's header")
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(message.notification_ids.mapped("notification_status"), ["ready"])
            self.assertEqual(message.notification_ids.mail_mail_id, mail)
        self.assertEqual(len(set(comms.mail_message_id.ids)), 3)
        self.assertFalse(comms.message_ids.tracking_value_ids, "no tracking value per contact")

    def test_a_templates_own_report_is_attached_to_each_email(self):
        comms = self.queue_emails(2, "r")
        template = comms.stage_id.mail_template_id
        template.report_template_ids = self.env.ref("collections_ruler.action_report_collection_letter")
        with freeze_time(WEDNESDAY_9H):
            self.env["collection.communication"]._cron_dispatch()
        for comm in comms:
            attachments = comm.mail_message_id.attachment_ids
            self.assertEqual(len(attachments), 1)
            self.assertEqual(attachments.res_id, comm.id)
            self.assertTrue(attachments.raw)

    def test_one_bad_email_in_a_batch_fails_alone(self):
        comms = self.queue_emails(4, "d")
        bad = comms[1]
        # a text that cannot be rendered for one customer: the batch fails, then each goes alone
        text = f"object.partner_id.name if object.id != {bad.id} else object.no_such_field"
        bad.stage_id.mail_template_id = bad.stage_id.mail_template_id.copy(
            {"body_html": f'<p>Olá <t t-out="{text}"/></p>'}
        )
        with freeze_time(WEDNESDAY_9H), mute_logger("odoo.addons.mail.models.mail_render_mixin"):
            self.env["collection.communication"]._cron_dispatch()
        self.assertEqual(bad.state, "failed")
        self.assertEqual(bad.reason_code, "error")
        self.assertEqual(bad.attempt_count, 1)
        self.assertEqual(set((comms - bad).mapped("state")), {"sent"})
        self.assertEqual(len((comms - bad).mail_message_id), 3)
        self.assertFalse(self.env["mail.message"].search([("model", "=", bad._name), ("res_id", "=", bad.id)]))
        self.assertIn("Olá Cliente d 0", comms[0].mail_message_id.body)

    def test_dispatch_jobs_follow_the_setting(self):
        Communication = self.env["collection.communication"]
        self.assertEqual(len(Communication._dispatch_jobs().filtered("active")), 2, "two jobs out of the box")
        settings = self.env["res.config.settings"].create({})
        settings.collection_dispatch_jobs = 4
        settings.execute()
        jobs = Communication._dispatch_jobs()
        self.assertEqual(len(jobs.filtered("active")), 4)
        self.assertEqual(set(jobs.mapped("code")), {"model._cron_dispatch()"})
        self.env["ir.cron.trigger"].search([("cron_id", "in", jobs.ids)]).unlink()
        Communication._trigger_dispatch()
        triggered = self.env["ir.cron.trigger"].search([("cron_id", "in", jobs.ids)]).cron_id
        self.assertEqual(triggered, jobs.filtered("active"), "a new contact wakes every job")
        Communication._set_dispatch_jobs(1)
        self.assertEqual(Communication._dispatch_jobs().filtered("active"), jobs[0])
        self.assertEqual(len(Communication._dispatch_jobs()), 4, "archived, not deleted")


@tagged("post_install", "-at_install")
class TestPlanningSchema(CollectionsCommon):
    """What the planner's big INSERT pays for: PostgreSQL checks each foreign key of each row it inserts."""

    def test_a_first_run_writes_one_row_per_invoice(self):
        """A company's first run moves every open invoice to a stage at once (96,969 at 100,000
        receivables). A contact line is a view over the invoice's stage row and the contacts of its group,
        not a row per invoice and channel (216,663 rows, three foreign-key checks each); the stage row
        checks only its invoice and its stage."""
        self.env.cr.execute("SELECT relkind FROM pg_class WHERE relname = 'collection_communication_line'")
        self.assertEqual(self.env.cr.fetchone()[0], "v")
        self.env.cr.execute(
            """
            SELECT array_agg(a.attname::text ORDER BY a.attname::text)
              FROM pg_constraint c
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
             WHERE c.conrelid = 'collection_invoice_stage'::regclass AND c.contype = 'f'
            """
        )
        self.assertEqual(self.env.cr.fetchone()[0], ["move_id", "stage_id"])
        self.env.cr.execute(
            "SELECT array_agg(indexname::text ORDER BY indexname::text) FROM pg_indexes "
            "WHERE tablename = 'collection_invoice_stage'"
        )
        self.assertEqual(
            self.env.cr.fetchone()[0],
            [
                "collection_invoice_stage__plan_group_index",
                "collection_invoice_stage__stage_id_index",
                "collection_invoice_stage_current_unique",
                "collection_invoice_stage_move_stage_unique",
                "collection_invoice_stage_pkey",
            ],
        )
        invoices = self.make_invoice(self.customer, 300.0, "2026-02-01") | self.make_invoice(self.customer, 200.0, DUE)
        self.plan("2026-03-11")
        self.env.cr.execute("SELECT COUNT(*) FROM collection_invoice_stage WHERE move_id IN %s", [tuple(invoices.ids)])
        self.assertEqual(self.env.cr.fetchone()[0], 2, "one row per invoice, whatever the channels")
        contacts = self.comms(self.customer)
        self.assertGreater(len(contacts), 1, "the firmest stage writes on several channels")
        for contact in contacts:
            self.assertEqual(contact.line_ids.move_id, invoices)
            self.assertEqual(set(contact.line_ids.mapped("channel")), {contact.channel})
        lines = contacts.line_ids
        self.assertEqual(len(lines), 2 * len(contacts))
        # read back by id (the web client does): the same lines, through the stage rows' index
        self.env.invalidate_all()
        again = self.env["collection.communication.line"].browse(lines.ids)
        self.assertEqual(again.mapped("communication_id"), lines.mapped("communication_id"))
        self.assertEqual(
            {(line.move_id, line.stage_id, line.channel) for line in again},
            {(line.move_id, line.stage_id, line.channel) for line in lines},
        )

    def test_lines_read_by_id_go_through_the_stage_rows_index(self):
        """A line's id is computed (its stage row's id and its channel): read by id, as the web client and
        the ORM's prefetch read it, the view must still be filtered through the stage rows' primary key,
        not scanned (233,029 lines at 100,000 receivables): by a user (under the record rules) and by the
        superuser (the dispatch)."""
        invoices = self.make_invoice(self.customer, 300.0, "2026-02-01") | self.make_invoice(
            self.other_customer, 200.0, "2026-02-01"
        )
        self.plan("2026-03-11")
        lines = self.comms().line_ids
        self.assertGreater(len(lines), 2)
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL enable_seqscan = off")  # a few rows: PostgreSQL would scan anyway
        by_user = lines.with_user(self.collector)._search([("id", "in", lines.ids)])
        for query in (by_user, lines._as_query(ordered=False)):
            self.env.cr.execute(SQL("EXPLAIN %s", query.select(SQL.identifier(query.table, "move_id"))))
            plan = "\n".join(row[0] for row in self.env.cr.fetchall())
            # the stage rows are filtered by their own id (their primary key, at any size that matters), not
            # only by the computed id of the view, which no index serves
            self.assertRegex(plan, r"\(id = ANY \('\{[0-9,]+\}'::integer\[\]\)\)")
        self.env.cr.execute("RESET enable_seqscan")
        self.env.invalidate_all()
        self.assertEqual(lines.with_user(self.collector).move_id, invoices)
        self.assertEqual(lines.move_id, invoices)

    def test_lines_linked_by_hand_are_kept_as_such(self):
        """A contact made by hand can cover invoices the planner contacted in different groups, on a channel
        they were not contacted on; the same invoice, stage and channel still cannot be contacted twice, and
        only a collections manager links invoices by hand."""
        first = self.make_invoice(self.customer, 300.0, DUE)
        self.plan(FRIENDLY_DAY)
        second = self.make_invoice(self.customer, 200.0, "2026-03-11")
        self.plan("2026-03-12")
        stage = self.stages["friendly"]
        self.assertEqual(len(self.comms(self.customer, channel="email")), 2, "two groups, one per day")
        letter = self.env["collection.communication"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "ruler_id": stage.ruler_id.id,
                "stage_id": stage.id,
                "channel": "letter",
                "line_ids": [Command.create({"move_id": move.id, "stage_id": stage.id}) for move in first | second],
            }
        )
        self.assertEqual(letter.move_ids, first | second)
        self.assertEqual(first.collection_line_ids.communication_id.filtered(lambda c: c.channel == "letter"), letter)
        email = self.comms(self.customer, channel="email")[:1]
        with self.assertRaises(ValidationError):
            self.env["collection.communication.line"].create(
                {"communication_id": letter.id, "move_id": email.move_ids.id, "stage_id": stage.id, "channel": "sms"}
            )
        with self.assertRaises(ValidationError), self.cr.savepoint():
            email.copy({"line_ids": [Command.create({"move_id": email.move_ids.id, "stage_id": stage.id})]})
        with self.assertRaises(AccessError):
            self.env["collection.communication.line"].with_user(self.collector).create(
                {"communication_id": letter.id, "move_id": first.id, "stage_id": self.stages["reminder"].id}
            )

    def test_an_invoice_back_at_a_stage_it_reached_is_not_contacted_again(self):
        """An agreement's breach restarts the customer's ruler for its invoices: one coming back to a stage
        it already reached stands there again, and its customer is not sent that stage's message twice
        (the stage row is unique per invoice and stage)."""
        invoice = self.make_invoice(self.customer, 300.0, DUE)
        self.plan(FRIENDLY_DAY)
        first = self.comms(self.customer)
        self.assertEqual(invoice.collection_stage_id, self.stages["friendly"])
        self.assertTrue(first)
        invoice.sudo().collection_stage_ids.write({"current": False})  # what an agreement's breach does
        self.assertFalse(invoice.collection_stage_id)
        self.plan(FRIENDLY_DAY)
        self.assertEqual(invoice.collection_stage_id, self.stages["friendly"], "standing at its stage again")
        self.assertEqual(self.comms(self.customer), first, "no second message for the same stage")
        self.assertEqual(first.line_ids.move_id, invoice)

    def test_the_stage_pointer_reads_as_a_field_of_the_invoice(self):
        """The pointer lives beside the invoice; a collector still filters, sorts and groups invoices by
        stage, and "no stage" means never reached one."""
        late = self.make_invoice(self.customer, 300.0, "2026-02-01")  # D+38 on 2026-03-11: the severe stage
        friendly = self.make_invoice(self.other_customer, 200.0, DUE)  # D+1: friendly
        fresh = self.make_invoice(self.other_customer, 100.0, "2026-04-30")  # not yet at any stage
        self.plan(FRIENDLY_DAY)
        moves = late | friendly | fresh
        Move = self.env["account.move"].with_user(self.collector)
        scope = [("id", "in", moves.ids)]
        self.assertEqual(late.collection_stage_id, self.stages["severe"])
        self.assertEqual(late.collection_stage_date, fields.Date.to_date(FRIENDLY_DAY))
        self.assertFalse(fresh.collection_stage_id)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "=", self.stages["friendly"].id)]), friendly)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "!=", self.stages["friendly"].id)]), late | fresh)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "=", False)]), fresh)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "!=", False)]), late | friendly)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "ilike", self.stages["severe"].name)]), late)
        self.assertEqual(
            Move.search([*scope, ("collection_stage_id", "not in", self.stages["friendly"].ids)]), late | fresh
        )
        self.assertEqual(Move.search([*scope, ("collection_stage_id.phase", "=", "severe")]), late)
        self.assertEqual(
            Move.search([*scope, ("collection_stage_id", "not any", [("phase", "=", "severe")])]), friendly | fresh
        )
        self.assertEqual(Move.search([*scope, ("collection_stage_date", "=", FRIENDLY_DAY)]), late | friendly)
        ordered = Move.search(scope, order="collection_stage_id, id")
        self.assertEqual(ordered[-1], fresh, "no stage last, as a stored many2one sorts")
        groups = dict(Move._read_group(scope, ["collection_stage_id"], ["__count"]))
        self.assertEqual(
            groups, {self.stages["severe"]: 1, self.stages["friendly"]: 1, self.env["collection.ruler.stage"]: 1}
        )
        described = Move.fields_get(["collection_stage_id", "collection_stage_date"], ["sortable", "groupable"])
        self.assertTrue(all(desc["sortable"] and desc["groupable"] for desc in described.values()), described)
        # "not set" inside a list, as a stored field reads it
        friendly_id = self.stages["friendly"].id
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "in", [friendly_id, False])]), friendly | fresh)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "not in", [False])]), late | friendly)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "not in", [friendly_id, False])]), late)
        self.assertEqual(Move.search([*scope, ("collection_stage_date", "in", [False])]), fresh)

        # an accountant without collections rights filters, groups and opens a group by stage too
        accountant = new_test_user(
            self.env, login="accountant", groups="account.group_account_invoice", company_id=self.company.id
        )
        Move = self.env["account.move"].with_user(accountant)
        self.assertEqual(Move.search([*scope, ("collection_stage_id", "=", friendly_id)]), friendly)
        for group in Move.read_group(scope, ["collection_stage_id"], ["collection_stage_id"]):
            self.assertEqual(Move.search_count(group["__domain"]), group["collection_stage_id_count"])

    def test_a_customers_stage_follows_a_payment_of_the_same_transaction(self):
        """The customer's stage is the firmest of their open invoices, read after what the transaction
        changed (a payment just registered), not from what was last written to the database."""
        severe = self.make_invoice(self.customer, 300.0, "2026-02-01")
        friendly = self.make_invoice(self.customer, 200.0, DUE)
        self.plan(FRIENDLY_DAY)
        self.assertEqual(self.customer.collection_stage_id, self.stages["severe"])
        self.assertEqual(friendly.collection_stage_id, self.stages["friendly"])
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=severe.ids).create(
            {"payment_date": FRIENDLY_DAY}
        ).action_create_payments()
        self.assertEqual(severe.payment_state, "paid")
        self.customer.invalidate_recordset(["collection_stage_id"])
        self.assertEqual(self.customer.collection_stage_id, self.stages["friendly"])
