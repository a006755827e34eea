import base64
import datetime
import io
import logging

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.collections_ruler.tools.documents import parse_tax_id

from ..tools import api_pix, brcode

_logger = logging.getLogger(__name__)

CHARGE_STATES = [
    ("to_send", "To Send"),
    ("active", "Active"),
    ("to_cancel", "To Withdraw"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
    ("error", "Failed"),
]
CANCEL_REASONS = [
    ("settled", "Invoice paid, settled or reversed"),
    ("outdated", "Amount or due date changed"),
    ("invalid", "The PSP returned an unusable Pix code"),
    ("manual", "Withdrawn by a user"),
]
LIVE_STATES = ("to_send", "active")
MAX_SYNC_ATTEMPTS = 6  # retried after 1, 2, 4, 8 and 16 minutes: about half an hour for a PSP outage
CLAIM_MINUTES = 5  # longer than the client's worst case (timeout x retries): a crashed worker's claim expires
REFUSED_RETRY_HOURS = 24  # a receivable the PSP refused today gets no new automatic charge before this


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
    state = fields.Selection(CHARGE_STATES, default="to_send", required=True, readonly=True, index=True)
    requested_at = fields.Datetime(
        string="Requested On", readonly=True, default=fields.Datetime.now, help="When the charge was asked for."
    )
    cancel_reason = fields.Selection(CANCEL_REASONS, string="Withdrawal Reason", readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True, help="Calls made to the PSP for the current step.")
    next_attempt_at = fields.Datetime(
        string="Next Attempt", readonly=True, help="Not before this moment (a retry, or a call under way)."
    )
    amount = fields.Monetary(readonly=True, help="What the charge asks for (cob) or its face value (cobv).")
    due_date = fields.Date(readonly=True)
    fine_percent = fields.Float(readonly=True, digits=(5, 2))
    interest_percent_month = fields.Float(readonly=True, digits=(5, 4))
    fine_amount = fields.Monetary(readonly=True, help="The fine included in an immediate charge's amount.")
    interest_amount = fields.Monetary(readonly=True, help="The interest included in an immediate charge's amount.")
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
            DROP INDEX IF EXISTS collection_pix_charge_one_active_per_move;
            CREATE UNIQUE INDEX IF NOT EXISTS collection_pix_charge_one_live_per_move
                ON collection_pix_charge (move_id) WHERE state IN ('to_send', 'active');
            """
        )

    @api.depends("payload")
    def _compute_qr_image(self):
        for charge in self:
            charge.qr_image = base64.b64encode(qr_png(charge.payload)) if charge.payload else False

    # ------------------------------------------------------------------
    # What to do: marked in the caller's transaction, done by the sync cron
    # ------------------------------------------------------------------
    @api.model
    def _ensure_for_moves(self, moves, raise_errors=False):
        """Give each open receivable one live, up-to-date charge; returns the live charges.

        Nothing is sent here: an outdated charge is marked to be withdrawn, a missing one
        is created "to send", and the sync cron calls the PSP once this transaction has
        committed. A receivable the PSP refused lately gets no new automatic charge
        (``raise_errors``, a user's click, always tries again).
        """
        charges = self.browse()
        providers = {}  # one lookup per company, not per invoice
        refused_since = fields.Datetime.now() - datetime.timedelta(hours=REFUSED_RETRY_HOURS)
        marked = False
        for move in moves._collection_filter_open():
            if move.company_id not in providers:
                providers[move.company_id] = self.env["collection.pix.provider"].sudo()._for_company(move.company_id)
            provider = providers[move.company_id]
            if not provider:
                if raise_errors:
                    raise UserError(self.env._("%(company)s has no Pix provider.", company=move.company_id.name))
                continue
            existing = move.sudo().collection_pix_charge_ids
            live = existing.filtered(lambda c: c.state in LIVE_STATES)
            if live and (live.state == "to_send" or not live._outdated()):
                charges |= live
                continue
            if live:
                live._request_cancel("outdated")
                marked = True
            if not raise_errors and existing.filtered(lambda c: c.state == "error" and c.create_date >= refused_since):
                continue
            # The partial unique index must see the withdrawal before the new row is inserted.
            self.flush_model(["state"])
            charges |= self.sudo().create(self._prepare_charge_vals(provider, move))
            marked = True
        if marked:
            self._trigger_sync()
        return charges

    @api.model
    def _prepare_charge_vals(self, provider, move):
        """cobv with the policy's fine and interest while the invoice is not yet due; after that, cob for
        the amount updated to today (a PSP refuses a cobv due in the past)."""
        today = fields.Date.context_today(self)
        values = {
            "txid": api_pix.new_txid("cbr"),
            "provider_id": provider.id,
            "company_id": move.company_id.id,
            "move_id": move.id,
            "state": "to_send",
        }
        if move.invoice_date_due and move.invoice_date_due >= today:
            partner = move.commercial_partner_id.with_company(move.company_id)
            policy = partner._collection_policy()
            terms = policy._terms() if policy else None
            values.update(
                kind="cobv",
                amount=move.amount_residual,
                due_date=move.invoice_date_due,
                # The consumer cap (CDC art. 52 §1) comes from the same rule as the debt update.
                fine_percent=float(terms.fine_rate_for(partner._collection_is_consumer())) if terms else 0.0,
                interest_percent_month=float(terms.interest_percent_month) if terms else 0.0,
            )
        else:
            update = move._collection_debt_update(today).get(move.id)
            values.update(
                kind="cob",
                amount=float(update.total) if update else move.amount_residual,
                fine_amount=float(update.fine) if update else 0.0,
                interest_amount=float(update.interest) if update else 0.0,
                due_date=today,
                expires_at=fields.Datetime.now() + datetime.timedelta(hours=provider.cob_expiration_hours),
            )
        return values

    def _request_cancel(self, reason):
        """Mark live charges to be withdrawn at the PSP by the sync cron (never here: this transaction may
        still roll back, and a payment must not wait on the PSP). A charge that never reached the PSP is
        simply cancelled."""
        never_sent = self.filtered(lambda c: c.state == "to_send" and not c.attempt_count)
        never_sent.write({"state": "cancelled", "cancel_reason": reason})
        to_withdraw = (self - never_sent).filtered(lambda c: c.state in LIVE_STATES)
        if to_withdraw:
            to_withdraw.write(
                {"state": "to_cancel", "cancel_reason": reason, "attempt_count": 0, "next_attempt_at": False}
            )
            self._trigger_sync()
        return to_withdraw

    @api.model
    def _trigger_sync(self):
        self.env.ref("collections_pix.ir_cron_pix_sync")._trigger()

    def action_cancel(self):
        self._request_cancel("manual")
        return True

    def action_retry(self):
        """Send a failed charge again (a user fixed the customer's CPF, the PSP is back)."""
        failed = self.filtered(lambda c: c.state == "error" and not c.cancel_reason)
        self.env["collection.pix.charge"]._ensure_for_moves(failed.move_id, raise_errors=True)
        return True

    # ------------------------------------------------------------------
    # The sync cron: the only place that calls the PSP about a charge
    # ------------------------------------------------------------------
    @api.model
    def _cron_sync(self, batch_size=20):
        """Create and withdraw charges at the PSP, one charge per transaction.

        A charge is claimed (attempt counted, ``next_attempt_at`` pushed past the call's
        worst case) and committed before the call, so no row lock is held while the PSP
        answers and a payment marking the same charge never waits for it. The txid is the
        idempotency key: a repeated PUT recovers the charge an earlier, lost answer created.
        Withdrawals go first, and a receivable's new charge waits for its old one to go.
        """
        self = self.sudo()  # a system job: it works for every company
        done = 0
        activated = False
        for _round in range(batch_size):
            charge = self._lock_next_to_sync()
            if not charge:
                break
            charge.write(
                {
                    "attempt_count": charge.attempt_count + 1,
                    "next_attempt_at": fields.Datetime.now() + datetime.timedelta(minutes=CLAIM_MINUTES),
                }
            )
            self.env["ir.cron"]._collection_commit()
            try:
                with self.env.cr.savepoint():
                    if charge.state == "to_cancel":
                        charge._sync_cancel()
                    else:
                        activated |= charge._sync_send()
            except Exception as error:
                self.env.invalidate_all()
                _logger.exception("collections_pix: charge %s could not be synchronised", charge.txid)
                charge._sync_failed(error, retryable=True)
            self.env["ir.cron"]._collection_commit()
            done += 1
        self.env.cr.execute(
            "SELECT COUNT(*) FROM collection_pix_charge WHERE state IN ('to_send', 'to_cancel')"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= %s)",
            (fields.Datetime.now(),),
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=self.env.cr.fetchone()[0])
        if activated:  # reminders waiting for their Pix can go now
            self.env["collection.communication"]._trigger_dispatch()
        return done

    @api.model
    def _lock_next_to_sync(self):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT c.id FROM collection_pix_charge c
             WHERE c.state IN ('to_send', 'to_cancel')
               AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= %s)
               AND NOT (c.state = 'to_send' AND EXISTS (
                        SELECT 1 FROM collection_pix_charge old
                         WHERE old.move_id = c.move_id AND old.state = 'to_cancel'))
             ORDER BY c.state = 'to_send', c.id
             LIMIT 1
               FOR UPDATE SKIP LOCKED
            """,
            (fields.Datetime.now(),),
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0] if row else [])

    def _sync_send(self):
        """PUT the charge; returns whether it became active."""
        self.ensure_one()
        provider = self.provider_id
        try:
            body = self._prepare_psp_body()
            with provider._client() as client:
                create = client.create_cobv if self.kind == "cobv" else client.create_cob
                answer = create(self.txid, body, recover=self.attempt_count > 1)
            location = answer.get("location") or (answer.get("loc") or {}).get("location")
            payload = answer.get("pixCopiaECola")
            invalid = self._payload_problem(payload, location)
        except api_pix.ApiPixError as error:
            self._sync_failed(error, retryable=_retryable(error))
            return False
        except (UserError, ValueError) as error:
            self._sync_failed(error, retryable=False)
            return False
        # The charge exists at the PSP now. A payment or a user may have asked meanwhile to withdraw it.
        self.invalidate_recordset(["state"])
        values = {"location": location, "next_attempt_at": False}
        if invalid:
            _logger.warning("collections_pix: charge %s: %s", self.txid, invalid)
            values.update(state="to_cancel", cancel_reason="invalid", attempt_count=0, error_message=invalid)
        elif self.state == "to_send":
            values.update(state="active", payload=payload, error_message=False)
        else:
            values.update(state="to_cancel", attempt_count=0, payload=payload)
        self.write(values)
        if values["state"] == "to_cancel":
            self._trigger_sync()
        return values["state"] == "active"

    def _payload_problem(self, payload, location):
        """Why the PSP's pixCopiaECola must not be shown or printed, or None: it must be a valid BR Code
        pointing at this charge's location."""
        try:
            code = brcode.parse(payload or "")
        except brcode.BRCodeError as error:
            return self.env._("The PSP returned an invalid Pix copia e cola: %(error)s", error=error)
        if location and code.url and code.url.removeprefix("https://") != location.removeprefix("https://"):
            return self.env._("The PSP's Pix copia e cola points at another charge (%(url)s).", url=code.url)
        return None

    def _sync_cancel(self):
        """PATCH the charge as removed; a charge the PSP no longer has, or already removed, is done."""
        self.ensure_one()
        try:
            with self.provider_id._client() as client:
                try:
                    (client.cancel_cobv if self.kind == "cobv" else client.cancel_cob)(self.txid)
                except api_pix.ApiPixError as error:
                    if error.status == 404:
                        pass  # it never reached the PSP (a lost PUT): nothing to withdraw
                    elif error.status == 400:
                        status = (client.get_cobv if self.kind == "cobv" else client.get_cob)(self.txid).get("status")
                        if status == api_pix.STATUS_ACTIVE:
                            raise
                        # Removed already, or paid: a payment arrives by webhook or polling and is reconciled.
                    else:
                        raise
        except api_pix.ApiPixError as error:
            self._sync_failed(error, retryable=_retryable(error))
            return
        except UserError as error:
            self._sync_failed(error, retryable=False)
            return
        self.write({"state": "cancelled", "next_attempt_at": False})

    def _sync_failed(self, error, retryable):
        """Try again later with backoff, or give up visibly (state Failed, the PSP's words kept)."""
        self.ensure_one()
        message = str(error)[:500]
        if retryable and self.attempt_count < MAX_SYNC_ATTEMPTS:
            wait = datetime.timedelta(minutes=2 ** (self.attempt_count - 1))
            self.write({"error_message": message, "next_attempt_at": fields.Datetime.now() + wait})
            return
        _logger.warning("collections_pix: charge %s failed at the PSP: %s", self.txid, message)
        self.write({"state": "error", "error_message": message, "next_attempt_at": False})

    def _debtor(self):
        partner = self.move_id.commercial_partner_id
        try:
            document = parse_tax_id(partner.vat or "")
        except ValueError:
            return None
        return api_pix.debtor_from_tax_id(document.digits, partner.name)

    def _prepare_psp_body(self):
        """The API Pix body of this charge; raises UserError or ValueError for what the PSP would refuse."""
        self.ensure_one()
        provider = self.provider_id
        message = self.env._("Invoice %(name)s", name=self.move_id.name)
        if self.kind == "cobv":
            debtor = self._debtor()
            if not debtor:
                raise UserError(
                    self.env._(
                        "A Pix charge with due date needs the customer's CPF or CNPJ (%(partner)s).",
                        partner=self.partner_id.display_name,
                    )
                )
            return api_pix.cobv_body(
                self.amount,
                provider.pix_key,
                self.due_date,
                debtor,
                validity_days=provider.cobv_validity_days,
                fine_percent=self.fine_percent or None,
                interest_percent_month=self.interest_percent_month or None,
                payer_message=message,
            )
        seconds = int((self.expires_at - fields.Datetime.now()).total_seconds()) if self.expires_at else 86400
        return api_pix.cob_body(
            self.amount, provider.pix_key, max(seconds, 60), debtor=self._debtor(), payer_message=message
        )

    def _expired(self):
        """An immediate charge (cob) past its expiry: the payer's bank refuses it."""
        self.ensure_one()
        return bool(self.expires_at and self.expires_at <= fields.Datetime.now())

    def _outdated(self):
        """A live charge no longer asks for the right amount (partly paid, or an overdue cob of yesterday)."""
        self.ensure_one()
        move = self.move_id
        if self.kind == "cobv":
            return self.currency_id.compare_amounts(self.amount, move.amount_residual) != 0
        today = fields.Date.context_today(self)
        return (
            self._expired()
            or self.due_date != today
            or (self.currency_id.compare_amounts(self.amount, move.collection_updated_amount) != 0)
        )


def _retryable(error):
    """Network trouble, throttling and PSP outages pass; a refusal (4xx) needs a person."""
    return isinstance(error, api_pix.ApiPixConnectionError) or (
        error.status is not None and (error.status == 429 or error.status >= 500)
    )
