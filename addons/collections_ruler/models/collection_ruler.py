import datetime
import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.schedule import CONTACT_TIME_HOURS, ContactWindow, InvalidContactWindowError, next_contact_moment
from .account_move import open_receivable_sql
from .collection_communication import skip_reason_sql
from .collection_invoice_stage import PLAN_GROUP_SEQUENCE
from .collection_ruler_stage import WRITTEN_CHANNELS

_logger = logging.getLogger(__name__)

# Contacts planned in one run above which the planner refreshes the contact tables' statistics.
ANALYZE_AFTER = 5000

RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class CollectionRuler(models.Model):
    _name = "collection.ruler"
    _description = "Collection Ruler"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(
        default=10, help="Rulers are tried in this order; the first whose conditions match a customer follows them."
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Gets the phone tasks when neither the customer nor the company has a collector.",
    )
    usage = fields.Selection(
        [("invoice", "Invoices"), ("agreement", "Agreement Installments")],
        default="invoice",
        required=True,
        help="Agreement rulers follow the installments of active agreements only; the policy names which one.",
    )
    policy_id = fields.Many2one(
        "collection.policy",
        string="Collection Policy",
        check_company=True,
        help="Fine, interest and agreement limits for the customers this ruler follows. Empty: the company default.",
    )
    stage_ids = fields.One2many("collection.ruler.stage", "ruler_id", string="Stages", copy=True)
    stage_count = fields.Integer(compute="_compute_stage_count")
    # Which customers follow this ruler (besides an explicit choice on the customer).
    risk_level = fields.Selection(RISK_LEVELS, help="Only customers at this risk level. Empty: any level.")
    min_amount_due = fields.Monetary(
        string="Owed From", currency_field="currency_id", help="Only customers owing at least this much. 0: no minimum."
    )
    max_amount_due = fields.Monetary(
        string="Owed Up To", currency_field="currency_id", help="Only customers owing at most this much. 0: no maximum."
    )
    # Contact rules.
    contact_hour_from = fields.Float(string="Contact From", default=8.0, help="Local time, in the company's time zone.")
    contact_hour_to = fields.Float(string="Contact Until", default=20.0)
    skip_weekends = fields.Boolean(default=True, string="No Contact on Weekends")
    skip_holidays = fields.Boolean(
        default=True,
        string="No Contact on Holidays",
        help="Brazilian national holidays and bank holidays (Carnival, Corpus Christi): the send moves "
        "to the next business day.",
    )
    max_contacts_per_week = fields.Integer(
        default=3,
        help="Automatic contacts (e-mail, SMS, WhatsApp) a customer gets in any 7 days at most; "
        "the rest wait. 0: no limit.",
    )
    skip_good_payers = fields.Boolean(
        default=True, help="Low-risk customers get no reminder before the due date: they pay anyway."
    )
    group_by_partner = fields.Boolean(
        string="One Message per Customer",
        default=True,
        help="Each contact lists every invoice of the customer at that stage. Off: one message per invoice.",
    )

    _sql_constraints = [
        ("amount_band", "CHECK(max_amount_due = 0 OR max_amount_due >= min_amount_due)", "The amount band is empty."),
    ]

    @api.depends("stage_ids")
    def _compute_stage_count(self):
        for ruler in self:
            ruler.stage_count = len(ruler.stage_ids)

    @api.constrains("contact_hour_from", "contact_hour_to")
    def _check_contact_hours(self):
        for ruler in self:
            try:
                ruler._get_contact_window()
            except InvalidContactWindowError as error:
                raise ValidationError(
                    self.env._(
                        "Contact hours must go from an earlier to a later hour of the day (%(ruler)s).",
                        ruler=ruler.display_name,
                    )
                ) from error

    def _get_contact_window(self, contact_time=None):
        """The ruler's contact window, narrowed to the part of the day the customer asked for when the
        two overlap (a customer cannot widen the company's hours)."""
        self.ensure_one()
        hour_from, hour_to = self.contact_hour_from, self.contact_hour_to
        wanted = CONTACT_TIME_HOURS.get(contact_time)
        if wanted and max(hour_from, wanted[0]) < min(hour_to, wanted[1]):
            hour_from, hour_to = max(hour_from, wanted[0]), min(hour_to, wanted[1])
        return ContactWindow(
            hour_from=hour_from,
            hour_to=hour_to,
            skip_weekends=self.skip_weekends,
            skip_holidays=self.skip_holidays,
        )

    @api.model
    def _install_default_rulers(self, companies=None):
        """Give each company the standard rulers it lacks: one for invoices, one for agreement installments."""
        self = self.sudo()  # whoever creates a company may not read another company's rulers
        companies = companies if companies is not None else self.env["res.company"].search([])
        copies = self
        for xmlid in ("collections_ruler.collection_ruler_default", "collections_ruler.collection_ruler_agreement"):
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if not template:
                continue
            with_ruler = (
                self.with_context(active_test=False)
                .search([("company_id", "in", companies.ids), ("usage", "=", template.usage)])
                .company_id
            )
            for company in companies - with_ruler:
                copies |= template.copy({"company_id": company.id})  # keeps the name in every language
        return copies

    # ------------------------------------------------------------------
    # Planning (cron): which invoices reached which stage today
    # ------------------------------------------------------------------
    @api.model
    def _cron_plan(self, run_date=None):
        """Plan today's contacts for every company. ``run_date`` replays a past day.

        Each company in its own savepoint: one that fails (a broken configuration, a
        bad record) is reported on its rulers and logged, and the others are planned.
        """
        planner = self.sudo()  # a system job: it works for every company, whoever triggers it
        companies = planner.env["res.company"].search([])
        failed = planner.env["res.company"]
        for done, company in enumerate(companies, start=1):
            try:
                with planner.env.cr.savepoint():
                    planner.with_company(company)._plan_company(company, run_date or company._collection_today())
            except Exception as error:
                planner.env.invalidate_all()
                _logger.warning("collections: planning failed for %s: %s", company.name, error)
                planner._report_plan_failure(company, error)
                failed |= company
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(companies) - done)
        self.env["collection.communication"]._trigger_dispatch()
        return failed

    @api.model
    def _report_plan_failure(self, company, error):
        """Where a manager sees it: the chatter and a to-do on the company's rulers' responsible."""
        summary = self.env._("Collections: today's planning failed")
        for ruler in self.search([("company_id", "=", company.id), ("usage", "=", "invoice")], limit=1):
            ruler.message_post(body=self.env._("Planning failed: %(error)s", error=str(error)))
            if not ruler.activity_ids.filtered(lambda activity: activity.summary == summary):
                ruler.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=str(error),
                    user_id=(ruler.user_id or self.env.ref("base.user_admin")).id,
                )

    def _plan_company(self, company, day):
        """Set-based planning of one company for ``day``; returns the number of contacts created."""
        self.env["account.move"]._collection_expire_promises(company, day)
        self.env["collection.agreement"]._collection_process_breaches(company, day)
        rulers = self.search([("company_id", "=", company.id), ("stage_ids", "!=", False)])
        if not rulers:
            return 0
        self.env.flush_all()
        advanced, created = self._plan_advance_stages(company, day, rulers)
        if advanced >= ANALYZE_AFTER:
            # PostgreSQL's statistics do not know yet what this transaction inserted: on a big day (the
            # first run on a full ledger) the measures' lookups below would be planned for empty tables
            # and scan them once per invoice (minutes at 100,000 receivables instead of a second)
            self.env.cr.execute("ANALYZE collection_invoice_stage, collection_communication")
        measured = self._plan_apply_due_measures(company, day)
        self.env.invalidate_all()
        if not (advanced or measured):
            return 0
        _logger.info(
            "collections: %s invoices reached a stage, %s contacts planned, measures taken on %s invoices (%s)",
            advanced,
            created,
            measured,
            company.name,
        )
        return created

    def _plan_advance_stages(self, company, day, rulers):
        """Move each invoice to the stage it reached today and plan its contacts, in one statement.

        The stage rows (``collection.invoice.stage``) are the idempotency key of planning:
        an invoice reaches a stage once (unique per invoice and stage), and the current
        one moves only from the stage this planner read, so a rerun or a replay finds
        nothing more to do, and a planner running at the same time fails to serialize
        (REPEATABLE READ) and is retried.

        Grouped per customer (or per invoice): when several of a customer's invoices
        reach different stages the same day, they go in **one** message per channel,
        the firmest stage's (its text, channels and measures' notice), every invoice
        listed. The contacts of a group and the stage rows they cover share a
        ``plan_group`` (the lines' view joins them). Each stage row keeps the stage its
        invoice reached. A channel the customer opted out of, or not their preferred
        one, is recorded as skipped so the audit trail says why nobody was contacted.
        An invoice coming back to a stage it already reached (an agreement's breach
        restarts the ruler) stands there again without a second contact.

        Returns (invoices moved, contacts created).
        """
        earliest_offset = min(rulers.stage_ids.mapped("offset_days"))
        schedule = rulers._plan_first_send_moments(company, day)
        self.env.cr.execute(
            SQL(
                """
            WITH candidate AS MATERIALIZED (
                SELECT m.id AS move_id, m.commercial_partner_id AS partner_id, m.amount_residual_signed,
                       m.amount_residual, m.collection_ruler_id AS move_ruler_id,
                       %(day)s::date - m.invoice_date_due AS days_from_due, pointer.id AS pointer_id,
                       pointer.stage_id AS current_stage_id
                  FROM account_move m
                  JOIN res_partner p ON p.id = m.commercial_partner_id
                  LEFT JOIN collection_invoice_stage pointer ON pointer.move_id = m.id AND pointer.current
                 WHERE m.company_id = %(company_id)s
                   AND %(open)s
                   AND m.invoice_date_due <= %(day)s::date - %(earliest_offset)s
                   AND m.collection_excluded IS NOT TRUE
                   AND p.collection_excluded IS NOT TRUE
                   AND (p.collection_paused_until IS NULL OR p.collection_paused_until < %(day)s)
                   AND (m.collection_promise_date IS NULL OR m.collection_promise_date < %(day)s)
            ),
            owed AS MATERIALIZED (
                SELECT partner_id, SUM(amount_residual_signed) AS total FROM candidate GROUP BY partner_id
            ),
            -- computed once per customer, then hash-joined (inlined, it ran once per invoice)
            partner_ruler AS MATERIALIZED (
                SELECT o.partner_id, COALESCE(
                    (SELECT r.id FROM collection_ruler r
                      WHERE r.id = p.collection_ruler_id AND r.company_id = %(company_id)s AND r.active
                        AND r.usage = 'invoice'),
                    (SELECT r.id FROM collection_ruler r
                      WHERE r.company_id = %(company_id)s AND r.active AND r.usage = 'invoice'
                        AND (r.risk_level IS NULL OR r.risk_level = p.collection_risk_level)
                        AND (COALESCE(r.min_amount_due, 0) = 0 OR o.total >= r.min_amount_due)
                        AND (COALESCE(r.max_amount_due, 0) = 0 OR o.total <= r.max_amount_due)
                      ORDER BY r.sequence, r.id LIMIT 1)
                ) AS ruler_id
                  FROM owed o
                  JOIN res_partner p ON p.id = o.partner_id
            ),
            reached AS (
                SELECT DISTINCT ON (c.move_id)
                       c.move_id, c.partner_id, COALESCE(mr.id, pr.ruler_id) AS ruler_id, s.id AS stage_id,
                       s.offset_days, s.sequence, c.pointer_id, c.current_stage_id, c.amount_residual,
                       c.amount_residual_signed
                  FROM candidate c
                  JOIN partner_ruler pr ON pr.partner_id = c.partner_id
                  -- installments of an active agreement follow the agreement's ruler
                  LEFT JOIN collection_ruler mr ON mr.id = c.move_ruler_id AND mr.active
                  JOIN collection_ruler_stage s ON s.ruler_id = COALESCE(mr.id, pr.ruler_id) AND s.active
                 WHERE s.offset_days <= c.days_from_due
                 ORDER BY c.move_id, s.offset_days DESC, s.sequence DESC, s.id DESC
            ),
            moving AS MATERIALIZED (
                SELECT r.*, CASE WHEN ruler.group_by_partner THEN 0 ELSE r.move_id END AS group_key
                  FROM reached r
                  JOIN collection_ruler ruler ON ruler.id = r.ruler_id
                  LEFT JOIN collection_ruler_stage cur ON cur.id = r.current_stage_id
                 WHERE cur.id IS NULL
                    OR r.offset_days > cur.offset_days
                    OR (cur.ruler_id <> r.ruler_id AND r.offset_days >= cur.offset_days AND r.stage_id <> cur.id)
            ),
            -- one group of contacts per customer and ruler (or per invoice), on the firmest stage reached
            grouped AS MATERIALIZED (
                SELECT nextval(%(plan_group_sequence)s) AS plan_group, g.*
                  FROM (SELECT DISTINCT ON (partner_id, ruler_id, group_key)
                               partner_id, ruler_id, group_key, stage_id AS firm_stage_id
                          FROM moving
                         ORDER BY partner_id, ruler_id, group_key, offset_days DESC, sequence DESC, stage_id DESC) g
            ),
            retired AS (
                UPDATE collection_invoice_stage pointer
                   SET current = FALSE
                  FROM moving mv
                 WHERE pointer.id = mv.pointer_id
                   -- another planner moved the pointer since our snapshot: it owns this invoice today
                   AND pointer.current AND pointer.stage_id = mv.current_stage_id
                RETURNING pointer.move_id
            ),
            free AS MATERIALIZED (
                SELECT mv.*, EXISTS (SELECT 1 FROM collection_invoice_stage r
                                      WHERE r.move_id = mv.move_id AND r.stage_id = mv.stage_id) AS reached_before
                  FROM moving mv
                 WHERE mv.pointer_id IS NULL OR mv.move_id IN (SELECT move_id FROM retired)
            ),
            -- back at a stage it reached before (an agreement's breach restarted its ruler): it stands there
            -- again, and that stage's contacts are not sent twice
            revived AS (
                UPDATE collection_invoice_stage r
                   SET current = TRUE, date = %(day)s
                  FROM free f
                 WHERE f.reached_before AND r.move_id = f.move_id AND r.stage_id = f.stage_id
                RETURNING r.move_id
            ),
            -- a planner that inserted the same invoice's row since our snapshot makes this one fail to
            -- serialize (REPEATABLE READ), whichever of the two unique keys it meets
            stood AS (
                INSERT INTO collection_invoice_stage (move_id, stage_id, date, current, amount_residual, plan_group)
                SELECT f.move_id, f.stage_id, %(day)s, TRUE, f.amount_residual, g.plan_group
                  FROM free f
                  JOIN grouped g USING (partner_id, ruler_id, group_key)
                 WHERE NOT f.reached_before
                    ON CONFLICT DO NOTHING
                RETURNING move_id, plan_group
            ),
            covered AS MATERIALIZED (
                SELECT st.plan_group, SUM(mv.amount_residual_signed) AS amount_due
                  FROM stood st
                  JOIN moving mv ON mv.move_id = st.move_id
                 GROUP BY st.plan_group
            ),
            contacts AS (
                INSERT INTO collection_communication
                       (partner_id, company_id, ruler_id, stage_id, phase, channel, state, reason_code,
                        plan_date, scheduled_at, amount_due, attempt_count, letter_printed, plan_group,
                        create_uid, create_date, write_uid, write_date)
                SELECT g.partner_id, %(company_id)s, g.ruler_id, g.firm_stage_id, s.phase, ch.channel,
                       CASE WHEN skip.reason IS NULL THEN 'queued' ELSE 'skipped' END, skip.reason,
                       %(day)s, sched.moment, cov.amount_due, 0, FALSE, g.plan_group,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM covered cov
                  JOIN grouped g ON g.plan_group = cov.plan_group
                  JOIN res_partner p ON p.id = g.partner_id
                  JOIN collection_ruler r ON r.id = g.ruler_id
                  JOIN collection_ruler_stage s ON s.id = g.firm_stage_id
                  JOIN unnest(%(schedule_rulers)s::int[], %(schedule_moments)s::timestamp[])
                       AS sched(ruler_id, moment) ON sched.ruler_id = g.ruler_id
                 CROSS JOIN LATERAL (VALUES ('email', s.channel_email), ('sms', s.channel_sms),
                                            ('whatsapp', s.channel_whatsapp), ('letter', s.channel_letter),
                                            ('phone', s.channel_phone)) AS ch(channel, enabled)
                 CROSS JOIN LATERAL (SELECT %(skip_reason)s AS reason) skip
                 WHERE ch.enabled
                 ORDER BY g.plan_group  -- the contacts numbered in the customers' order, as they go out
                RETURNING id
            )
            SELECT (SELECT COUNT(*) FROM stood) + (SELECT COUNT(*) FROM revived), (SELECT COUNT(*) FROM contacts)
            """,
                day=day,
                company_id=company.id,
                earliest_offset=earliest_offset,
                open=open_receivable_sql("m"),
                plan_group_sequence=PLAN_GROUP_SEQUENCE,
                uid=self.env.uid,
                schedule_rulers=list(schedule),
                schedule_moments=list(schedule.values()),
                skip_reason=skip_reason_sql(SQL("ch.channel")),
            )
        )
        return self.env.cr.fetchone()

    def _plan_first_send_moments(self, company, day):
        """{ruler id: first moment (UTC, naive) its contacts of ``day`` may go out}."""
        start = max(
            company._collection_to_local(fields.Datetime.now()), datetime.datetime.combine(day, datetime.time())
        )
        return {
            ruler.id: company._collection_to_utc(next_contact_moment(start, ruler._get_contact_window()))
            for ruler in self
        }

    def _plan_apply_due_measures(self, company, day):
        """Credit hold, negativação and agency hand-over whose notice was sent and whose wait has passed.

        A stage's measures follow its written notice, never precede it: the customer
        is told first, and the measure waits the days the notice announces (CDC art.
        43 §2). ``collection_measures_stage_id`` makes it once per invoice and stage,
        so a measure undone by hand is not taken again the next morning. Two
        UPDATEs, no chatter message per record: the contact is the audit trail.
        Returns the number of invoices measured.
        """
        self.env.cr.execute(
            SQL(
                """
            WITH due AS (
                SELECT m.id AS move_id, s.id AS stage_id, s.action_negativacao, s.action_agency
                  FROM account_move m
                  JOIN collection_invoice_stage pointer ON pointer.move_id = m.id AND pointer.current
                  JOIN collection_ruler_stage s ON s.id = pointer.stage_id
                 WHERE m.company_id = %(company_id)s
                   AND (s.action_credit_hold OR s.action_negativacao OR s.action_agency)
                   AND m.collection_measures_stage_id IS DISTINCT FROM s.id
                   AND %(open)s
                   AND m.collection_excluded IS NOT TRUE
                   AND (m.collection_promise_date IS NULL OR m.collection_promise_date < %(day)s)
                   AND EXISTS (
                       SELECT 1
                         FROM collection_communication_line l
                         JOIN collection_communication c ON c.id = l.communication_id
                        WHERE l.move_id = m.id AND l.stage_id = s.id AND c.state = 'sent'
                          AND c.channel IN %(written)s
                          AND c.sent_at::date + s.measure_wait_days <= %(day)s::date)
            )
            UPDATE account_move m
               SET collection_measures_stage_id = d.stage_id,
                   collection_negativacao_state = CASE
                     WHEN d.action_negativacao AND COALESCE(m.collection_negativacao_state, 'removed') = 'removed'
                     THEN 'to_register' ELSE m.collection_negativacao_state END,
                   collection_agency_state = CASE
                     WHEN d.action_agency AND COALESCE(m.collection_agency_state, 'returned') = 'returned'
                     THEN 'to_hand_over' ELSE m.collection_agency_state END
              FROM due d
             WHERE m.id = d.move_id
            RETURNING m.id
            """,
                company_id=company.id,
                day=day,
                open=open_receivable_sql("m"),
                written=WRITTEN_CHANNELS,
            )
        )
        moves = [row[0] for row in self.env.cr.fetchall()]
        if not moves:
            return 0
        self.env.cr.execute(
            """
            UPDATE res_partner p SET collection_credit_hold = TRUE
              FROM account_move m
              JOIN collection_ruler_stage s ON s.id = m.collection_measures_stage_id AND s.action_credit_hold
             WHERE m.id = ANY(%(moves)s) AND p.id = m.commercial_partner_id AND p.collection_credit_hold IS NOT TRUE
            """,
            {"moves": moves},
        )
        return len(moves)
