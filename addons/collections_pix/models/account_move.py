from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    collection_pix_charge_ids = fields.One2many("collection.pix.charge", "move_id", string="Pix Charges", readonly=True)
    collection_pix_charge_id = fields.Many2one(
        "collection.pix.charge", string="Pix Charge", compute="_compute_collection_pix_charge"
    )
    collection_pix_payload = fields.Char(compute="_compute_collection_pix_charge", string="Pix Copia e Cola")
    collection_pix_qr_image = fields.Binary(compute="_compute_collection_pix_charge", string="Pix QR Code")
    collection_pix_qr_url = fields.Char(compute="_compute_collection_pix_charge", string="Pix QR Image URL")

    @api.depends("collection_pix_charge_ids.state", "collection_pix_charge_ids.payload")
    def _compute_collection_pix_charge(self):
        for move in self:
            charge = move.collection_pix_charge_ids.filtered(lambda c: c.state == "active")[:1]
            move.collection_pix_charge_id = charge
            move.collection_pix_payload = charge.payload
            move.collection_pix_qr_image = charge.qr_image
            move.collection_pix_qr_url = (
                f"{move.get_base_url()}/collections_pix/qr/{charge.txid}.png" if charge else False
            )

    def action_collection_pix_charge(self):
        """Create (or refresh) the Pix charge of these invoices now."""
        self.env["collection.pix.charge"]._ensure_for_moves(self, raise_errors=True)
        return True

    def _collection_stop_if_settled(self):
        res = super()._collection_stop_if_settled()
        # Paid elsewhere, settled by an agreement or reversed: withdraw the Pix charge so nobody pays twice.
        charges = self.sudo().collection_pix_charge_ids.filtered(lambda c: c.state == "active")
        settled = charges.filtered(
            lambda c: c.move_id.state != "posted" or c.move_id.payment_state not in ("not_paid", "partial")
        )
        settled._cancel_remote()
        # Partly paid: the charge asks for too much; the next reminder creates a new one.
        (charges - settled).filtered(lambda c: c._outdated())._cancel_remote()
        return res
