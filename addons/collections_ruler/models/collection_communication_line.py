from odoo import fields, models

from .collection_ruler_stage import CHANNELS


class CollectionCommunicationLine(models.Model):
    """One invoice covered by a contact: the key that makes a contact happen once.

    A contact grouped by customer covers several invoices; the unique index on
    (invoice, stage, channel) guarantees no invoice is ever contacted twice for the
    same stage on the same channel, whatever reruns or parallel workers do.

    The planner inserts these rows by the hundred thousand on a company's first run,
    and PostgreSQL checks every foreign key of every row it inserts: a line carries
    only the three it needs. Company and currency are its contact's and its
    invoice's, and who created it and when are its contact's (no log columns).
    """

    _name = "collection.communication.line"
    _description = "Invoice Covered by a Collection Contact"
    _order = "communication_id, move_id"
    _log_access = False

    communication_id = fields.Many2one("collection.communication", required=True, ondelete="cascade", index=True)
    # no index of its own: the unique key (move_id, stage_id, channel) starts with it
    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade")
    stage_id = fields.Many2one("collection.ruler.stage", required=True, ondelete="cascade")
    channel = fields.Selection(CHANNELS, required=True)
    company_id = fields.Many2one(related="communication_id.company_id")
    amount_residual = fields.Monetary(string="Due when Planned", currency_field="currency_id")
    currency_id = fields.Many2one(related="move_id.currency_id")

    _sql_constraints = [
        ("move_stage_channel_unique", "UNIQUE(move_id, stage_id, channel)", "This invoice was already contacted."),
    ]
