# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local PSP sandbox speaking the part of Banco Central's API Pix that collections use.

Real HTTP on loopback (optionally TLS, optionally mutual TLS), standard library only, so
the client is tested without network access or mocks, and the docker demo gets a PSP:

    python3 addons/collections_pix/tests/fake_psp.py --host 0.0.0.0 --port 8099 \\
        --client-id demo --client-secret demo --merchant-name "Cobranca Demo" --merchant-city "SAO PAULO"

Endpoints: ``POST /oauth/token`` (HTTP Basic, client credentials), ``PUT|PATCH|GET
/cob/{txid}`` and ``/cobv/{txid}``, ``GET /pix`` (inicio/fim, pagination), ``GET
/pix/{e2eid}``, ``PUT|GET|DELETE /webhook/{chave}``; outside the API, ``POST
/sandbox/pay/{txid}`` plays the payer's bank (no auth) and ``GET /health`` answers ok.
Errors are RFC 7807 problems shaped as Banco Central specifies.

In tests, use ``FakePspServer`` as a context manager: it records every request and can be
told to fail or stall the next ones; ``pay()`` simulates a payment and delivers the
webhook (to the registered URL + "/pix", at least once: ``duplicates`` repeats it).
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import itertools
import json
import math
import pathlib
import re
import secrets
import signal
import socket
import ssl
import string
import sys
import threading
import time
import types
import urllib.error
import urllib.request
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

if __package__:
    from ..tools.api_pix import _parse_rfc3339
    from ..tools.brcode import build_dynamic
else:
    # Run as a program: load the addons' tools as bare packages, without their Odoo models
    # (collections_pix's tools import collections_ruler's HTTP helpers).
    _ADDON = pathlib.Path(__file__).resolve().parent.parent
    for _name in ("collections_pix", "collections_ruler"):
        if _name not in sys.modules:
            _package = types.ModuleType(_name)
            _package.__path__ = [str(_ADDON.parent / _name)]
            sys.modules[_name] = _package
    sys.path.insert(0, str(_ADDON.parent))
    from collections_pix.tools.api_pix import _parse_rfc3339
    from collections_pix.tools.brcode import build_dynamic

ERROR_BASE = "https://pix.bcb.gov.br/api/v2/error/"
DEFAULT_PIX_KEY = "2f8e1c6a-3b5d-4e7f-9a1b-c2d3e4f5a6b7"  # an EVP (random) key, as PSPs hand out
SCOPES = ("cob.write", "cob.read", "cobv.write", "cobv.read", "pix.read", "webhook.read", "webhook.write")
SIGNATURE_HEADER = "X-Pix-Signature"
PAYER_ISPB = "18236120"  # the payer's PSP in generated endToEndIds
BRASILIA = timezone(timedelta(hours=-3))  # "today" for due dates, as the PSP sees it
DELIVERY_TIMEOUT = 10

_TXID = re.compile(r"[a-zA-Z0-9]{26,35}")
_ANY_TXID = re.compile(r"[a-zA-Z0-9]{1,35}")
_AMOUNT = re.compile(r"[0-9]{1,10}\.[0-9]{2}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ALNUM = string.ascii_letters + string.digits
_GENERIC = {
    400: ("RequisicaoInvalida", "Requisição inválida.", "A requisição não respeita o schema."),
    401: ("AcessoNegado", "Não autorizado.", "Token de acesso ausente, inválido ou expirado."),
    403: (
        "AcessoNegado",
        "Acesso Negado",
        "Requisição de participante autenticado que viola alguma regra de autorização.",
    ),
    404: ("NaoEncontrado", "Não encontrado", "Entidade não encontrada."),
    405: ("RequisicaoInvalida", "Método não permitido.", "Método HTTP não suportado neste endpoint."),
    429: ("ServicoIndisponivel", "Limite de requisições excedido.", "Tente novamente mais tarde."),
    500: ("ErroInternoDoServidor", "Erro interno do servidor.", "Condição inesperada ao processar requisição."),
    503: ("ServicoIndisponivel", "Serviço Indisponível", "Serviço não está disponível no momento."),
    504: (
        "IndisponibilidadePorTempoEsgotado",
        "Tempo esgotado.",
        "O serviço demorou além do esperado para retornar.",
    ),
}
_INVALID = {
    "cob": ("CobOperacaoInvalida", "Cobrança inválida."),
    "cobv": ("CobVOperacaoInvalida", "Cobrança inválida."),
}
_INVALID_DETAIL = {
    "cob": "A requisição que busca alterar ou criar uma cobrança para pagamento imediato não respeita o schema "
    "ou está semanticamente errada.",
    "cobv": "A requisição que busca alterar ou criar uma cobrança com vencimento não respeita o schema "
    "ou está semanticamente errada.",
}
_NOT_FOUND = {
    "cob": ("CobNaoEncontrado", "Cobrança não encontrada.", "Cobrança não encontrada para o txid informado."),
    "cobv": (
        "CobVNaoEncontrada",
        "Cobrança não encontrada.",
        "Cobrança com vencimento não encontrada para o txid informado.",
    ),
}


def problem(kind, title, status, detail, violations=None):
    """An RFC 7807 body as the API Pix writes them; ``violations`` are (razao, propriedade) pairs."""
    body = {"type": ERROR_BASE + kind, "title": title, "status": status, "detail": detail}
    if violations:
        body["violacoes"] = [{"razao": reason, "propriedade": prop} for reason, prop in violations]
    return body


def generic_problem(status):
    kind, title, detail = _GENERIC.get(status, _GENERIC[500 if status >= 500 else 400])
    return problem(kind, title, status, detail)


class SandboxError(ValueError):
    """``pay()`` was asked something the payer's bank would refuse; ``status`` is the HTTP answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class _Reply(Exception):
    """Raised inside a route to answer at once: (status, body, headers)."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class FakePspServer:
    """One PSP account with one Pix key; ``requests`` lists what arrived, oldest first."""

    def __init__(
        self,
        client_id="client",
        client_secret="secret",
        pix_key=DEFAULT_PIX_KEY,
        merchant_name="Cobranca Demo",
        merchant_city="SAO PAULO",
        webhook_hmac_secret=None,
        host="127.0.0.1",
        port=0,
        tls=None,
        *,
        public_host=None,
        token_lifetime=3600,
        verbose=False,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.pix_key = pix_key
        self.merchant_name = merchant_name
        self.merchant_city = merchant_city
        self.webhook_hmac_secret = webhook_hmac_secret
        self.host = host
        self._port = port
        self.tls = tls
        self.public_host = public_host
        self.token_lifetime = token_lifetime
        self.verbose = verbose
        self.tls_refusals = 0  # handshakes refused, e.g. a client without certificate under mutual TLS
        self._lock = threading.Lock()
        self._requests = []
        self._deliveries = []
        self._failures = []  # (path prefix or None, status, body, headers)
        self._stalls = []  # (path prefix or None, seconds, after)
        self._tokens = {}  # access token -> (monotonic expiry, granted scopes)
        self._charges = {}  # txid -> {"kind": "cob"|"cobv", "data": public JSON}
        self._pix = {}  # endToEndId -> (aware datetime, record)
        self._webhooks = {}  # key -> {"webhookUrl", "chave", "criacao"}
        self._loc_ids = itertools.count(1)
        self._stopping = threading.Event()
        self._httpd = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self):
        handler = type("Handler", (_Handler,), {"fake": self})
        server_class = _QuietServer6 if ":" in self.host else _QuietServer
        self._httpd = server_class((self.host, self._port), handler)
        self._httpd.fake = self
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls["certfile"], self.tls["keyfile"])
            if self.tls.get("cafile"):  # mutual TLS: only clients with a certificate from this CA
                context.load_verify_locations(self.tls["cafile"])
                context.verify_mode = ssl.CERT_REQUIRED
            # The handshake runs in the request's thread (see finish_request), not in accept().
            self._httpd.socket = context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # shutdown() waits up to one interval
            name="fake-psp",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a stall
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- what tests read and steer -------------------------------------------------------

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def _url_host(self):
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"[{host}]" if ":" in host else host

    @property
    def base_url(self):
        return f"{'https' if self.tls else 'http'}://{self._url_host}:{self.port}"

    @property
    def requests(self):
        """Every request received: method, path (with query), route, query, headers, json, form, body, status."""
        with self._lock:
            return list(self._requests)

    @property
    def deliveries(self):
        """Every webhook POST attempted: url, body (bytes), headers, status (int or error text)."""
        with self._lock:
            return list(self._deliveries)

    @property
    def charges(self):
        """txid -> the charge as GET would answer it."""
        with self._lock:
            return {txid: json.loads(json.dumps(charge["data"])) for txid, charge in self._charges.items()}

    @property
    def webhooks(self):
        with self._lock:
            return {key: dict(hook) for key, hook in self._webhooks.items()}

    @property
    def tokens_issued(self):
        return sum(1 for r in self.requests if r["route"] == "/oauth/token" and r.get("status") == 200)

    def fail_next(self, status, count=1, retry_after=None, body=None, *, path=None):
        """Answer the next ``count`` requests (only those whose path starts with ``path``, if given) with ``status``.

        Without ``body`` the answer is Banco Central's generic problem for that status; a
        dict is sent as JSON, a str or bytes as is (to imitate a proxy's HTML page).
        ``retry_after`` adds a Retry-After header (seconds).
        """
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._failures.extend(
                [(path, status, body if body is not None else generic_problem(status), headers)] * count
            )

    def stall_next(self, seconds, count=1, *, after=False, path=None):
        """Stall the next ``count`` requests ``seconds`` before answering, to exercise timeouts.

        By default the stall comes before the request is handled (nothing changes); with
        ``after=True`` the request takes effect and only its answer is late, as when a
        response is lost on the way back.
        """
        with self._lock:
            self._stalls.extend([(path, seconds, after)] * count)

    def expire_tokens(self):
        """Forget every access token issued, as a PSP revoking them: the next call gets 401."""
        with self._lock:
            self._tokens.clear()

    def pay(self, txid, amount=None, deliver=True, duplicates=0, payer=None, *, paid_at=None, info=None):
        """Simulate the customer's bank paying ``txid``; returns {"pix": record, "deliveries": [...]}.

        A known charge must be ATIVA; it becomes CONCLUIDA with the record in its "pix".
        An unknown txid (or None, a static QR code) still creates the record, with
        ``amount`` required, since real PSPs notify Pix the receiver never asked for.
        ``payer`` is {"cpf"|"cnpj", "nome"} (default: the charge's devedor), ``paid_at``
        an aware datetime (default: now). When a webhook is registered for the key and
        ``deliver`` is true, {"pix": [record]} is POSTed to webhookUrl + "/pix", then
        ``duplicates`` more times; each delivery's HTTP status (or error text) is returned.
        """
        if txid is not None and (not isinstance(txid, str) or not _ANY_TXID.fullmatch(txid)):
            raise SandboxError("txid must be 1 to 35 letters and digits.")
        if paid_at is None:
            paid_at = datetime.now(timezone.utc)
        elif not isinstance(paid_at, datetime) or paid_at.utcoffset() is None:
            raise SandboxError("paid_at must be a timezone-aware datetime.")
        if not isinstance(duplicates, int) or isinstance(duplicates, bool) or duplicates < 0:
            raise SandboxError("duplicates must be a whole number, zero or more.")
        with self._lock:
            charge = self._charges.get(txid) if txid else None
            if charge:
                status = charge["data"]["status"]
                if status != "ATIVA":
                    raise SandboxError(f"The charge {txid} is {status}; only an ATIVA charge can be paid.")
            elif amount is None:
                raise SandboxError(f"No charge {txid}: give the amount paid.", status=404)
            valor = _money_text(amount if amount is not None else charge["data"]["valor"]["original"])
            if valor is None:
                raise SandboxError(f"The amount {amount!r} is not a positive amount with at most 2 decimals.")
            record = {
                "endToEndId": self._new_end_to_end_id(paid_at),
                "txid": txid,
                "valor": valor,
                "horario": _rfc3339(paid_at),
            }
            if not txid:
                del record["txid"]
            if info:
                record["infoPagador"] = info
            payer = payer or (charge["data"].get("devedor") if charge else None)
            if payer:
                record["pagador"] = dict(payer)
            self._pix[record["endToEndId"]] = (paid_at.astimezone(timezone.utc), record)
            if charge:
                charge["data"]["status"] = "CONCLUIDA"
                charge["data"]["pix"] = [record]
            key = charge["data"]["chave"] if charge else self.pix_key
            hook = self._webhooks.get(key)
        deliveries = []
        if deliver and hook:
            body = json.dumps({"pix": [record]}, ensure_ascii=False).encode()
            for _ in range(1 + duplicates):
                deliveries.append(self._deliver(hook["webhookUrl"] + "/pix", body))
        return {"pix": json.loads(json.dumps(record)), "deliveries": deliveries}

    # -- used by the handler ----------------------------------------------------------------

    def _record(self, entry):
        """Log the request; return (stall, failure) queued for it."""
        with self._lock:
            self._requests.append(entry)
            return self._take(self._stalls, entry["route"]), self._take(self._failures, entry["route"])

    @staticmethod
    def _take(queue, route):
        for position, item in enumerate(queue):
            if item[0] is None or route.startswith(item[0]):
                return queue.pop(position)[1:]
        return None

    def _new_end_to_end_id(self, moment):
        # "E" + payer PSP's ISPB + yyyyMMddHHmm (UTC) + 11 random characters = 32.
        prefix = "E" + PAYER_ISPB + moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M")
        while True:
            e2e = prefix + "".join(secrets.choice(_ALNUM) for _ in range(11))
            if e2e not in self._pix:
                return e2e

    def _deliver(self, url, body):
        headers = {"Content-Type": "application/json"}
        if self.webhook_hmac_secret:
            digest = hmac.new(self.webhook_hmac_secret.encode(), body, hashlib.sha256).hexdigest()
            headers[SIGNATURE_HEADER] = "sha256=" + digest
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        try:
            with opener.open(request, timeout=DELIVERY_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            status = f"{type(exc).__name__}: {reason}"
        with self._lock:
            self._deliveries.append({"url": url, "body": body, "headers": headers, "status": status})
        if self.verbose:
            sys.stderr.write(f"webhook POST {url} -> {status}\n")
        return status

    def _location(self):
        public = self.public_host or f"{self._url_host}:{self.port}"
        return f"{public}/qr/v2/{uuid.uuid4().hex}"

    # -- routes (called by the handler; raise _Reply or return (status, body)) ---------------

    def _route(self, method, route, query, body, headers):
        if route == "/health":
            return 200, {"status": "ok"}
        if route == "/oauth/token":
            _allow(method, "POST")
            return self._issue_token(body, headers)
        match = re.fullmatch(r"/sandbox/pay/([^/]+)", route)
        if match:
            _allow(method, "POST")
            return self._sandbox_pay(unquote(match.group(1)), body)
        match = re.fullmatch(r"/(cobv?)/([^/]*)", route)
        if match:
            kind, txid = match.group(1), unquote(match.group(2))
            _allow(method, "PUT", "PATCH", "GET")
            self._authorize(headers, f"{kind}.{'read' if method == 'GET' else 'write'}")
            if method == "PUT":
                return self._create_charge(kind, txid, _json_object(body, kind))
            if method == "PATCH":
                return self._revise_charge(kind, txid, _json_object(body, kind))
            return self._get_charge(kind, txid)
        if route == "/pix":
            _allow(method, "GET")
            self._authorize(headers, "pix.read")
            return self._list_pix(query)
        match = re.fullmatch(r"/pix/([^/]+)", route)
        if match:
            _allow(method, "GET")
            self._authorize(headers, "pix.read")
            with self._lock:
                found = self._pix.get(unquote(match.group(1)))
            if not found:
                raise _Reply(404, problem("PixNaoEncontrado", "Pix não encontrado.", 404, "Pix não encontrado."))
            return 200, found[1]
        match = re.fullmatch(r"/webhook/([^/]+)", route)
        if match:
            _allow(method, "PUT", "GET", "DELETE")
            self._authorize(headers, "webhook.read" if method == "GET" else "webhook.write")
            return self._webhook(method, unquote(match.group(1)), body)
        raise _Reply(404, generic_problem(404))

    def _issue_token(self, body, headers):
        client = _basic_credentials(headers.get("Authorization"))
        if not client or not (
            hmac.compare_digest(client[0].encode(), self.client_id.encode())
            and hmac.compare_digest(client[1].encode(), self.client_secret.encode())
        ):
            raise _Reply(
                401,
                problem("AcessoNegado", "Não autorizado.", 401, "Credenciais do cliente inválidas."),
                {"WWW-Authenticate": 'Basic realm="fake-psp"'},
            )
        form = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise _Reply(
                400,
                problem("RequisicaoInvalida", "Requisição inválida.", 400, "grant_type deve ser client_credentials."),
            )
        asked = form.get("scope", "").split()
        unknown = [scope for scope in asked if scope not in SCOPES]
        if unknown:
            raise _Reply(
                400,
                problem("RequisicaoInvalida", "Escopo inválido.", 400, f"Escopos desconhecidos: {' '.join(unknown)}."),
            )
        granted = asked or list(SCOPES)
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (time.monotonic() + self.token_lifetime, frozenset(granted))
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "scope": " ".join(granted),
        }

    def _authorize(self, headers, scope):
        authorization = headers.get("Authorization") or ""
        token = authorization[7:] if authorization[:7].lower() == "bearer " else None
        with self._lock:
            grant = self._tokens.get(token) if token else None
            if grant and grant[0] <= time.monotonic():
                del self._tokens[token]
                grant = None
        if not grant:
            raise _Reply(401, generic_problem(401), {"WWW-Authenticate": 'Bearer realm="fake-psp"'})
        if scope not in grant[1]:
            raise _Reply(
                403,
                problem(
                    "AcessoNegado",
                    "Acesso Negado",
                    403,
                    f"O token de acesso não tem o escopo {scope} exigido por este endpoint.",
                ),
            )

    def _create_charge(self, kind, txid, body):
        if not _TXID.fullmatch(txid):
            raise self._invalid(kind, [("O campo txid não respeita o schema ([a-zA-Z0-9]{26,35}).", f"{kind}.txid")])
        violations = self._charge_violations(kind, body)
        if violations:
            raise self._invalid(kind, violations)
        now = datetime.now(timezone.utc)
        location = self._location()
        calendar = {"criacao": _rfc3339(now)}
        if kind == "cob":
            calendar["expiracao"] = body.get("calendario", {}).get("expiracao", 86400)
        else:
            calendar["dataDeVencimento"] = body["calendario"]["dataDeVencimento"]
            calendar["validadeAposVencimento"] = body["calendario"].get("validadeAposVencimento", 30)
        data = {"calendario": calendar, "txid": txid, "revisao": 0}
        with self._lock:
            if txid in self._charges:
                raise self._invalid(kind, [(f"O campo {kind}.txid encontra-se em uso.", f"{kind}.txid")])
            data["loc"] = {"id": next(self._loc_ids), "location": location, "tipoCob": kind, "criacao": _rfc3339(now)}
            data["location"] = location
            data["status"] = "ATIVA"
            if body.get("devedor"):
                data["devedor"] = body["devedor"]
            data["valor"] = body["valor"]
            data["chave"] = body["chave"]
            if body.get("solicitacaoPagador"):
                data["solicitacaoPagador"] = body["solicitacaoPagador"]
            data["pixCopiaECola"] = self._copy_paste(kind, data)
            self._charges[txid] = {"kind": kind, "data": data}
            return 201, json.loads(json.dumps(data))

    def _revise_charge(self, kind, txid, body):
        with self._lock:
            charge = self._charges.get(txid)
            if not charge or charge["kind"] != kind:
                raise _Reply(404, problem(*_NOT_FOUND[kind][:2], 404, _NOT_FOUND[kind][2]))
            data = charge["data"]
            if data["status"] != "ATIVA":
                raise self._invalid(
                    kind, [(f"A cobrança não está ATIVA ({data['status']}) e não pode ser alterada.", f"{kind}.status")]
                )
            if "status" in body:
                if body["status"] != "REMOVIDA_PELO_USUARIO_RECEBEDOR":
                    raise self._invalid(kind, [("O campo status não respeita o schema.", f"{kind}.status")])
                if len(body) > 1:
                    raise self._invalid(
                        kind,
                        [("Não se pode remover a cobrança e alterá-la na mesma requisição.", f"{kind}.status")],
                    )
                data["status"] = "REMOVIDA_PELO_USUARIO_RECEBEDOR"
            else:
                merged = {
                    "calendario": {**data["calendario"], **(body.get("calendario") or {})},
                    "devedor": body.get("devedor", data.get("devedor")),
                    "valor": body.get("valor", data["valor"]),
                    "chave": body.get("chave", data["chave"]),
                    "solicitacaoPagador": body.get("solicitacaoPagador", data.get("solicitacaoPagador")),
                }
                merged = {key: value for key, value in merged.items() if value is not None}
                violations = self._charge_violations(kind, merged, creating=False)
                if violations:
                    raise self._invalid(kind, violations)
                data.update(merged)
                data["pixCopiaECola"] = self._copy_paste(kind, data)
            data["revisao"] += 1
            return 200, json.loads(json.dumps(data))

    def _get_charge(self, kind, txid):
        with self._lock:
            charge = self._charges.get(txid)
            if not charge or charge["kind"] != kind:
                raise _Reply(404, problem(*_NOT_FOUND[kind][:2], 404, _NOT_FOUND[kind][2]))
            return 200, json.loads(json.dumps(charge["data"]))

    def _copy_paste(self, kind, data):
        # The amount of a cobv moves with fine, interest and discounts: the payer's bank reads it from the location.
        amount = data["valor"]["original"] if kind == "cob" else None
        return build_dynamic(data["location"], self.merchant_name, self.merchant_city, amount=amount)

    def _invalid(self, kind, violations):
        return _Reply(400, problem(*_INVALID[kind], 400, _INVALID_DETAIL[kind], violations))

    def _charge_violations(self, kind, body, creating=True):
        """What Banco Central's rules reject in a cob/cobv body, as (razao, propriedade) pairs."""
        violations = []
        calendar = body.get("calendario", {} if kind == "cob" else None)
        due = None
        if not isinstance(calendar, dict):
            violations.append((f"O objeto {kind}.calendario não respeita o schema.", f"{kind}.calendario"))
        elif kind == "cob":
            expiration = calendar.get("expiracao", 86400)
            if not _whole(expiration) or expiration <= 0:
                violations.append(
                    ("O campo cob.calendario.expiracao é igual ou menor que zero.", "cob.calendario.expiracao")
                )
        else:
            due = _date(calendar.get("dataDeVencimento"))
            if due is None:
                violations.append(
                    (
                        "O campo cobv.calendario.dataDeVencimento não respeita o schema.",
                        "cobv.calendario.dataDeVencimento",
                    )
                )
            elif creating and due < datetime.now(BRASILIA).date():
                violations.append(
                    (
                        "O campo cobv.calendario.dataDeVencimento é anterior à data de criação da cobrança.",
                        "cobv.calendario.dataDeVencimento",
                    )
                )
            validity = calendar.get("validadeAposVencimento", 30)
            if not _whole(validity) or validity < 0:
                violations.append(
                    (
                        "O campo cobv.calendario.validadeAposVencimento é menor do que zero.",
                        "cobv.calendario.validadeAposVencimento",
                    )
                )
        debtor = body.get("devedor")
        if debtor is not None or kind == "cobv":
            reason = _debtor_problem(debtor)
            if reason:
                violations.append((f"O objeto {kind}.devedor não respeita o schema: {reason}", f"{kind}.devedor"))
        valor = body.get("valor")
        original = _money_text(valor.get("original")) if isinstance(valor, dict) else None
        if original is None or original != (valor or {}).get("original"):
            violations.append((f"O campo {kind}.valor.original não respeita o schema.", f"{kind}.valor.original"))
        elif kind == "cobv":
            violations += _cobv_value_violations(valor, Decimal(original), due)
        key = body.get("chave")
        if not isinstance(key, str) or not key:
            violations.append((f"O campo {kind}.chave não respeita o schema.", f"{kind}.chave"))
        elif key != self.pix_key:
            violations.append(
                (
                    f"O campo {kind}.chave corresponde a uma conta que não pertence a este usuário recebedor.",
                    f"{kind}.chave",
                )
            )
        message = body.get("solicitacaoPagador")
        if message is not None and (not isinstance(message, str) or len(message) > 140):
            violations.append(("O campo solicitacaoPagador não respeita o schema.", f"{kind}.solicitacaoPagador"))
        return violations

    def _list_pix(self, query):
        def invalid(reason, prop):
            return _Reply(
                400,
                problem(
                    "PixConsultaInvalida",
                    "Consulta inválida.",
                    400,
                    "Os parâmetros de consulta à lista de pix recebidos não respeitam o schema.",
                    [(reason, prop)],
                ),
            )

        start, end = _parse_rfc3339(query.get("inicio")), _parse_rfc3339(query.get("fim"))
        if start is None:
            raise invalid("O parâmetro inicio não respeita o schema (RFC 3339).", "inicio")
        if end is None:
            raise invalid("O parâmetro fim não respeita o schema (RFC 3339).", "fim")
        if end < start:
            raise invalid("O timestamp representado pelo parâmetro fim é anterior ao parâmetro inicio.", "fim")
        page, size = query.get("paginacao.paginaAtual", "0"), query.get("paginacao.itensPorPagina", "100")
        if not page.isdigit():
            raise invalid("O parâmetro paginacao.paginaAtual é negativo ou não é um número.", "paginacao.paginaAtual")
        if not size.isdigit() or not 1 <= int(size) <= 1000:
            raise invalid("O parâmetro paginacao.itensPorPagina deve estar entre 1 e 1000.", "paginacao.itensPorPagina")
        page, size = int(page), int(size)
        with self._lock:
            found = sorted(
                (item for item in self._pix.values() if start <= item[0] <= end),
                key=lambda item: (item[0], item[1]["endToEndId"]),
            )
        if query.get("txid"):
            found = [item for item in found if item[1].get("txid") == query["txid"]]
        return 200, {
            "parametros": {
                "inicio": query["inicio"],
                "fim": query["fim"],
                "paginacao": {
                    "paginaAtual": page,
                    "itensPorPagina": size,
                    "quantidadeDePaginas": math.ceil(len(found) / size),
                    "quantidadeTotalDeItens": len(found),
                },
            },
            "pix": [record for _, record in found[page * size : (page + 1) * size]],
        }

    def _webhook(self, method, key, body):
        with self._lock:
            hook = self._webhooks.get(key)
            if method == "GET" or method == "DELETE":
                if not hook:
                    raise _Reply(
                        404,
                        problem(
                            "WebhookNaoEncontrado",
                            "Webhook não encontrado.",
                            404,
                            "O webhook denotado por {chave} não encontra-se estabelecido.",
                        ),
                    )
                if method == "GET":
                    return 200, dict(hook)
                del self._webhooks[key]
                return 204, None
        violations = []
        if key != self.pix_key:
            violations.append(
                ("O parâmetro {chave} não corresponde a uma chave DICT pertencente a este usuário recebedor.", "chave")
            )
        payload = _json_or_none(body)
        url = payload.get("webhookUrl") if isinstance(payload, dict) else None
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            # Real PSPs demand https and check the server's certificate; the sandbox allows http for the demo.
            violations.append(("Campo webhook.webhookUrl não respeita o schema.", "webhookUrl"))
        if violations:
            raise _Reply(
                400,
                problem(
                    "WebhookOperacaoInvalida",
                    "Webhook inválido.",
                    400,
                    "A presente requisição busca criar um webhook sem respeitar o schema ou, ainda, "
                    "apresenta semântica inválida.",
                    violations,
                ),
            )
        hook = {"webhookUrl": url, "chave": key, "criacao": _rfc3339(datetime.now(timezone.utc))}
        with self._lock:
            self._webhooks[key] = hook
        return 200, dict(hook)

    def _sandbox_pay(self, txid, body):
        payload = _json_or_none(body) if body else {}
        if not isinstance(payload, dict):
            raise _Reply(
                400, problem("RequisicaoInvalida", "Requisição inválida.", 400, "O corpo não é um objeto JSON.")
            )
        paid_at = None
        if payload.get("horario") is not None:
            paid_at = _parse_rfc3339(payload["horario"])
            if paid_at is None:
                raise _Reply(400, problem("RequisicaoInvalida", "Requisição inválida.", 400, "horario não é RFC 3339."))
        try:
            result = self.pay(
                txid,
                amount=payload.get("valor"),
                deliver=payload.get("deliver", True) is not False,
                duplicates=payload.get("duplicates", 0),
                payer=payload.get("pagador"),
                paid_at=paid_at,
                info=payload.get("infoPagador"),
            )
        except SandboxError as exc:
            kind = "NaoEncontrado" if exc.status == 404 else "RequisicaoInvalida"
            raise _Reply(exc.status, problem(kind, "Pagamento recusado.", exc.status, str(exc))) from None
        return 200, result


# -- validation helpers ----------------------------------------------------------------------


def _allow(method, *allowed):
    if method not in allowed:
        raise _Reply(405, generic_problem(405), {"Allow": ", ".join(allowed)})


def _json_or_none(body):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _json_object(body, kind):
    payload = _json_or_none(body)
    if not isinstance(payload, dict):
        raise _Reply(400, problem(*_INVALID[kind], 400, "O corpo da requisição não é um objeto JSON."))
    return payload


def _basic_credentials(header):
    if not isinstance(header, str) or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (client_id, secret) if colon else None


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _modality(value, allowed):
    """Modalities are digits; PSPs' examples write them as strings, the schema as integers: take both."""
    if _whole(value) or (isinstance(value, str) and value.isdigit()):
        return int(value) in allowed
    return False


def _money_text(value):
    """ "123.45" for a positive amount with at most 2 decimals (str, int, float, Decimal), else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    if not number.is_finite() or number <= 0 or number >= Decimal("10000000000") or number != round(number, 2):
        return None
    return f"{number.quantize(Decimal('0.01')):f}"


def _percent_ok(value, maximum=None):
    text = _money_text(value)
    return text is not None and text == value and (maximum is None or Decimal(text) < maximum)


def _date(value):
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _cpf_ok(digits):
    if not re.fullmatch(r"[0-9]{11}", digits) or digits == digits[0] * 11:
        return False
    for size in (9, 10):
        total = sum(int(digits[i]) * (size + 1 - i) for i in range(size))
        if (total * 10) % 11 % 10 != int(digits[size]):
            return False
    return True


def _cnpj_ok(digits):
    if not re.fullmatch(r"[0-9]{14}", digits) or digits == digits[0] * 14:
        return False
    weights = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    for size, used in ((12, weights), (13, [6, *weights])):
        remainder = sum(int(d) * w for d, w in zip(digits[:size], used, strict=True)) % 11
        if (0 if remainder < 2 else 11 - remainder) != int(digits[size]):
            return False
    return True


def _debtor_problem(debtor):
    if not isinstance(debtor, dict):
        return "devedor é obrigatório, com cpf ou cnpj e nome."
    if bool(debtor.get("cpf")) == bool(debtor.get("cnpj")):
        return "informe cpf ou cnpj (um deles)."
    if debtor.get("cpf") and not (isinstance(debtor["cpf"], str) and _cpf_ok(debtor["cpf"])):
        return "cpf inválido."
    if debtor.get("cnpj") and not (isinstance(debtor["cnpj"], str) and _cnpj_ok(debtor["cnpj"])):
        return "cnpj inválido."
    name = debtor.get("nome")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        return "nome é obrigatório (até 200 caracteres)."
    return None


def _cobv_value_violations(valor, original, due):
    violations = []
    fine = valor.get("multa")
    if fine is not None and not (
        isinstance(fine, dict) and _modality(fine.get("modalidade"), {1, 2}) and _percent_ok(fine.get("valorPerc"))
    ):
        violations.append(("O objeto cobv.valor.multa não respeita o schema.", "cobv.valor.multa"))
    interest = valor.get("juros")
    if interest is not None and not (
        isinstance(interest, dict)
        and _modality(interest.get("modalidade"), set(range(1, 9)))
        and _percent_ok(interest.get("valorPerc"))
    ):
        violations.append(("O objeto cobv.valor.juros não respeita o schema.", "cobv.valor.juros"))
    rebate = valor.get("abatimento")
    if rebate is not None and not (
        isinstance(rebate, dict)
        and _modality(rebate.get("modalidade"), {1, 2})
        and _percent_ok(rebate.get("valorPerc"), original if str(rebate.get("modalidade")) == "1" else Decimal(100))
    ):
        violations.append(("O objeto cobv.valor.abatimento não respeita o schema.", "cobv.valor.abatimento"))
    discount = valor.get("desconto")
    if discount is not None:
        reason = _discount_problem(discount, original, due)
        if reason:
            violations.append((reason, "cobv.valor.desconto"))
    return violations


def _discount_problem(discount, original, due):
    schema = "O objeto cobv.valor.desconto não respeita o schema."
    if not isinstance(discount, dict) or not _modality(discount.get("modalidade"), set(range(1, 7))):
        return schema
    modality = int(discount["modalidade"])
    fixed = discount.get("descontoDataFixa")
    if modality in (1, 2):
        if discount.get("valorPerc") is not None:
            return "O objeto cobv.valor.desconto apresenta modalidade 1 ou 2, porém valorPerc encontra-se preenchido."
        if not isinstance(fixed, list) or not 1 <= len(fixed) <= 3:
            return "O objeto cobv.valor.desconto apresenta modalidade 1 ou 2, porém descontoDataFixa está vazio."
        for item in fixed:
            when = _date(item.get("data")) if isinstance(item, dict) else None
            value = item.get("valorPerc") if isinstance(item, dict) else None
            if when is None or not _percent_ok(value):
                return schema
            if Decimal(value) >= (original if modality == 1 else Decimal(100)):
                return (
                    "O objeto cobv.valor.desconto apresenta algum elemento de desconto que representa um valor "
                    "maior ou igual ao valor da cobrança original ou maior ou igual a 100%."
                )
            if due is not None and when > due:
                return (
                    "O objeto cobv.valor.desconto apresenta algum elemento cuja data seja posterior à data de "
                    "vencimento representada por calendario.dataDeVencimento."
                )
        return None
    if fixed:
        return "O objeto cobv.valor.desconto apresenta modalidade de 3 a 6, porém descontoDataFixa está preenchido."
    if not _percent_ok(discount.get("valorPerc")):
        return "O objeto cobv.valor.desconto apresenta modalidade de 3 a 6, porém valorPerc não está preenchido."
    return None


def _rfc3339(moment):
    """UTC with milliseconds and "Z", as PSPs write "horario" and "criacao"."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- HTTP plumbing ----------------------------------------------------------------------------


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    fake = None

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(10)
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                with self.fake._lock:
                    self.fake.tls_refusals += 1
                return  # a client without an accepted certificate gets no HTTP at all
            request.settimeout(None)
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        """A client that timed out and hung up is expected here, not worth a traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return None
        return super().handle_error(request, client_address)


class _QuietServer6(_QuietServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    fake = None  # set on the per-server subclass; HTTP/1.0, so each connection closes after its answer
    server_version = "FakePSP/1.0"

    def log_message(self, format, *args):
        if self.fake.verbose:
            return super().log_message(format, *args)
        return None

    def _dispatch(self):
        fake = self.fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        split = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(split.query, keep_blank_values=True).items()}
        form = None
        if (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            form = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        entry = {
            "method": self.command,
            "path": self.path,
            "route": split.path,
            "query": query,
            "headers": dict(self.headers.items()),
            "json": _json_or_none(body),
            "form": form,
            "body": body,
        }
        stall, failure = fake._record(entry)
        if stall and not stall[1] and fake._stopping.wait(stall[0]):
            return
        if failure:
            status, payload, headers = failure
        else:
            try:
                status, payload = fake._route(self.command, split.path, query, body, self.headers)
                headers = {}
            except _Reply as reply:
                status, payload, headers = reply.status, reply.body, reply.headers
            except Exception as exc:  # a sandbox bug must show up as a clear 500, not a dropped connection
                self.log_error("sandbox error: %r", exc)
                status, payload, headers = 500, generic_problem(500), {}
        entry["status"] = status
        if stall and stall[1] and fake._stopping.wait(stall[0]):
            return
        self._reply(status, payload, headers)

    do_GET = do_PUT = do_PATCH = do_POST = do_DELETE = _dispatch

    def _reply(self, status, body, headers):
        if body is None:
            data, content_type = b"", None
        elif isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False).encode()
            content_type = "application/problem+json" if status >= 400 else "application/json"
        elif isinstance(body, str):
            data, content_type = body.encode(), "text/html; charset=utf-8"
        else:
            data, content_type = bytes(body), "application/octet-stream"
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


# -- program -------------------------------------------------------------------------------------


def _register_webhooks_from_db(server, dsn, odoo_url, client_id, stop, interval=5):
    """Register, for each Odoo Pix provider that uses this sandbox, the URL its button would register.

    The sandbox keeps webhooks in memory, so the demo would lose its registration at each
    restart: this reads the providers (id, token, key) from Odoo's database, retrying while the
    database or the provider does not exist yet (docker compose starts the sandbox first).
    """
    import psycopg2  # noqa: PLC0415 - only this option needs it (Odoo's own dependency)

    while not stop.is_set():
        try:
            with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, webhook_token, pix_key FROM collection_pix_provider"
                    " WHERE active AND client_id = %s AND webhook_token IS NOT NULL",
                    (client_id,),
                )
                rows = cursor.fetchall()
            connection.close()
        except psycopg2.Error as error:
            rows = []
            sys.stderr.write(f"webhook registration: database not ready ({str(error).strip()[:80]})\n")
        for provider_id, token, key in rows:
            url = f"{odoo_url}/collections_pix/webhook/{provider_id}/{token}"
            with server._lock:
                server._webhooks[key] = {
                    "webhookUrl": url,
                    "chave": key,
                    "criacao": _rfc3339(datetime.now(timezone.utc)),
                }
            sys.stdout.write(
                f"webhook registered for the key {key}: {odoo_url}/collections_pix/webhook/{provider_id}/…\n"
            )
            sys.stdout.flush()
        if rows:
            return
        stop.wait(interval)


def main(argv=None):
    parser = argparse.ArgumentParser(description="API Pix sandbox (a fake PSP) for the Cobrança demo and tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--client-id", default="client")
    parser.add_argument("--client-secret", default="secret")
    parser.add_argument("--pix-key", default=DEFAULT_PIX_KEY, help="the account's Pix key (chave)")
    parser.add_argument("--merchant-name", default="Cobranca Demo")
    parser.add_argument("--merchant-city", default="SAO PAULO")
    parser.add_argument("--webhook-hmac-secret", default=None, help=f"sign webhook calls in {SIGNATURE_HEADER}")
    parser.add_argument("--public-host", default=None, help="host:port written in QR locations")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="access token expires_in, seconds")
    parser.add_argument("--certfile", help="serve https with this certificate (PEM)")
    parser.add_argument("--keyfile", help="private key of --certfile (PEM)")
    parser.add_argument("--cafile", help="require client certificates from this CA (mutual TLS)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--webhook-from-db",
        metavar="DSN",
        help="register the webhook of the Odoo providers using this sandbox (same client id) found in this "
        "database, as their 'Register Webhook' button would; retried until the database has one",
    )
    parser.add_argument(
        "--odoo-url", default="http://127.0.0.1:8069", help="where this sandbox reaches Odoo (with --webhook-from-db)"
    )
    args = parser.parse_args(argv)
    if bool(args.certfile) != bool(args.keyfile) or (args.cafile and not args.certfile):
        parser.error("--certfile and --keyfile go together, and --cafile needs them")
    tls = {"certfile": args.certfile, "keyfile": args.keyfile, "cafile": args.cafile} if args.certfile else None
    server = FakePspServer(
        client_id=args.client_id,
        client_secret=args.client_secret,
        pix_key=args.pix_key,
        merchant_name=args.merchant_name,
        merchant_city=args.merchant_city,
        webhook_hmac_secret=args.webhook_hmac_secret,
        host=args.host,
        port=args.port,
        tls=tls,
        public_host=args.public_host,
        token_lifetime=args.token_lifetime,
        verbose=not args.quiet,
    )
    stop = threading.Event()
    # As PID 1 in a container SIGTERM is ignored unless handled: stop cleanly instead of being killed.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    sys.stdout.write(
        f"Fake PSP (API Pix sandbox) on {args.host}:{server.port}, base URL {server.base_url}, "
        f"Pix key {server.pix_key}\n"
    )
    sys.stdout.flush()  # docker logs show it at once
    if args.webhook_from_db:
        threading.Thread(
            target=_register_webhooks_from_db,
            args=(server, args.webhook_from_db, args.odoo_url.rstrip("/"), args.client_id, stop),
            daemon=True,
        ).start()
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
