import json
import logging

from werkzeug.exceptions import NotFound

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.tools import consteq

from ..models.collection_pix_charge import qr_png
from ..tools import api_pix

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a PSP batches a few hundred Pix at most


def _answer(status, **body):
    return request.make_response(json.dumps(body), headers=[("Content-Type", "application/json")], status=status)


class PixWebhookController(http.Controller):
    @http.route(
        [
            "/collections_pix/webhook/<int:provider_id>/<string:token>",
            # PSPs append /pix to the registered URL (Banco Central's API Pix).
            "/collections_pix/webhook/<int:provider_id>/<string:token>/pix",
        ],
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def pix_webhook(self, provider_id, token, **_kwargs):
        """Store the notification and answer at once; reconciliation runs in the background cron.

        401 for a wrong secret or signature, 400 for a body that is not API Pix,
        503 (never 500) if storing fails, so the PSP delivers it again.
        """
        body = request.httprequest.get_data(cache=False)
        try:
            env = request.env(user=SUPERUSER_ID)
            provider = env["collection.pix.provider"].browse(provider_id).exists()
            if not provider or not provider.active or not consteq(provider.webhook_token or "", token):
                return _answer(401, error="unauthorized")
            if provider.webhook_hmac_secret and not api_pix.verify_signature(
                provider.webhook_hmac_secret, body, request.httprequest.headers.get(api_pix.SIGNATURE_HEADER)
            ):
                return _answer(401, error="bad signature")
            if len(body) > MAX_BODY:
                return _answer(400, error="body too large")
            try:
                notifications = api_pix.parse_notification(body)
            except api_pix.InvalidNotification as error:
                return _answer(400, error=str(error))
            with env.cr.savepoint():
                new = env["collection.pix.event"]._ingest(provider, notifications, "webhook")
            if new:
                env.ref("collections_pix.ir_cron_pix_reconcile")._trigger()
            return _answer(200, received=len(notifications), new=new)
        except Exception:
            _logger.exception("collections_pix: webhook for provider %s failed", provider_id)
            request.env.cr.rollback()
            return _answer(503, error="try again later")

    @http.route("/collections_pix/qr/<string:txid>.png", type="http", auth="public", methods=["GET"])
    def pix_qr(self, txid, **_kwargs):
        """QR image for e-mails (mail clients block inline data images). The txid is 32 random characters."""
        if not api_pix.is_valid_txid(txid):
            raise NotFound()
        charge = (
            request.env["collection.pix.charge"].sudo().search([("txid", "=", txid), ("state", "=", "active")], limit=1)
        )
        if not charge.payload:
            raise NotFound()
        return request.make_response(
            qr_png(charge.payload), headers=[("Content-Type", "image/png"), ("Cache-Control", "private, max-age=3600")]
        )
