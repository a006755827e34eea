from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.account_move import open_receivable_domain, open_receivable_domain_text


class CollectionPromiseWizard(models.TransientModel):
    _name = "collection.promise.wizard"
    _description = "Record a Promise to Pay"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain=open_receivable_domain_text("('commercial_partner_id', '=', partner_id)"),
    )
    promise_date = fields.Date(string="Will Pay By", required=True)
    note = fields.Text(help="What was agreed, e.g. on the phone.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = self.env["account.move"].browse(context["active_ids"])._collection_filter_open()
            values.update(partner_id=moves.commercial_partner_id[:1].id, move_ids=[Command.set(moves.ids)])
        elif context.get("active_model") == "res.partner" and context.get("active_id"):
            partner = self.env["res.partner"].browse(context["active_id"]).commercial_partner_id
            moves = self.env["account.move"].search(
                [("commercial_partner_id", "=", partner.id), *open_receivable_domain()]
            )
            values.update(partner_id=partner.id, move_ids=[Command.set(moves.ids)])
        return values

    def action_confirm(self):
        self.ensure_one()
        if self.promise_date < fields.Date.context_today(self):
            raise UserError(self.env._("A promise to pay needs a date from today on."))
        if not self.move_ids:
            raise UserError(self.env._("Choose the invoices the customer promised to pay."))
        if len(self.move_ids.commercial_partner_id) > 1:
            raise UserError(self.env._("A promise to pay covers invoices of one customer only."))
        self.move_ids._collection_promise(self.promise_date, self.note)
        return {"type": "ir.actions.act_window_close"}
