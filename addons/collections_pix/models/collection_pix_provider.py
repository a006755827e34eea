import base64
import contextlib
import datetime
import logging
import os
import secrets
import tempfile

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import api_pix

_logger = logging.getLogger(__name__)


class CollectionPixProvider(models.Model):
    _name = "collection.pix.provider"
    _description = "Pix Provider (PSP)"
    _inherit = ["mail.thread"]
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")], default="sandbox", required=True, tracking=True
    )
    base_url = fields.Char(
        string="API Pix URL", required=True, tracking=True, help="e.g. https://pix.example-bank.com.br/api/v2"
    )
    token_url = fields.Char(string="OAuth Token URL", help="Empty: the API Pix URL followed by /oauth/token.")
    allow_http = fields.Boolean(
        string="Allow Plain HTTP",
        help="Only for a sandbox on a private network (the Docker demo). Credentials travel in clear otherwise.",
    )
    client_id = fields.Char(string="Client ID", groups="base.group_system", copy=False)
    client_secret = fields.Char(string="Client Secret", groups="base.group_system", copy=False)
    certificate = fields.Binary(
        string="Certificate (PEM)",
        attachment=True,
        groups="base.group_system",
        copy=False,
        help="The company's certificate for mutual TLS, issued by the PSP.",
    )
    certificate_key = fields.Binary(string="Private Key (PEM)", attachment=True, groups="base.group_system", copy=False)
    ca_bundle = fields.Binary(
        string="PSP CA Bundle (PEM)",
        attachment=True,
        groups="base.group_system",
        copy=False,
        help="Only if the PSP's certificate is not signed by a public authority. TLS is always verified.",
    )
    pix_key = fields.Char(string="Pix Key", required=True, tracking=True, help="The key payments are received on.")
    webhook_token = fields.Char(
        groups="base.group_system",
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        help="Secret part of the webhook URL: notifications without it are refused.",
    )
    webhook_hmac_secret = fields.Char(
        string="Webhook Signing Secret",
        groups="base.group_system",
        copy=False,
        help="If the PSP signs its notifications (X-Pix-Signature: sha256=HMAC of the body), the shared secret.",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url", groups="base.group_system")
    journal_id = fields.Many2one(
        "account.journal",
        string="Receiving Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="The bank account the Pix payments arrive in.",
    )
    auto_charge = fields.Boolean(
        string="Pix in Every Reminder",
        default=True,
        help="The ruler creates a Pix charge for the invoices of each e-mail and WhatsApp it sends.",
    )
    cob_expiration_hours = fields.Integer(
        string="Immediate Charge Valid For (hours)",
        default=24,
        help="Overdue debts: the updated amount is valid today.",
    )
    cobv_validity_days = fields.Integer(
        string="Payable Days After Due Date", default=60, help="A charge with due date can be paid this long after it."
    )
    poll_hours = fields.Integer(
        string="Polling Window (hours)", default=6, help="Each run of the polling cron asks for the Pix of this window."
    )
    last_poll_at = fields.Datetime(readonly=True, copy=False)
    state_message = fields.Char(string="Last Check", readonly=True, copy=False)

    _sql_constraints = [
        ("cob_expiration_positive", "CHECK(cob_expiration_hours > 0)", "A charge must be valid for some time."),
        ("poll_hours_positive", "CHECK(poll_hours > 0)", "The polling window must be at least an hour."),
    ]

    @api.depends("webhook_token")
    def _compute_webhook_url(self):
        for provider in self:
            provider.webhook_url = (
                f"{provider.get_base_url()}/collections_pix/webhook/{provider.id}/{provider.webhook_token}"
                if provider.id and provider.webhook_token
                else False
            )

    @api.model
    def _for_company(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)

    @contextlib.contextmanager
    def _client(self):
        """An API Pix client for this provider; certificate files exist only while it is in use."""
        self.ensure_one()
        provider = self.sudo()
        if not provider.client_id or not provider.client_secret:
            raise UserError(self.env._("Fill in the client ID and secret of %(name)s.", name=provider.name))
        with tempfile.TemporaryDirectory(prefix="pix-") as folder, requests.Session() as session:

            def materialise(field_name):
                value = provider[field_name]
                if not value:
                    return None
                path = os.path.join(folder, field_name)
                with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as handle:
                    handle.write(base64.b64decode(value))
                return path

            certificate, key, ca_bundle = (
                materialise("certificate"),
                materialise("certificate_key"),
                materialise("ca_bundle"),
            )
            cert = (certificate, key) if certificate and key else certificate
            try:
                client = api_pix.ApiPixClient(
                    session,
                    provider.base_url.rstrip("/"),
                    provider.client_id,
                    provider.client_secret,
                    token_url=provider.token_url or None,
                    cert=cert,
                    verify=ca_bundle or True,
                    allow_http=provider.allow_http,
                    # One number, not (connect, read): Odoo's test harness compares it with an int.
                    timeout=20,
                )
            except ValueError as error:
                raise UserError(
                    self.env._("The Pix provider %(name)s is misconfigured: %(error)s", name=provider.name, error=error)
                ) from error
            yield client

    def action_test_connection(self):
        self.ensure_one()
        try:
            with self._client() as client:
                result = client.test_connection()
        except api_pix.ApiPixError as error:
            self.state_message = str(error)[:250]
            raise UserError(self.env._("The PSP refused the connection: %(error)s", error=error)) from error
        self.state_message = self.env._("Connected; scopes: %(scopes)s", scopes=result.get("token_scopes") or "-")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": self.state_message, "sticky": False},
        }

    def action_register_webhook(self):
        """Tell the PSP where to notify payments (it appends /pix to this URL)."""
        self.ensure_one()
        url = self.sudo().webhook_url
        try:
            with self._client() as client:
                client.put_webhook(self.pix_key, url)
        except api_pix.ApiPixError as error:
            raise UserError(self.env._("The PSP refused the webhook: %(error)s", error=error)) from error
        self.message_post(body=self.env._("Webhook registered for the key %(key)s.", key=self.pix_key))
        return True

    @api.model
    def _cron_poll(self):
        """Fallback for missed notifications: list the Pix received lately and reconcile the new ones."""
        # The wall clock, not the transaction's: the window must reach payments made a second ago,
        # plus a minute of tolerance for the PSP's clock.
        now = datetime.datetime.now(datetime.timezone.utc)
        for provider in self.sudo().search([]):
            start = now - datetime.timedelta(hours=provider.poll_hours)
            try:
                with provider._client() as client:
                    records = client.list_pix(start, now + datetime.timedelta(minutes=1))
            except (api_pix.ApiPixError, UserError) as error:
                _logger.warning("collections_pix: polling %s failed: %s", provider.name, error)
                provider.state_message = str(error)[:250]
                continue
            notifications = []
            for record in records:
                try:
                    notifications.append(api_pix.parse_pix_record(record))
                except api_pix.InvalidNotification as error:
                    _logger.warning("collections_pix: %s listed an unreadable Pix: %s", provider.name, error)
            # One record that cannot be stored never costs the others (nor the next providers).
            self.env["collection.pix.event"]._ingest_each(provider, notifications, "polling")
            provider.last_poll_at = now.replace(tzinfo=None)
        # Reconciled by its own cron (its own transactions and progress), right after this one commits.
        self.env.ref("collections_pix.ir_cron_pix_reconcile")._trigger()
