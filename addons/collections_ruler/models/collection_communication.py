import datetime
import logging
import random
import time

import psycopg2
import requests

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import clean_context, formatLang

from ..tools import whatsapp
from ..tools.schedule import next_contact_moment, weekly_cap_release
from .collection_ruler_stage import CHANNELS

_logger = logging.getLogger(__name__)

STATES = [
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("cancelled", "Cancelled"),
]
REASONS = [
    ("opt_out", "Customer opted out of this channel"),
    ("preferred_channel", "Customer prefers another channel"),
    ("good_payer", "Good payer: no reminder before the due date"),
    ("paid", "Debt paid"),
    ("reversed", "Invoice reversed or cancelled"),
    ("agreement", "Covered by an agreement"),
    ("paused", "Customer paused or promised to pay"),
    ("excluded", "Excluded from collections"),
    ("no_address", "No address for this channel"),
    ("gateway_missing", "No gateway configured for this channel"),
    ("error", "Sending failed"),
    ("manual", "Cancelled by a user"),
]
ELECTRONIC_CHANNELS = ("email", "sms", "whatsapp")
MAX_ATTEMPTS = 5
# Tries to lock a batch when other workers keep changing the due rows (see _lock_due_batch).
LOCK_ATTEMPTS = 5


def skip_reason_sql(channel):
    """Why a contact on ``channel`` must not go out, or NULL: the customer's contact rules.

    The one definition of opt-outs, preferred channel and "no pre-due reminder for good
    payers", used by the planner (for the contacts it creates) and by the dispatch (for
    a customer who changed their mind meanwhile). Expects the aliases ``p``
    (res_partner), ``s`` (collection_ruler_stage) and ``r`` (collection_ruler).
    """
    opt_out = SQL(" OR ").join(
        SQL("(%s = %s AND p.%s IS TRUE)", channel, code, SQL.identifier(f"collection_optout_{code}"))
        for code, _label in CHANNELS
    )
    # Preferring another channel only skips this one when the stage also writes on the preferred one.
    preferred_available = SQL(" ").join(
        SQL(
            "WHEN %s THEN s.%s AND p.%s IS NOT TRUE",
            code,
            SQL.identifier(f"channel_{code}"),
            SQL.identifier(f"collection_optout_{code}"),
        )
        for code in ELECTRONIC_CHANNELS
    )
    return SQL(
        """CASE
             WHEN %(opt_out)s THEN 'opt_out'
             WHEN r.skip_good_payers AND s.offset_days < 0 AND p.collection_risk_level = 'low' THEN 'good_payer'
             WHEN %(channel)s IN %(electronic)s
              AND p.collection_preferred_channel IS NOT NULL
              AND p.collection_preferred_channel <> %(channel)s
              AND CASE p.collection_preferred_channel %(preferred_available)s END
               THEN 'preferred_channel'
           END""",
        opt_out=opt_out,
        channel=channel,
        electronic=ELECTRONIC_CHANNELS,
        preferred_available=preferred_available,
    )


class CollectionChannelError(Exception):
    """A contact cannot go out on its channel (no address, gateway refusal)."""


class CollectionCommunication(models.Model):
    _name = "collection.communication"
    _description = "Collection Contact"
    _inherit = ["mail.thread"]
    _order = "scheduled_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    ruler_id = fields.Many2one("collection.ruler", readonly=True)
    stage_id = fields.Many2one("collection.ruler.stage", required=True, index=True, readonly=True)
    phase = fields.Selection(related="stage_id.phase", store=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    state = fields.Selection(STATES, required=True, default="queued", index=True, tracking=True)
    reason_code = fields.Selection(REASONS, string="Reason", tracking=True)
    reason = fields.Char(string="Details", help="What went wrong, as the channel reported it.")
    plan_date = fields.Date(readonly=True, help="The ruler's run that planned this contact.")
    scheduled_at = fields.Datetime(index=True, help="Not sent before this moment (quiet hours, weekly cap).")
    sent_at = fields.Datetime(readonly=True)
    link_opened_at = fields.Datetime(
        string="Link Opened On", readonly=True, help="When the customer first opened this message's link."
    )
    attempt_count = fields.Integer(readonly=True)
    variant_id = fields.Many2one(
        "collection.ruler.stage.variant",
        string="Text Variant",
        readonly=True,
        index="btree_not_null",
        help="The text this contact sent, when its stage tests several.",
    )
    amount_due = fields.Monetary(string="Due when Planned", readonly=True)
    line_ids = fields.One2many("collection.communication.line", "communication_id", readonly=True)
    plan_group = fields.Integer(
        readonly=True,
        copy=False,
        help="The invoices' stages this contact covers (collection.invoice.stage) carry the same number.",
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", search="_search_move_ids"
    )
    open_move_ids = fields.Many2many(
        "account.move", string="Open Invoices", compute="_compute_open", help="Invoices still to be paid."
    )
    amount_open = fields.Monetary(string="Still Due", compute="_compute_open")
    pay_url = fields.Char(
        string="Payment Link", compute="_compute_open", help="Where the customer sees and pays these invoices."
    )
    payment_instructions = fields.Char(
        compute="_compute_payment_instructions",
        help="How to pay right away, added to messages by payment modules (e.g. a Pix copia e cola).",
    )
    amount_updated = fields.Monetary(
        string="Updated Amount", compute="_compute_agreement_offer", help="Still due with fine and interest today."
    )
    agreement_offer_html = fields.Html(
        string="Agreement Options",
        compute="_compute_agreement_offer",
        sanitize=False,
        help="What the customer's collection policy allows, offered in negotiation messages.",
    )
    mail_message_id = fields.Many2one("mail.message", string="E-mail", readonly=True)
    sms_id = fields.Many2one("sms.sms", string="SMS", readonly=True)
    activity_id = fields.Many2one("mail.activity", string="Phone Task", readonly=True)
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True)
    letter_printed = fields.Boolean(readonly=True)
    external_id = fields.Char(string="Gateway Reference", readonly=True)

    def init(self):
        # a group of contacts has one per channel: with the stage rows' (invoice, stage) key, no invoice
        # is contacted twice for a stage on a channel; the lines' view joins through it
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS collection_communication_plan_group_channel_unique
                ON collection_communication (plan_group, channel) WHERE plan_group IS NOT NULL
            """
        )

    @api.depends("partner_id", "stage_id", "channel")
    def _compute_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for comm in self:
            comm.name = f"{comm.stage_id.name or ''} · {channels.get(comm.channel, '')} · {comm.partner_id.name or ''}"

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for comm in self:
            comm.move_ids = comm.line_ids.move_id

    @api.depends("line_ids.move_id.payment_state", "line_ids.move_id.amount_residual_signed")
    def _compute_open(self):
        for comm in self:
            moves = comm.line_ids.move_id._collection_filter_open()
            comm.open_move_ids = moves
            comm.amount_open = sum(moves.mapped("amount_residual_signed"))
            if len(moves) == 1:
                comm.pay_url = moves._get_collection_pay_url()
            else:
                comm.pay_url = comm.partner_id._get_collection_portal_url() if comm.partner_id else False
        # the texts list each invoice's fine, interest and updated amount: computed for all of them at
        # once (one policy lookup per company), not contact by contact as each text reads its own
        self.open_move_ids.mapped("collection_updated_amount")

    def _collection_move_pay_url(self, move):
        """Where this message's "See and pay" of ``move`` leads (the portal addon: the debts page)."""
        return move._get_collection_pay_url()

    def _compute_payment_instructions(self):
        self.payment_instructions = False

    def _compute_agreement_offer(self):
        # the customers' policies looked up once per company, not contact by contact
        negotiating = self.filtered(lambda comm: comm.phase == "negotiation" and comm.partner_id)
        policies = {}
        for company, comms in negotiating.grouped("company_id").items():
            policies[company] = comms.partner_id.with_company(company)._collection_policies()
        for comm in self:
            moves = comm.open_move_ids
            comm.amount_updated = sum(moves.mapped("collection_updated_amount"))
            comm.agreement_offer_html = False
            if comm not in negotiating or not moves:
                continue
            partner = comm.partner_id.with_company(comm.company_id)
            policy = policies[comm.company_id][partner.commercial_partner_id.id]
            debt, options = partner._collection_agreement_options(
                moves.filtered(lambda m: not m.collection_agreement_id), policy=policy
            )
            comm.agreement_offer_html = policy._render_agreement_options(
                debt, options, comm.currency_id, lang=comm.partner_id.lang
            )

    def _search_move_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    # ------------------------------------------------------------------
    # Cancelling
    # ------------------------------------------------------------------
    def _cancel(self, reason_code, reason=False):
        """Cancel the queued contacts among these, with the reason shown to users."""
        queued = self.filtered(lambda comm: comm.state == "queued")
        if queued:
            queued.write({"state": "cancelled", "reason_code": reason_code, "reason": reason})
        return queued

    def action_cancel(self):
        self._cancel("manual")

    def action_print_letters(self):
        """Print the selected letters in one PDF and mark them printed."""
        letters = self.filtered(lambda comm: comm.channel == "letter" and comm.state == "sent")
        if not letters:
            raise UserError(self.env._("Select letters the ruler has prepared."))
        letters.letter_printed = True
        return self.env.ref("collections_ruler.action_report_collection_letter").report_action(letters)

    def action_retry(self):
        retry = self.filtered(lambda comm: comm.state in ("failed", "cancelled", "skipped"))
        retry.write({"state": "queued", "reason_code": False, "reason": False, "scheduled_at": fields.Datetime.now()})
        self._trigger_dispatch()

    # ------------------------------------------------------------------
    # Dispatch (cron): send what is due, in batches
    # ------------------------------------------------------------------
    @api.model
    def _cron_dispatch(self, batch_size=100):
        """Send one batch of due contacts; Odoo calls again while progress says work remains."""
        self = self.sudo()  # a system job: it sends for every company
        batch = self._lock_due_batch(batch_size)
        if batch:
            batch._dispatch()
        self.env.cr.execute(
            "SELECT COUNT(*) FROM collection_communication WHERE state = 'queued' AND scheduled_at <= %s",
            (fields.Datetime.now(),),
        )
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        if batch and remaining and self.env.context.get("cron_id"):
            # Odoo runs a job ten batches in a row, then only marks it due for the next poll of the
            # cron workers (up to a minute later): wake them now, this job and the others sharing the
            # queue. Only after a batch that did work: rows other workers hold are theirs to finish.
            self._trigger_dispatch()
        return batch

    @api.model
    def _dispatch_jobs(self):
        """The dispatch cron jobs (active or not), oldest first: they share one queue (_lock_due_batch)."""
        return (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search([("model_id.model", "=", self._name), ("code", "=", "model._cron_dispatch()")], order="id")
        )

    @api.model
    def _trigger_dispatch(self):
        """Wake every active dispatch job: each takes its own batches and runs again while work remains."""
        for job in self._dispatch_jobs().filtered("active"):
            job._trigger()

    @api.model
    def _set_dispatch_jobs(self, count):
        """Run ``count`` dispatch jobs side by side: the first ``count`` active, any others archived.

        Odoo runs one job in one cron thread at a time (it locks the job's row for the whole run),
        so parallel sending needs several jobs; they never send a contact twice (SKIP LOCKED).
        """
        count = max(int(count or 1), 1)
        jobs = self._dispatch_jobs()
        main = self.env.ref("collections_ruler.ir_cron_collection_dispatch").sudo()
        jobs = main | jobs
        for number in range(len(jobs) + 1, count + 1):
            jobs |= main.copy({"name": f"{main.with_context(lang='en_US').name} ({number})", "active": True})
        for index, job in enumerate(jobs):
            if job.active != (index < count):
                job.active = index < count
        return jobs

    def _lock_due_batch(self, batch_size, state="queued"):
        """Take due contacts no other worker holds: two dispatchers never get the same row.

        Called first thing in a cron's transaction. When another worker changed a due row after
        this transaction's snapshot, PostgreSQL refuses to lock it ("could not serialize access
        due to concurrent update", Odoo runs REPEATABLE READ). As ir.cron does for its own jobs,
        that is not an error: start again on a fresh snapshot (the transaction has done nothing
        yet), a few times, then leave the rows to the next run.
        """
        self.env.flush_all()
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        """
                        SELECT id FROM collection_communication
                         WHERE state = %s AND scheduled_at <= %s
                         ORDER BY scheduled_at, id
                         LIMIT %s
                           FOR UPDATE SKIP LOCKED
                        """,
                        (state, fields.Datetime.now(), batch_size),
                        log_exceptions=False,
                    )
                    ids = [row[0] for row in self.env.cr.fetchall()]
                return self.browse(ids)
            except psycopg2.errors.SerializationFailure:
                _logger.info(
                    "collections: another worker changed due contacts meanwhile (attempt %s of %s)",
                    attempt,
                    LOCK_ATTEMPTS,
                )
                if attempt == LOCK_ATTEMPTS:
                    return self.browse()
                self.env.cr.rollback()  # a fresh snapshot
                time.sleep(random.uniform(0.05, 0.2) * attempt)
        return self.browse()

    def _dispatch(self):
        """Check each contact, then send the batch: one failing contact is marked failed, the others go on.

        Checks, weekly cap and per-contact documents (statement, invoice PDFs, boleto) run contact
        by contact, each in its savepoint; the e-mails of the batch are then rendered and queued
        together (``_send_email_batch``).
        """
        self.fetch(["partner_id", "stage_id", "channel", "state", "company_id", "line_ids", "attempt_count"])
        self.line_ids.move_id.fetch(["state", "payment_state", "amount_residual", "collection_promise_date"])
        self.partner_id.fetch(["email_normalized", "lang", "collection_excluded", "collection_paused_until"])
        self.line_ids.move_id._collection_ensure_access_tokens()
        recent = self._recent_contacts()
        skip_reasons = self._skip_reasons()
        sent_counter = {}
        emails = []
        for comm in self:
            try:
                with self.env.cr.savepoint():
                    email = comm._dispatch_one(recent, sent_counter, skip_reasons.get(comm.id))
                if email:
                    emails.append(email)
            except Exception as error:
                self.env.invalidate_all()
                comm._dispatch_failed(error)
        if emails:
            self._send_email_batch(emails)

    def _dispatch_failed(self, error):
        _logger.info("collections: contact %s failed: %s", self.id, error)
        self.write(
            {
                "state": "failed",
                "reason_code": "error",
                "reason": str(error)[:500],
                "attempt_count": self.attempt_count + 1,
            }
        )

    def _skip_reasons(self):
        """{contact id: reason} of the contacts the customer's rules now forbid (see skip_reason_sql)."""
        if not self:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, %(reason)s
                  FROM collection_communication c
                  JOIN res_partner p ON p.id = c.partner_id
                  JOIN collection_ruler_stage s ON s.id = c.stage_id
                  JOIN collection_ruler r ON r.id = COALESCE(c.ruler_id, s.ruler_id)
                 WHERE c.id IN %(ids)s
                """,
                reason=skip_reason_sql(SQL("c.channel")),
                ids=tuple(self.ids),
            )
        )
        return {comm_id: reason for comm_id, reason in self.env.cr.fetchall() if reason}

    def _recent_contacts(self):
        """{partner id: [moments]} of automatic contacts sent in the last 7 days, one per stage and day."""
        partners = self.partner_id.ids
        if not partners:
            return {}
        self.env.cr.execute(
            """
            SELECT partner_id, array_agg(first_sent)
              FROM (SELECT partner_id, MIN(COALESCE(sent_at, scheduled_at)) AS first_sent
                      FROM collection_communication
                     WHERE partner_id = ANY(%s) AND state IN ('sent', 'sending') AND channel = ANY(%s)
                       AND COALESCE(sent_at, scheduled_at) > %s
                     GROUP BY partner_id, stage_id, plan_date) contacts
             GROUP BY partner_id
            """,
            (partners, list(ELECTRONIC_CHANNELS), fields.Datetime.now() - datetime.timedelta(days=7)),
        )
        return dict(self.env.cr.fetchall())

    def _dispatch_one(self, recent, sent_counter, skip_reason=None):
        self.ensure_one()
        if self.state != "queued":
            return None
        open_moves = self.open_move_ids
        partner = self.partner_id
        if not open_moves:
            reversed_ = all(m.state != "posted" or m.payment_state == "reversed" for m in self.move_ids)
            self._cancel("reversed" if reversed_ else "paid")
            return
        if partner.collection_excluded or all(m.collection_excluded for m in open_moves):
            self._cancel("excluded")
            return
        today = self.company_id._collection_today()
        if (partner.collection_paused_until and partner.collection_paused_until >= today) or all(
            m.collection_promise_date and m.collection_promise_date >= today for m in open_moves
        ):
            self._cancel("paused")
            return
        if skip_reason:
            self.write({"state": "skipped", "reason_code": skip_reason})
            return
        later = self._postpone_until()
        if not later and self.channel in ELECTRONIC_CHANNELS:
            key = (partner.id, self.stage_id.id)
            moments = recent.get(partner.id, [])
            if key not in sent_counter:
                later = weekly_cap_release(moments, self.ruler_id.max_contacts_per_week, fields.Datetime.now())
        if later:
            self.scheduled_at = later
            return
        wait_until = self._collection_prepare_payment(open_moves)
        if wait_until:
            self.scheduled_at = wait_until
            return
        if self.channel == "email":
            # sent with the rest of the batch (_send_email_batch)
            email = self._prepare_email(open_moves)
            self._count_against_cap(recent, sent_counter)
            return email
        # A channel returns None once sent, or the values of another outcome (skipped, handed to an
        # outbox, retry later).
        outcome = getattr(self, f"_send_{self.channel}")(open_moves)
        if outcome and outcome.get("state") != "sending":
            self.write(outcome)
            return None
        self.write(
            outcome or {"state": "sent", "sent_at": fields.Datetime.now(), "attempt_count": self.attempt_count + 1}
        )
        # Handed to an outbox counts against the weekly cap like a message already sent.
        self._count_against_cap(recent, sent_counter)
        return None

    def _count_against_cap(self, recent, sent_counter):
        partner = self.partner_id
        if self.channel in ELECTRONIC_CHANNELS and (partner.id, self.stage_id.id) not in sent_counter:
            sent_counter[(partner.id, self.stage_id.id)] = True
            recent.setdefault(partner.id, []).append(fields.Datetime.now())

    def _collection_payment_attachments(self, open_moves):
        """Hook for payment modules: the documents a reminder carries to pay with (a boleto's PDF)."""
        return self.env["ir.attachment"]

    def _collection_prepare_payment(self, open_moves):
        """Hook for payment modules: get the means of payment ready before the message goes out.

        Returns False when the message can go, or the moment to try again: a payment
        module that must call an outside service (a PSP) marks the work for its own
        cron, which calls after commit, and the contact waits for it.
        """
        return False

    def _postpone_until(self):
        """When the contact window of the ruler opens again (UTC), or None if it is open now."""
        company = self.company_id
        now = company._collection_to_local(fields.Datetime.now())
        window = (self.ruler_id or self.stage_id.ruler_id)._get_contact_window(self.partner_id.collection_contact_time)
        moment = next_contact_moment(now, window)
        return company._collection_to_utc(moment) if moment != now else None

    # ------------------------------------------------------------------
    # Channels
    # ------------------------------------------------------------------
    def _prepare_email(self, open_moves):
        """What this contact's e-mail needs besides its template's text: (contact, template, attachment ids).

        Raises CollectionChannelError when the customer has no e-mail address. The documents it
        carries (invoice PDFs, the statement, a payment module's boleto) are made here, in the
        contact's own savepoint.
        """
        partner = self.partner_id
        if not partner.email_normalized:
            raise CollectionChannelError(
                self.env._("%(partner)s has no valid e-mail address.", partner=partner.display_name)
            )
        template = (
            self.env["collection.ruler.stage.variant"]._pick(self).mail_template_id
            or self.stage_id.mail_template_id
            or self.env.ref("collections_ruler.mail_template_collection_reminder")
        )
        attachments = self._invoice_pdf_attachments(open_moves) if self.stage_id.attach_invoice_pdf else []
        if self.stage_id.attach_statement:
            attachments = [*attachments, self._statement_attachment()]
        attachments = [*attachments, *self._collection_payment_attachments(open_moves)]
        return self, template, [attachment.id for attachment in attachments]

    def _send_email_batch(self, emails):
        """Send prepared e-mails [(contact, template, attachment ids)] a template at a time.

        The batch is rendered and queued in a few statements (``_post_emails``); if that fails,
        each contact is tried alone, so one bad contact fails by itself and the others go out.
        """
        by_template = {}
        for comm, template, attachment_ids in emails:
            by_template.setdefault(template, []).append((comm, attachment_ids))
        for template, items in by_template.items():
            comms = self.browse([comm.id for comm, _ids in items])
            try:
                with self.env.cr.savepoint():
                    comms._post_emails(template, {comm.id: ids for comm, ids in items})
            except Exception as error:
                self.env.invalidate_all()
                if len(items) == 1:
                    comms._dispatch_failed(error)
                    continue
                _logger.info("collections: e-mail batch of %s contacts failed, sending one by one", len(items))
                for comm, ids in items:
                    self._send_email_batch([(comm, template, ids)])

    def _post_emails(self, template, attachment_ids):
        """Render ``template`` for these contacts, post each e-mail on its contact and queue it.

        What ``message_post_with_source`` does for one record, for the batch: the template's
        text in the customer's language, one chatter message per contact (written by the company,
        titled with the stage's name), the light e-mail layout, a queued ``mail.mail`` and its
        notification (how bounces come back), and the contacts marked sent, all in a handful of
        statements and without tracking values.
        """
        now = fields.Datetime.now()
        rendered = template._generate_template(
            self.ids,
            (
                "attachment_ids",
                "body_html",
                "email_from",
                "mail_server_id",
                "reply_to",
                "report_template_ids",
                "subject",
            ),
        )
        # the template's own reports (its "Dynamic Reports"), rendered per contact as the composer does
        reports = [
            {"name": name, "datas": datas, "res_model": self._name, "res_id": comm_id}
            for comm_id, values in rendered.items()
            for name, datas in values.get("attachments") or []
        ]
        report_ids = {}
        for attachment in self.env["ir.attachment"].create(reports) if reports else []:
            report_ids.setdefault(attachment.res_id, []).append(attachment.id)
        template_langs = template._render_lang(self.ids)
        langs = {comm.id: template_langs.get(comm.id) or comm.partner_id.lang or self.env.lang for comm in self}
        default_reply_to = self._notify_get_reply_to()
        comment = self.env.ref("mail.mt_comment")
        layout = "mail.mail_notification_light"
        message_values = []
        for comm in self:
            values = rendered[comm.id]
            company = comm.company_id
            lang = langs[comm.id]
            sender = company.email_formatted or self.env.user.email_formatted or values.get("email_from")
            message_values.append(
                {
                    "model": self._name,
                    "res_id": comm.id,
                    "message_type": "comment",
                    "subtype_id": comment.id,
                    "body": values.get("body_html") or "",
                    "subject": values.get("subject") or False,
                    "email_from": sender,
                    "reply_to": company.collection_reply_to
                    or values.get("reply_to")
                    or default_reply_to.get(comm.id)
                    or sender,
                    # written by the company, not by whoever runs the dispatch (OdooBot for the cron)
                    "author_id": company.partner_id.id,
                    "partner_ids": [Command.set(comm.partner_id.ids)],
                    "attachment_ids": [
                        Command.set(
                            [
                                *attachment_ids.get(comm.id, []),
                                *(values.get("attachment_ids") or []),
                                *report_ids.get(comm.id, []),
                            ]
                        )
                    ],
                    # the e-mail's header: the stage's name in the customer's language
                    "record_name": comm.stage_id.with_context(lang=lang).name,
                    "email_layout_xmlid": layout,
                    "mail_server_id": values.get("mail_server_id") or False,
                }
            )
        messages = self.env["mail.message"].sudo().create(message_values)
        mail_values = []
        model_description = {}
        for comm, message in zip(self, messages, strict=True):
            lang = langs[comm.id]
            if lang not in model_description:
                model_description[lang] = comm.with_context(lang=lang)._get_model_description(self._name)
            # Odoo's own rendering of a notification's layout, given what the batch already knows
            # (no tracking values to look up, a customer: no access button)
            record = comm.with_context(lang=lang)
            render_values = record._notify_by_email_prepare_rendering_context(
                message,
                msg_vals={
                    "author_id": message.author_id.id,
                    "model": self._name,
                    "record_name": message.record_name,
                    "subtype_id": comment.id,
                    "tracking_value_ids": [],
                },
                model_description=model_description[lang],
                force_email_lang=lang,
            )
            body = record._notify_by_email_render_layout(
                message,
                {"has_button_access": False, "button_access": {}, "actions": []},
                msg_vals={"email_layout_xmlid": layout},
                render_values=render_values,
            )
            headers = comm._notify_by_email_get_headers()
            mail_values.append(
                {
                    "mail_message_id": message.id,
                    "body_html": body,
                    "references": message.message_id,
                    "recipient_ids": [Command.link(comm.partner_id.id)],
                    "auto_delete": template.auto_delete,
                    **({"headers": repr(headers)} if headers else {}),
                }
            )
        mails = self.env(context=clean_context(self.env.context))["mail.mail"].sudo().create(mail_values)
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": message.author_id.id,
                    "is_read": True,
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": comm.partner_id.id,
                }
                for comm, message, mail in zip(self, messages, mails, strict=True)
            ]
        )
        # one statement for the batch, no tracking value per contact: the e-mail itself is in its chatter
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE collection_communication c
               SET state = 'sent', sent_at = %s, attempt_count = c.attempt_count + 1, mail_message_id = v.message_id,
                   write_date = %s, write_uid = %s
              FROM unnest(%s::int[], %s::int[]) AS v(id, message_id)
             WHERE c.id = v.id
            """,
            (now, now, self.env.uid, self.ids, messages.ids),
        )
        self.invalidate_recordset(["state", "sent_at", "attempt_count", "mail_message_id", "write_date", "write_uid"])

    def _statement_attachment(self):
        """The customer's statement of open items as of today, in their language, kept on the contact."""
        partner = self.partner_id.with_context(lang=self.partner_id.lang or self.env.lang)
        content, _type = (
            self.env["ir.actions.report"]
            .with_company(self.company_id)
            .with_context(lang=partner.env.lang)
            ._render_qweb_pdf("collections_ruler.action_report_collection_statement", partner.ids)
        )
        return self.env["ir.attachment"].create(
            {
                "name": partner.env._(
                    "Statement of open items - %(name)s.pdf", name=partner.commercial_partner_id.name
                ),
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _invoice_pdf_attachments(self, moves):
        """The PDF Odoo already keeps for a sent invoice, rendered only when there is none."""
        attachments = moves.invoice_pdf_report_id
        for move in moves.filtered(lambda m: not m.invoice_pdf_report_id):
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", move.ids)
            attachments |= self.env["ir.attachment"].create(
                {
                    "name": f"{move._get_report_base_filename()}.pdf",
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        return attachments

    def _send_sms(self, open_moves):
        partner = self.partner_id
        if not partner._collection_mobile("sms"):
            raise CollectionChannelError(self.env._("%(partner)s has no mobile number.", partner=partner.display_name))
        template = (
            self.env["collection.ruler.stage.variant"]._pick(self).sms_template_id
            or self.stage_id.sms_template_id
            or self.env.ref("collections_ruler.sms_template_collection_reminder")
        )
        body = template._render_field("body", self.ids, compute_lang=True)[self.id]
        message = self._message_sms(body, partner_ids=partner.ids, put_in_queue=True)
        self.sms_id = self.env["sms.sms"].search([("mail_message_id", "=", message.id)], limit=1)

    def _send_whatsapp(self, open_moves):
        """Hand the message to the WhatsApp outbox: the gateway is called by its own cron after this
        transaction commits, never while the dispatch holds its locks or may still roll back."""
        provider = self.company_id.collection_whatsapp_provider
        if not provider:
            return {"state": "skipped", "reason_code": "gateway_missing"}
        if not self.partner_id._collection_mobile("whatsapp"):
            raise CollectionChannelError(
                self.env._("%(partner)s has no mobile number.", partner=self.partner_id.display_name)
            )
        self.env.ref("collections_ruler.ir_cron_collection_gateway")._trigger()
        return {"state": "sending"}

    @api.model
    def _cron_send_gateway(self, batch_size=20):
        """Send the WhatsApp outbox, one message per transaction: lock one row, call, record, commit.

        The reference ``collection-<id>`` travels with every attempt, so a gateway can drop a
        repeat when an answer was lost. Returns how many messages were handled.
        """
        self = self.sudo()  # a system job: it sends for every company
        handled = 0
        for _round in range(batch_size):
            comm = self._lock_due_batch(1, state="sending")
            if not comm:
                break
            try:
                with self.env.cr.savepoint():
                    outcome = comm._deliver_whatsapp()
            except Exception as error:
                self.env.invalidate_all()
                _logger.info("collections: WhatsApp contact %s failed: %s", comm.id, error)
                outcome = {"state": "failed", "reason_code": "error", "reason": str(error)[:500]}
            comm.write({"attempt_count": comm.attempt_count + 1, **outcome})
            handled += 1
            self.env["ir.cron"]._collection_commit()  # the message left: record it before the next one
        self.env.cr.execute(
            "SELECT COUNT(*) FROM collection_communication WHERE state = 'sending' AND scheduled_at <= %s",
            (fields.Datetime.now(),),
        )
        self.env["ir.cron"]._notify_progress(done=handled, remaining=self.env.cr.fetchone()[0])
        return handled

    def _deliver_whatsapp(self):
        """Call the company's WhatsApp gateway for this contact; returns the values of the outcome."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id
        provider = company.collection_whatsapp_provider
        if not provider:
            return {"state": "skipped", "reason_code": "gateway_missing"}
        open_moves = self.open_move_ids
        number = partner._collection_mobile("whatsapp")
        template = (
            self.env["collection.ruler.stage.variant"]._pick(self).sms_template_id
            or self.stage_id.whatsapp_template_id
            or self.env.ref("collections_ruler.sms_template_collection_whatsapp")
        )
        text = template._render_field("body", self.ids, compute_lang=True)[self.id]
        try:
            with requests.Session() as session:
                if provider == "cloud_api":
                    external_id = whatsapp.send_cloud_template(
                        session,
                        base_url=company.collection_whatsapp_url or whatsapp.CLOUD_API_BASE_URL,
                        phone_number_id=company.collection_whatsapp_phone_number_id,
                        token=company.sudo().collection_whatsapp_token,
                        to=whatsapp.normalize_phone(number or ""),
                        template_name=self.stage_id.whatsapp_template_name or "cobranca_lembrete",
                        language=self.stage_id.whatsapp_template_lang or "pt_BR",
                        parameters=self._whatsapp_parameters(open_moves),
                    )
                else:
                    external_id = whatsapp.send_webhook_message(
                        session,
                        url=company.collection_whatsapp_url,
                        to=whatsapp.normalize_phone(number or ""),
                        text=text,
                        reference=f"collection-{self.id}",
                        secret=company.sudo().collection_whatsapp_secret or None,
                        token=company.sudo().collection_whatsapp_token or None,
                    )
        except whatsapp.WhatsAppError as error:
            if getattr(error, "retryable", False) and self.attempt_count < MAX_ATTEMPTS - 1:
                return {
                    "reason": str(error)[:500],
                    "scheduled_at": fields.Datetime.now() + datetime.timedelta(minutes=15 * (self.attempt_count + 1)),
                }
            return {"state": "failed", "reason_code": "error", "reason": str(error)[:500]}
        self.message_post(body=text, message_type="comment", subtype_xmlid="mail.mt_note")
        return {"state": "sent", "sent_at": fields.Datetime.now(), "external_id": external_id, "reason": False}

    def _whatsapp_parameters(self, open_moves):
        partner = self.partner_id
        amount = sum(open_moves.mapped("amount_residual_signed"))
        return [
            partner.name,
            ", ".join(open_moves.mapped("name")),
            formatLang(self.env, amount, currency_obj=self.company_id.currency_id),
            self.pay_url,
        ]

    def _send_letter(self, open_moves):
        content, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "collections_ruler.action_report_collection_letter", self.ids
        )
        self.letter_attachment_id = self.env["ir.attachment"].create(
            {
                "name": f"{self.partner_id.name} - {self.stage_id.name}.pdf",
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _send_phone(self, open_moves):
        partner = self.partner_id
        collector = open_moves[0]._collection_collector()
        note = self.env["ir.qweb"]._render(
            "collections_ruler.collection_phone_task_note", {"comm": self, "moves": open_moves}
        )
        self.activity_id = partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.company_id._collection_today(),
            summary=self.env._("Collection call: %(stage)s", stage=self.stage_id.name),
            note=note,
            user_id=collector.id,
        )
