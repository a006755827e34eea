from odoo import fields, models

from .collection_ruler_stage import CHANNELS


class CollectionCommunicationLine(models.Model):
    """One invoice covered by a contact: the key that makes a contact happen once.

    A contact grouped by customer covers several invoices; the unique index on
    (invoice, stage, channel) guarantees no invoice is ever contacted twice for the
    same stage on the same channel, whatever reruns or parallel workers do.
    """

    _name = "collection.communication.line"
    _description = "Invoice Covered by a Collection Contact"
    _order = "communication_id, move_id"

    communication_id = fields.Many2one("collection.communication", required=True, ondelete="cascade", index=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("collection.ruler.stage", required=True, ondelete="cascade")
    channel = fields.Selection(CHANNELS, required=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    amount_residual = fields.Monetary(string="Due when Planned", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", required=True)

    _sql_constraints = [
        ("move_stage_channel_unique", "UNIQUE(move_id, stage_id, channel)", "This invoice was already contacted."),
    ]
