import logging

from odoo import models
from odoo.exceptions import ValidationError

from .payment_provider import PIX_CODE

_logger = logging.getLogger(__name__)
PROCESS_URL = "/payment/collections_pix/process"


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _get_specific_rendering_values(self, processing_values):
        res = super()._get_specific_rendering_values(processing_values)
        if self.provider_code != PIX_CODE:
            return res
        return {"api_url": PROCESS_URL, "reference": self.reference}

    def _get_tx_from_notification_data(self, provider_code, notification_data):
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code != PIX_CODE or len(tx) == 1:
            return tx
        tx = self.search([("reference", "=", notification_data.get("reference")), ("provider_code", "=", PIX_CODE)])
        if not tx:
            raise ValidationError(self.env._("No Pix payment matches this reference."))
        return tx

    def _process_notification_data(self, notification_data):
        """The customer chose Pix: the transaction waits for the payment, and each of its invoices gets
        its Pix charge (registered at the PSP by the sync cron, after this transaction commits)."""
        super()._process_notification_data(notification_data)
        if self.provider_code != PIX_CODE:
            return
        moves = self.invoice_ids._collection_filter_open()
        if not moves:
            self._set_error(self.env._("Pix pays open invoices only; nothing is open here any more."))
            return
        self.env["collection.pix.charge"].sudo()._ensure_for_moves(moves)
        self._set_pending()

    def _collection_pix_landing_url(self):
        """The debts page, opened at the Pix panel of the invoice this transaction pays."""
        self.ensure_one()
        moves = self.invoice_ids
        partner = moves.commercial_partner_id[:1] or self.partner_id.commercial_partner_id
        url = partner.with_company(moves.company_id[:1] or self.company_id)._get_collection_portal_url()
        return f"{url}&pix={moves.id}#pix" if len(moves) == 1 else url

    def _collection_pix_settle(self, moves):
        """Pending Pix transactions of invoices the Pix reconciliation just paid are done, with that
        payment: Odoo's post-processing then creates no second one."""
        for tx in self.sudo().search(
            [("provider_code", "=", PIX_CODE), ("state", "=", "pending"), ("invoice_ids", "in", moves.ids)]
        ):
            if tx.invoice_ids._collection_filter_open():
                continue  # a transaction for several invoices is done once all are paid
            payment = tx.invoice_ids.collection_pix_charge_ids.filtered(lambda c: c.state == "paid").payment_id[:1]
            tx.payment_id = payment
            tx._set_done()
