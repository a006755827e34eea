"""The WhatsApp client against a fake gateway over real HTTP on loopback: no mocks."""

import hashlib
import hmac
import json
import socket
import threading
import time

import pytest
import requests

from collections_ruler.tests.fake_whatsapp import FakeWhatsAppServer
from collections_ruler.tools.whatsapp import (
    InvalidPhoneError,
    WhatsAppConfigError,
    WhatsAppError,
    WhatsAppSendError,
    normalize_phone,
    send_cloud_template,
    send_webhook_message,
    sign_body,
)

TOKEN = "secret-token"
SECRET = "s3cr3t"
PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture
def server():
    with FakeWhatsAppServer(token=TOKEN, webhook_secret=SECRET) as fake:
        yield fake


@pytest.fixture
def session():
    with requests.Session() as http:
        yield http


def send_cloud(session, server, **overrides):
    arguments = {
        "base_url": server.base_url,
        "phone_number_id": PHONE_NUMBER_ID,
        "token": TOKEN,
        "to": "5511987654321",
        "template_name": "lembrete_vencimento",
        "language": "pt_BR",
        "parameters": ["Joana", "R$ 1.234,56", "10/03/2026"],
        "timeout": 5,
        **overrides,
    }
    return send_cloud_template(session, **arguments)


def send_hook(session, server, **overrides):
    arguments = {
        "url": server.webhook_url,
        "to": "5511987654321",
        "text": "Olá Joana, a fatura INV/2026/0042 venceu em 10/03/2026.",
        "reference": "INV/2026/0042-reminder-1",
        "secret": SECRET,
        "timeout": 5,
        **overrides,
    }
    return send_webhook_message(session, **arguments)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- Cloud API ------------------------------------------------------------------------


def test_cloud_template_success_sends_the_documented_body(session, server):
    message_id = send_cloud(session, server)

    assert message_id.startswith("wamid.")
    [received] = server.requests
    assert received["path"] == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert received["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert received["headers"]["Content-Type"] == "application/json"
    assert received["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5511987654321",
        "type": "template",
        "template": {
            "name": "lembrete_vencimento",
            "language": {"code": "pt_BR"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Joana"},
                        {"type": "text", "text": "R$ 1.234,56"},
                        {"type": "text", "text": "10/03/2026"},
                    ],
                }
            ],
        },
    }
    # Compact UTF-8, not ASCII escapes: what is signed or logged is what was meant.
    assert received["body"] == json.dumps(received["json"], separators=(",", ":"), ensure_ascii=False).encode()


def test_cloud_template_ids_are_fresh_and_a_plus_is_tolerated(session, server):
    first = send_cloud(session, server)
    second = send_cloud(session, server, to="+5511987654321")
    assert first != second
    assert server.requests[1]["json"]["to"] == "5511987654321"


def test_cloud_template_without_variables_has_no_body_component(session, server):
    assert send_cloud(session, server, parameters=[]).startswith("wamid.")
    assert "components" not in server.requests[0]["json"]["template"]


def test_wrong_token_is_final_and_quotes_meta_but_not_the_token(session, server):
    wrong = "EAAG-wrong-token-123"
    with pytest.raises(WhatsAppSendError) as caught:
        send_cloud(session, server, token=wrong)
    error = caught.value
    assert error.status == 401
    assert error.retryable is False
    assert "Invalid OAuth access token" in str(error)
    assert "code 190" in str(error)
    assert wrong not in str(error)
    assert TOKEN not in str(error)


def test_cloud_wrong_api_path_is_a_final_404(session, server):
    with pytest.raises(WhatsAppSendError, match="HTTP 404") as caught:
        send_cloud(session, server, base_url=server.base_url.replace("/v21.0", "/v99.0"))
    assert (caught.value.status, caught.value.retryable) == (404, False)


def test_cloud_400_from_the_fake_validation_is_not_retryable(session, server):
    server.fail_next(400)
    with pytest.raises(WhatsAppSendError, match="Invalid parameter") as caught:
        send_cloud(session, server)
    assert (caught.value.status, caught.value.retryable) == (400, False)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_gateway_outage_and_throttling_are_retryable(session, server, status):
    server.fail_next(status)
    with pytest.raises(WhatsAppSendError) as caught:
        send_cloud(session, server)
    assert caught.value.status == status
    assert caught.value.retryable is True
    assert f"HTTP {status}" in str(caught.value)
    # The next attempt goes through: fail_next is one-shot.
    assert send_cloud(session, server).startswith("wamid.")


def test_meta_throttling_code_sent_with_http_400_is_retryable(session, server):
    server.fail_next(400, body={"error": {"message": "(#130429) Rate limit hit", "code": 130429}})
    with pytest.raises(WhatsAppSendError, match="Rate limit hit") as caught:
        send_cloud(session, server)
    assert (caught.value.status, caught.value.retryable) == (400, True)


def test_non_json_error_body_is_quoted_and_truncated(session, server):
    server.fail_next(502, body="<html>" + "x" * 500 + "</html>")
    with pytest.raises(WhatsAppSendError) as caught:
        send_cloud(session, server)
    assert "<html>xxx" in str(caught.value)
    assert "x" * 201 not in str(caught.value)
    assert caught.value.retryable is True


def test_success_without_message_id_is_a_final_error(session, server):
    server.fail_next(200, body={"messaging_product": "whatsapp", "contacts": [], "messages": []})
    with pytest.raises(WhatsAppSendError, match="without a message id") as caught:
        send_cloud(session, server)
    assert (caught.value.status, caught.value.retryable) == (200, False)


def test_connection_refused_is_retryable(session):
    port = closed_port()
    with pytest.raises(WhatsAppSendError, match="Connection refused") as caught:
        send_cloud_template(
            session,
            base_url=f"http://127.0.0.1:{port}/v21.0",
            phone_number_id=PHONE_NUMBER_ID,
            token=TOKEN,
            to="5511987654321",
            template_name="lembrete",
            language="pt_BR",
            parameters=[],
            timeout=2,
        )
    assert (caught.value.status, caught.value.retryable) == (None, True)
    assert TOKEN not in str(caught.value)


def test_timeout_is_retryable(session, server):
    server.delay_next(2)
    with pytest.raises(
        WhatsAppSendError, match=r"No answer from the WhatsApp Cloud API at 127\.0\.0\.1:\d+ within 0\.2 s"
    ) as caught:
        send_cloud(session, server, timeout=0.2)
    assert (caught.value.status, caught.value.retryable) == (None, True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"token": ""}, "access token is missing"),
        ({"token": None}, "access token is missing"),
        ({"token": "abc\r\nX-Injected: 1"}, "line breaks"),
        ({"base_url": "ftp://example.com"}, "http:// or https://"),
        ({"base_url": "http://graph.facebook.com/v21.0"}, "must use https://"),
        ({"phone_number_id": "../../me"}, "phone number ID"),
        ({"template_name": "Lembrete Vencimento"}, "template name"),
        ({"language": "portuguese"}, "language"),
        ({"parameters": "Joana"}, "list of strings"),
        ({"parameters": ["Joana", 1234.56]}, r"parameter \{\{2\}\} is float, not text"),
        ({"parameters": ["Joana", "INV/1", "R$ 1,00", False]}, r"parameter \{\{4\}\} is bool"),
        ({"timeout": None}, "timeout"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_cloud_configuration_fails_before_any_request(session, server, overrides, message):
    with pytest.raises(WhatsAppConfigError, match=message) as caught:
        send_cloud(session, server, **overrides)
    assert caught.value.retryable is False
    assert server.requests == []
    if overrides.get("token"):
        assert overrides["token"] not in str(caught.value)


# -- Webhook -------------------------------------------------------------------------


def test_webhook_success_is_signed_over_the_exact_body(session, server):
    result = send_hook(session, server, token="hook-token")

    assert result == "hook-1"
    [received] = server.requests
    assert received["path"] == "/hook"
    assert received["json"] == {
        "to": "5511987654321",
        "message": "Olá Joana, a fatura INV/2026/0042 venceu em 10/03/2026.",
        "reference": "INV/2026/0042-reminder-1",
    }
    assert "Olá".encode() in received["body"]  # UTF-8, not \\u escapes
    expected = "sha256=" + hmac.new(SECRET.encode(), received["body"], hashlib.sha256).hexdigest()
    assert received["headers"]["X-Signature"] == expected
    assert received["headers"]["Authorization"] == "Bearer hook-token"
    assert received["headers"]["Content-Type"] == "application/json"


def test_webhook_ids_count_up(session, server):
    assert [send_hook(session, server) for _ in range(3)] == ["hook-1", "hook-2", "hook-3"]


def test_webhook_without_secret_sends_no_signature(session):
    with FakeWhatsAppServer(token=TOKEN) as unsigned:
        assert send_hook(session, unsigned, secret=None) == "hook-1"
        assert "X-Signature" not in unsigned.requests[0]["headers"]
        assert "Authorization" not in unsigned.requests[0]["headers"]


def test_webhook_answer_without_id_returns_the_reference(session, server):
    server.fail_next(202, body={"queued": True})
    assert send_hook(session, server) == "INV/2026/0042-reminder-1"
    server.fail_next(200, body="OK")
    assert send_hook(session, server) == "INV/2026/0042-reminder-1"


def test_webhook_wrong_secret_is_final_and_secret_stays_out(session, server):
    wrong = "not-the-secret"
    with pytest.raises(WhatsAppSendError, match=r"HTTP 401\): bad signature") as caught:
        send_hook(session, server, secret=wrong)
    assert caught.value.retryable is False
    assert wrong not in str(caught.value)
    assert SECRET not in str(caught.value)


def test_webhook_error_message_field_is_quoted(session, server):
    server.fail_next(422, body={"message": "Instance disconnected", "error": "ignored"})
    with pytest.raises(WhatsAppSendError, match="Instance disconnected") as caught:
        send_hook(session, server)
    assert (caught.value.status, caught.value.retryable) == (422, False)


def test_webhook_echoing_the_secret_is_redacted(session, server):
    server.fail_next(400, body={"error": f"signature computed with {SECRET} did not match"})
    with pytest.raises(WhatsAppSendError, match=r"computed with \*\*\* did not") as caught:
        send_hook(session, server)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_webhook_outage_is_retryable(session, server, status):
    server.fail_next(status)
    with pytest.raises(WhatsAppSendError) as caught:
        send_hook(session, server)
    assert (caught.value.status, caught.value.retryable) == (status, True)


def test_webhook_redirect_is_not_followed(session, server):
    server.fail_next(302, body="moved")
    with pytest.raises(WhatsAppSendError, match="HTTP 302") as caught:
        send_hook(session, server)
    assert caught.value.retryable is False
    assert len(server.requests) == 1


def test_webhook_connection_refused_and_timeout_are_retryable(session, server):
    key_in_path = "instance-key-42"
    with pytest.raises(WhatsAppSendError, match="Connection refused") as caught:
        send_hook(session, server, url=f"http://127.0.0.1:{closed_port()}/token/{key_in_path}/send")
    assert caught.value.retryable is True
    assert key_in_path not in str(caught.value)

    server.delay_next(2)
    with pytest.raises(WhatsAppSendError, match=r"within 0\.2 s") as caught:
        send_hook(session, server, timeout=0.2)
    assert (caught.value.status, caught.value.retryable) == (None, True)


def test_webhook_unknown_path_is_a_final_404(session, server):
    with pytest.raises(WhatsAppSendError, match="HTTP 404") as caught:
        send_hook(session, server, url=server.webhook_url + "/nope")
    assert caught.value.retryable is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "not a url"}, "http:// or https://"),
        ({"url": ""}, "http:// or https://"),
        ({"text": "  "}, "text is empty"),
        ({"reference": ""}, "reference is empty"),
        ({"token": "two words"}, "spaces"),
        ({"timeout": (1, -1)}, "timeout"),
    ],
)
def test_bad_webhook_configuration_fails_before_any_request(session, server, overrides, message):
    with pytest.raises(WhatsAppConfigError, match=message):
        send_hook(session, server, **overrides)
    assert server.requests == []


# -- Phone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+55 (11) 98765-4321", "5511987654321"),
        ("11 98765-4321", "5511987654321"),
        ("(011) 98765-4321", "5511987654321"),
        ("011987654321", "5511987654321"),
        ("5511987654321", "5511987654321"),
        ("0055 11 98765 4321", "5511987654321"),
        ("(21) 3456-7890", "552134567890"),  # landline: 10 national digits
        ("2134567890", "552134567890"),
        ("55 99123-4567", "5555991234567"),  # area code 55 (Santa Maria, RS) is national
        ("+1 (212) 555-0100", "12125550100"),
        ("+351 912 345 678", "351912345678"),
        (" +55.11.98765.4321 ", "5511987654321"),
    ],
)
def test_normalize_phone(number, expected):
    assert normalize_phone(number) == expected


def test_normalize_phone_with_another_default_country():
    assert normalize_phone("0912 345 678", default_country="351") == "351912345678"
    assert normalize_phone("212 555 0100", default_country="1") == "12125550100"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("98765-4321", "this one has 9"),  # no area code: must not reach a stranger
        ("123", "this one has 3"),
        ("+55 11 9876", "has 8 digits"),
        ("+55 11 98765-4321 1234", "has 17 digits"),
        ("+0 11 98765-4321", "cannot start with 0"),
        ("11 98765-4321 ramal 2", "may only contain"),
        ("55 11 +98765-4321", "may only contain"),
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        (False, "empty"),  # what Odoo gives for an unset field
    ],
)
def test_normalize_phone_rejects(number, message):
    with pytest.raises(InvalidPhoneError, match=message) as caught:
        normalize_phone(number)
    assert caught.value.retryable is False
    assert isinstance(caught.value, WhatsAppError)
    assert isinstance(caught.value, ValueError)


def test_normalize_phone_bad_default_country_is_configuration():
    with pytest.raises(WhatsAppConfigError):
        normalize_phone("11 98765-4321", default_country="+55")


@pytest.mark.parametrize("to", ["11 98765-4321", "551198765", "55119876543210000", "abc", ""])
def test_send_rejects_numbers_that_are_not_normalized(session, server, to):
    with pytest.raises(InvalidPhoneError):
        send_cloud(session, server, to=to)
    with pytest.raises(InvalidPhoneError):
        send_hook(session, server, to=to)
    assert server.requests == []


# -- Signature -----------------------------------------------------------------------


def test_sign_body_matches_an_independent_hmac():
    body = '{"to":"5511987654321","message":"Olá","reference":"R1"}'.encode()
    expected = hmac.new(b"s3cr3t", body, hashlib.sha256).hexdigest()
    assert sign_body("s3cr3t", body) == f"sha256={expected}"
    assert sign_body("s3cr3t", body + b" ") != f"sha256={expected}"


def test_sign_body_refuses_an_empty_secret():
    with pytest.raises(WhatsAppConfigError):
        sign_body("", b"{}")


# -- The fake itself -------------------------------------------------------------------


def test_fake_rejects_an_invalid_cloud_body_and_unknown_routes(session, server):
    bad = session.post(
        f"{server.base_url}/{PHONE_NUMBER_ID}/messages",
        json={"messaging_product": "whatsapp", "type": "text", "to": "5511987654321"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == 100
    missing = session.post(server.webhook_url, data=b'{"to":"1"}', timeout=5)
    assert missing.status_code == 401  # unsigned
    assert session.get(server.webhook_url, timeout=5).status_code == 404


def test_fake_stops_cleanly_even_while_a_request_is_stalled(session):
    fake = FakeWhatsAppServer().start()
    port = fake.port
    fake.delay_next(30)
    outcome = []

    def post():
        try:
            session.post(fake.webhook_url, json={}, timeout=10)
        except requests.RequestException as exc:
            outcome.append(exc)

    stalled = threading.Thread(target=post)
    stalled.start()
    deadline = time.monotonic() + 5
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    fake.stop()
    stalled.join(timeout=5)
    assert time.monotonic() - started < 2
    assert [type(exc) for exc in outcome] == [requests.ConnectionError]  # hung up, not answered
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
