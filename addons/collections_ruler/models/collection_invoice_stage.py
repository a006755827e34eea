from odoo import fields, models
from odoo.tools import SQL

# the contacts of one group (a customer's invoices that reached a stage on the same day, one contact
# per channel) and the stages they cover share a number from this sequence
PLAN_GROUP_SEQUENCE = "collection_invoice_stage_plan_group_seq"


class CollectionInvoiceStage(models.Model):
    """A stage an invoice reached on its ruler, and when: the planner's pointer and its history.

    One row per invoice and stage reached, unique: an invoice reaches a stage once, so
    a rerun or a replay finds nothing more to do, and a planner running at the same
    time fails to serialize and is retried. The row marked ``current`` is where the
    invoice stands now (at most one per invoice); the others are the stages it went
    through. Only the planner writes them (SQL); users read the pointer through the
    invoice (``collection_stage_id`` / ``collection_stage_date``).

    The row also says which contacts covered the invoice at that stage: those of its
    ``plan_group``, one per channel. That is what a contact line is
    (``collection.communication.line`` is a view over the two), so a company's first
    run writes one row per invoice, not one per invoice and channel: each row inserted
    costs PostgreSQL a check per foreign key (about 4 µs each), and the lines were
    two thirds of those checks.

    It lives here, not on ``account_move``: rewriting 100,000 invoice rows (29
    indexes each) took 4 seconds of a first run, and held a lock on each invoice until
    the planner committed.
    """

    _name = "collection.invoice.stage"
    _description = "Collection Stage Reached by an Invoice"
    _rec_name = "move_id"
    _order = "move_id, date desc, id desc"
    _log_access = False

    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade")
    stage_id = fields.Many2one("collection.ruler.stage", required=True, ondelete="cascade", index=True)
    date = fields.Date(string="Stage Reached On", required=True)
    current = fields.Boolean(help="Where the invoice stands now; the other rows are the stages it went through.")
    amount_residual = fields.Monetary(string="Due when Reached", currency_field="currency_id")
    currency_id = fields.Many2one(related="move_id.currency_id")
    plan_group = fields.Integer(
        index="btree_not_null", copy=False, help="The contacts that covered the invoice at this stage share it."
    )

    _sql_constraints = [
        ("move_stage_unique", "UNIQUE(move_id, stage_id)", "This invoice already reached this stage."),
    ]

    def init(self):
        # the pointer: one current stage per invoice (the planner's lookups go through this index)
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS collection_invoice_stage_current_unique
                ON collection_invoice_stage (move_id) WHERE current
            """
        )
        self.env.cr.execute(SQL("CREATE SEQUENCE IF NOT EXISTS %s", SQL.identifier(PLAN_GROUP_SEQUENCE)))
