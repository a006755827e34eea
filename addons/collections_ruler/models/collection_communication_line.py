from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .collection_ruler_stage import CHANNELS

# a line's id: its stage row's id times this, plus its channel's rank (read back by _as_query)
CHANNEL_SLOTS = 8
CHANNEL_RANK = {channel: rank for rank, (channel, _label) in enumerate(CHANNELS, start=1)}


class CollectionCommunicationLine(models.Model):
    """One invoice covered by a contact, at the stage it reached: a view.

    A contact grouped by customer covers several invoices. The planner records each
    invoice's stage once (``collection.invoice.stage``, unique per invoice and stage)
    and gives it the number of the group of contacts that covered it, one per channel
    (unique per group and channel): together they guarantee that no invoice is ever
    contacted twice for the same stage on the same channel, whatever reruns or
    parallel workers do. A line is the pair of the two, so nothing is stored per
    invoice *and* channel (216,663 rows on a first run at 100,000 receivables, each
    row three foreign-key checks).
    """

    _name = "collection.communication.line"
    _description = "Invoice Covered by a Collection Contact"
    _order = "communication_id, move_id"
    _auto = False
    _depends = {
        "collection.invoice.stage": ["move_id", "stage_id", "amount_residual", "plan_group"],
        "collection.communication": ["plan_group", "channel"],
    }

    communication_id = fields.Many2one("collection.communication", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    stage_id = fields.Many2one("collection.ruler.stage", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    company_id = fields.Many2one(related="communication_id.company_id")
    amount_residual = fields.Monetary(string="Due when Planned", currency_field="currency_id", readonly=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    stage_record_id = fields.Many2one("collection.invoice.stage", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW collection_communication_line AS
            SELECT reached.id * %(slots)s + CASE c.channel %(ranks)s END AS id,
                   c.id AS communication_id,
                   reached.move_id,
                   reached.stage_id,
                   c.channel,
                   reached.amount_residual,
                   reached.id AS stage_record_id
              FROM collection_invoice_stage reached
              JOIN collection_communication c ON c.plan_group = reached.plan_group
            """,
                slots=CHANNEL_SLOTS,
                ranks=SQL(" ").join(SQL("WHEN %s THEN %s", channel, rank) for channel, rank in CHANNEL_RANK.items()),
            )
        )

    def _as_query(self, ordered=True):
        # the id is computed: also filter on the stage row it comes from, which is indexed (reading
        # lines by id would otherwise scan the whole view)
        query = super()._as_query(ordered)
        ids = {record_id // CHANNEL_SLOTS for record_id in self._ids if isinstance(record_id, int)}
        query.add_where(SQL("%s IN %s", SQL.identifier(self._table, "stage_record_id"), tuple(ids) or (0,)))
        return query

    # a view has nothing to insert into: the stage row and the contact's group are written instead
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        """Link invoices to a contact by hand (the planner writes in SQL): record the stage as reached,
        if it was not, and put the contact in the group of the contacts that covered it."""
        reached_model = self.env["collection.invoice.stage"].sudo()
        ids = []
        for vals in vals_list:
            contact = self.env["collection.communication"].browse(vals["communication_id"]).sudo()
            if vals.get("channel", contact.channel) != contact.channel:
                raise ValidationError(self.env._("A contact line is on its contact's channel."))
            reached = reached_model.search(
                [("move_id", "=", vals["move_id"]), ("stage_id", "=", vals.get("stage_id", contact.stage_id.id))]
            )
            if not reached:
                reached = reached_model.create(
                    {
                        "move_id": vals["move_id"],
                        "stage_id": vals.get("stage_id", contact.stage_id.id),
                        "date": contact.plan_date or fields.Date.context_today(contact),
                        "amount_residual": vals.get("amount_residual", 0.0),
                    }
                )
            group = reached.plan_group or contact.plan_group or reached_model._next_plan_group()
            if contact.plan_group and contact.plan_group != group:
                raise ValidationError(self.env._("This invoice was already contacted."))
            reached.plan_group = contact.plan_group = group
            ids.append(reached.id * CHANNEL_SLOTS + CHANNEL_RANK[contact.channel])
        self.env.flush_all()
        return self.browse(ids)
