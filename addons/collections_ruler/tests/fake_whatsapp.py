"""A fake WhatsApp gateway on loopback: Meta's Cloud API and a generic signed webhook.

Standard library only, so the client is tested over real HTTP without network access
or mocks. Use it as a context manager; it records every request and can be told to
fail or to stall the next ones.
"""

import hashlib
import hmac
import itertools
import json
import re
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "v21.0"
_MESSAGES_PATH = re.compile(rf"/{re.escape(API_VERSION)}/([^/]+)/messages")
_DEFAULT_FAILURES = {
    429: (130429, "(#130429) Rate limit hit"),
    401: (190, "Invalid OAuth access token - Cannot parse access token"),
    400: (100, "(#100) Invalid parameter"),
}


def cloud_error(code, message, details=None):
    """An error body shaped like the Graph API's."""
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A" + secrets.token_hex(8)}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


class FakeWhatsAppServer:
    """Both protocols on one port; ``requests`` lists what arrived, oldest first."""

    def __init__(self, token="secret-token", webhook_secret=None, webhook_token=None):
        self.token = token
        self.webhook_secret = webhook_secret
        self.webhook_token = webhook_token
        self._lock = threading.Lock()
        self._requests = []
        self._failures = []  # (status, body) for each of the next requests
        self._delays = []  # seconds for each of the next requests
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._httpd = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self):
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # shutdown() waits up to one interval
            name="fake-whatsapp",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a delay
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- what tests read and steer ------------------------------------------------

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/{API_VERSION}"

    @property
    def webhook_url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def fail_next(self, status=500, times=1, body=None):
        """Answer the next ``times`` requests with ``status``; ``body`` a dict (JSON), str or bytes.

        Without ``body`` the answer is a Cloud API-shaped error.
        """
        if body is None:
            code, message = _DEFAULT_FAILURES.get(status, (131000, "(#131000) Something went wrong"))
            body = cloud_error(code, message)
        with self._lock:
            self._failures.extend([(status, body)] * times)

    def delay_next(self, seconds, times=1):
        """Stall the next ``times`` requests before answering, to exercise the client's timeout."""
        with self._lock:
            self._delays.extend([seconds] * times)

    # -- used by the handler --------------------------------------------------------

    def _record(self, entry):
        with self._lock:
            self._requests.append(entry)
            delay = self._delays.pop(0) if self._delays else 0
            failure = self._failures.pop(0) if self._failures else None
        return delay, failure

    def _next_id(self):
        return next(self._ids)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that timed out and hung up is expected here, not worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return None
        return super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake = None  # set on the per-server subclass; HTTP/1.0, so each connection closes after its answer

    def log_message(self, format, *args):
        """Keep the test output clean."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers.items()),
            "json": parsed,
            "body": body,
        }
        delay, failure = self.fake._record(entry)
        if delay and self.fake._stopping.wait(delay):
            return
        if failure:
            self._reply(*failure)
            return
        match = _MESSAGES_PATH.fullmatch(self.path)
        if match:
            self._cloud_api(parsed)
        elif self.path == "/hook":
            self._webhook(parsed, body)
        else:
            self._reply(404, {"error": "not found"})

    def _not_found(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(404, {"error": "not found"})

    do_GET = do_PUT = do_PATCH = do_DELETE = _not_found

    def _cloud_api(self, payload):
        if self.headers.get("Authorization") != f"Bearer {self.fake.token}":
            self._reply(401, cloud_error(190, "Invalid OAuth access token - Cannot parse access token"))
            return
        problem = _cloud_payload_problem(payload)
        if problem:
            self._reply(400, cloud_error(100, "(#100) Invalid parameter", problem))
            return
        message_id = f"wamid.{secrets.token_hex(16)}"
        self._reply(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": payload["to"], "wa_id": payload["to"]}],
                "messages": [{"id": message_id, "message_status": "accepted"}],
            },
        )

    def _webhook(self, payload, body):
        fake = self.fake
        if fake.webhook_secret:
            expected = "sha256=" + hmac.new(fake.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(self.headers.get("X-Signature", ""), expected):
                self._reply(401, {"error": "bad signature"})
                return
        if fake.webhook_token and self.headers.get("Authorization") != f"Bearer {fake.webhook_token}":
            self._reply(401, {"error": "bad token"})
            return
        if not isinstance(payload, dict) or not payload.get("to") or not payload.get("message"):
            self._reply(400, {"message": "to and message are required"})
            return
        self._reply(200, {"id": f"hook-{fake._next_id()}"})

    def _reply(self, status, body):
        if isinstance(body, (dict, list)):
            data, content_type = json.dumps(body).encode(), "application/json"
        elif isinstance(body, str):
            data, content_type = body.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = bytes(body), "application/octet-stream"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _cloud_payload_problem(payload):
    """What the Cloud API would reject in a template send, or None."""
    if not isinstance(payload, dict):
        return "The request body is not a JSON object."
    if payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp."
    if payload.get("type") != "template":
        return "type must be template."
    to = payload.get("to")
    if not isinstance(to, str) or not to.isascii() or not to.isdigit():
        return "to must be a phone number in digits."
    template = payload.get("template")
    if not isinstance(template, dict) or not template.get("name"):
        return "template.name is required."
    language = template.get("language")
    if not isinstance(language, dict) or not language.get("code"):
        return "template.language.code is required."
    for component in template.get("components", []):
        parameters = component.get("parameters") if isinstance(component, dict) else None
        if not isinstance(parameters, list) or not all(
            isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in parameters
        ):
            return "template.components[].parameters must be text parameters."
    return None
