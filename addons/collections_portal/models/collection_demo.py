from odoo import api, models


class CollectionDemo(models.AbstractModel):
    _inherit = "collection.demo"

    @api.model
    def _collections_create_demo_data(self):
        """The demo company's invoices also offer Pix in Odoo's own "Pay now" (test mode, published)."""
        company = super()._collections_create_demo_data()
        if company:
            template = self.env.ref("collections_portal.payment_provider_collections_pix")
            provider = template.sudo().copy({"company_id": company.id, "name": template.name})
            provider.write({"state": "test", "is_published": True})
        return company
