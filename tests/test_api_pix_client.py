"""The API Pix client against the PSP sandbox over real HTTP on loopback: no mocks."""

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import socket
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError:  # the mutual TLS test is skipped
    x509 = None

from collections_pix.tests.fake_psp import FakePspServer, SandboxError
from collections_pix.tools.api_pix import (
    DEFAULT_SCOPES,
    SIGNATURE_HEADER,
    ApiPixAuthError,
    ApiPixClient,
    ApiPixConnectionError,
    ApiPixError,
    InvalidNotification,
    PixNotification,
    cob_body,
    cobv_body,
    debtor_from_tax_id,
    format_amount,
    is_valid_txid,
    new_txid,
    parse_notification,
    parse_pix_record,
    sign_body,
    verify_signature,
)

CLIENT_ID = "cobranca-client"
CLIENT_SECRET = "s3cr3t-client-value"
KEY = "pix@cobranca.example"  # an e-mail key: its "@" must be encoded in /webhook/{chave}
HOOK_SECRET = "hook-hmac-secret"
CPF = "12345678909"
CNPJ = "11222333000181"
UTC = timezone.utc
E2E = "E18236120202603101530abcDEF12345"


@pytest.fixture
def server():
    with FakePspServer(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, pix_key=KEY, webhook_hmac_secret=HOOK_SECRET
    ) as fake:
        yield fake


@pytest.fixture
def session():
    with requests.Session() as http:
        yield http


@pytest.fixture
def waits():
    """Seconds the client asked to sleep between retries (the sleep is injected, so tests do not wait)."""
    return []


@pytest.fixture
def make_client(session, server, waits):
    def make(**overrides):
        arguments = {"timeout": (2, 5), "sleep": waits.append, **overrides}
        return ApiPixClient(
            session,
            arguments.pop("base_url", server.base_url),
            arguments.pop("client_id", CLIENT_ID),
            arguments.pop("client_secret", CLIENT_SECRET),
            **arguments,
        )

    return make


@pytest.fixture
def client(make_client):
    return make_client()


def token_requests(server):
    return [r for r in server.requests if r["route"] == "/oauth/token"]


def api_requests(server, prefix="/"):
    return [r for r in server.requests if r["route"] != "/oauth/token" and r["route"].startswith(prefix)]


def last_hour(client):
    now = datetime.now(UTC)
    return client.list_pix(now - timedelta(hours=1), now)


def due_in(days):
    return date.today() + timedelta(days=days)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """A tiny webhook endpoint recording what the sandbox POSTs."""

    def __init__(self, status=200):
        self.status = status
        self.calls = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                """Quiet."""

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.calls.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/psp"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()


# -- OAuth2 --------------------------------------------------------------------------------


def test_token_request_is_client_credentials_with_basic_auth(client, server):
    token = client.token()

    [request] = token_requests(server)
    assert request["method"] == "POST"
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"
    assert request["form"] == {"grant_type": "client_credentials", "scope": DEFAULT_SCOPES}
    assert last_hour(client) == []
    [call] = api_requests(server)
    assert call["headers"]["Authorization"] == f"Bearer {token}"
    assert call["headers"]["Accept"] == "application/json"


def test_token_is_cached_across_calls(client, server):
    for _ in range(3):
        last_hour(client)
    assert len(token_requests(server)) == 1
    bearers = {r["headers"]["Authorization"] for r in api_requests(server)}
    assert len(api_requests(server)) == 3
    assert len(bearers) == 1


def test_token_is_refreshed_60_seconds_before_it_expires(make_client, server):
    now = [1000.0]
    client = make_client(clock=lambda: now[0])
    first = client.token()
    now[0] += 3600 - 60 - 1  # the sandbox's tokens live 3600 s
    assert client.token() == first
    assert len(token_requests(server)) == 1
    now[0] += 2
    second = client.token()
    assert second != first
    assert len(token_requests(server)) == 2
    last_hour(client)
    assert api_requests(server)[-1]["headers"]["Authorization"] == f"Bearer {second}"


def test_short_lived_token_keeps_half_its_life_as_margin(session, waits):
    with FakePspServer(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_lifetime=40) as short:
        now = [0.0]
        client = ApiPixClient(session, short.base_url, CLIENT_ID, CLIENT_SECRET, clock=lambda: now[0])
        first = client.token()
        now[0] = 19.9
        assert client.token() == first
        now[0] = 20.1
        assert client.token() != first


def test_token_is_fetched_once_by_concurrent_threads(client, server):
    errors = []

    def call():
        try:
            last_hour(client)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert len(token_requests(server)) == 1
    assert len(api_requests(server, "/pix")) == 8


def test_revoked_token_is_replaced_once(client, server):
    last_hour(client)
    server.expire_tokens()
    assert last_hour(client) == []
    assert len(token_requests(server)) == 2
    statuses = [r["status"] for r in api_requests(server)]
    assert statuses == [200, 401, 200]


def test_401_after_reauthentication_is_an_auth_error(client, server):
    client.token()
    server.fail_next(401, count=2, path="/pix")
    with pytest.raises(ApiPixAuthError) as caught:
        last_hour(client)
    assert caught.value.status == 401
    assert "HTTP 401" in str(caught.value)
    assert len(token_requests(server)) == 2  # the first token and exactly one re-authentication
    assert len(api_requests(server, "/pix")) == 2


def test_wrong_client_secret_is_refused_without_quoting_it(make_client, server):
    wrong = "wrong-secret-123"
    with pytest.raises(ApiPixAuthError, match="Credenciais do cliente inválidas") as caught:
        make_client(client_secret=wrong).token()
    assert caught.value.status == 401
    assert wrong not in str(caught.value)
    assert CLIENT_SECRET not in str(caught.value)
    assert len(token_requests(server)) == 1  # a refusal is not retried


def test_oauth_error_body_and_echoed_secret_are_handled(client, server):
    server.fail_next(400, body={"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"})
    with pytest.raises(ApiPixAuthError) as caught:
        client.token()
    message = str(caught.value)
    assert "invalid_client: bad secret ***" in message
    assert CLIENT_SECRET not in message
    assert caught.value.status == 400


def test_token_answer_without_access_token_is_an_auth_error(client, server):
    server.fail_next(200, body={"token_type": "Bearer"})
    with pytest.raises(ApiPixAuthError, match="without a usable access_token"):
        client.token()


def test_missing_scope_is_a_403_auth_error(make_client, server):
    client = make_client(scopes="pix.read")
    with pytest.raises(ApiPixAuthError, match=r"cob\.write") as caught:
        client.create_cob(new_txid(), cob_body("10.00", KEY))
    assert caught.value.status == 403
    assert caught.value.type.endswith("/AcessoNegado")
    assert token_requests(server)[0]["form"]["scope"] == "pix.read"


def test_secrets_never_reach_the_logs(make_client, server, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client()
    token = client.token()
    server.fail_next(503, path="/pix")
    server.expire_tokens()
    last_hour(client)
    new_token = client.token()
    assert "retry 1 of 3" in caplog.text  # the retry was logged...
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    for secret in (CLIENT_SECRET, token, new_token, basic):  # ...without any credential
        assert secret not in caplog.text


# -- charges -------------------------------------------------------------------------------


def test_create_get_revise_and_cancel_an_immediate_charge(client, server):
    txid = new_txid("INV2026")
    body = cob_body(
        Decimal("1234.56"),
        KEY,
        expiration_seconds=3600,
        debtor=debtor_from_tax_id("123.456.789-09", "Joana da Silva"),
        payer_message="Fatura INV/2026/0042",
    )
    created = client.create_cob(txid, body)

    [put] = api_requests(server, "/cob/")
    assert (put["method"], put["route"]) == ("PUT", f"/cob/{txid}")
    assert put["headers"]["Content-Type"] == "application/json"
    assert put["json"] == {
        "calendario": {"expiracao": 3600},
        "devedor": {"cpf": CPF, "nome": "Joana da Silva"},
        "valor": {"original": "1234.56"},
        "chave": KEY,
        "solicitacaoPagador": "Fatura INV/2026/0042",
    }
    assert created["txid"] == txid
    assert created["status"] == "ATIVA"
    assert created["revisao"] == 0
    assert created["calendario"]["expiracao"] == 3600
    assert created["valor"] == {"original": "1234.56"}
    assert re.fullmatch(rf"127\.0\.0\.1:{server.port}/qr/v2/[0-9a-f]{{32}}", created["location"])
    assert created["loc"]["location"] == created["location"]
    assert created["loc"]["tipoCob"] == "cob"
    assert created["pixCopiaECola"].startswith("000201")
    assert created["location"] in created["pixCopiaECola"]
    assert "54071234.56" in created["pixCopiaECola"]  # field 54, the amount

    assert client.get_cob(txid) == created

    revised = client.revise_cob(txid, {"valor": {"original": "1000.00"}})
    assert (revised["revisao"], revised["valor"]["original"]) == (1, "1000.00")
    assert "54071000.00" in revised["pixCopiaECola"]

    cancelled = client.cancel_cob(txid)
    assert cancelled["status"] == "REMOVIDA_PELO_USUARIO_RECEBEDOR"
    assert cancelled["revisao"] == 2
    patch = api_requests(server, "/cob/")[-1]
    assert (patch["method"], patch["json"]) == ("PATCH", {"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"})
    assert client.get_cob(txid)["status"] == "REMOVIDA_PELO_USUARIO_RECEBEDOR"

    with pytest.raises(ApiPixError, match="não está ATIVA") as caught:
        client.cancel_cob(txid)
    assert caught.value.status == 400
    with pytest.raises(SandboxError, match="only an ATIVA charge"):
        server.pay(txid)


def test_create_get_and_cancel_a_charge_with_due_date(client, server):
    txid = new_txid()
    due = due_in(30)
    body = cobv_body(
        "1500.00",
        KEY,
        due,
        {"cnpj": "11.222.333/0001-81", "nome": "ACME Comércio Ltda"},
        validity_days=10,
        fine_percent=2,
        interest_percent_month="1.00",
        discount_until=[(due - timedelta(days=5), "50.00"), (due - timedelta(days=10), Decimal("100"))],
        payer_message="Parcela 3/12",
    )
    created = client.create_cobv(txid, body)

    [put] = api_requests(server, "/cobv/")
    assert (put["method"], put["route"]) == ("PUT", f"/cobv/{txid}")
    assert put["json"] == {
        "calendario": {"dataDeVencimento": due.isoformat(), "validadeAposVencimento": 10},
        "devedor": {"cnpj": CNPJ, "nome": "ACME Comércio Ltda"},
        "valor": {
            "original": "1500.00",
            "multa": {"modalidade": "2", "valorPerc": "2.00"},
            "juros": {"modalidade": "3", "valorPerc": "1.00"},
            "desconto": {
                "modalidade": "1",
                "descontoDataFixa": [
                    {"data": (due - timedelta(days=10)).isoformat(), "valorPerc": "100.00"},
                    {"data": (due - timedelta(days=5)).isoformat(), "valorPerc": "50.00"},
                ],
            },
        },
        "chave": KEY,
        "solicitacaoPagador": "Parcela 3/12",
    }
    assert created["status"] == "ATIVA"
    assert created["calendario"]["dataDeVencimento"] == due.isoformat()
    assert created["calendario"]["validadeAposVencimento"] == 10
    assert created["loc"]["tipoCob"] == "cobv"
    assert created["valor"] == put["json"]["valor"]
    assert created["location"] in created["pixCopiaECola"]

    assert client.get_cobv(txid) == created
    with pytest.raises(ApiPixError, match="não encontrada") as caught:
        client.get_cob(txid)  # a cobv is not a cob
    assert caught.value.status == 404

    cancelled = client.cancel_cobv(txid)
    assert (cancelled["status"], cancelled["revisao"]) == ("REMOVIDA_PELO_USUARIO_RECEBEDOR", 1)
    assert api_requests(server, "/cobv/")[-1]["json"] == {"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}


def test_problem_body_is_mapped_with_title_detail_and_violations(client, server):
    with pytest.raises(ApiPixError) as caught:
        client.create_cob(new_txid(), {"calendario": {"expiracao": 3600}, "valor": {"original": "10"}, "chave": KEY})
    error = caught.value
    assert type(error) is ApiPixError
    assert error.status == 400
    assert error.type == "https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida"
    assert error.title == "Cobrança inválida."
    assert error.detail.startswith("A requisição que busca alterar ou criar uma cobrança")
    assert error.violations == [("O campo cob.valor.original não respeita o schema.", "cob.valor.original")]
    message = str(error)
    assert message.startswith("Cobrança inválida (HTTP 400): A requisição que busca alterar ou criar")
    assert message.endswith("— cob.valor.original: O campo cob.valor.original não respeita o schema.")
    assert "\n" not in message
    assert len(api_requests(server, "/cob/")) == 1  # a 400 is final


def test_cobv_without_debtor_and_with_a_late_discount_is_refused(client, server):
    due = due_in(10)
    with pytest.raises(ApiPixError) as caught:
        client.create_cobv(
            new_txid(),
            {
                "calendario": {"dataDeVencimento": due.isoformat()},
                "valor": {
                    "original": "100.00",
                    "desconto": {
                        "modalidade": "1",
                        "descontoDataFixa": [{"data": (due + timedelta(days=1)).isoformat(), "valorPerc": "5.00"}],
                    },
                },
                "chave": KEY,
            },
        )
    properties = [prop for _, prop in caught.value.violations]
    assert properties == ["cobv.devedor", "cobv.valor.desconto"]
    assert caught.value.type.endswith("/CobVOperacaoInvalida")
    assert "posterior à data de vencimento" in str(caught.value)


def test_charge_for_another_key_and_bad_cpf_are_refused(client):
    body = cob_body("10.00", "someone-else@example.com", debtor={"cpf": "12345678900", "nome": "Joana"})
    with pytest.raises(ApiPixError) as caught:
        client.create_cob(new_txid(), body)
    assert [prop for _, prop in caught.value.violations] == ["cob.devedor", "cob.chave"]
    assert "não pertence a este usuário recebedor" in str(caught.value)


def test_txid_already_in_use_is_refused(client):
    txid = new_txid()
    client.create_cob(txid, cob_body("10.00", KEY))
    with pytest.raises(ApiPixError, match=r"cob\.txid: O campo cob\.txid encontra-se em uso") as caught:
        client.create_cob(txid, cob_body("10.00", KEY))
    assert caught.value.status == 400


def test_lost_answer_to_a_create_is_recovered_from_the_psp(make_client, server, waits):
    client = make_client(timeout=(2, 0.5))
    client.token()
    txid = new_txid()
    server.stall_next(3, after=True, path="/cob/")  # created, but the answer comes too late
    created = client.create_cob(txid, cob_body("99.90", KEY))
    assert created["txid"] == txid
    assert created["valor"]["original"] == "99.90"
    assert [r["method"] for r in api_requests(server, "/cob/")] == ["PUT", "PUT", "GET"]
    assert list(server.charges) == [txid]
    assert waits == [0.5]


def test_taken_txid_with_another_charge_stays_an_error_after_a_retry(client, server):
    txid = new_txid()
    client.create_cob(txid, cob_body("10.00", KEY))
    server.fail_next(503, path="/cob/")
    with pytest.raises(ApiPixError, match="encontra-se em uso") as caught:
        client.create_cob(txid, cob_body("20.00", KEY))
    assert caught.value.attempts == 2
    assert [r["method"] for r in api_requests(server, "/cob/")] == ["PUT", "PUT", "PUT", "GET"]


def test_bad_arguments_fail_before_any_request(client, server):
    with pytest.raises(ValueError, match="txid"):
        client.create_cob("too-short", cob_body("10.00", KEY))
    with pytest.raises(ValueError, match="txid"):
        client.get_cobv("a" * 36)
    with pytest.raises(ValueError, match="dict"):
        client.create_cob(new_txid(), "not a body")
    with pytest.raises(ValueError, match="endToEndId"):
        client.get_pix("E123")
    with pytest.raises(ValueError, match="webhook URL"):
        client.put_webhook(KEY, "not a url")
    with pytest.raises(ValueError, match="timezone-aware"):
        client.list_pix(datetime(2026, 3, 10), datetime(2026, 3, 11))
    with pytest.raises(ValueError, match="before its start"):
        client.list_pix(datetime(2026, 3, 11, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    with pytest.raises(ValueError, match="at most 1000"):
        client.list_pix(datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC), page_size=1001)
    assert server.requests == []


# -- retries, timeouts and outages ----------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says(client, server, waits):
    client.token()
    server.fail_next(429, count=2, retry_after=7)
    assert last_hour(client) == []
    assert waits == [7.0, 7.0]
    assert [r["status"] for r in api_requests(server)] == [429, 429, 200]


def test_retry_after_is_capped(make_client, server, waits):
    client = make_client(max_retry_after=10)
    client.token()
    server.fail_next(429, retry_after=3600)
    last_hour(client)
    assert waits == [10]


def test_429_without_retry_after_backs_off_exponentially(client, server, waits):
    client.token()
    server.fail_next(429, count=3)
    last_hour(client)
    assert waits == [0.5, 1.0, 2.0]


def test_503_is_retried_with_backoff(client, server, waits):
    client.token()
    server.fail_next(503, count=2)
    assert last_hour(client) == []
    assert waits == [0.5, 1.0]
    assert len(api_requests(server)) == 3


def test_token_request_is_retried_too(client, server, waits):
    server.fail_next(502)
    assert client.token()
    assert waits == [0.5]
    assert [r["status"] for r in token_requests(server)] == [502, 200]


def test_gives_up_after_max_retries_with_the_last_status(make_client, server, waits):
    client = make_client(max_retries=2)
    client.token()
    server.fail_next(503, count=3)
    with pytest.raises(ApiPixError) as caught:
        last_hour(client)
    error = caught.value
    assert type(error) is ApiPixError
    assert (error.status, error.attempts) == (503, 3)
    assert str(error).startswith("Serviço Indisponível (HTTP 503): Serviço não está disponível")
    assert waits == [0.5, 1.0]
    assert len(api_requests(server)) == 3


def test_non_json_error_body_is_quoted_on_one_line(make_client, server):
    client = make_client(max_retries=0)
    client.token()
    server.fail_next(502, body="<html>\n<h1>502 Bad Gateway</h1>\n" + "x" * 500 + "</html>")
    with pytest.raises(ApiPixError) as caught:
        last_hour(client)
    message = str(caught.value)
    assert caught.value.status == 502
    assert "(HTTP 502): <html> <h1>502 Bad Gateway</h1>" in message
    assert "\n" not in message
    assert "x" * 301 not in message


def test_violations_sent_as_one_object_are_understood(client, server):
    client.token()
    server.fail_next(
        400,
        body={
            "type": "https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida",
            "title": "Operação inválida.",
            "status": 400,
            "violacoes": {"razao": "não respeita o schema", "propriedade": "id"},
        },
    )
    with pytest.raises(ApiPixError) as caught:
        last_hour(client)
    assert caught.value.violations == [("não respeita o schema", "id")]
    assert str(caught.value) == "Operação inválida (HTTP 400) — id: não respeita o schema"


def test_connection_refused_is_retried_then_a_connection_error(make_client, waits):
    client = make_client(base_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ApiPixConnectionError, match="Connection refused") as caught:
        client.token()
    assert caught.value.status is None
    assert caught.value.attempts == 4
    assert waits == [0.5, 1.0, 2.0]
    assert CLIENT_SECRET not in str(caught.value)


def test_timeout_is_enforced(make_client, server):
    client = make_client(timeout=(2, 0.3), max_retries=0)
    client.token()
    server.stall_next(3)
    started = time.monotonic()
    with pytest.raises(ApiPixConnectionError, match=r"no answer within 0\.3 s") as caught:
        last_hour(client)
    assert time.monotonic() - started < 2
    assert caught.value.status is None


def test_timeout_then_retry_succeeds(make_client, server, waits):
    client = make_client(timeout=(2, 0.3))
    client.token()
    server.stall_next(3, path="/pix")
    assert last_hour(client) == []
    assert waits == [0.5]
    assert len(api_requests(server, "/pix")) == 2


# -- received Pix ---------------------------------------------------------------------------


def test_list_pix_follows_three_pages_and_filters_by_date(client, server):
    start = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    end = start + timedelta(hours=1)
    server.pay(new_txid(), "1.00", paid_at=start - timedelta(seconds=1))  # just before: out
    server.pay(new_txid(), "2.00", paid_at=end + timedelta(seconds=1))  # just after: out
    inside = [
        server.pay(new_txid(), f"{n + 1}.00", paid_at=start + timedelta(minutes=15 * n))["pix"] for n in range(5)
    ]  # 12:00 (the start itself) to 13:00 (the end itself)

    records = client.list_pix(start, end, page_size=2)

    assert records == inside
    pages = api_requests(server, "/pix")
    assert [r["query"]["paginacao.paginaAtual"] for r in pages] == ["0", "1", "2"]
    assert {r["query"]["paginacao.itensPorPagina"] for r in pages} == {"2"}
    assert {(r["query"]["inicio"], r["query"]["fim"]) for r in pages} == {
        ("2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z")
    }
    assert [parse_pix_record(r).amount for r in records] == [Decimal(f"{n}.00") for n in range(1, 6)]


def test_list_pix_converts_offsets_to_utc_and_rounds_the_end_up(client, server):
    brasilia = timezone(timedelta(hours=-3))
    client.list_pix(datetime(2026, 3, 10, 9, 0, 0, 500, tzinfo=brasilia), datetime(2026, 3, 10, 10, 0, 0, 1, brasilia))
    [request] = api_requests(server, "/pix")
    assert request["query"]["inicio"] == "2026-03-10T12:00:00Z"
    assert request["query"]["fim"] == "2026-03-10T13:00:01Z"


def test_list_pix_skips_records_repeated_across_pages(client, server):
    client.token()
    first, second, third = ({"endToEndId": f"E{n:031d}", "valor": "1.00"} for n in range(3))
    paging = {"paginaAtual": 0, "itensPorPagina": 2, "quantidadeDePaginas": 2, "quantidadeTotalDeItens": 4}
    server.fail_next(200, body={"parametros": {"paginacao": paging}, "pix": [first, second]})
    server.fail_next(200, body={"parametros": {"paginacao": paging}, "pix": [second, third]})
    assert last_hour(client) == [first, second, third]


def test_list_pix_without_page_count_stops_on_a_short_page(client, server):
    client.token()
    records = [{"endToEndId": f"E{n:031d}"} for n in range(3)]
    server.fail_next(200, body={"pix": records[:2]})
    server.fail_next(200, body={"pix": records[2:]})
    now = datetime.now(UTC)
    assert client.list_pix(now - timedelta(hours=1), now, page_size=2) == records
    assert len(api_requests(server, "/pix")) == 2


def test_get_pix(client, server):
    paid = server.pay(new_txid(), "12.34", payer={"cpf": CPF, "nome": "Joana"}, info="Obrigado")["pix"]
    assert client.get_pix(paid["endToEndId"]) == paid
    notification = parse_pix_record(paid)
    assert (notification.payer_tax_id, notification.payer_name, notification.payer_info) == (CPF, "Joana", "Obrigado")
    with pytest.raises(ApiPixError) as caught:
        client.get_pix(E2E)
    assert caught.value.status == 404
    assert caught.value.type.endswith("/PixNaoEncontrado")


def test_test_connection_reports_scopes_and_recent_pix(make_client, server):
    server.pay(new_txid(), "5.00")
    assert make_client().test_connection() == {"token_scopes": DEFAULT_SCOPES, "pix_count": 1}
    assert make_client(scopes="pix.read").test_connection() == {"token_scopes": "pix.read", "pix_count": 1}
    with pytest.raises(ApiPixAuthError):
        make_client(client_secret="nope").test_connection()


# -- webhooks and payments -------------------------------------------------------------------


def test_webhook_put_get_delete(client, server):
    url = "https://erp.example.com/collections_pix/webhook/abc"
    registered = client.put_webhook(KEY, url)
    assert registered["webhookUrl"] == url
    put = api_requests(server, "/webhook/")[-1]
    assert put["path"] == "/webhook/pix%40cobranca.example"
    assert put["json"] == {"webhookUrl": url}

    fetched = client.get_webhook(KEY)
    assert (fetched["webhookUrl"], fetched["chave"]) == (url, KEY)

    assert client.delete_webhook(KEY) is None
    assert api_requests(server, "/webhook/")[-1]["status"] == 204
    with pytest.raises(ApiPixError) as caught:
        client.get_webhook(KEY)
    assert caught.value.status == 404
    assert caught.value.type.endswith("/WebhookNaoEncontrado")


def test_webhook_for_a_key_of_someone_else_is_refused(client):
    with pytest.raises(ApiPixError, match="chave: O parâmetro") as caught:
        client.put_webhook("+5511987654321", "https://erp.example.com/hook")
    assert caught.value.status == 400


def test_payment_is_notified_to_the_url_plus_pix_signed_and_duplicated(client, server):
    txid = new_txid()
    client.create_cob(txid, cob_body("10.50", KEY, debtor=debtor_from_tax_id(CPF, "Joana")))
    with Receiver() as receiver:
        client.put_webhook(KEY, receiver.url)
        result = server.pay(txid, duplicates=2)

    assert result["deliveries"] == [200, 200, 200]
    assert len(receiver.calls) == 3
    assert {call["path"] for call in receiver.calls} == {"/hooks/psp/pix"}
    assert len({call["body"] for call in receiver.calls}) == 1  # identical: the receiver must deduplicate
    call = receiver.calls[0]
    assert call["headers"]["Content-Type"] == "application/json"
    assert verify_signature(HOOK_SECRET, call["body"], call["headers"][SIGNATURE_HEADER])
    assert not verify_signature("another-secret", call["body"], call["headers"][SIGNATURE_HEADER])

    [notification] = parse_notification(call["body"])
    record = result["pix"]
    assert notification.end_to_end_id == record["endToEndId"]
    assert re.fullmatch(r"E18236120\d{12}[a-zA-Z0-9]{11}", notification.end_to_end_id)
    assert notification.txid == txid
    assert notification.amount == Decimal("10.50")
    assert notification.paid_at.tzinfo is not None
    assert abs(notification.paid_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert (notification.payer_tax_id, notification.payer_name) == (CPF, "Joana")

    charge = client.get_cob(txid)
    assert charge["status"] == "CONCLUIDA"
    assert [pix["endToEndId"] for pix in charge["pix"]] == [record["endToEndId"]]


def test_delivery_failures_are_reported_not_raised(client, server):
    txid = new_txid()
    client.create_cob(txid, cob_body("1.00", KEY))
    with Receiver(status=500) as receiver:
        client.put_webhook(KEY, receiver.url)
        assert server.pay(txid)["deliveries"] == [500]
    client.put_webhook(KEY, f"http://127.0.0.1:{closed_port()}/gone")
    [failure] = server.pay(new_txid(), "2.00")["deliveries"]
    assert "refused" in failure.lower()
    assert server.pay(new_txid(), "3.00", deliver=False)["deliveries"] == []


def test_unsigned_sandbox_sends_no_signature(session):
    with FakePspServer(pix_key=KEY) as unsigned, Receiver() as receiver:
        client = ApiPixClient(session, unsigned.base_url, "client", "secret")
        client.put_webhook(KEY, receiver.url)
        unsigned.pay(new_txid(), "4.00")
    assert SIGNATURE_HEADER not in receiver.calls[0]["headers"]


def test_payment_over_http_needs_no_token(client, server, session):
    txid = new_txid()
    client.create_cobv(txid, cobv_body("80.00", KEY, due_in(5), {"cpf": CPF, "nome": "Joana"}))
    with Receiver() as receiver:
        client.put_webhook(KEY, receiver.url)
        answer = session.post(f"{server.base_url}/sandbox/pay/{txid}", json={"valor": "81.60", "duplicates": 1})
    assert answer.status_code == 200
    paid = answer.json()
    assert paid["pix"]["valor"] == "81.60"  # paid late, with the fine
    assert paid["deliveries"] == [200, 200]
    assert client.get_cobv(txid)["status"] == "CONCLUIDA"

    again = session.post(f"{server.base_url}/sandbox/pay/{txid}", json={})
    assert again.status_code == 400
    assert "CONCLUIDA" in again.json()["detail"]
    unknown = session.post(f"{server.base_url}/sandbox/pay/{new_txid()}", json={})
    assert unknown.status_code == 404
    stranger = session.post(f"{server.base_url}/sandbox/pay/{new_txid()}", json={"valor": "3.00", "deliver": False})
    assert stranger.status_code == 200
    assert client.get_pix(stranger.json()["pix"]["endToEndId"])["valor"] == "3.00"


# -- notifications ----------------------------------------------------------------------------


def test_parse_notification_reads_every_record():
    body = json.dumps(
        {
            "pix": [
                {
                    "endToEndId": E2E,
                    "txid": "abc123",
                    "valor": "110.00",
                    "horario": "2026-03-10T12:30:00.123-03:00",
                    "infoPagador": "Pagamento da fatura",
                    "pagador": {"cnpj": CNPJ, "nome": "ACME"},
                },
                {"endToEndId": "E" + "1" * 31, "valor": "0.01", "horario": "2026-03-10T15:30:00.123456789Z"},
            ]
        }
    )
    first, second = parse_notification(body.encode())
    assert first == PixNotification(
        end_to_end_id=E2E,
        txid="abc123",
        amount=Decimal("110.00"),
        paid_at=datetime(2026, 3, 10, 15, 30, 0, 123000, tzinfo=UTC),
        payer_info="Pagamento da fatura",
        payer_tax_id=CNPJ,
        payer_name="ACME",
    )
    assert first.raw["pagador"] == {"cnpj": CNPJ, "nome": "ACME"}
    assert first.paid_at.utcoffset() == timedelta(0)
    assert second.txid is None
    assert second.paid_at == datetime(2026, 3, 10, 15, 30, 0, 123456, tzinfo=UTC)
    assert (second.payer_info, second.payer_tax_id, second.payer_name) == (None, None, None)
    assert parse_notification(body) == [first, second]  # text works as well as bytes
    assert len({*parse_notification(body), *parse_notification(body)}) == 2  # hashable, for deduplication


def record(**changes):
    base = {"endToEndId": E2E, "txid": "abc123", "valor": "10.00", "horario": "2026-03-10T12:30:00Z"}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (None, "bytes or text"),
        ("[]", 'object with a "pix" list'),
        ("{}", 'object with a "pix" list'),
        ({"pix": []}, "non-empty list"),
        ({"pix": {"endToEndId": E2E}}, "non-empty list"),
        ({"pix": ["x"]}, r"pix\[0\]: The Pix record is not an object"),
        ({"pix": [record(endToEndId="E123")]}, r"pix\[0\]: endToEndId must be 32"),
        ({"pix": [record(endToEndId=E2E[:-1] + "-")]}, "endToEndId"),
        ({"pix": [record(endToEndId=E2E[:-1] + "٣")]}, "endToEndId"),  # a digit, but not an ASCII one
        ({"pix": [record(endToEndId=None)]}, "endToEndId"),
        ({"pix": [record(txid="a" * 36)]}, "txid must be 1 to 35"),
        ({"pix": [record(txid="abc-123")]}, "txid"),
        ({"pix": [record(txid=123)]}, "txid"),
        ({"pix": [record(valor="10")]}, "valor"),
        ({"pix": [record(valor=10.5)]}, "valor"),
        ({"pix": [record(valor="0.00")]}, "valor"),
        ({"pix": [record(valor="1,00")]}, "valor"),
        ({"pix": [record(valor=None)]}, "valor"),
        ({"pix": [record(horario="2026-03-10T12:30:00")]}, "horario"),  # no offset
        ({"pix": [record(horario="10/03/2026 12:30")]}, "horario"),
        ({"pix": [record(horario="2026-02-30T12:00:00Z")]}, "horario"),
        ({"pix": [record(horario=None)]}, "horario"),
        ({"pix": [record(), record(valor="-1.00")]}, r"pix\[1\]: valor"),
        # Hostile input: what PostgreSQL cannot store, what overflows, what a JSON parser chokes on.
        ({"pix": [record(valor="10.001")]}, "valor"),
        ({"pix": [record(valor="NaN")]}, "valor"),
        ('{"pix": [{"endToEndId": "' + E2E + '", "valor": NaN}]}', "not JSON"),
        ({"pix": [record(infoPagador="pago\x00hoje")]}, "infoPagador contains a NUL"),
        ({"pix": [record(infoPagador="\ud800")]}, "surrogate"),
        (json.dumps({"pix": [record(pagador={"nome": "\udfff"})]}).encode(), "surrogate"),  # as the wire has it
        ({"pix": [record(pagador={"nome": "Ana\x00"})]}, "pagador.nome contains a NUL"),
        ({"pix": [record(pagador="Ana")]}, "pagador must be an object"),
        ({"pix": [record(infoPagador=5)]}, "infoPagador must be text"),
        ({"pix": [record(devolucoes=[{"motivo": "\x00"}])]}, "contains a NUL"),
        ({"pix": [record(extra=json.loads("[" * 30 + "]" * 30))]}, "nested too deeply"),
        ('{"pix": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ({"pix": [record(horario="0001-01-01T00:00:00+01:00")]}, "horario"),
        ({"pix": [record(horario="9999-12-31T23:59:59-03:00")]}, "horario"),
        ({"pix": [record(horario="1999-12-31T23:59:59Z")]}, "horario"),
    ],
)
def test_parse_notification_rejects(body, message):
    if isinstance(body, dict):
        body = json.dumps(body, ensure_ascii=False)
    with pytest.raises(InvalidNotification, match=message):
        parse_notification(body)


def test_signature_round_trip_and_tampering():
    body = b'{"pix":[]}'
    header = sign_body(HOOK_SECRET, body)
    assert header == "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign_body(HOOK_SECRET, body.decode()) == header
    assert verify_signature(HOOK_SECRET, body, header)
    assert verify_signature(HOOK_SECRET, body, header[len("sha256=") :])  # bare hex
    assert verify_signature(HOOK_SECRET, body, " SHA256=" + header[7:].upper() + " ")
    assert not verify_signature("another", body, header)
    assert not verify_signature(HOOK_SECRET, body + b" ", header)
    for bad in (None, "", "sha256=", "sha256=zz", "sha1=" + header[7:], "sha256=é" + header[8:], 42):
        assert not verify_signature(HOOK_SECRET, body, bad)
    assert not verify_signature("", body, header)
    assert not verify_signature(None, body, header)
    with pytest.raises(ValueError, match="secret is empty"):
        sign_body("", body)


# -- txids, amounts and bodies ---------------------------------------------------------------------


def test_new_txid_is_random_alphanumeric_and_keeps_a_prefix():
    txids = {new_txid() for _ in range(200)}
    assert len(txids) == 200
    assert all(len(t) == 32 and is_valid_txid(t) for t in txids)
    assert new_txid("INV2026").startswith("INV2026")
    assert new_txid("INV/2026/0042").startswith("INV20260042")
    assert is_valid_txid(new_txid("ção-ü"))
    long = new_txid("A" * 40)
    assert long[:16] == "A" * 16 and len(long) == 32
    assert new_txid("A" * 40) != long
    assert is_valid_txid(new_txid(None))


@pytest.mark.parametrize(
    ("txid", "valid"),
    [
        ("a" * 25, False),
        ("a" * 26, True),
        ("Ab1" * 10 + "xyzab", True),
        ("a" * 35, True),
        ("a" * 36, False),
        ("a" * 30 + "-", False),
        ("a" * 29 + "٣", False),
        ("a" * 26 + "\n", False),
        (None, False),
        (12345678901234567890123456, False),
    ],
)
def test_is_valid_txid(txid, valid):
    assert is_valid_txid(txid) is valid


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10"), "10.00"),
        (10, "10.00"),
        ("10.5", "10.50"),
        (" 7.1 ", "7.10"),
        (12.3, "12.30"),
        (0.01, "0.01"),
        (1234.5, "1234.50"),
        (Decimal("1E+2"), "100.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_format_amount(value, expected):
    assert format_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "greater than zero"),
        (-1, "greater than zero"),
        ("0.00", "greater than zero"),
        ("abc", "not a number"),
        ("1,50", "not a number"),
        ("10.001", "fractions of a cent"),
        (0.1 + 0.2, "fractions of a cent"),
        (Decimal("NaN"), "finite"),
        (float("inf"), "finite"),
        ("10000000000.00", "limit"),
        (10**10, "limit"),
        (True, "must be a number"),
        (None, "must be a number"),
    ],
)
def test_format_amount_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        format_amount(value)


def test_cob_body_minimal_and_checks():
    assert cob_body(10, KEY) == {"calendario": {"expiracao": 86400}, "valor": {"original": "10.00"}, "chave": KEY}
    assert "solicitacaoPagador" not in cob_body(10, KEY, payer_message=False)
    assert cob_body(10, KEY, payer_message="x" * 140)["solicitacaoPagador"] == "x" * 140
    for kwargs, message in [
        ({"expiration_seconds": 0}, "expiration"),
        ({"expiration_seconds": True}, "expiration"),
        ({"payer_message": "x" * 141}, "141 characters"),
        ({"debtor": {"cpf": "123", "nome": "Joana"}}, "11 or 14 digits"),
        ({"debtor": {"cpf": CPF, "cnpj": CNPJ, "nome": "Joana"}}, "exactly one"),
        ({"debtor": {"cpf": CNPJ, "nome": "Joana"}}, "wrong number of digits"),
        ({"debtor": {"cpf": CPF, "nome": "  "}}, "name is empty"),
    ]:
        with pytest.raises(ValueError, match=message):
            cob_body(10, KEY, **kwargs)
    with pytest.raises(ValueError, match="Pix key"):
        cob_body(10, "")
    with pytest.raises(ValueError, match="Pix key"):
        cob_body(10, "x" * 78)


def test_debtor_from_tax_id():
    assert debtor_from_tax_id("11.222.333/0001-81", "  ACME   Ltda ") == {"cnpj": CNPJ, "nome": "ACME Ltda"}
    assert debtor_from_tax_id(CPF, "Joana") == {"cpf": CPF, "nome": "Joana"}
    assert len(debtor_from_tax_id(CPF, "J" * 250)["nome"]) == 200
    with pytest.raises(ValueError, match="has 12"):
        debtor_from_tax_id("123456789012", "Joana")
    with pytest.raises(ValueError, match="has 0"):
        debtor_from_tax_id(False, "Joana")


def test_cobv_body_options():
    due = date(2026, 3, 10)
    debtor = {"cpf": CPF, "nome": "Joana"}
    plain = cobv_body("100", KEY, "2026-03-10", debtor, validity_days=0, fine_percent=0, interest_percent_month=False)
    assert plain == {
        "calendario": {"dataDeVencimento": "2026-03-10", "validadeAposVencimento": 0},
        "devedor": debtor,
        "valor": {"original": "100.00"},
        "chave": KEY,
    }
    assert cobv_body(100, KEY, datetime(2026, 3, 10, 23, 59), debtor)["calendario"]["dataDeVencimento"] == "2026-03-10"
    day = timedelta(days=1)
    for kwargs, message in [
        ({"discount_until": [(due - n * day, "1.00") for n in range(4)]}, "at most 3"),
        ({"discount_until": [(due + day, "1.00")]}, "after the due date"),
        ({"discount_until": [(due, "100.00")]}, "not less than the amount"),
        ({"discount_until": [(due, "1.00"), (due, "2.00")]}, "appears twice"),
        ({"discount_until": [(due,)]}, r"\(date, amount\) pairs"),
        ({"fine_percent": 101}, "limit of 100"),
        ({"interest_percent_month": "-1"}, "greater than zero"),
        ({"validity_days": -1}, "validity"),
    ]:
        with pytest.raises(ValueError, match=message):
            cobv_body(100, KEY, due, debtor, **kwargs)
    with pytest.raises(ValueError, match="due date"):
        cobv_body(100, KEY, "10/03/2026", debtor)
    with pytest.raises(ValueError, match="debtor"):
        cobv_body(100, KEY, due, None)


# -- configuration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"verify": False}, "verify=False"),
        ({"verify": None}, "CA bundle"),
        ({"base_url": "http://psp.example.com"}, "must use https"),
        ({"base_url": "http://psp:8099"}, "allow_http=True"),
        ({"base_url": "ftp://psp.example.com"}, "https:// address"),
        ({"base_url": "https://user:pw@psp.example.com"}, "credentials"),
        ({"base_url": " https://psp.example.com"}, "https:// address"),
        ({"token_url": "http://auth.example.com/oauth/token"}, "OAuth token URL must use https"),
        ({"timeout": None}, "timeout"),
        ({"timeout": (5, 0)}, "timeout"),
        ({"client_secret": ""}, "client_secret"),
        ({"client_id": "id\r\nX-Injected: 1"}, "client_id"),
        ({"cert": ("only-cert.pem",)}, "cert"),
        ({"max_retries": -1}, "max_retries"),
        ({"backoff": -0.1}, "backoff"),
        ({"max_retry_after": None}, "max_retry_after"),
        ({"session": "not a session"}, "requests.Session"),
    ],
)
def test_unsafe_or_broken_configuration_is_refused(session, overrides, message):
    arguments = {
        "session": session,
        "base_url": "https://pix.psp.example.com/api/v2",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **overrides,
    }
    with pytest.raises(ValueError, match=message):
        ApiPixClient(
            arguments.pop("session"),
            arguments.pop("base_url"),
            arguments.pop("client_id"),
            arguments.pop("client_secret"),
            **arguments,
        )


@pytest.mark.parametrize(
    ("base_url", "extra"),
    [
        ("http://127.0.0.1:8099", {}),
        ("http://localhost:8099/", {}),
        ("http://[::1]:8099", {}),
        ("http://127.0.0.2:8099", {}),
        ("http://psp:8099", {"allow_http": True}),
        ("https://pix.psp.example.com/api/v2/", {"verify": "/etc/ssl/psp-ca.pem", "cert": ("c.pem", "k.pem")}),
    ],
)
def test_acceptable_configuration(session, base_url, extra):
    client = ApiPixClient(session, base_url, CLIENT_ID, CLIENT_SECRET, **extra)
    assert client.base_url == base_url.rstrip("/")
    assert client.token_url == base_url.rstrip("/") + "/oauth/token"
    assert CLIENT_SECRET not in repr(client)


# -- mutual TLS ----------------------------------------------------------------------------------


def make_pki(folder):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    now = datetime.now(UTC)

    def issue(name, key, issuer=None, issuer_key=None, *, ca=False, san=None, usage=None):
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key((issuer_key or key).public_key()), critical=False
            )
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        if usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        return builder.sign(issuer_key or key, hashes.SHA256())

    def write(name, cert, key):
        cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return str(cert_path), str(key_path)

    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = issue("Fake PSP test CA", ca_key, ca=True)
    server = issue(
        "127.0.0.1",
        server_key,
        ca,
        ca_key,
        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
    )
    client = issue("cobranca-client", client_key, ca, ca_key, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    ca_path, _ = write("ca", ca, ca_key)
    return ca_path, write("server", server, server_key), write("client", client, client_key)


@pytest.mark.skipif(x509 is None, reason="needs the cryptography package")
def test_mutual_tls(tmp_path, waits):
    ca_path, (server_cert, server_key), client_pair = make_pki(tmp_path)
    tls = {"certfile": server_cert, "keyfile": server_key, "cafile": ca_path}
    with FakePspServer(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, pix_key=KEY, tls=tls) as secure:
        assert secure.base_url.startswith("https://127.0.0.1:")

        def client(session, **overrides):
            arguments = {"cert": client_pair, "verify": ca_path, "sleep": waits.append, "timeout": (2, 5)}
            return ApiPixClient(session, secure.base_url, CLIENT_ID, CLIENT_SECRET, **{**arguments, **overrides})

        with requests.Session() as session:
            created = client(session).create_cob(new_txid(), cob_body("10.00", KEY))
            assert created["status"] == "ATIVA"
        seen = len(secure.requests)
        assert seen == 2  # token and PUT

        with requests.Session() as session:
            session.verify = False  # the client passes verify= on every call: a session default cannot weaken it
            with pytest.raises(ApiPixConnectionError, match="certificate") as caught:
                client(session, verify=True).token()  # the system CAs do not know the PSP's test CA
            assert caught.value.attempts == 1  # a TLS failure is configuration, not retried
            assert CLIENT_SECRET not in str(caught.value)

        refusals = secure.tls_refusals
        with requests.Session() as session, pytest.raises(ApiPixConnectionError):
            client(session, cert=None).token()
        # The server thread counts the refused handshake after the client already gave up: wait for it.
        deadline = time.monotonic() + 5
        while secure.tls_refusals <= refusals and time.monotonic() < deadline:
            time.sleep(0.01)
        assert secure.tls_refusals > refusals  # the sandbox refused the handshake without a client certificate
        assert len(secure.requests) == seen  # and no HTTP request got through
