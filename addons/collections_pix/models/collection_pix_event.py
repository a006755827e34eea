import dataclasses
import json
import logging
import time

from odoo import api, fields, models, modules
from odoo.tools import config

from odoo.addons.collections_ruler.tools.debt import DebtUpdate, money, to_decimal, update_debt

_logger = logging.getLogger(__name__)


def _time_budget():
    """Seconds a reconciliation run may take: half the cron's real-time limit (Odoo kills it there)."""
    limit = config.get("limit_time_real_cron") or -1
    if limit is None or limit <= 0:
        limit = config.get("limit_time_real") or 120
    return max(limit / 2, 1)


EVENT_STATES = [
    ("new", "To Reconcile"),
    ("done", "Reconciled"),
    ("review", "To Review"),
    ("ignored", "Ignored"),
]


class CollectionPixEvent(models.Model):
    _name = "collection.pix.event"
    _description = "Pix Payment Notification"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "end_to_end_id"

    end_to_end_id = fields.Char(string="endToEndId", required=True, readonly=True, index=True)
    txid = fields.Char(readonly=True, index=True)
    amount = fields.Monetary(readonly=True)
    paid_at = fields.Datetime(readonly=True)
    payer_name = fields.Char(readonly=True)
    payer_info = fields.Char(string="Payer Message", readonly=True)
    payload = fields.Text(string="As Received", readonly=True)
    source = fields.Selection([("webhook", "Webhook"), ("polling", "Polling")], readonly=True)
    provider_id = fields.Many2one("collection.pix.provider", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(EVENT_STATES, default="new", required=True, index=True, tracking=True)
    review_reason = fields.Char(readonly=True, tracking=True)
    charge_id = fields.Many2one("collection.pix.charge", readonly=True)
    move_id = fields.Many2one("account.move", string="Receivable", readonly=True)
    payment_id = fields.Many2one("account.payment", readonly=True)

    _sql_constraints = [
        # At-least-once delivery and polling both bring the same Pix again: one row, one payment.
        ("end_to_end_uniq", "unique(end_to_end_id)", "A Pix (endToEndId) is recorded once."),
    ]

    @api.model
    def _ingest_committed(self, provider, notifications, source, cursor_factory=None):
        """Store notifications in a short transaction of their own, committed at once.

        At READ COMMITTED, a delivery racing another of the same Pix waits for it and
        finds the row (a duplicate, answered 200), where the request's REPEATABLE READ
        transaction would fail to serialise. Under Odoo's test runner, whose cursor may not
        commit, it stores in a savepoint of the current transaction instead.
        """
        if cursor_factory is None and modules.module.current_test:
            with self.env.cr.savepoint():
                return self._ingest(provider, notifications, source)
        with (cursor_factory or self.env.registry.cursor)() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            new = self._insert_notifications(cr, provider, notifications, source)
            cr.commit()
        return new

    @api.model
    def _ingest_each(self, provider, notifications, source):
        """Store what polling brought: all in one statement, or, when one record cannot be stored, each
        in its own savepoint so the others are kept. Returns how many were new."""
        try:
            with self.env.cr.savepoint():
                return self._ingest(provider, notifications, source)
        except Exception:
            self.env.invalidate_all()
        new = 0
        for notification in notifications:
            try:
                with self.env.cr.savepoint():
                    new += self._ingest(provider, [notification], source)
            except Exception as error:
                self.env.invalidate_all()
                _logger.warning(
                    "collections_pix: %s listed a Pix that cannot be stored (%s): %s",
                    provider.name,
                    notification.end_to_end_id,
                    error,
                )
        return new

    @api.model
    def _ingest(self, provider, notifications, source):
        """Store new notifications raw, in the current transaction; returns how many were new."""
        self.env.flush_all()
        return self._insert_notifications(self.env.cr, provider, notifications, source)

    @api.model
    def _insert_notifications(self, cr, provider, notifications, source):
        """Store new notifications raw with ``cr``, in one statement; returns how many were new.

        ``ON CONFLICT DO NOTHING`` makes a duplicate (a second delivery, the poller
        finding what the webhook brought) a no-op, even from concurrent transactions.
        """
        if not notifications:
            return 0
        rows = [
            (
                n.end_to_end_id,
                n.txid,
                float(n.amount),
                n.paid_at.replace(tzinfo=None),
                n.payer_name,
                (n.payer_info or "")[:500] or None,
                json.dumps(n.raw, ensure_ascii=False, sort_keys=True),
            )
            for n in notifications
        ]
        cr.execute(
            """
            INSERT INTO collection_pix_event
                   (end_to_end_id, txid, amount, paid_at, payer_name, payer_info, payload,
                    source, provider_id, company_id, state, create_uid, create_date, write_uid, write_date)
            SELECT e2e, txid, amount, paid_at, payer_name, payer_info, payload,
                   %(source)s, %(provider)s, %(company)s, 'new',
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM unnest(%(e2e)s::varchar[], %(txid)s::varchar[], %(amount)s::numeric[], %(paid_at)s::timestamp[],
                          %(payer_name)s::varchar[], %(payer_info)s::varchar[], %(payload)s::text[])
                   AS n(e2e, txid, amount, paid_at, payer_name, payer_info, payload)
            ON CONFLICT (end_to_end_id) DO NOTHING
            RETURNING id
            """,
            {
                "source": source,
                "provider": provider.id,
                "company": provider.company_id.id,
                "uid": self.env.uid,
                **dict(
                    zip(
                        ("e2e", "txid", "amount", "paid_at", "payer_name", "payer_info", "payload"),
                        (list(column) for column in zip(*rows, strict=True)),
                        strict=True,
                    )
                ),
            },
        )
        return len(cr.fetchall())

    @api.model
    def _cron_reconcile(self, batch_size=200):
        """Turn new notifications into payments, one per transaction.

        Each event is locked with SKIP LOCKED (a webhook-triggered run and the poller never
        handle the same Pix), reconciled in a savepoint and committed, so a redelivery
        never waits behind a batch and a slow run stops well inside the cron's time limit,
        reporting what remains so Odoo calls it again.
        """
        deadline = time.monotonic() + _time_budget()
        done = 0
        while done < batch_size and time.monotonic() < deadline:
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT id FROM collection_pix_event WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
            row = self.env.cr.fetchone()
            if not row:
                break
            self.sudo().browse(row[0])._reconcile_each()
            done += 1
            self.env["ir.cron"]._collection_commit()
        self.env.cr.execute("SELECT COUNT(*) FROM collection_pix_event WHERE state = 'new'")
        self.env["ir.cron"]._notify_progress(done=done, remaining=self.env.cr.fetchone()[0])
        return done

    def _reconcile_each(self):
        """Reconcile these locked events, each in its own savepoint: one failure goes to review alone."""
        for event in self:
            try:
                with self.env.cr.savepoint():
                    event._reconcile()
            except Exception as error:
                _logger.exception("collections_pix: Pix %s could not be reconciled", event.end_to_end_id)
                self.env.invalidate_all()
                event.write({"state": "review", "review_reason": self.env._("Error: %(error)s", error=error)})

    def _review(self, reason, **values):
        self.write({"state": "review", "review_reason": reason, **values})

    def _reconcile(self):
        self.ensure_one()
        # Charges are the system's bookkeeping (read-only to users); the payment is made with the caller's rights.
        Charge = self.env["collection.pix.charge"].sudo()
        charge = Charge.search([("txid", "=", self.txid)], limit=1) if self.txid else None
        if not charge or charge.company_id != self.company_id:
            return self._review(self.env._("No charge with this txid: a Pix not made from our QR codes."))
        if charge.provider_id != self.provider_id:
            # Only the PSP that issued the charge can say it was paid: a notification coming through another
            # provider's URL (and secret) pays nothing.
            return self._review(
                self.env._(
                    "The charge was issued through %(issuer)s but this Pix was notified through %(provider)s.",
                    issuer=charge.provider_id.name,
                    provider=self.provider_id.name,
                ),
                charge_id=charge.id,
            )
        move = charge.move_id
        values = {"charge_id": charge.id, "move_id": move.id}
        if charge.state == "paid":
            return self._review(self.env._("The charge was already paid by another Pix: refund one."), **values)
        if not move._collection_filter_open():
            return self._review(self.env._("The invoice was already paid: refund this Pix."), **values)
        expected_debt = self._expected_debt(charge)
        expected = expected_debt.total
        received = money(self.amount)
        if received != expected:
            return self._review(
                self.env._(
                    "Received %(received)s where the charge asked for %(expected)s.",
                    received=self.currency_id.format(float(received)),
                    expected=self.currency_id.format(float(expected)),
                ),
                **values,
            )
        # Paid first, so the reconciliation below does not withdraw it as "paid elsewhere".
        charge.write({"state": "paid", "paid_amount": self.amount, "paid_at": self.paid_at, "event_id": self.id})
        payment = self._register_payment(charge, move, expected_debt)
        charge.payment_id = payment
        self.write({"state": "done", "payment_id": payment.id, **values})
        return True

    def _expected_debt(self, charge):
        """What the PSP should have collected, as principal, fine and interest: a cob's amount as it was
        updated when created, a cobv's face value plus the fine and interest of a late payment."""
        amount = money(charge.amount)
        if charge.kind != "cobv":
            fine, interest = money(charge.fine_amount), money(charge.interest_amount)
            return DebtUpdate(amount - fine - interest, fine, interest)
        paid_on = fields.Datetime.context_timestamp(self, self.paid_at).date()
        policy = charge.move_id.commercial_partner_id.with_company(charge.company_id)._collection_policy()
        terms = policy._terms() if policy else None
        if not terms or paid_on <= charge.due_date:
            return DebtUpdate(amount)
        # The PSP applies the rates frozen on the charge, from the day after the due date.
        terms = dataclasses.replace(
            terms,
            fine_percent=to_decimal(charge.fine_percent),
            interest_percent_month=to_decimal(charge.interest_percent_month),
            grace_days=0,
        )
        return update_debt(amount, charge.due_date, paid_on, terms)

    def _register_payment(self, charge, move, expected_debt):
        """A payment in the provider's bank journal, reconciled with the invoice; what exceeds the open
        amount is written off to the policy's fine and interest accounts, each its part."""
        provider = charge.provider_id
        policy = move.commercial_partner_id.with_company(move.company_id)._collection_policy()
        paid_on = fields.Datetime.context_timestamp(self, self.paid_at).date()
        wizard_values = {
            "payment_date": paid_on,
            "journal_id": provider.journal_id.id,
            "amount": self.amount,
            "communication": f"Pix {self.end_to_end_id}",
        }
        split = []
        if move.currency_id.compare_amounts(self.amount, move.amount_residual) > 0:
            split = policy._charges_split(
                money(self.amount) - money(move.amount_residual),
                expected_debt.fine,
                self.env._("Fine received by Pix"),
                self.env._("Interest received by Pix"),
            )
            wizard_values.update(
                payment_difference_handling="reconcile",
                writeoff_account_id=policy.interest_account_id.id,
                writeoff_label=self.env._("Fine and interest received by Pix"),
            )
        register = (
            self.env["account.payment.register"]
            .with_company(move.company_id)
            .with_context(active_model="account.move", active_ids=move.ids, collection_writeoff_split=split)
            .create(wizard_values)
        )
        payment = register._create_payments()
        payment.message_post(
            body=self.env._("Pix %(e2e)s received for charge %(txid)s.", e2e=self.end_to_end_id, txid=charge.txid)
        )
        return payment

    def action_retry(self):
        """Reconcile again the selected notifications only, with the rights of the user who asks."""
        retry = self.filtered(lambda e: e.state == "review")
        if not retry:
            return True
        self.env.flush_all()
        # Skip what a running reconciliation holds: it is being handled.
        self.env.cr.execute(
            "SELECT id FROM collection_pix_event WHERE id IN %s AND state = 'review' FOR UPDATE SKIP LOCKED",
            (tuple(retry.ids),),
        )
        locked = self.browse([row[0] for row in self.env.cr.fetchall()])
        locked.write({"state": "new", "review_reason": False})
        locked._reconcile_each()
        return True

    def action_ignore(self):
        self.filtered(lambda e: e.state in ("new", "review")).write({"state": "ignored"})
        return True
