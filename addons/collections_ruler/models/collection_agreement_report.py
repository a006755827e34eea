from odoo import fields, models
from odoo.tools import SQL

from .collection_agreement import AGREEMENT_STATES


class CollectionAgreementReport(models.Model):
    """Agreements made, kept and broken: one row per agreement that left the draft."""

    _name = "collection.agreement.report"
    _description = "Agreements Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "agreement_id"
    _depends = {
        "collection.agreement": [
            "date", "company_id", "partner_id", "user_id", "policy_id", "origin", "state", "installment_count",
            "updated_amount", "discount_amount", "total_amount",
        ],
        "collection.agreement.installment": ["agreement_id", "move_id"],
        "account.move": ["state", "amount_total_signed", "amount_residual_signed"],
        "res.company": ["currency_id"],
    }  # fmt: skip

    agreement_id = fields.Many2one("collection.agreement", string="Agreement", readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    collector_id = fields.Many2one("res.users", string="Collector", readonly=True)
    policy_id = fields.Many2one("collection.policy", string="Policy", readonly=True)
    origin = fields.Selection([("backoffice", "Back Office"), ("portal", "Customer Portal")], readonly=True)
    state = fields.Selection(AGREEMENT_STATES, readonly=True)
    agreement_count = fields.Integer(string="Agreements", readonly=True)
    active_count = fields.Integer(string="Active", readonly=True)
    done_count = fields.Integer(string="Done", readonly=True)
    broken_count = fields.Integer(string="Broken", readonly=True)
    broken_rate = fields.Float(
        string="Broken (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the agreements that went into force (active, done or broken) that were broken.",
    )
    installment_count = fields.Integer(string="Installments", readonly=True)
    amount_renegotiated = fields.Monetary(
        string="Renegotiated", readonly=True, help="The updated debt the agreement covers."
    )
    discount_amount = fields.Monetary(string="Discount Granted", readonly=True)
    amount_agreed = fields.Monetary(string="Agreed Total", readonly=True)
    amount_recovered = fields.Monetary(string="Recovered", readonly=True, help="Paid on the agreement's installments.")
    recovery_rate = fields.Float(
        string="Recovered (%)", readonly=True, aggregator="avg", help="Recovered over the agreed total, per agreement."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT agreement.id,
                   agreement.id AS agreement_id,
                   agreement.date,
                   agreement.company_id,
                   company.currency_id,
                   agreement.partner_id,
                   agreement.user_id AS collector_id,
                   agreement.policy_id,
                   agreement.origin,
                   agreement.state,
                   1 AS agreement_count,
                   (agreement.state = 'active')::int AS active_count,
                   (agreement.state = 'done')::int AS done_count,
                   (agreement.state = 'broken')::int AS broken_count,
                   CASE WHEN agreement.state = 'broken' THEN 100.0
                        WHEN agreement.state IN ('active', 'done') THEN 0.0 END AS broken_rate,
                   agreement.installment_count,
                   agreement.updated_amount AS amount_renegotiated,
                   agreement.discount_amount,
                   agreement.total_amount AS amount_agreed,
                   COALESCE(paid.amount, 0) AS amount_recovered,
                   CASE WHEN agreement.total_amount > 0
                        THEN 100.0 * COALESCE(paid.amount, 0) / agreement.total_amount END AS recovery_rate
              FROM collection_agreement agreement
              JOIN res_company company ON company.id = agreement.company_id
              LEFT JOIN LATERAL (
                    SELECT SUM(move.amount_total_signed - move.amount_residual_signed) AS amount
                      FROM collection_agreement_installment installment
                      JOIN account_move move ON move.id = installment.move_id
                     WHERE installment.agreement_id = agreement.id AND move.state = 'posted'
                   ) paid ON TRUE
             WHERE agreement.state NOT IN ('draft', 'cancelled')
            """
        )
