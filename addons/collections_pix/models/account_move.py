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
            # An immediate charge past its expiry can no longer be paid: never shown as live.
            charge = move.collection_pix_charge_ids.filtered(lambda c: c.state == "active" and not c._expired())[:1]
            move.collection_pix_charge_id = charge
            move.collection_pix_payload = charge.payload
            move.collection_pix_qr_image = charge.qr_image
            move.collection_pix_qr_url = (
                f"{move.get_base_url()}/collections_pix/qr/{charge.txid}.png" if charge else False
            )

    def action_collection_pix_charge(self):
        """Ask for the Pix charge of these invoices: the PSP is called right after this click commits."""
        charges = self.env["collection.pix.charge"]._ensure_for_moves(self, raise_errors=True)
        pending = charges.filtered(lambda c: c.state == "to_send")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info" if pending else "success",
                "message": self.env._(
                    "The Pix charge is being registered at the PSP: its QR code shows here in a moment."
                )
                if pending
                else self.env._("The Pix charge is active."),
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _collection_stop_if_settled(self):
        res = super()._collection_stop_if_settled()
        # Paid elsewhere, settled by an agreement or reversed: withdraw the Pix charge so nobody pays twice.
        # Only marked here; the sync cron calls the PSP once this transaction has committed.
        charges = self.sudo().collection_pix_charge_ids.filtered(lambda c: c.state in ("to_send", "active"))
        open_moves = charges.move_id._collection_filter_open()
        settled = charges.filtered(lambda c: c.move_id not in open_moves)
        settled._request_cancel("settled")
        # Partly paid: the charge asks for too much; the next reminder creates a new one.
        (charges - settled).filtered(lambda c: c.state == "active" and c._outdated())._request_cancel("outdated")
        return res
