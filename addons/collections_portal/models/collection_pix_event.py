from odoo import models


class CollectionPixEvent(models.Model):
    _inherit = "collection.pix.event"

    def _reconcile(self):
        """A Pix that pays an invoice also completes the customer's pending Pix transaction of Odoo's
        payment framework ("Pay now"), with the payment the reconciliation made."""
        res = super()._reconcile()
        if self.state == "done":
            self.env["payment.transaction"]._collection_pix_settle(self.move_id)
        return res
