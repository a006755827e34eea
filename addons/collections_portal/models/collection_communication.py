from odoo import fields, models


class CollectionCommunication(models.Model):
    _inherit = "collection.communication"

    def _compute_open(self):
        """Every reminder links to the customer's debts page through its own token, so the page can
        record when this message's link was first opened."""
        res = super()._compute_open()
        for comm in self:
            if comm.partner_id and comm.open_move_ids:
                comm.pay_url = comm.partner_id.with_company(comm.company_id)._get_collection_portal_url(comm)
        return res

    def _collection_portal_link_opened(self):
        """The first opening of this message's link (the reports count it)."""
        self.sudo().filtered(lambda comm: not comm.link_opened_at).write({"link_opened_at": fields.Datetime.now()})

    def _collection_move_pay_url(self, move):
        """The debts page through this message's link, opened at the invoice."""
        self.ensure_one()
        if not self.partner_id:
            return super()._collection_move_pay_url(move)
        url = self.partner_id.with_company(self.company_id)._get_collection_portal_url(self)
        return f"{url}#debt-{move.id}"
