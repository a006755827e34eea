import base64
import datetime
import io
import logging

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.collections_ruler.models.account_move import OPEN_PAYMENT_STATES
from odoo.addons.collections_ruler.tools.debt import CONSUMER_FINE_CAP, to_decimal

from ..tools import api_pix
from ..tools.documents import parse_tax_id

_logger = logging.getLogger(__name__)

CHARGE_STATES = [
    ("draft", "Not Sent"),
    ("active", "Active"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
    ("error", "Refused by the PSP"),
]


def qr_png(payload):
    """PNG bytes of a QR code; medium error correction, as banks' apps expect."""
    image = qrcode.make(payload, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class CollectionPixCharge(models.Model):
    _name = "collection.pix.charge"
    _description = "Pix Charge"
    _order = "id desc"
    _rec_name = "txid"
    _check_company_auto = True

    txid = fields.Char(required=True, readonly=True, copy=False, index=True)
    provider_id = fields.Many2one("collection.pix.provider", required=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_id = fields.Many2one(
        "account.move", string="Receivable", required=True, readonly=True, index=True, check_company=True
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", store=True, string="Customer")
    kind = fields.Selection(
        [("cob", "Immediate (cob)"), ("cobv", "With Due Date (cobv)")], required=True, readonly=True
    )
    state = fields.Selection(CHARGE_STATES, default="draft", required=True, readonly=True, index=True)
    amount = fields.Monetary(readonly=True, help="What the charge asks for (cob) or its face value (cobv).")
    due_date = fields.Date(readonly=True)
    fine_percent = fields.Float(readonly=True, digits=(5, 2))
    interest_percent_month = fields.Float(readonly=True, digits=(5, 4))
    expires_at = fields.Datetime(readonly=True)
    location = fields.Char(readonly=True)
    payload = fields.Char(string="Pix Copia e Cola", readonly=True)
    qr_image = fields.Binary(string="QR Code", compute="_compute_qr_image")
    error_message = fields.Char(readonly=True)
    paid_amount = fields.Monetary(readonly=True)
    paid_at = fields.Datetime(readonly=True)
    event_id = fields.Many2one("collection.pix.event", string="Payment Notification", readonly=True)
    payment_id = fields.Many2one("account.payment", readonly=True)

    _sql_constraints = [
        ("txid_uniq", "unique(txid)", "A txid identifies one charge."),
        ("txid_format", "CHECK(txid ~ '^[a-zA-Z0-9]{26,35}$')", "A txid has 26 to 35 letters and digits."),
    ]

    def init(self):
        # One live charge per receivable: a second one would let the customer pay twice.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS collection_pix_charge_one_active_per_move
                ON collection_pix_charge (move_id) WHERE state IN ('draft', 'active')
            """
        )

    @api.depends("payload")
    def _compute_qr_image(self):
        for charge in self:
            charge.qr_image = base64.b64encode(qr_png(charge.payload)) if charge.payload else False

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------
    @api.model
    def _ensure_for_moves(self, moves, raise_errors=False):
        """The live charge of each open receivable, created at the PSP when missing or outdated."""
        charges = self.browse()
        providers = {}  # one lookup per company, not per invoice
        for move in moves.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted" and m.payment_state in OPEN_PAYMENT_STATES
        ):
            if move.company_id not in providers:
                providers[move.company_id] = self.env["collection.pix.provider"].sudo()._for_company(move.company_id)
            provider = providers[move.company_id]
            if not provider:
                if raise_errors:
                    raise UserError(self.env._("%(company)s has no Pix provider.", company=move.company_id.name))
                continue
            current = move.sudo().collection_pix_charge_ids.filtered(lambda c: c.state == "active")
            if current and not current._outdated():
                charges |= current
                continue
            current._cancel_remote()
            if current.filtered(lambda c: c.state == "active"):
                if raise_errors:
                    raise UserError(self.env._("The PSP did not withdraw the previous Pix charge: try again later."))
                continue
            # The partial unique index must see the withdrawal before the new row is inserted.
            self.flush_model(["state"])
            charge = self.sudo().create(self._charge_values(provider, move))
            charge._send(raise_errors=raise_errors)
            if charge.state == "active":
                charges |= charge
        return charges

    @api.model
    def _charge_values(self, provider, move):
        """cobv with the policy's fine and interest while the invoice is not yet due; after that, cob for
        the amount updated to today (a PSP refuses a cobv due in the past)."""
        today = fields.Date.context_today(self)
        values = {
            "txid": api_pix.new_txid("cbr"),
            "provider_id": provider.id,
            "company_id": move.company_id.id,
            "move_id": move.id,
        }
        if move.invoice_date_due and move.invoice_date_due >= today:
            policy = move.commercial_partner_id.with_company(move.company_id)._collection_policy()
            fine = to_decimal(policy.fine_percent) if policy else 0
            if fine and not move.commercial_partner_id.is_company:
                fine = min(fine, CONSUMER_FINE_CAP)
            values.update(
                kind="cobv",
                amount=move.amount_residual,
                due_date=move.invoice_date_due,
                fine_percent=float(fine),
                interest_percent_month=policy.interest_percent_month if policy else 0.0,
            )
        else:
            update = move._collection_debt_update(today).get(move.id)
            values.update(
                kind="cob",
                amount=float(update.total) if update else move.amount_residual,
                due_date=today,
                expires_at=fields.Datetime.now() + datetime.timedelta(hours=provider.cob_expiration_hours),
            )
        return values

    def _debtor(self):
        partner = self.move_id.commercial_partner_id
        try:
            document = parse_tax_id(partner.vat or "")
        except ValueError:
            return None
        return api_pix.debtor_from_tax_id(document.digits, partner.name)

    def _send(self, raise_errors=False):
        """PUT the charge at the PSP. The txid is the idempotency key: a retry re-sends the same one."""
        self.ensure_one()
        provider = self.provider_id
        message = self.env._("Invoice %(name)s", name=self.move_id.name)
        try:
            if self.kind == "cobv":
                debtor = self._debtor()
                if not debtor:
                    raise UserError(
                        self.env._(
                            "A Pix charge with due date needs the customer's CPF or CNPJ (%(partner)s).",
                            partner=self.partner_id.display_name,
                        )
                    )
                body = api_pix.cobv_body(
                    self.amount,
                    provider.pix_key,
                    self.due_date,
                    debtor,
                    validity_days=provider.cobv_validity_days,
                    fine_percent=self.fine_percent or None,
                    interest_percent_month=self.interest_percent_month or None,
                    payer_message=message,
                )
                with provider._client() as client:
                    answer = client.create_cobv(self.txid, body)
            else:
                seconds = int((self.expires_at - fields.Datetime.now()).total_seconds()) if self.expires_at else 86400
                body = api_pix.cob_body(
                    self.amount, provider.pix_key, max(seconds, 60), debtor=self._debtor(), payer_message=message
                )
                with provider._client() as client:
                    answer = client.create_cob(self.txid, body)
        except (api_pix.ApiPixError, UserError, ValueError) as error:
            self.write({"state": "error", "error_message": str(error)[:500]})
            if raise_errors:
                raise UserError(self.env._("The Pix charge was not created: %(error)s", error=error)) from error
            _logger.warning("collections_pix: charge %s refused: %s", self.txid, error)
            return
        self.write(
            {
                "state": "active",
                "location": answer.get("location") or (answer.get("loc") or {}).get("location"),
                "payload": answer.get("pixCopiaECola"),
                "error_message": False,
            }
        )

    def _outdated(self):
        """A live charge no longer asks for the right amount (partly paid, or an overdue cob of yesterday)."""
        self.ensure_one()
        move = self.move_id
        if self.kind == "cobv":
            return self.currency_id.compare_amounts(self.amount, move.amount_residual) != 0
        today = fields.Date.context_today(self)
        expired = self.expires_at and self.expires_at <= fields.Datetime.now()
        return (
            expired
            or self.due_date != today
            or (self.currency_id.compare_amounts(self.amount, move.collection_updated_amount) != 0)
        )

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------
    def _cancel_remote(self):
        """Withdraw live charges at the PSP (paid elsewhere, agreement, amount change). Best effort:
        a charge the PSP would not withdraw stays active and a payment on it still reconciles."""
        for charge in self.filtered(lambda c: c.state in ("draft", "active")):
            if charge.state == "draft":
                charge.state = "cancelled"
                continue
            try:
                with charge.provider_id._client() as client:
                    (client.cancel_cobv if charge.kind == "cobv" else client.cancel_cob)(charge.txid)
            except (api_pix.ApiPixError, UserError) as error:
                _logger.warning(
                    "collections_pix: could not withdraw charge %s: %s", charge.txid, error, stack_info=True
                )
                charge.error_message = str(error)[:500]
                continue
            charge.state = "cancelled"

    def action_cancel(self):
        self._cancel_remote()
        return True
