from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.debt import plan_options, sum_updates
from ..tools.documents import InvalidTaxIdError, parse_tax_id
from ..tools.risk import PaymentHistory, risk_of
from .account_move import OPEN_PAYMENT_STATES, open_receivable_domain
from .collection_ruler import RISK_LEVELS
from .collection_ruler_stage import CHANNELS, PHASES

# The parts of the day of tools.schedule.CONTACT_TIME_HOURS, as customers read them.
CONTACT_TIMES = [
    ("morning", "Morning (8–12 h)"),
    ("afternoon", "Afternoon (12–18 h)"),
    ("evening", "Evening (18–21 h)"),
]


OPTOUT_CHANNELS = ("email", "sms", "whatsapp", "letter", "phone")


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_ruler_id = fields.Many2one(
        "collection.ruler",
        string="Collection Ruler",
        help="Follow this ruler whatever the risk or the amount owed. Empty: the first ruler whose conditions match.",
    )
    collection_user_id = fields.Many2one("res.users", string="Collector", help="Gets this customer's phone tasks.")
    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Collection Policy",
        company_dependent=True,
        help="Fine, interest and agreement limits for this customer. Empty: the ruler's policy, else the "
        "company default.",
    )
    collection_agreement_ids = fields.One2many("collection.agreement", "partner_id", string="Agreements")
    collection_agreement_count = fields.Integer(compute="_compute_collection_agreement_count")
    collection_open_move_ids = fields.Many2many(
        "account.move", string="Open Invoices", compute="_compute_collection_open_moves"
    )
    collection_updated_total = fields.Monetary(
        string="Updated Debt",
        compute="_compute_collection_open_moves",
        currency_field="collection_currency_id",
        help="What the customer owes today with fine and interest (valor atualizado).",
    )
    collection_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collection_open_moves", string="Collections Currency"
    )
    collection_risk_score = fields.Integer(string="Risk Score", readonly=True, help="0 (pays on time) to 100.")
    collection_risk_level = fields.Selection(RISK_LEVELS, string="Risk", readonly=True, index=True)
    collection_risk_date = fields.Date(string="Risk Computed On", readonly=True)
    collection_broken_promises = fields.Integer(
        string="Broken Promises", readonly=True, help="Promises to pay not kept in the last 12 months."
    )
    collection_payer_type = fields.Selection(
        [("consumer", "Consumer"), ("business", "Business")],
        string="Payer Type",
        compute="_compute_collection_payer_type",
        store=True,
        readonly=False,
        help="Consumers are protected by the CDC: a late fine of 2 % at most (art. 52 §1), whatever the policy "
        "says. Set from the document (CPF: consumer, CNPJ: business), else from 'Company'; change it when the "
        "contract says otherwise.",
    )
    collection_optout_email = fields.Boolean(string="No Collection E-mails")
    collection_optout_sms = fields.Boolean(string="No Collection SMS")
    collection_optout_whatsapp = fields.Boolean(string="No Collection WhatsApp")
    collection_optout_letter = fields.Boolean(string="No Collection Letters")
    collection_optout_phone = fields.Boolean(string="No Collection Calls")
    collection_optout_at = fields.Datetime(
        string="Opted Out On", readonly=True, help="When the customer last opted out of a collection channel."
    )
    collection_preferred_channel = fields.Selection(
        [c for c in CHANNELS if c[0] in ("email", "sms", "whatsapp")],
        string="Preferred Channel",
        help="When a stage writes on several channels, only this one is used (letters and calls still happen).",
    )
    collection_whatsapp_number = fields.Char(
        string="WhatsApp Number", help="Where collection WhatsApp messages go. Empty: the mobile, else the phone."
    )
    collection_contact_time = fields.Selection(
        CONTACT_TIMES,
        string="Best Time to Contact",
        help="Messages wait for this part of the day, inside the ruler's contact hours.",
    )
    collection_excluded = fields.Boolean(string="Excluded from Collections", tracking=True)
    collection_paused_until = fields.Date(
        string="Collections Paused Until",
        tracking=True,
        help="No contact before this date (a promise to pay, a dispute). The ruler resumes the day after.",
    )
    collection_credit_hold = fields.Boolean(string="Credit on Hold", readonly=True, tracking=True)
    collection_communication_ids = fields.One2many("collection.communication", "partner_id")
    collection_communication_count = fields.Integer(compute="_compute_collection_summary")
    collection_stage_id = fields.Many2one(
        "collection.ruler.stage", string="Collection Stage", compute="_compute_collection_summary"
    )
    collection_phase = fields.Selection(PHASES, string="Collection Phase", compute="_compute_collection_summary")
    collection_next_date = fields.Datetime(string="Next Contact", compute="_compute_collection_summary")
    collection_action_needed = fields.Boolean(
        compute="_compute_collection_action_needed",
        search="_search_collection_action_needed",
        help="A person must act: a call to make, a letter to print, a contact that failed.",
    )

    def _compute_collection_summary(self):
        """Set-based: two grouped reads for the whole recordset, never one query per partner."""
        partners = self.commercial_partner_id | self
        counts = dict(
            self.env["collection.communication"]._read_group(
                [("partner_id", "in", partners.ids)], ["partner_id"], ["__count"]
            )
        )
        next_dates = dict(
            self.env["collection.communication"]._read_group(
                [("partner_id", "in", partners.ids), ("state", "=", "queued")], ["partner_id"], ["scheduled_at:min"]
            )
        )
        # the firmest stage among the customer's open invoices the user may read, in one query
        open_moves = self.env["account.move"]._search(
            [("commercial_partner_id", "in", partners.ids), *open_receivable_domain()]
        )
        self.env["collection.invoice.stage"].flush_model()
        rows = self.env.execute_query(  # flushes what the invoices' search reads (a payment just registered)
            SQL(
                """
                SELECT DISTINCT ON (m.commercial_partner_id) m.commercial_partner_id, pointer.stage_id
                  FROM collection_invoice_stage pointer
                  JOIN account_move m ON m.id = pointer.move_id
                  JOIN collection_ruler_stage s ON s.id = pointer.stage_id
                 WHERE pointer.move_id IN %s AND pointer.current
                 ORDER BY m.commercial_partner_id, s.offset_days DESC, s.id
                """,
                open_moves.subselect(),
            )
        )
        stages = dict(rows)
        Stage = self.env["collection.ruler.stage"]
        for partner in self:
            commercial = partner.commercial_partner_id
            stage = Stage.browse(stages.get(commercial.id, ()))
            partner.collection_communication_count = counts.get(commercial, 0)
            partner.collection_stage_id = stage
            partner.collection_phase = stage.phase
            partner.collection_next_date = next_dates.get(commercial, False)

    def _compute_collection_agreement_count(self):
        counts = dict(
            self.env["collection.agreement"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.collection_agreement_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_collection_open_moves(self):
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
                *open_receivable_domain(),
            ],
            order="invoice_date_due, id",
        )
        updates = moves._collection_debt_update()
        for partner in self:
            own = moves.filtered(lambda m, p=partner: m.commercial_partner_id == p.commercial_partner_id)
            partner.collection_open_move_ids = own
            partner.collection_updated_total = float(sum(updates[m.id].total for m in own if m.id in updates))
            partner.collection_currency_id = self.env.company.currency_id

    @api.depends("vat", "is_company")
    def _compute_collection_payer_type(self):
        for partner in self:
            try:
                kind = parse_tax_id(partner.vat or "").kind
            except InvalidTaxIdError:
                kind = None
            partner.collection_payer_type = {"cpf": "consumer", "cnpj": "business"}.get(kind) or (
                "business" if partner.is_company else "consumer"
            )

    def _collection_is_consumer(self):
        """Whether this customer is a consumer (CDC): their fine is capped at 2 % (art. 52 §1).

        The one place that decides it; the debt update, Pix charges with due date and
        boleto instructions all ask here.
        """
        self.ensure_one()
        return self.commercial_partner_id.collection_payer_type != "business"

    def _collection_policy(self):
        """The policy for this customer in the current company: theirs, their ruler's, else the default."""
        self.ensure_one()
        return self._collection_policies()[self.commercial_partner_id.id]

    def _collection_policies(self):
        """{commercial partner id: policy} in the current company, for the whole recordset at once.

        One search for the company default; the partners' and rulers' choices are
        read in batch (the debt update of a list of invoices calls this once).
        """
        company = self.env.company
        Policy = self.env["collection.policy"]
        default = Policy.search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
        result = {}
        for partner in self.commercial_partner_id:
            policy = partner.collection_policy_id
            if not policy:
                ruler = partner.collection_ruler_id or partner.collection_stage_id.ruler_id
                policy = ruler.policy_id
            result[partner.id] = policy if policy and policy.company_id == company else default
        return result

    def _collection_agreement_options(self, moves=None, as_of=None, first_due=None, policy=None):
        """The ways to settle what the customer owes that the policy allows, for messages and the portal.

        Returns (DebtUpdate, [tools.debt.Option]); empty when there is no policy or no overdue debt. The
        first installment falls due on ``first_due`` (default: a week away, within the policy's limit).
        ``policy``: the customer's (``_collection_policy``), when the caller looked it up already.
        """
        self.ensure_one()
        as_of = as_of or fields.Date.context_today(self)
        policy = policy if policy is not None else self._collection_policy()
        if moves is None:
            moves = self.collection_open_move_ids.filtered(lambda m: m.invoice_date_due and m.invoice_date_due < as_of)
        if not policy or not moves:
            return None, []
        debt = sum_updates(moves._collection_debt_update(as_of, policy=policy).values())
        first_due = first_due or as_of + relativedelta(days=min(7, policy.max_first_due_days))
        return debt, plan_options(debt, policy._terms(), first_due)

    def _collection_open_receivables(self, company, domain=()):
        """This customer's open receivables in ``company``, oldest due first (``domain``: more leaves)."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", company.id),
                *open_receivable_domain(),
                *domain,
            ],
            order="invoice_date_due, id",
        )

    def _collection_statement(self, as_of=None):
        """The customer's open receivables in the current company as of ``as_of``, for the statement PDF
        and the portal: one dict per invoice (the debt update, its status) and the totals.

        Statuses: ``agreement`` (an installment of an agreement), ``review`` (in an agreement proposal a
        manager must approve), ``promised`` (a promise to pay not yet due), ``overdue`` and ``open``.
        """
        self.ensure_one()
        as_of = as_of or self.env.company._collection_today()
        moves = self._collection_open_receivables(self.env.company)
        updates = moves._collection_debt_update(as_of)
        buckets = self.env["collection.aging.bucket"].search([("company_id", "=", self.env.company.id)])
        rows = []
        for move in moves:
            update = updates.get(move.id)
            if move.collection_agreement_id:
                status = "agreement"
            elif move.collection_settled_agreement_ids.filtered(lambda a: a.state == "to_approve"):
                status = "review"
            elif move.collection_promise_date and move.collection_promise_date >= as_of:
                status = "promised"
            else:
                status = "overdue" if move.invoice_date_due and move.invoice_date_due < as_of else "open"
            rows.append(
                {
                    "move": move,
                    "status": status,
                    "days_late": update.days_late if update else 0,
                    "bucket": buckets._for_days((as_of - move.invoice_date_due).days if move.invoice_date_due else 0),
                    "amount_total": move.amount_total,
                    "residual": move.amount_residual,
                    "fine": float(update.fine) if update else 0.0,
                    "interest": float(update.interest) if update else 0.0,
                    "updated": float(update.total) if update else move.amount_residual,
                }
            )
        totals = {key: sum(row[key] for row in rows) for key in ("residual", "fine", "interest", "updated")}
        totals["overdue"] = sum(row["updated"] for row in rows if row["days_late"] > 0)
        aging = {}
        for row in rows:
            aging[row["bucket"]] = aging.get(row["bucket"], 0.0) + row["updated"]
        return {
            "as_of": as_of,
            "rows": rows,
            "totals": totals,
            # [(bucket, updated amount)] in the buckets' order, only those with something in them
            "aging": sorted(aging.items(), key=lambda item: (item[0].sequence, item[0].min_days, item[0].id)),
            "currency": self.env.company.currency_id,
        }

    def _collection_mobile(self, channel="sms"):
        """The number a text message of ``channel`` goes to: the WhatsApp number the customer gave for
        WhatsApp, else their mobile, else their phone."""
        self.ensure_one()
        if channel == "whatsapp" and self.collection_whatsapp_number:
            return self.collection_whatsapp_number
        return self.mobile or self.phone

    def action_collection_statement_xlsx(self):
        """The customer's statement of open items as a spreadsheet (the PDF's rows, with aging)."""
        self.ensure_one()
        return (
            self.env["collection.report.export"]
            .create({"report": "statement", "partner_id": self.commercial_partner_id.id})
            .action_export()
        )

    def action_view_collection_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("collections_ruler.collection_agreement_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    _ACTION_NEEDED_SQL = """(
        SELECT partner_id FROM collection_communication
         WHERE state = 'failed'
            OR (channel = 'phone' AND state = 'sent' AND activity_id IS NOT NULL)
            OR (channel = 'letter' AND state = 'sent' AND letter_printed IS NOT TRUE)
    )"""

    def _compute_collection_action_needed(self):
        needed = set(
            self.search([("id", "in", self.commercial_partner_id.ids), ("collection_action_needed", "=", True)]).ids
        )
        for partner in self:
            partner.collection_action_needed = partner.commercial_partner_id.id in needed

    def _search_collection_action_needed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the worklist."))
        positive = (operator == "=") == value
        self.env["collection.communication"].flush_model(
            ["partner_id", "state", "channel", "activity_id", "letter_printed"]
        )
        return [("id", "in" if positive else "not in", SQL(self._ACTION_NEEDED_SQL))]

    def _release_credit_hold(self):
        held = self.filtered("collection_credit_hold")
        if held:
            held.write({"collection_credit_hold": False})
            for partner in held:
                partner.message_post(body=self.env._("Credit hold released: the overdue debt was settled."))

    def action_view_collection_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("collections_ruler.collection_communication_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def write(self, vals):
        # The effectiveness report counts opt-outs that follow a contact.
        turned = [
            f"collection_optout_{channel}" for channel in OPTOUT_CHANNELS if vals.get(f"collection_optout_{channel}")
        ]
        opting_out = self.filtered(lambda partner: any(not partner[name] for name in turned)) if turned else self
        result = super().write(vals)
        if turned and opting_out:
            super(ResPartner, opting_out).write({"collection_optout_at": fields.Datetime.now()})
        return result

    @api.model
    def _commercial_fields(self):
        # Contacts of a company share its collection settings, like its VAT number.
        return [
            *super()._commercial_fields(),
            "collection_ruler_id",
            "collection_user_id",
            "collection_policy_id",
            "collection_optout_email",
            "collection_optout_sms",
            "collection_optout_whatsapp",
            "collection_optout_letter",
            "collection_optout_phone",
            "collection_optout_at",
            "collection_preferred_channel",
            "collection_whatsapp_number",
            "collection_contact_time",
            "collection_excluded",
            "collection_paused_until",
        ]

    def _get_collection_portal_url(self):
        """Where a reminder sends the customer to see and pay what they owe."""
        self.ensure_one()
        return f"{self.get_base_url()}/my/invoices"

    # ------------------------------------------------------------------
    # Risk (cron)
    # ------------------------------------------------------------------
    @api.model
    def _cron_compute_collection_risk(self):
        """Score every customer with invoices in the last 12 months: one aggregate query, one update."""
        today = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            """
            WITH invoice AS (
                SELECT m.commercial_partner_id AS partner_id, m.amount_total_signed AS amount,
                       m.amount_residual_signed AS residual, m.invoice_date_due AS due, m.payment_state,
                       paid.paid_date
                  FROM account_move m
                  LEFT JOIN LATERAL (
                        SELECT MAX(apr.max_date) AS paid_date
                          FROM account_move_line l
                          JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                         WHERE l.move_id = m.id AND l.display_type = 'payment_term') paid
                    ON m.payment_state IN ('paid', 'in_payment')
                 WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND m.invoice_date >= %(since)s
                   AND m.commercial_partner_id IS NOT NULL
            )
            SELECT partner_id,
                   SUM(amount),
                   COALESCE(SUM(amount) FILTER (WHERE paid_date > due), 0),
                   COALESCE(SUM(amount * GREATEST(paid_date - due, 0)) FILTER (WHERE paid_date IS NOT NULL), 0),
                   COALESCE(MAX(GREATEST(CASE WHEN payment_state IN %(open_states)s THEN %(today)s - due
                                              ELSE paid_date - due END, 0)), 0),
                   COALESCE(SUM(residual) FILTER (WHERE payment_state IN %(open_states)s
                                                    AND due < %(today)s), 0)
              FROM invoice
             GROUP BY partner_id
            """,
            {"since": today - relativedelta(years=1), "today": today, "open_states": OPEN_PAYMENT_STATES},
        )
        rows = self.env.cr.fetchall()
        broken = dict(
            self.search_fetch([("id", "in", [row[0] for row in rows])], ["collection_broken_promises"]).mapped(
                lambda p: (p.id, p.collection_broken_promises)
            )
        )
        scores = []
        for partner_id, billed, paid_late, amount_days, worst, overdue in rows:
            risk = risk_of(
                PaymentHistory(
                    billed=max(billed, 0),
                    paid_late_amount=max(paid_late, 0),
                    amount_days_late=max(amount_days, 0),
                    worst_days_late=int(worst),
                    overdue_amount=max(overdue, 0),
                    broken_promises=broken.get(partner_id, 0),
                )
            )
            scores.append((partner_id, risk.score, risk.level))
        if scores:
            ids, values, levels = (list(column) for column in zip(*scores, strict=True))
            self.env.cr.execute(
                """
                UPDATE res_partner p
                   SET collection_risk_score = s.score, collection_risk_level = s.level, collection_risk_date = %s
                  FROM unnest(%s::int[], %s::int[], %s::varchar[]) AS s(id, score, level)
                 WHERE p.id = s.id
                """,
                (today, ids, values, levels),
            )
        self.invalidate_model(["collection_risk_score", "collection_risk_level", "collection_risk_date"])
        return len(scores)
