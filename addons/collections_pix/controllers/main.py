import hmac
import json
import logging

from werkzeug.exceptions import NotFound

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.collection_pix_charge import qr_png
from ..tools import api_pix

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # a PSP batches a few hundred Pix at most


def _same_secret(expected, given):
    """Constant-time comparison of URL secrets, as bytes: any text, ASCII or not, compares."""
    return bool(expected) and hmac.compare_digest(
        expected.encode("utf-8"), (given or "").encode("utf-8", "surrogatepass")
    )


def _is_json(mimetype):
    return mimetype == "application/json" or (mimetype or "").endswith("+json")


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

        A PSP delivers at least once and retries what is not 2xx, so every answer says
        what to do: 200 stored (or already stored: a duplicate is not an error), 401 a
        wrong secret or signature, 411/413 no or too large a Content-Length (checked
        before reading), 415 not JSON, 400 a body that will never be valid, 503 only
        when storing failed and a retry may succeed. Never 500.
        """
        http_request = request.httprequest
        try:
            env = request.env(user=SUPERUSER_ID)
            provider = env["collection.pix.provider"].browse(provider_id).exists()
            if not provider or not provider.active or not _same_secret(provider.webhook_token, token):
                return _answer(401, error="unauthorized")
            if not _is_json(http_request.mimetype):
                return _answer(415, error="the body must be application/json")
            length = http_request.content_length
            if length is None:
                return _answer(411, error="Content-Length is required")
            if length > MAX_BODY:
                return _answer(413, error="body too large")
            body = http_request.get_data(cache=False)
            if provider.webhook_hmac_secret and not api_pix.verify_signature(
                provider.webhook_hmac_secret, body, http_request.headers.get(api_pix.SIGNATURE_HEADER)
            ):
                return _answer(401, error="bad signature")
            try:
                notifications = api_pix.parse_notification(body)
            except api_pix.InvalidNotification as error:
                return _answer(400, error=str(error))
            new = env["collection.pix.event"]._ingest_committed(provider, notifications, "webhook")
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
        if not charge.payload or charge._expired():
            raise NotFound()
        return request.make_response(
            qr_png(charge.payload), headers=[("Content-Type", "image/png"), ("Cache-Control", "private, max-age=3600")]
        )
