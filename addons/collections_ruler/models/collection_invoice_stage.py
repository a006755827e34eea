from odoo import fields, models


class CollectionInvoiceStage(models.Model):
    """Where an invoice stands on its ruler: the stage it reached and when.

    The planner's pointer, and the idempotency key of planning: an invoice moves to a
    stage once, so a rerun or a replay finds nothing more to do, and a second planner
    running at the same time fails to serialize and is retried. Only the planner
    writes it (SQL); users read it through the invoice. It
    lives here, not on ``account_move``: a company's first run moves every open
    invoice at once, and rewriting 100,000 invoice rows (29 indexes each) took 4 of
    its seconds, and held a lock on each invoice until the planner committed. The
    invoice reads it as ``collection_stage_id`` / ``collection_stage_date``.
    """

    _name = "collection.invoice.stage"
    _description = "Collection Stage of an Invoice"
    _rec_name = "move_id"
    _log_access = False

    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade")
    stage_id = fields.Many2one("collection.ruler.stage", required=True, ondelete="cascade", index=True)
    date = fields.Date(string="Stage Reached On", required=True)

    _sql_constraints = [
        ("move_unique", "UNIQUE(move_id)", "An invoice stands at one stage of its ruler."),
    ]
