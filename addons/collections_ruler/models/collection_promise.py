from odoo import api, fields, models

PROMISE_STATES = [("open", "Open"), ("broken", "Broken"), ("replaced", "Replaced")]
PROMISE_ORIGINS = [("backoffice", "Back Office"), ("portal", "Customer Portal")]


class CollectionPromise(models.Model):
    """Each promise to pay, kept for the reports: the invoice only holds the current one.

    A promise whose date passed is kept unless the ruler found the invoice still open the
    day after (then ``broken``); a new promise on the same invoice ``replaced`` the old one.
    """

    _name = "collection.promise"
    _description = "Promise to Pay"
    _order = "promise_date desc, id desc"

    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user)
    promise_date = fields.Date(required=True)
    origin = fields.Selection(PROMISE_ORIGINS, required=True, default="backoffice")
    state = fields.Selection(PROMISE_STATES, required=True, default="open", index=True)

    @api.model
    def _record(self, moves, promise_date, origin="backoffice"):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE collection_promise SET state = 'replaced' WHERE move_id = ANY(%s) AND state = 'open'",
            (moves.ids,),
        )
        self.invalidate_model(["state"])
        return self.sudo().create(
            [
                {
                    "move_id": move.id,
                    "partner_id": move.commercial_partner_id.id,
                    "company_id": move.company_id.id,
                    "promise_date": promise_date,
                    "origin": origin,
                }
                for move in moves
            ]
        )

    @api.model
    def _mark_broken(self, moves):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE collection_promise SET state = 'broken' WHERE move_id = ANY(%s) AND state = 'open'",
            (moves.ids,),
        )
        self.invalidate_model(["state"])

    @api.model
    def _kept_ratio(self, company_ids, day_from, day_to):
        """(kept, due) promises whose date fell between the two days (both included), as the user may see them."""
        groups = dict(
            self._read_group(
                [
                    ("company_id", "in", company_ids),
                    ("state", "in", ("open", "broken")),
                    ("promise_date", ">=", day_from),
                    ("promise_date", "<=", day_to),
                ],
                ["state"],
                ["__count"],
            )
        )
        return groups.get("open", 0), sum(groups.values())
