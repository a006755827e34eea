from odoo import models


class CollectionCommunication(models.Model):
    _inherit = "collection.communication"

    def _collection_prepare_payment(self, open_moves):
        """Each reminder carries a live Pix charge for its invoices when the company has a PSP."""
        res = super()._collection_prepare_payment(open_moves)
        provider = self.env["collection.pix.provider"].sudo()._for_company(self.company_id)
        if self.channel in ("email", "whatsapp", "letter") and provider and provider.auto_charge:
            self.env["collection.pix.charge"]._ensure_for_moves(open_moves)
        return res

    def _compute_payment_instructions(self):
        res = super()._compute_payment_instructions()
        for comm in self:
            payloads = comm.open_move_ids.sudo().collection_pix_charge_id.mapped("payload")
            if len(payloads) == 1:
                comm.payment_instructions = self.env._("Pix copia e cola: %(payload)s", payload=payloads[0])
        return res
