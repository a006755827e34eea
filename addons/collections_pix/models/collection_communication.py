import datetime

from odoo import fields, models

PIX_WAIT_MINUTES = 2  # the sync cron usually answers within seconds; it re-triggers the dispatch
PIX_WAIT_LIMIT_MINUTES = 30  # a reminder never waits longer for its Pix (a stopped cron, a PSP down)


class CollectionCommunication(models.Model):
    _inherit = "collection.communication"

    def _collection_prepare_payment(self, open_moves):
        """Each reminder carries a live Pix charge for its invoices when the company has a PSP.

        A charge still to be sent makes the contact wait a little: the sync cron creates
        it at the PSP after this transaction commits, then triggers the dispatch again.
        A charge the PSP refused does not hold the reminder back, nor one still unsent
        after half an hour: the reminder goes without that Pix.
        """
        wait_until = super()._collection_prepare_payment(open_moves)
        provider = self.env["collection.pix.provider"].sudo()._for_company(self.company_id)
        if self.channel in ("email", "whatsapp", "letter") and provider and provider.auto_charge:
            charges = self.env["collection.pix.charge"]._ensure_for_moves(open_moves)
            now = fields.Datetime.now()
            waiting_since = now - datetime.timedelta(minutes=PIX_WAIT_LIMIT_MINUTES)
            if charges.filtered(lambda c: c.state == "to_send" and c.requested_at > waiting_since):
                return now + datetime.timedelta(minutes=PIX_WAIT_MINUTES)
        account = self.env["res.partner.bank"].sudo()._collection_for_company(self.company_id)
        if self.channel in ("email", "letter") and account.collection_auto_boleto:
            # Issued now, registered by the next remittance: the reminder carries it once the bank has it.
            self.env["collection.boleto"]._ensure_for_moves(open_moves)
        return wait_until

    def _collection_payment_attachments(self, open_moves):
        """The PDF of each boleto the bank has (sent or registered): a reminder never carries a slip the
        bank would refuse."""
        attachments = super()._collection_payment_attachments(open_moves)
        boletos = open_moves.sudo().collection_boleto_ids.filtered(lambda b: b.state in ("sent", "registered"))
        for boleto in boletos:
            # rendered for each reminder: the slip carries the Pix charge live at that moment
            attachments |= self.env["ir.attachment"].create(
                {
                    "name": f"Boleto {boleto.move_id.name.replace('/', '_')}.pdf",
                    "raw": boleto._slip_pdf(),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        return attachments

    def _compute_payment_instructions(self):
        res = super()._compute_payment_instructions()
        for comm in self:
            payloads = comm.open_move_ids.sudo().collection_pix_charge_id.mapped("payload")
            if len(payloads) == 1:
                comm.payment_instructions = self.env._("Pix copia e cola: %(payload)s", payload=payloads[0])
        return res
