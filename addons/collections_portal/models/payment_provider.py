from odoo import api, fields, models

PIX_CODE = "collections_pix"


class PaymentProvider(models.Model):
    """Our Pix in Odoo's payment framework: "Pay now" on an invoice offers Pix, and the customer lands on
    the debts page's Pix panel, with the same charge, PSP connection and reconciliation as everywhere else
    (one live charge per receivable whichever door they came through)."""

    _inherit = "payment.provider"

    code = fields.Selection(selection_add=[(PIX_CODE, "Pix (Collections)")], ondelete={PIX_CODE: "set default"})

    def _get_default_payment_method_codes(self):
        codes = super()._get_default_payment_method_codes()
        if self.code != PIX_CODE:
            return codes
        return {"pix"}

    def _get_supported_currencies(self):
        supported = super()._get_supported_currencies()
        if self.code == PIX_CODE:
            supported = supported.filtered(lambda currency: currency.name == "BRL")
        return supported

    @api.model
    def _get_compatible_providers(self, company_id, *args, **kwargs):
        """Offered only where the company has a Pix PSP connection (collection.pix.provider), and for
        invoices: a charge is for a receivable, so a sales order or a cart pays its invoice."""
        providers = super()._get_compatible_providers(company_id, *args, **kwargs)
        ours = providers.filtered(lambda p: p.code == PIX_CODE)
        company = self.env["res.company"].browse(company_id)
        if ours and (
            kwargs.get("sale_order_id") or not self.env["collection.pix.provider"].sudo()._for_company(company)
        ):
            providers -= ours
        return providers
