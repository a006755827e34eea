from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount


class CollectionsPortalAccount(PortalAccount):
    def _show_report(self, model, report_type, report_ref, download=False):
        """A posted invoice is the customer's debt, not a quote: never "PROFORMA" on the page a reminder
        links to. (Odoo prints it until the invoice went through its own Send, which a business issuing
        its NF-e elsewhere never does.)"""
        if (
            request.env.context.get("proforma_invoice")
            and model._name == "account.move"
            and model
            and all(move.state == "posted" for move in model)
        ):
            request.update_context(proforma_invoice=False)
        return super()._show_report(model, report_type, report_ref, download=download)

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        """The page of a company's invoice wears that company's logo and name, not the database's first
        company's ("YourCompany", "Your logo") that a visitor without a session would otherwise get."""
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        values["res_company"] = invoice.company_id.sudo()
        return values
