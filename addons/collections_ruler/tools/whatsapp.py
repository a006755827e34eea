"""Send a collection reminder over WhatsApp: Meta's Cloud API or a generic HTTP webhook.

Standard library plus ``requests`` only, so it runs (and is tested) without Odoo.
Every failure is a ``WhatsAppError`` whose ``retryable`` flag tells the ruler whether
to try again later (network trouble, throttling, gateway outage) or to stop and ask a
person (bad configuration, refused token, invalid number). Messages never contain the
access token, the webhook secret or the URL's path and query, which may embed a key.
"""

import hashlib
import hmac
import json
import re
from urllib.parse import urlsplit

import requests

from . import http_client

CLOUD_API_BASE_URL = "https://graph.facebook.com/v21.0"
DEFAULT_TIMEOUT = 10
MIN_DIGITS, MAX_DIGITS = 10, 15  # E.164 allows 15; below 10 there is no area code left.
BRAZIL = "55"
BRAZIL_NATIONAL_LENGTHS = (10, 11)  # area code + 8-digit landline or 9-digit mobile

# Meta asks clients to decide on ``error.code`` rather than the HTTP status, and sends
# several throttling errors with HTTP 400: these codes mean "later", not "never".
CLOUD_RETRYABLE_CODES = frozenset(
    {
        2,  # API Service: temporary downtime or overload
        4,  # API Too Many Calls: app rate limit
        80007,  # WhatsApp Business Account rate limit
        130429,  # Cloud API throughput reached
        131000,  # Something went wrong
        131016,  # Service unavailable
        131056,  # (business, consumer) pair rate limit
        133004,  # Server temporarily unavailable
    }
)

_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()./-]+")
_PHONE_NUMBER_ID = re.compile(r"[0-9]+")
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")  # Meta: lowercase letters, digits and underscores
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2,3})?")  # "pt_BR", "en", "en_US", "fil"
_HEADER_TOKEN = re.compile(r"[\x21-\x7e]+")  # visible ASCII: anything else breaks or splits the header
_MAX_GATEWAY_TEXT = 200


class WhatsAppError(ValueError):
    """Base of every error here; ``retryable`` says whether trying again later may succeed."""

    retryable = False

    def __init__(self, message, *, retryable=None):
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class WhatsAppConfigError(WhatsAppError):
    """The settings are wrong (missing token, bad URL...): retrying cannot help, a person must fix them."""

    retryable = False


class InvalidPhoneError(WhatsAppError):
    """The partner's number cannot be turned into an international one: fix the contact, do not retry."""

    retryable = False


class WhatsAppSendError(WhatsAppError):
    """The gateway refused or could not be reached; ``status`` is the HTTP status, None without an answer."""

    def __init__(self, message, *, status=None, retryable=False):
        super().__init__(message, retryable=retryable)
        self.status = status


def normalize_phone(number: str, default_country: str = BRAZIL) -> str:
    """Turn a number as people type it into E.164 digits without "+", as both gateways expect.

    "+55 (11) 98765-4321" and "(011) 98765-4321" both give "5511987654321". A number
    without "+" or "00" is national (a leading trunk "0" is dropped and
    ``default_country`` is prepended) unless it already starts with ``default_country``
    and is longer than a national number. Brazilian national numbers must have 10 or 11
    digits, so a number missing its area code is refused instead of reaching a stranger.
    Messages do not repeat the number: it is personal data and ends up in logs.
    """
    if not isinstance(default_country, str) or not re.fullmatch(r"[1-9][0-9]{0,2}", default_country):
        raise WhatsAppConfigError("The default country calling code must be 1 to 3 digits, such as 55.")
    text = number.strip() if isinstance(number, str) else ""
    if not text:
        raise InvalidPhoneError("The phone number is empty.")
    if not _PHONE_CHARACTERS.fullmatch(text):
        raise InvalidPhoneError(
            "The phone number may only contain digits, spaces, a leading +, and the separators ( ) . / -."
        )
    digits = re.sub(r"[^0-9]", "", text)
    international = text.startswith("+")
    if not international and digits.startswith("00"):  # international call prefix, as in 0055...
        digits, international = digits[2:], True
    elif not international and digits.startswith("0"):  # national trunk prefix, as in (011)
        digits = digits[1:]
    if not international and len(digits) > max(BRAZIL_NATIONAL_LENGTHS) and digits.startswith(default_country):
        international = True  # stored with the country code but without "+"
    if not international:
        if default_country == BRAZIL and len(digits) not in BRAZIL_NATIONAL_LENGTHS:
            raise InvalidPhoneError(
                f"A Brazilian phone number needs the area code and the number (10 or 11 digits); "
                f"this one has {len(digits)}."
            )
        digits = default_country + digits
    return _check_e164(digits)


def _check_e164(digits):
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise InvalidPhoneError(
            f"The phone number has {len(digits)} digits with the country code; "
            f"an international number has {MIN_DIGITS} to {MAX_DIGITS}."
        )
    if digits.startswith("0"):
        raise InvalidPhoneError("The phone number's country code cannot start with 0.")
    return digits


def _recipient(to):
    """Accept what normalize_phone returns (a leading "+" is tolerated) and nothing vaguer."""
    text = to.strip() if isinstance(to, str) else ""
    digits = text.removeprefix("+")
    if not re.fullmatch(r"[0-9]+", digits):
        raise InvalidPhoneError(
            "The recipient must be an international number in digits, such as 5511987654321 "
            "(use normalize_phone first)."
        )
    return _check_e164(digits)


def sign_body(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the exact body bytes, as "sha256=<hex>", so the gateway can prove the sender."""
    if not isinstance(secret, str) or not secret:
        raise WhatsAppConfigError("The webhook secret is empty.")
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_cloud_template(
    session: requests.Session,
    *,
    base_url: str,
    phone_number_id: str,
    token: str,
    to: str,
    template_name: str,
    language: str,
    parameters,
    timeout=DEFAULT_TIMEOUT,
) -> str:
    """Send an approved template through the WhatsApp Business Cloud API; return the "wamid." id.

    Outside the 24-hour customer window Meta only delivers templates, and a reminder is
    business-initiated, hence templates only. ``parameters`` are the body's {{1}}, {{2}}...
    values as strings, already formatted for the reader (amounts, dates). A timeout after
    the request left is retryable but may duplicate the message: the Cloud API has no
    idempotency key.
    """
    endpoint_base = _check_url(base_url, "Cloud API base URL", https_only=True).rstrip("/")
    if not isinstance(phone_number_id, str) or not _PHONE_NUMBER_ID.fullmatch(phone_number_id):
        raise WhatsAppConfigError("The WhatsApp phone number ID is missing or is not all digits.")
    _check_token(token, "WhatsApp Cloud API access token", required=True)
    if not isinstance(template_name, str) or not _TEMPLATE_NAME.fullmatch(template_name):
        raise WhatsAppConfigError(
            "The WhatsApp template name is missing or invalid: Meta allows lowercase letters, digits and underscores."
        )
    if not isinstance(language, str) or not _LANGUAGE_CODE.fullmatch(language):
        raise WhatsAppConfigError('The WhatsApp template language must be a code such as "pt_BR" or "en".')
    if not isinstance(parameters, (list, tuple)):
        raise WhatsAppConfigError("The WhatsApp template parameters must be a list of strings.")
    for position, value in enumerate(parameters, start=1):
        if not isinstance(value, str):  # an unset Odoo field gives False, which Meta would reject anyway
            raise WhatsAppConfigError(
                f"The WhatsApp template parameter {{{{{position}}}}} is {type(value).__name__}, not text."
            )
    timeout = _check_timeout(timeout)
    template = {"name": template_name, "language": {"code": language}}
    if parameters:  # a template without variables takes no body component
        template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}]
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": _recipient(to),
        "type": "template",
        "template": template,
    }
    response = _post(
        session,
        f"{endpoint_base}/{phone_number_id}/messages",
        _encode(payload),
        {"Authorization": f"Bearer {token}"},
        timeout,
        "the WhatsApp Cloud API",
    )
    data = http_client.json_or_none(response)
    if not 200 <= response.status_code < 300:
        error = data.get("error") if isinstance(data, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        retryable = _retryable_status(response.status_code) or code in CLOUD_RETRYABLE_CODES
        description = _describe_cloud_error(response, error, (token,))
        raise WhatsAppSendError(
            f"The WhatsApp Cloud API {_verb(response.status_code)} ({description}).",
            status=response.status_code,
            retryable=retryable,
        )
    messages = data.get("messages") if isinstance(data, dict) else None
    message_id = (
        messages[0].get("id") if isinstance(messages, list) and messages and isinstance(messages[0], dict) else None
    )
    if not isinstance(message_id, str) or not message_id:
        raise WhatsAppSendError(
            f"The WhatsApp Cloud API answered HTTP {response.status_code} without a message id; "
            "the message may not have been sent.",
            status=response.status_code,
            retryable=False,
        )
    return message_id


def send_webhook_message(
    session: requests.Session,
    *,
    url: str,
    to: str,
    text: str,
    reference: str,
    secret: str | None = None,
    token: str | None = None,
    timeout=DEFAULT_TIMEOUT,
) -> str:
    """POST {"to", "message", "reference"} to a gateway of the user's choosing; return its id or the reference.

    For gateways Meta does not run (Z-API, a Twilio proxy, n8n...). With ``secret`` the
    body is signed in ``X-Signature`` so the gateway can reject forged calls; the
    ``reference`` lets it drop a duplicate when a timed-out request is retried.
    """
    endpoint = _check_url(url, "WhatsApp webhook URL", https_only=False)
    if not isinstance(text, str) or not text.strip():
        raise WhatsAppConfigError("The WhatsApp message text is empty.")
    if not isinstance(reference, str) or not reference.strip():
        raise WhatsAppConfigError("The WhatsApp message reference is empty.")
    _check_token(token, "WhatsApp webhook token", required=False)
    if secret is not None and not isinstance(secret, str):
        raise WhatsAppConfigError("The WhatsApp webhook secret must be text.")
    timeout = _check_timeout(timeout)
    body = _encode({"to": _recipient(to), "message": text, "reference": reference})
    headers = {}
    if secret:  # Odoo gives False or "" for an unset field: both mean "do not sign"
        headers["X-Signature"] = sign_body(secret, body)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    secrets = tuple(s for s in (secret, token) if s)
    response = _post(session, endpoint, body, headers, timeout, "the WhatsApp webhook gateway")
    data = http_client.json_or_none(response)
    if not 200 <= response.status_code < 300:
        raise WhatsAppSendError(
            f"The WhatsApp webhook gateway {_verb(response.status_code)} (HTTP {response.status_code}): "
            f"{_webhook_error_text(response, data, secrets)}",
            status=response.status_code,
            retryable=_retryable_status(response.status_code),
        )
    message_id = data.get("id") if isinstance(data, dict) else None
    if isinstance(message_id, bool) or not isinstance(message_id, (str, int)) or message_id == "":
        return reference
    return str(message_id)


def _check_url(url, label, *, https_only):
    """An http(s) URL with a host; plain http only to loopback when a token rides along to Meta."""
    parts = urlsplit(url) if isinstance(url, str) and url.strip() == url else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WhatsAppConfigError(f"The {label} must be an http:// or https:// address.")
    if https_only and parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise WhatsAppConfigError(f"The {label} must use https://, or the access token would travel in clear.")
    return url


def _check_token(token, label, *, required):
    if token is None or token is False or token == "":
        if required:
            raise WhatsAppConfigError(f"The {label} is missing.")
        return
    if not isinstance(token, str) or not _HEADER_TOKEN.fullmatch(token):
        raise WhatsAppConfigError(f"The {label} contains spaces, line breaks or non-ASCII characters.")


def _check_timeout(timeout):
    """A number of seconds or a (connect, read) pair; None would let a stuck gateway block the ruler."""
    try:
        return http_client.check_timeout(timeout)
    except ValueError:
        raise WhatsAppConfigError("The WhatsApp timeout must be a positive number of seconds.") from None


def _encode(payload):
    """The exact bytes sent, serialized once, so that the signature covers what the gateway reads."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _post(session, url, body, headers, timeout, gateway):
    """POST the bytes once (the ruler reschedules what is worth retrying); network failures become a
    retryable WhatsAppSendError without quoting requests' text."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", **headers}
    try:
        response, _attempts = http_client.send(
            session, "POST", url, data=body, headers=headers, timeout=timeout, label="WhatsApp"
        )
    except http_client.TransportError as error:
        if error.kind == "timeout":
            message = f"No answer from {gateway} at {error.host} within {_seconds(timeout)}."
        elif error.kind == "other":
            raise WhatsAppSendError(f"Could not send to {gateway} at {error.host}: {error.reason}.") from None
        else:
            message = f"Could not reach {gateway} at {error.host}: {error.reason}."
        raise WhatsAppSendError(message, retryable=True) from None
    return response


_retryable_status = http_client.retryable_status


def _verb(status):
    return "failed to take the message" if status >= 500 else "refused the message"


def _describe_cloud_error(response, error, secrets):
    """Status, Meta's code, message and details, and the fbtrace_id Meta support asks for."""
    if not isinstance(error, dict) or not error.get("message"):
        return f"HTTP {response.status_code}: {_snippet(response.text, secrets) or '(empty answer)'}"
    head = [f"HTTP {response.status_code}"]
    if error.get("code") is not None:
        head.append(f"code {_snippet(str(error['code']), secrets)}")
    if error.get("error_subcode") is not None:
        head.append(f"subcode {_snippet(str(error['error_subcode']), secrets)}")
    text = f"{', '.join(head)}: {_snippet(str(error['message']), secrets)}"
    details = error.get("error_data", {}).get("details") if isinstance(error.get("error_data"), dict) else None
    if isinstance(details, str) and details.strip() and details != error["message"]:
        text += f" — {_snippet(details, secrets)}"
    if error.get("fbtrace_id"):
        text += f"; fbtrace_id {_snippet(str(error['fbtrace_id']), secrets)}"
    return text


def _webhook_error_text(response, data, secrets):
    if isinstance(data, dict):
        for key in ("message", "error"):
            value = data.get(key)
            if isinstance(value, dict):  # {"error": {"message": ...}}, as Graph-style gateways answer
                value = value.get("message")
            if isinstance(value, str) and value.strip():
                return _snippet(value, secrets)
    return _snippet(response.text, secrets) or "(empty answer)"


def _snippet(text, secrets):
    """Gateway text, one line, at most 200 characters, with any echoed token or secret masked first."""
    return http_client.mask(text, secrets, _MAX_GATEWAY_TEXT)


def _seconds(timeout):
    return f"{max(timeout)} s" if isinstance(timeout, tuple) else f"{timeout} s"
