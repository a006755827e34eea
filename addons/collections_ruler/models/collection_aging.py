import itertools

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .collection_ruler import RISK_LEVELS

_lt = LazyTranslate(__name__)

# (name, first day late, last day late): None is open-ended. Day 0 is the due date itself.
DEFAULT_BUCKETS = [
    (_lt("Not yet due"), None, 0),
    (_lt("1-30 days"), 1, 30),
    (_lt("31-60 days"), 31, 60),
    (_lt("61-90 days"), 61, 90),
    (_lt("91-180 days"), 91, 180),
    (_lt("Over 180 days"), 181, None),
]


class CollectionAgingBucket(models.Model):
    """A column of the aging report: receivables whose days late fall between two bounds."""

    _name = "collection.aging.bucket"
    _description = "Aging Bucket"
    _order = "company_id, sequence, min_days, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    sequence = fields.Integer(default=10)
    min_days = fields.Integer(
        string="From Day", help="First number of days late in this bucket; empty: everything before (not yet due)."
    )
    max_days = fields.Integer(string="To Day", help="Last number of days late in this bucket; empty: no end.")
    open_start = fields.Boolean(string="No Start", help="Everything up to 'To Day' (not yet due and earlier).")
    open_end = fields.Boolean(string="No End", help="Everything from 'From Day' on.")

    @api.constrains("min_days", "max_days", "open_start", "open_end", "company_id")
    def _check_no_overlap(self):
        for company in self.company_id:
            buckets = self.search([("company_id", "=", company.id)])
            ranges = sorted(
                (
                    float("-inf") if bucket.open_start else bucket.min_days,
                    float("inf") if bucket.open_end else bucket.max_days,
                    bucket.name,
                )
                for bucket in buckets
            )
            for low, high, name in ranges:
                if low > high:
                    raise ValidationError(self.env._("The bucket %(name)s ends before it starts.", name=name))
            for (_low, high, name), (low, _high, next_name) in itertools.pairwise(ranges):
                if low <= high:
                    raise ValidationError(
                        self.env._("The aging buckets %(first)s and %(second)s overlap.", first=name, second=next_name)
                    )

    def _for_days(self, days_late):
        """The bucket of ``self`` (one company's) that ``days_late`` falls in, or an empty recordset."""
        for bucket in self:
            if (bucket.open_start or days_late >= bucket.min_days) and (
                bucket.open_end or days_late <= bucket.max_days
            ):
                return bucket
        return self.browse()

    @api.model
    def _install_default_buckets(self, companies=None):
        """The usual buckets (not yet due, 1-30, 31-60, 61-90, 91-180, over 180) for companies that have none."""
        companies = companies or self.env["res.company"].search([])
        have = set(self.search([("company_id", "in", companies.ids)]).company_id.ids)
        values, names = [], []
        for company in companies.filtered(lambda c: c.id not in have):
            for sequence, (name, low, high) in enumerate(DEFAULT_BUCKETS, start=1):
                names.append(name)
                values.append(
                    {
                        "name": name._translate("en_US"),
                        "company_id": company.id,
                        "sequence": sequence,
                        "min_days": low or 0,
                        "max_days": high or 0,
                        "open_start": low is None,
                        "open_end": high is None,
                    }
                )
        buckets = self.create(values)
        # the names in every installed language, as module data would get them
        for bucket, name in zip(buckets, names, strict=True):
            for lang, _label in self.env["res.lang"].get_installed():
                if lang != "en_US":
                    bucket.with_context(lang=lang).name = name._translate(lang)
        return buckets


class CollectionAgingReport(models.Model):
    """Open receivables as of a day, by how late they are (one row per receivable line).

    The day comes from the context (``collection_as_of``) and defaults to today where the
    company is. What was open that day is rebuilt from the reconciliations dated up to it,
    as Odoo's aged receivable does: the line's balance less the partials dated that day or
    before, so a payment received later still shows the debt as it was.
    """

    _name = "collection.aging.report"
    _description = "Receivables Aging"
    _auto = False
    _order = "days_late desc, id"
    _rec_name = "move_id"
    _depends = {
        "account.move.line": [
            "amount_residual", "date", "date_maturity", "parent_state", "reconciled", "account_id", "company_id",
            "move_id",
        ],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id", "credit_move_id"],
        "account.move": ["commercial_partner_id", "invoice_user_id"],
        "collection.invoice.stage": ["move_id", "stage_id", "current"],
        "account.account": ["account_type"],
        "res.partner": ["collection_user_id", "collection_risk_level"],
        "res.company": ["collection_user_id", "currency_id"],
        "collection.aging.bucket": ["company_id", "min_days", "max_days", "open_start", "open_end"],
    }  # fmt: skip

    as_of = fields.Date(string="As of", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    collector_id = fields.Many2one("res.users", string="Collector", readonly=True)
    salesperson_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    risk_level = fields.Selection(RISK_LEVELS, string="Risk", readonly=True)
    stage_id = fields.Many2one("collection.ruler.stage", string="Stage", readonly=True)
    bucket_id = fields.Many2one("collection.aging.bucket", string="Bucket", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_late = fields.Integer(readonly=True, aggregator="max")
    amount_residual = fields.Monetary(string="Open", readonly=True)
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)

    @api.model
    def _as_of(self):
        day = self.env.context.get("collection_as_of")
        return fields.Date.to_date(day) if day else self.env.company._collection_today()

    @property
    def _table_query(self):
        return self._aging_query(self._as_of())

    @api.model
    def _aging_query(self, as_of):
        # What was open on the day = what is open now + what reconciliations dated after it paid.
        # Only the lines open now (Odoo's partial index on unreconciled lines) and those touched by
        # a later reconciliation are read, not the whole paid history.
        return SQL(
            """
            WITH undone AS (
                SELECT line_id, SUM(amount) AS amount
                  FROM (SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                         WHERE max_date > %(as_of)s
                        UNION ALL
                        SELECT credit_move_id, -amount FROM account_partial_reconcile
                         WHERE max_date > %(as_of)s) later
                 GROUP BY line_id
            ), receivable AS (
                SELECT id FROM account_account WHERE account_type = 'asset_receivable'
            )
            SELECT line.id,
                   %(as_of)s::date AS as_of,
                   line.move_id,
                   line.company_id,
                   company.currency_id,
                   move.commercial_partner_id AS partner_id,
                   COALESCE(partner.collection_user_id, company.collection_user_id) AS collector_id,
                   move.invoice_user_id AS salesperson_id,
                   partner.collection_risk_level AS risk_level,
                   pointer.stage_id AS stage_id,
                   bucket.id AS bucket_id,
                   line.date_maturity,
                   late.days AS days_late,
                   open.amount AS amount_residual,
                   CASE WHEN late.days > 0 THEN open.amount ELSE 0 END AS overdue_amount
              FROM (SELECT line.id FROM account_move_line line
                     WHERE line.reconciled IS NOT TRUE AND line.parent_state = 'posted'
                       AND line.account_id IN (SELECT id FROM receivable)
                     UNION
                    SELECT line_id FROM undone) candidate
              JOIN account_move_line line ON line.id = candidate.id
              JOIN account_move move ON move.id = line.move_id
              LEFT JOIN collection_invoice_stage pointer ON pointer.move_id = move.id AND pointer.current
              JOIN res_company company ON company.id = line.company_id
              JOIN res_partner partner ON partner.id = move.commercial_partner_id
              LEFT JOIN undone ON undone.line_id = line.id
             CROSS JOIN LATERAL (SELECT line.amount_residual + COALESCE(undone.amount, 0) AS amount) open
             CROSS JOIN LATERAL (SELECT %(as_of)s::date - COALESCE(line.date_maturity, line.date) AS days) late
              LEFT JOIN collection_aging_bucket bucket
                     ON bucket.company_id = line.company_id
                    AND (bucket.open_start OR late.days >= bucket.min_days)
                    AND (bucket.open_end OR late.days <= bucket.max_days)
             WHERE line.account_id IN (SELECT id FROM receivable)
               AND line.parent_state = 'posted'
               AND line.date <= %(as_of)s
               AND ROUND(open.amount, 2) <> 0
            """,
            as_of=as_of,
        )

    def action_open_invoice(self):
        self.ensure_one()
        return self.move_id._get_records_action()
