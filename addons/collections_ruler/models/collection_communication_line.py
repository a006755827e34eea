from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .collection_ruler_stage import CHANNELS

# a line's id: its stage row's id times this, plus its channel's rank; a stored line's id is its row's id
# times this (rank 0)
CHANNEL_SLOTS = 8
CHANNEL_RANK = {channel: rank for rank, (channel, _label) in enumerate(CHANNELS, start=1)}


def contact_lines_sql(contact):
    """The invoices (``move_id``, ``amount_residual``) the contact ``contact`` (an SQL alias of
    collection_communication) covers, read from the view's two sources directly: what a query driven by
    contacts uses instead of the view, whose join back to the contacts it already has would be paid twice."""
    return SQL(
        """(SELECT reached.move_id, reached.amount_residual
              FROM collection_invoice_stage reached
             WHERE reached.plan_group = %(contact)s.plan_group
             UNION ALL
            SELECT stored.move_id, stored.amount_residual
              FROM collection_communication_line_stored stored
             WHERE stored.communication_id = %(contact)s.id)""",
        contact=SQL.identifier(contact),
    )


def move_contacts_sql(move, contact, columns):
    """``columns`` (SQL over the alias ``contact``) of every contact that covered the invoice ``move`` (SQL),
    from the view's two sources directly (see contact_lines_sql)."""
    return SQL(
        """(SELECT %(columns)s
              FROM collection_invoice_stage reached
              JOIN collection_communication %(contact)s ON %(contact)s.plan_group = reached.plan_group
             WHERE reached.move_id = %(move)s
             UNION ALL
            SELECT %(columns)s
              FROM collection_communication_line_stored stored
              JOIN collection_communication %(contact)s ON %(contact)s.id = stored.communication_id
             WHERE stored.move_id = %(move)s)""",
        columns=columns,
        contact=SQL.identifier(contact),
        move=move,
    )


class CollectionCommunicationLineStored(models.Model):
    """A contact line stored as such: invoices linked to a contact by hand, and lines from before 18.0.1.2.0
    that no group of contacts can hold. The planner never writes here."""

    _name = "collection.communication.line.stored"
    _description = "Invoice Linked to a Collection Contact by Hand"
    _log_access = False

    communication_id = fields.Many2one("collection.communication", required=True, ondelete="cascade", index=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("collection.ruler.stage", required=True, ondelete="cascade")
    amount_residual = fields.Monetary(string="Due when Planned", currency_field="currency_id")
    currency_id = fields.Many2one(related="move_id.currency_id")
    company_id = fields.Many2one(related="communication_id.company_id")


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

    Lines no group can hold (an invoice linked to a contact by hand, lines from before
    18.0.1.2.0 whose contacts covered different sets of invoices) are stored as such
    (``collection.communication.line.stored``) and read through the same view.
    """

    _name = "collection.communication.line"
    _description = "Invoice Covered by a Collection Contact"
    _order = "communication_id, move_id"
    _auto = False
    _depends = {
        "collection.invoice.stage": ["move_id", "stage_id", "amount_residual", "plan_group"],
        "collection.communication": ["plan_group", "channel"],
        "collection.communication.line.stored": ["communication_id", "move_id", "stage_id", "amount_residual"],
    }

    communication_id = fields.Many2one("collection.communication", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    stage_id = fields.Many2one("collection.ruler.stage", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    company_id = fields.Many2one(related="communication_id.company_id")
    amount_residual = fields.Monetary(string="Due when Planned", currency_field="currency_id", readonly=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    stage_record_id = fields.Integer(string="Stage Record", readonly=True)
    stored_id = fields.Integer(string="Stored Line", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW collection_communication_line AS
            SELECT reached.id::bigint * %(slots)s + CASE c.channel %(ranks)s END AS id,
                   c.id AS communication_id,
                   reached.move_id,
                   reached.stage_id,
                   c.channel,
                   reached.amount_residual,
                   reached.id AS stage_record_id,
                   NULL::int AS stored_id
              FROM collection_invoice_stage reached
              JOIN collection_communication c ON c.plan_group = reached.plan_group
             UNION ALL
            SELECT stored.id::bigint * %(slots)s,
                   stored.communication_id,
                   stored.move_id,
                   stored.stage_id,
                   c.channel,
                   stored.amount_residual,
                   NULL::int,
                   stored.id
              FROM collection_communication_line_stored stored
              JOIN collection_communication c ON c.id = stored.communication_id
            """,
                slots=CHANNEL_SLOTS,
                ranks=SQL(" ").join(SQL("WHEN %s THEN %s", channel, rank) for channel, rank in CHANNEL_RANK.items()),
            )
        )

    def _rows_of(self, alias, ids):
        """A condition on the rows the lines ``ids`` come from, which is indexed (a condition on the computed
        id alone would scan the whole view)."""
        ids = [record_id for record_id in ids if isinstance(record_id, int)]
        reached = tuple({record_id // CHANNEL_SLOTS for record_id in ids if record_id % CHANNEL_SLOTS}) or (0,)
        stored = tuple({record_id // CHANNEL_SLOTS for record_id in ids if not record_id % CHANNEL_SLOTS}) or (0,)
        return SQL(
            "(%s IN %s OR %s IN %s)",
            SQL.identifier(alias, "stage_record_id"),
            reached,
            SQL.identifier(alias, "stored_id"),
            stored,
        )

    def _as_query(self, ordered=True):
        # how the superuser reads records (fetch without access rules)
        query = super()._as_query(ordered)
        query.add_where(self._rows_of(self._table, self._ids))
        return query

    def _condition_to_sql(self, alias, fname, operator, value, query):
        # how everybody else reads them: fetch searches [("id", "in", ids)] under the record rules
        condition = super()._condition_to_sql(alias, fname, operator, value, query)
        if fname == "id" and operator in ("in", "=") and value and value is not True:
            ids = value if isinstance(value, (list, tuple, set)) else [value]
            if all(isinstance(record_id, int) for record_id in ids):
                return SQL("(%s AND %s)", condition, self._rows_of(alias, ids))
        return condition

    # a view has nothing to insert into: a line linked by hand is stored as such
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        """Link invoices to contacts by hand (the planner writes in SQL): collections managers, on the
        contacts they may change, each invoice at most once per stage and channel, as the planner's lines."""
        self.check_access("create")
        stored_model = self.env["collection.communication.line.stored"].sudo()
        stored = stored_model.browse()
        for vals in vals_list:
            contact = self.env["collection.communication"].browse(vals["communication_id"])
            contact.check_access("write")
            self.env["account.move"].browse(vals["move_id"]).check_access("read")
            stage = vals.get("stage_id") or contact.stage_id.id
            if vals.get("channel", contact.channel) != contact.channel:
                raise ValidationError(self.env._("A contact line is on its contact's channel."))
            if self.search_count(
                [("move_id", "=", vals["move_id"]), ("stage_id", "=", stage), ("channel", "=", contact.channel)]
            ):
                raise ValidationError(self.env._("This invoice was already contacted."))
            stored |= stored_model.create(
                {
                    "communication_id": contact.id,
                    "move_id": vals["move_id"],
                    "stage_id": stage,
                    "amount_residual": vals.get("amount_residual", 0.0),
                }
            )
            stored.flush_recordset()
        self.env["collection.communication"].invalidate_model(["line_ids", "move_ids", "open_move_ids"])
        self.env["account.move"].invalidate_model(["collection_line_ids"])
        return self.browse([record.id * CHANNEL_SLOTS for record in stored])
