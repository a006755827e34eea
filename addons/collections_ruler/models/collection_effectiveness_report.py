from odoo import api, fields, models
from odoo.tools import SQL

from .collection_communication import STATES
from .collection_communication_line import contact_lines_sql, move_contacts_sql
from .collection_ruler_stage import CHANNELS, PHASES
from .collection_stage_variant import SUCCESS_DAYS

# Payments are counted for a contact up to this many days after it.
WINDOW_DAYS = 15


def local_day_sql(moment, company_alias="company_partner"):
    """The calendar day of a UTC timestamp where the company is (as res.company._collection_tz)."""
    return SQL(
        "((%s AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(%s.tz, CASE WHEN country.code = 'BR' "
        "THEN 'America/Sao_Paulo' ELSE 'UTC' END))::date",
        moment,
        SQL.identifier(company_alias),
    )


class CollectionEffectivenessReport(models.Model):
    """What each contact brought in: one row per contact sent (or failed) by the ruler.

    Attribution: a payment counts for the last contact about that debt before it (the same
    day included), if it came within 15 days of that contact. Contacts of the same day about a
    debt (a stage sending e-mail and WhatsApp) each count the debt as paid and share the money
    recovered, so totals add up to what came in. A debt is paid when it has no
    balance left and the last money came in cash (a payment or a bank statement line), not
    by an agreement's renegotiation. "Paid in N days" counts the debts whose last payment
    came within N days of the contact; "Recovered" is the money received in the window.
    """

    _name = "collection.effectiveness.report"
    _description = "Ruler Effectiveness"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "communication_id"
    _depends = {
        "collection.communication": [
            "company_id", "partner_id", "ruler_id", "stage_id", "channel", "variant_id", "state", "link_opened_at",
            "sent_at", "scheduled_at", "mail_message_id", "plan_group",
        ],
        # a contact's invoices, read where the lines' view reads them (contact_lines_sql)
        "collection.invoice.stage": ["move_id", "amount_residual", "plan_group"],
        "collection.communication.line.stored": ["communication_id", "move_id", "amount_residual"],
        "collection.ruler.stage": ["ruler_id", "phase"],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id", "credit_move_id"],
        "account.move.line": ["move_id"],
        "account.move": ["origin_payment_id", "statement_line_id", "payment_state"],
        "res.partner": [
            "collection_user_id", "collection_optout_at", "collection_optout_email", "collection_optout_sms",
            "collection_optout_whatsapp", "collection_optout_letter", "collection_optout_phone", "tz", "country_id",
        ],
        "res.company": ["collection_user_id", "currency_id", "partner_id"],
        "mail.notification": ["mail_message_id", "notification_status"],
    }  # fmt: skip

    communication_id = fields.Many2one("collection.communication", string="Contact", readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    collector_id = fields.Many2one("res.users", string="Collector", readonly=True)
    ruler_id = fields.Many2one("collection.ruler", string="Ruler", readonly=True)
    stage_id = fields.Many2one("collection.ruler.stage", string="Stage", readonly=True)
    phase = fields.Selection(PHASES, readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    variant_id = fields.Many2one("collection.ruler.stage.variant", string="Text Variant", readonly=True)
    state = fields.Selection(STATES, readonly=True)
    contact_count = fields.Integer(string="Contacts", readonly=True)
    delivered = fields.Integer(readonly=True)
    failed = fields.Integer(readonly=True)
    link_opened = fields.Integer(string="Links Opened", readonly=True)
    optout = fields.Integer(
        string="Opt-outs", readonly=True, help="The customer opted out of this channel within 15 days."
    )
    debt_count = fields.Integer(string="Debts", readonly=True)
    paid_3 = fields.Integer(string="Paid in 3 Days", readonly=True)
    paid_7 = fields.Integer(string="Paid in 7 Days", readonly=True)
    paid_15 = fields.Integer(string="Paid in 15 Days", readonly=True)
    success = fields.Integer(
        string="Contacts Paid in 7 Days", readonly=True, help="1 when a debt of the contact was paid within 7 days."
    )
    success_rate = fields.Float(
        string="Success (%)", readonly=True, aggregator="avg", help="Share of contacts with a debt paid within 7 days."
    )
    amount_due = fields.Monetary(string="Due at Contact", readonly=True)
    amount_recovered = fields.Monetary(string="Recovered", readonly=True)
    days_to_pay = fields.Float(
        string="Days to Pay", readonly=True, aggregator="avg", help="Days from the contact to its first debt paid."
    )

    @property
    def _table_query(self):
        # The lateral lookups make PostgreSQL's cost estimate big enough to trigger its JIT compiler,
        # which spends most of a second compiling a query that runs in a tenth of that (measured
        # with `make bench`). Off for the rest of this transaction only.
        self.env.cr.execute("SET LOCAL jit = off")
        return self._effectiveness_query()

    @api.model
    def _effectiveness_query(self):
        # Driven by each contact through indexed lookups (its lines, the next contact about the same
        # debt, the cash reconciled with the debt), so a filter on the contacts (a period, a ruler,
        # the texts of an experiment) is applied first and the cost follows the contacts selected.
        return SQL(
            """
            SELECT c.id,
                   c.id AS communication_id,
                   contact.day AS date,
                   c.company_id,
                   company.currency_id,
                   c.partner_id,
                   COALESCE(partner.collection_user_id, company.collection_user_id) AS collector_id,
                   COALESCE(c.ruler_id, stage.ruler_id) AS ruler_id,
                   c.stage_id,
                   stage.phase,
                   c.channel,
                   c.variant_id,
                   c.state,
                   1 AS contact_count,
                   (c.state = 'sent' AND NOT COALESCE(bounced.yes, FALSE))::int AS delivered,
                   (c.state = 'failed' OR COALESCE(bounced.yes, FALSE))::int AS failed,
                   (c.link_opened_at IS NOT NULL)::int AS link_opened,
                   (partner.collection_optout_at >= contact.moment
                    AND partner.collection_optout_at < contact.moment + make_interval(days => %(window)s)
                    AND CASE c.channel
                            WHEN 'email' THEN partner.collection_optout_email
                            WHEN 'sms' THEN partner.collection_optout_sms
                            WHEN 'whatsapp' THEN partner.collection_optout_whatsapp
                            WHEN 'letter' THEN partner.collection_optout_letter
                            ELSE partner.collection_optout_phone END)::int AS optout,
                   COALESCE(outcome.debt_count, 0) AS debt_count,
                   COALESCE(outcome.paid_3, 0) AS paid_3,
                   COALESCE(outcome.paid_7, 0) AS paid_7,
                   COALESCE(outcome.paid_15, 0) AS paid_15,
                   (COALESCE(outcome.paid_7, 0) > 0)::int AS success,
                   CASE WHEN COALESCE(outcome.paid_7, 0) > 0 THEN 100.0 ELSE 0.0 END AS success_rate,
                   COALESCE(outcome.amount_due, 0) AS amount_due,
                   COALESCE(outcome.amount_recovered, 0) AS amount_recovered,
                   outcome.days_to_pay
              FROM collection_communication c
              JOIN res_company company ON company.id = c.company_id
              JOIN res_partner company_partner ON company_partner.id = company.partner_id
              LEFT JOIN res_country country ON country.id = company_partner.country_id
              JOIN res_partner partner ON partner.id = c.partner_id
              JOIN collection_ruler_stage stage ON stage.id = c.stage_id
             CROSS JOIN LATERAL (
                   SELECT COALESCE(c.sent_at, c.scheduled_at) AS moment, %(local_day)s AS day
                   ) contact
              LEFT JOIN LATERAL (
                   SELECT COUNT(*) AS debt_count,
                          SUM(debt.amount_residual) AS amount_due,
                          COUNT(debt.paid_day) FILTER (WHERE debt.paid_day - contact.day <= 3) AS paid_3,
                          COUNT(debt.paid_day) FILTER (WHERE debt.paid_day - contact.day <= %(success_days)s) AS paid_7,
                          COUNT(debt.paid_day) AS paid_15,
                          MIN(debt.paid_day - contact.day) AS days_to_pay,
                          SUM(debt.received) AS amount_recovered
                     FROM (
                          SELECT line.amount_residual,
                                 cash.received / next.same_day AS received,
                                 CASE WHEN move.payment_state IN ('paid', 'in_payment') AND cash.last_is_cash
                                       AND cash.last_day BETWEEN contact.day AND contact.day + %(window)s
                                       AND (next.day IS NULL OR cash.last_day < next.day)
                                      THEN cash.last_day END AS paid_day
                            FROM %(contact_lines)s line
                            JOIN account_move move ON move.id = line.move_id
                           CROSS JOIN LATERAL (
                                 -- the first contact sent about the same debt on a later day ends this
                                 -- one's window; the contacts of the same day (a stage's e-mail and
                                 -- WhatsApp) share the payment
                                 SELECT MIN(other.day) FILTER (WHERE other.day > contact.day) AS day,
                                        GREATEST(COUNT(*) FILTER (WHERE other.day = contact.day), 1) AS same_day
                                   FROM %(same_debt_contacts)s other
                                  WHERE other.state = 'sent'
                                 ) next
                           CROSS JOIN LATERAL (
                                 -- money in cash (a payment or a bank statement line) within the window;
                                 -- the debt counts as paid only if the last money that closed it was cash,
                                 -- not an agreement's renegotiation or a credit note
                                 SELECT SUM(partial.amount) FILTER (
                                            WHERE kind.cash
                                              AND partial.max_date >= contact.day
                                              AND partial.max_date <= contact.day + %(window)s
                                              AND (next.day IS NULL OR partial.max_date < next.day)
                                        ) AS received,
                                        MAX(partial.max_date) AS last_day,
                                        (array_agg(kind.cash ORDER BY partial.max_date DESC, partial.id DESC))[1]
                                            AS last_is_cash
                                   FROM account_move_line invoice_line
                                   JOIN account_partial_reconcile partial ON partial.debit_move_id = invoice_line.id
                                   JOIN account_move_line pay_line ON pay_line.id = partial.credit_move_id
                                   JOIN account_move pay_move ON pay_move.id = pay_line.move_id
                                  CROSS JOIN LATERAL (
                                        SELECT pay_move.origin_payment_id IS NOT NULL
                                               OR pay_move.statement_line_id IS NOT NULL AS cash
                                        ) kind
                                  WHERE invoice_line.move_id = line.move_id
                                 ) cash
                           WHERE c.state = 'sent'
                          ) debt
                   ) outcome ON TRUE
              LEFT JOIN LATERAL (
                    SELECT TRUE AS yes
                      FROM mail_notification notification
                     WHERE notification.mail_message_id = c.mail_message_id
                       AND notification.notification_status IN ('exception', 'bounce')
                     LIMIT 1
                   ) bounced ON TRUE
             WHERE c.state IN ('sent', 'failed')
            """,
            local_day=local_day_sql(SQL("COALESCE(c.sent_at, c.scheduled_at)")),
            contact_lines=contact_lines_sql("c"),
            same_debt_contacts=move_contacts_sql(
                SQL("line.move_id"), "c2", SQL("%s AS day, c2.state", local_day_sql(SQL("c2.sent_at")))
            ),
            success_days=SUCCESS_DAYS,
            window=WINDOW_DAYS,
        )

    @api.model
    def _median_days_to_pay(self, domain, groupby):
        """{group value: median days from contact to payment} over the contacts that brought one, per ``groupby``.

        The pivot shows averages; the median (a number read_group cannot aggregate) is computed here
        for the spreadsheet, over the rows ``domain`` selects, with the user's record rules.
        """
        query = self._search(domain)
        query.add_where(SQL("%s IS NOT NULL", self._field_to_sql(self._table, "days_to_pay", query)))
        group_sql = self._field_to_sql(self._table, groupby, query)
        query.groupby = group_sql
        self.env.cr.execute(
            query.select(
                group_sql,
                SQL(
                    "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                    self._field_to_sql(self._table, "days_to_pay", query),
                ),
            )
        )
        return dict(self.env.cr.fetchall())
