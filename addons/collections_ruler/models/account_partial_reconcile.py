from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        # Payments, credit notes and bank reconciliations all end here: the ruler stops at once.
        moves = (partials.debit_move_id | partials.credit_move_id).move_id
        moves._collection_stop_if_settled()
        return partials
