from odoo import api, fields, models

from .collection_boleto import LIVE_STATES


class AccountMove(models.Model):
    _inherit = "account.move"

    collection_pix_charge_ids = fields.One2many("collection.pix.charge", "move_id", string="Pix Charges", readonly=True)
    collection_pix_charge_id = fields.Many2one(
        "collection.pix.charge", string="Pix Charge", compute="_compute_collection_pix_charge"
    )
    collection_pix_payload = fields.Char(compute="_compute_collection_pix_charge", string="Pix Copia e Cola")
    collection_pix_qr_image = fields.Binary(compute="_compute_collection_pix_charge", string="Pix QR Code")
    collection_pix_qr_url = fields.Char(compute="_compute_collection_pix_charge", string="Pix QR Image URL")
    collection_boleto_ids = fields.One2many("collection.boleto", "move_id", string="Boletos", readonly=True)
    collection_boleto_id = fields.Many2one(
        "collection.boleto", string="Boleto", compute="_compute_collection_boleto", help="The live boleto."
    )
    collection_pix_pending = fields.Boolean(
        compute="_compute_collection_pix_charge",
        string="Pix Charge Being Registered",
        help="A charge waits for the PSP: it becomes active (with its QR code) in a moment.",
    )

    @api.depends("collection_pix_charge_ids.state", "collection_pix_charge_ids.payload")
    def _compute_collection_pix_charge(self):
        for move in self:
            # An immediate charge past its expiry can no longer be paid: never shown as live.
            charge = move.collection_pix_charge_ids.filtered(lambda c: c.state == "active" and not c._expired())[:1]
            move.collection_pix_charge_id = charge
            move.collection_pix_pending = any(c.state == "to_send" for c in move.collection_pix_charge_ids)
            move.collection_pix_payload = charge.payload
            move.collection_pix_qr_image = charge.qr_image
            move.collection_pix_qr_url = (
                f"{move.get_base_url()}/collections_pix/qr/{charge.txid}.png" if charge else False
            )

    @api.depends("collection_boleto_ids.state")
    def _compute_collection_boleto(self):
        for move in self:
            move.collection_boleto_id = move.collection_boleto_ids.filtered(lambda b: b.state in LIVE_STATES)[:1]

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
        # The same for boletos: one never sent is cancelled, one the bank knows is written off in the next
        # remittance (a boleto híbrido whose Pix was paid must not be paid a second time).
        boletos = self.sudo().collection_boleto_ids.filtered(lambda b: b.state in LIVE_STATES)
        boletos.filtered(lambda b: not b.move_id._collection_filter_open())._collection_withdraw(
            self.env._("Paid or settled another way")
        )
        return res

    def _collection_set_due_date(self, day):
        res = super()._collection_set_due_date(day)
        self.sudo().collection_boleto_ids._change_due_date(day)
        return res

    def action_collection_boleto(self):
        """Issue the boleto of these invoices; it is registered with the bank by the next remittance."""
        boletos = self.env["collection.boleto"]._ensure_for_moves(self, raise_errors=True)
        return boletos.action_print()
