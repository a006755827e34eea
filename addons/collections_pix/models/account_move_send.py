from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_invoice_extra_attachments(self, move):
        """The invoice e-mail carries the boleto the bank has (sent in a remittance or registered)."""
        attachments = super()._get_invoice_extra_attachments(move)
        boleto = move.sudo().collection_boleto_id
        if boleto.state in ("sent", "registered"):
            attachments |= boleto._slip_attachment()
        return attachments
