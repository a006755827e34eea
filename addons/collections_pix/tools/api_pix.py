# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Client for Banco Central's "API Pix", the OpenAPI every Brazilian PSP implements.

Covers what collections need: immediate charges (``/cob``), charges with a due date,
fine, interest and discounts (``/cobv``), received Pix (``/pix``) and the webhook that
announces them (``/webhook``), plus helpers to build charge bodies and to read and
authenticate webhook notifications.

Authentication is OAuth2 client credentials over mutual TLS: the caller passes the
company's certificate as ``cert`` and, when the PSP's chain is not in the system store,
its CA bundle as ``verify``. Certificate checks cannot be switched off.

Failures are ``ApiPixError`` (the PSP's RFC 7807 problem, mapped), ``ApiPixAuthError``
(credentials or scopes refused) or ``ApiPixConnectionError`` (no answer after the
retries). Neither messages nor logs ever contain the client secret, an access token or
an Authorization header.

Standard library plus ``requests`` only, so it runs (and is tested) without Odoo.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlsplit

import requests

try:  # plain-pytest tier: the addons are bare packages (tests/conftest.py)
    from collections_ruler.tools import http_client
except ImportError:  # inside Odoo
    from odoo.addons.collections_ruler.tools import http_client

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Pix-Signature"
DEFAULT_SCOPES = "cob.write cob.read cobv.write cobv.read pix.read webhook.read webhook.write"
TXID_PATTERN = re.compile(r"^[a-zA-Z0-9]{26,35}$")

STATUS_ACTIVE = "ATIVA"
STATUS_COMPLETED = "CONCLUIDA"
STATUS_REMOVED_BY_RECEIVER = "REMOVIDA_PELO_USUARIO_RECEBEDOR"
STATUS_REMOVED_BY_PSP = "REMOVIDA_PELO_PSP"

# Modalities of a charge with due date (API Pix, CobV "valor").
FINE_PERCENT = "2"
INTEREST_PERCENT_MONTH_CALENDAR_DAYS = "3"
DISCOUNT_FIXED_UNTIL_DATES = "1"
MAX_FIXED_DISCOUNTS = 3

MAX_AMOUNT = Decimal("9999999999.99")  # \d{1,10}\.\d{2}
MAX_KEY_LENGTH = 77
MAX_PAYER_MESSAGE = 140
MAX_DEBTOR_NAME = 200
MAX_PAGE_SIZE = 1000
MAX_PAGES = 10_000  # a PSP that never stops paginating must not loop us forever
TXID_LENGTH = 32

_CENT = Decimal("0.01")
_AMOUNT_TEXT = re.compile(r"[0-9]{1,10}\.[0-9]{2}")
_END_TO_END_ID = re.compile(r"[a-zA-Z0-9]{32}")
_ANY_TXID = re.compile(r"[a-zA-Z0-9]{1,35}")  # payments of static QR codes carry shorter txids
_ALNUM = re.compile(r"[a-zA-Z0-9]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")  # visible ASCII: anything else breaks or splits a header
_TXID_ALPHABET = string.ascii_letters + string.digits
_MAX_PSP_TEXT = 300


# -- charge bodies -----------------------------------------------------------------------


def is_valid_txid(txid) -> bool:
    """Whether ``txid`` is accepted by ``PUT /cob/{txid}`` and ``PUT /cobv/{txid}``."""
    return isinstance(txid, str) and TXID_PATTERN.fullmatch(txid) is not None


def new_txid(prefix: str = "") -> str:
    """A fresh random txid of 32 ASCII letters and digits.

    ``prefix`` (an invoice number, say) is kept at the start for people reading the PSP's
    statement, minus any character the API refuses and cut to 16 characters, so that at
    least 16 random characters (about 95 bits) make the txid unguessable and unique.
    """
    kept = "".join(_ALNUM.findall(prefix if isinstance(prefix, str) else ""))[: TXID_LENGTH // 2]
    return kept + "".join(secrets.choice(_TXID_ALPHABET) for _ in range(TXID_LENGTH - len(kept)))


def format_amount(value) -> str:
    """An amount as the API Pix writes it, "123.45".

    Accepts Decimal, int, str and float (read through ``str``, so 12.3 is "12.30").
    Refuses rather than rounds an amount with fractions of a cent, as a changed amount is
    a wrong charge; raises ValueError for that, for zero or less, and above 9999999999.99.
    """
    return _money(value, "amount")


def _decimal(value, label) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise ValueError(f"The {label} must be a number, not {type(value).__name__}.")
    text = str(value).strip() if isinstance(value, (float, str)) else value
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(f"The {label} {value!r} is not a number (use a dot for decimals: 1234.56).") from None
    if not number.is_finite():
        raise ValueError(f"The {label} {value!r} is not a finite number.")
    return number


def _money(value, label, maximum=MAX_AMOUNT) -> str:
    number = _decimal(value, label)
    if number <= 0:
        raise ValueError(f"The {label} must be greater than zero, got {value!r}.")
    if number > maximum:
        raise ValueError(f"The {label} {value!r} is above the API Pix limit of {maximum}.")
    if number != number.quantize(_CENT):
        raise ValueError(f"The {label} {value!r} has fractions of a cent: round it to 2 decimals first.")
    return f"{number.quantize(_CENT):f}"


def _optional_percent(value, label):
    """A percentage such as "2.00", or None when unset or zero (an Odoo field gives False)."""
    if value is None or value is False:
        return None
    if _decimal(value, label) == 0:
        return None
    return _money(value, label, maximum=Decimal(100))


def debtor_from_tax_id(tax_id_digits: str, name: str) -> dict:
    """The ``devedor`` of a charge: ``{"cpf": ...}`` for 11 digits, ``{"cnpj": ...}`` for 14, and "nome".

    Punctuation is dropped; check digits are ``documents.parse_tax_id``'s job (the PSP
    checks them too). A name longer than the API's 200 characters is cut.
    """
    digits = re.sub(r"[^0-9]", "", tax_id_digits) if isinstance(tax_id_digits, str) else ""
    kind = {11: "cpf", 14: "cnpj"}.get(len(digits))
    if not kind:
        raise ValueError(f"The debtor's CPF or CNPJ must have 11 or 14 digits; this one has {len(digits)}.")
    clean_name = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean_name:
        raise ValueError("The debtor's name is empty.")
    return {kind: digits, "nome": clean_name[:MAX_DEBTOR_NAME]}


def _check_debtor(debtor) -> dict:
    if not isinstance(debtor, dict):
        raise ValueError('The debtor must be a dict such as {"cpf": "12345678909", "nome": "..."}.')
    kinds = [kind for kind in ("cpf", "cnpj") if debtor.get(kind)]
    if len(kinds) != 1:
        raise ValueError("The debtor needs exactly one of cpf or cnpj.")
    clean = debtor_from_tax_id(debtor[kinds[0]], debtor.get("nome"))
    if kinds[0] not in clean:
        raise ValueError(f"The debtor's {kinds[0]} has the wrong number of digits (CPF 11, CNPJ 14).")
    return clean


def _check_key(key) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("The Pix key (chave) is empty.")
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or not _HEADER_VALUE.fullmatch(key):
        raise ValueError(f"The Pix key (chave) must be at most {MAX_KEY_LENGTH} visible ASCII characters.")
    return key


def _payer_message(body, message):
    if message is None or message is False or message == "":
        return
    if not isinstance(message, str):
        raise ValueError("The message to the payer must be text.")
    message = " ".join(message.split())
    if len(message) > MAX_PAYER_MESSAGE:
        raise ValueError(f"The message to the payer has {len(message)} characters; the limit is {MAX_PAYER_MESSAGE}.")
    if message:
        body["solicitacaoPagador"] = message


def _as_date(value, label) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"The {label} must be a date (or YYYY-MM-DD), got {value!r}.")


def _positive_int(value, label, minimum=1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"The {label} must be a whole number of at least {minimum}, got {value!r}.")
    return value


def cob_body(amount, key, expiration_seconds=86400, debtor=None, payer_message=None) -> dict:
    """Body of ``PUT /cob/{txid}``: an immediate charge payable for ``expiration_seconds``."""
    body = {"calendario": {"expiracao": _positive_int(expiration_seconds, "expiration (seconds)")}}
    if debtor:
        body["devedor"] = _check_debtor(debtor)
    body["valor"] = {"original": format_amount(amount)}
    body["chave"] = _check_key(key)
    _payer_message(body, payer_message)
    return body


def cobv_body(
    amount,
    key,
    due_date,
    debtor,
    validity_days=30,
    fine_percent=None,
    interest_percent_month=None,
    discount_until=None,
    payer_message=None,
) -> dict:
    """Body of ``PUT /cobv/{txid}``: a charge with due date, payable ``validity_days`` after it.

    ``fine_percent`` is charged once after the due date (modality 2, percent);
    ``interest_percent_month`` is simple interest per month counted in calendar days
    (modality 3); ``discount_until`` lists up to 3 ``(date, amount)`` pairs, a fixed
    discount when paid up to that date (modality 1). Zero or None leaves a part out.
    """
    original = format_amount(amount)
    due = _as_date(due_date, "due date")
    valor = {"original": original}
    fine = _optional_percent(fine_percent, "fine percentage")
    if fine:
        valor["multa"] = {"modalidade": FINE_PERCENT, "valorPerc": fine}
    interest = _optional_percent(interest_percent_month, "monthly interest percentage")
    if interest:
        valor["juros"] = {"modalidade": INTEREST_PERCENT_MONTH_CALENDAR_DAYS, "valorPerc": interest}
    if discount_until:
        valor["desconto"] = {
            "modalidade": DISCOUNT_FIXED_UNTIL_DATES,
            "descontoDataFixa": _fixed_discounts(discount_until, due, Decimal(original)),
        }
    body = {
        "calendario": {
            "dataDeVencimento": due.isoformat(),
            "validadeAposVencimento": _positive_int(validity_days, "validity after the due date (days)", 0),
        },
        "devedor": _check_debtor(debtor),
        "valor": valor,
        "chave": _check_key(key),
    }
    _payer_message(body, payer_message)
    return body


def _fixed_discounts(discount_until, due, original):
    try:
        pairs = [tuple(pair) for pair in discount_until]
    except TypeError:
        raise ValueError("The discounts must be a list of (date, amount) pairs.") from None
    if len(pairs) > MAX_FIXED_DISCOUNTS:
        raise ValueError(f"The API Pix takes at most {MAX_FIXED_DISCOUNTS} discount dates, got {len(pairs)}.")
    entries = {}
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError("The discounts must be a list of (date, amount) pairs.")
        when = _as_date(pair[0], "discount date")
        if when > due:
            raise ValueError(f"The discount date {when.isoformat()} is after the due date {due.isoformat()}.")
        if when in entries:
            raise ValueError(f"The discount date {when.isoformat()} appears twice.")
        value = _money(pair[1], "discount")
        if Decimal(value) >= original:
            raise ValueError(f"The discount {value} is not less than the amount {original}.")
        entries[when] = value
    return [{"data": when.isoformat(), "valorPerc": entries[when]} for when in sorted(entries)]


# -- errors ------------------------------------------------------------------------------


class ApiPixError(Exception):
    """The PSP refused a call; ``status`` is the HTTP status, None when there was no answer.

    ``type``, ``title``, ``detail`` and ``violations`` (``(razao, propriedade)`` pairs)
    come from the RFC 7807 problem when the PSP sent one. ``attempts`` counts the HTTP
    attempts behind the error.
    """

    def __init__(
        self,
        message=None,
        *,
        status=None,
        type=None,
        title=None,
        detail=None,
        violations=(),
        attempts=1,
    ):
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.violations = list(violations)
        self.attempts = attempts
        super().__init__(message or _describe(title, status, detail, self.violations))


class ApiPixAuthError(ApiPixError):
    """The token was refused, a call stayed 401 after re-authenticating, or a scope is missing (403)."""


class ApiPixConnectionError(ApiPixError):
    """No usable answer: network error, TLS failure or timeouts, after the retries."""


def _describe(title, status, detail, violations):
    """The message: '<title> (HTTP <status>): <detail> — <propriedade>: <razao>; ...', on one line."""
    text = http_client.one_line(title).rstrip(".") or "The PSP refused the request"
    if status is not None:
        text += f" (HTTP {status})"
    if detail:
        text += f": {http_client.one_line(detail)}"
    if violations:
        text += " — " + "; ".join(
            f"{http_client.one_line(prop)}: {http_client.one_line(reason)}" if prop else http_client.one_line(reason)
            for reason, prop in violations
        )
    return text


def _violations(value):
    """``violacoes`` as (razao, propriedade) pairs; some PSPs send one object instead of a list."""
    items = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    pairs = []
    for item in items:
        if isinstance(item, dict):
            pairs.append(
                (
                    http_client.one_line(item.get("razao")) or "(no reason given)",
                    http_client.one_line(item.get("propriedade")),
                )
            )
        elif isinstance(item, str) and item.strip():
            pairs.append((http_client.one_line(item), ""))
    return pairs


def _error_from_response(response, *, default_title, attempts, hidden, auth=False):
    """Map an error answer, problem+json or not, to the right ApiPixError subclass."""
    status = response.status_code
    cls = ApiPixAuthError if auth or status in (401, 403) else ApiPixError
    data = http_client.json_or_none(response)
    if isinstance(data, dict) and any(data.get(key) for key in ("title", "detail", "type")):
        return cls(
            status=status,
            type=_clip(data.get("type"), hidden) or None,
            title=_clip(data.get("title"), hidden) or default_title,
            detail=_clip(data.get("detail"), hidden) or None,
            violations=[(_clip(r, hidden), _clip(p, hidden)) for r, p in _violations(data.get("violacoes"))],
            attempts=attempts,
        )
    if isinstance(data, dict) and isinstance(data.get("error"), str):  # OAuth 2.0 (RFC 6749 §5.2)
        return cls(
            status=status,
            title=default_title,
            detail=_clip(f"{data['error']}: {data.get('error_description') or ''}".rstrip(": "), hidden),
            attempts=attempts,
        )
    text = _clip(response.text, hidden) or "(empty answer)"
    return cls(status=status, title=default_title, detail=text, attempts=attempts)


def _clip(text, hidden):
    """PSP text on one line, at most 300 characters, with any echoed secret or token masked first."""
    return http_client.mask(text, hidden, _MAX_PSP_TEXT)


# -- notifications ----------------------------------------------------------------------


class InvalidNotification(ValueError):
    """A webhook body or Pix record that does not follow the API Pix; the message says what is wrong."""


@dataclass(frozen=True)
class PixNotification:
    """One received Pix, from a webhook notification or from ``GET /pix``."""

    end_to_end_id: str
    txid: str | None
    amount: Decimal
    paid_at: datetime  # aware, in UTC
    payer_info: str | None = None
    payer_tax_id: str | None = None
    payer_name: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def parse_notification(body) -> list:
    """The Pix records of a webhook POST (``{"pix": [...]}``) as PixNotification objects.

    Raises InvalidNotification, naming the record and field, when anything is off: the
    caller should then answer 400 and let the PSP retry or the reconciliation catch up.
    """
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidNotification("The notification body is not UTF-8 text.") from None
    if not isinstance(body, str):
        raise InvalidNotification("The notification body must be bytes or text.")
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise InvalidNotification("The notification body is nested too deeply.") from None
    except ValueError:
        raise InvalidNotification("The notification body is not JSON.") from None
    if not isinstance(data, dict) or "pix" not in data:
        raise InvalidNotification('The notification is not an object with a "pix" list.')
    records = data["pix"]
    if not isinstance(records, list) or not records:
        raise InvalidNotification('The notification\'s "pix" must be a non-empty list.')
    notifications = []
    for position, record in enumerate(records):
        try:
            notifications.append(parse_pix_record(record))
        except InvalidNotification as exc:
            raise InvalidNotification(f"pix[{position}]: {exc}") from None
    return notifications


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


# The API Pix began in November 2020; a Pix "paid" outside these years is a corrupt record
# (and year 1 or 9999 overflows when converted to UTC).
_FIRST_YEAR, _LAST_YEAR = 2020, 2100
MAX_PAYER_TEXT = 500


def _storable_text(value, field):
    """``value`` if it is text PostgreSQL can store (no NUL, no lone surrogate), else InvalidNotification."""
    if not isinstance(value, str):
        raise InvalidNotification(f"{field} must be text, got {type(value).__name__}.")
    if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
        raise InvalidNotification(f"{field} contains a NUL or an unpaired surrogate character.")
    return value


def parse_pix_record(record) -> PixNotification:
    """One Pix record (webhook or ``GET /pix``), validated; raises InvalidNotification.

    Everything kept is storable: text without NUL or unpaired surrogates, amounts with
    two decimals, a payment time within the years the API Pix exists.
    """
    if not isinstance(record, dict):
        raise InvalidNotification("The Pix record is not an object.")
    e2e = record.get("endToEndId")
    if not isinstance(e2e, str) or not _END_TO_END_ID.fullmatch(e2e):
        raise InvalidNotification(f"endToEndId must be 32 letters and digits, got {_shown(e2e)}.")
    txid = record.get("txid")
    if txid in (None, ""):
        txid = None
    elif not isinstance(txid, str) or not _ANY_TXID.fullmatch(txid):
        raise InvalidNotification(f"txid must be 1 to 35 letters and digits, got {_shown(txid)}.")
    valor = record.get("valor")
    if not isinstance(valor, str) or not _AMOUNT_TEXT.fullmatch(valor) or Decimal(valor) <= 0:
        raise InvalidNotification(f'valor must be a positive amount written like "123.45", got {_shown(valor)}.')
    paid_at = _parse_rfc3339(record.get("horario"))
    if paid_at is None or not _FIRST_YEAR <= paid_at.year <= _LAST_YEAR:
        raise InvalidNotification(
            f"horario must be an RFC 3339 date and time with its offset, between {_FIRST_YEAR} and "
            f"{_LAST_YEAR}, got {_shown(record.get('horario'))}."
        )
    info = record.get("infoPagador")
    if info is not None:
        info = _storable_text(info, "infoPagador")[:MAX_PAYER_TEXT]
    payer = record.get("pagador")
    if payer is None:
        payer = {}
    elif not isinstance(payer, dict):
        raise InvalidNotification(f"pagador must be an object, got {type(payer).__name__}.")
    for key in ("cpf", "cnpj", "nome"):
        if payer.get(key) is not None:
            _storable_text(payer[key], f"pagador.{key}")
    tax_id = payer.get("cpf") or payer.get("cnpj")
    name = payer.get("nome")
    _check_storable_tree(record, "the Pix record")
    return PixNotification(
        end_to_end_id=e2e,
        txid=txid,
        amount=Decimal(valor),
        paid_at=paid_at,
        payer_info=info or None,
        payer_tax_id=tax_id or None,
        payer_name=name[:MAX_PAYER_TEXT] if name else None,
        raw=record,
    )


def _check_storable_tree(value, where, depth=0):
    """The raw record is stored as received: no text in it may be unstorable, nor may it nest deeply."""
    if depth > 20:
        raise InvalidNotification(f"{where} is nested too deeply.")
    if isinstance(value, dict):
        for key, item in value.items():
            _storable_text(key, f"a key of {where}")
            _check_storable_tree(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_storable_tree(item, where, depth + 1)
    elif isinstance(value, str):
        _storable_text(value, where)


def _shown(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _parse_rfc3339(text):
    """Aware UTC datetime, or None; by hand because Python 3.10's fromisoformat refuses "Z"."""
    match = _RFC3339.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_hours, off_minutes = match.groups()
    try:
        offset = timedelta(hours=int(off_hours), minutes=int(off_minutes)) if not zulu else timedelta(0)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=timezone(-offset if sign == "-" else offset),
        )
    except ValueError:  # month 13, second 60, offset of 24 hours...
        return None
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        return None


def _rfc3339(moment, label, *, round_up=False) -> str:
    """UTC, whole seconds, "Z": the form every PSP accepts in query parameters."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"The {label} must be a timezone-aware datetime (Odoo's are naive UTC: add tzinfo).")
    moment = moment.astimezone(timezone.utc)
    if round_up and moment.microsecond:
        moment += timedelta(seconds=1)  # so that "fim" still covers the partial second
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- webhook signatures -----------------------------------------------------------------


def sign_body(secret: str, body: bytes) -> str:
    """The signature header value: "sha256=" and the hex HMAC-SHA256 of the exact body bytes."""
    if not isinstance(secret, str) or not secret:
        raise ValueError("The webhook signing secret is empty.")
    if isinstance(body, str):
        body = body.encode()
    return "sha256=" + hmac.new(secret.encode(), bytes(body), hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header) -> bool:
    """Whether ``header`` (with or without "sha256=") is the HMAC of ``body``; constant time.

    PSPs authenticate webhook calls with mutual TLS; this shared-secret signature is the
    check left to a receiver behind a proxy that ends TLS (and the sandbox's option).
    """
    if not isinstance(secret, str) or not secret or not isinstance(header, str):
        return False
    given = header.strip()
    if given[:7].lower() == "sha256=":
        given = given[7:]
    if not given:
        return False
    expected = sign_body(secret, body)[7:]
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))


# -- client ------------------------------------------------------------------------------


class ApiPixClient:
    """One PSP account: OAuth2 token cache, retries and problem mapping around the API Pix.

    ``session`` is a ``requests.Session`` the caller owns (and closes). ``cert`` is the
    client certificate for mutual TLS (a path, or a ``(cert, key)`` pair); ``verify`` is
    True or a CA bundle path, never False. ``base_url`` must be https:// except on
    loopback, or with ``allow_http=True`` for a sandbox on a private network (the docker
    demo's ``http://psp:8099``): tokens and the client secret would otherwise travel in
    clear. ``sleep`` and ``clock`` are injectable for tests.

    Retries (``max_retries`` more attempts) cover connection errors, timeouts, 429 and 5xx,
    waiting ``backoff * 2**n`` seconds or the 429/503 ``Retry-After`` (capped at
    ``max_retry_after``). TLS failures are configuration problems and are not retried. A
    401 drops the cached token and re-authenticates once.
    """

    def __init__(
        self,
        session,
        base_url,
        client_id,
        client_secret,
        *,
        token_url=None,
        cert=None,
        verify=True,
        timeout=(5, 30),
        scopes=DEFAULT_SCOPES,
        max_retries=3,
        backoff=0.5,
        sleep=time.sleep,
        clock=time.monotonic,
        allow_http=False,
        max_retry_after=60,
    ):
        if verify is False:
            raise ValueError(
                "verify=False would accept any certificate and hand the PSP credentials to whoever answers; "
                "pass the path of the PSP's CA bundle instead."
            )
        if verify is not True and not (isinstance(verify, str) and verify):
            raise ValueError("verify must be True or the path of a CA bundle.")
        if not isinstance(session, requests.Session):
            raise ValueError("session must be a requests.Session.")
        for value, label in ((client_id, "client_id"), (client_secret, "client_secret")):
            if not isinstance(value, str) or not value or any(ord(ch) < 32 for ch in value):
                raise ValueError(f"The {label} is missing or contains control characters.")
        if cert is not None and not (
            (isinstance(cert, str) and cert)
            or (isinstance(cert, tuple) and len(cert) == 2 and all(isinstance(p, str) and p for p in cert))
        ):
            raise ValueError("cert must be a certificate path or a (certificate, key) pair of paths.")
        if not isinstance(scopes, str):
            raise ValueError("scopes must be a space-separated string.")
        self.session = session
        self.base_url = _check_url(base_url, "API Pix base URL", allow_http)
        self.token_url = _check_url(token_url or self.base_url + "/oauth/token", "OAuth token URL", allow_http)
        self.client_id = client_id
        self._client_secret = client_secret
        self.cert = cert
        self.verify = verify
        self.timeout = http_client.check_timeout(timeout)
        self.scopes = " ".join(scopes.split())
        self.max_retries = _positive_int(max_retries, "max_retries", 0)
        if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 0:
            raise ValueError("backoff must be a number of seconds, zero or more.")
        self.backoff = backoff
        if isinstance(max_retry_after, bool) or not isinstance(max_retry_after, (int, float)) or max_retry_after < 0:
            raise ValueError("max_retry_after must be a number of seconds, zero or more.")
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._token = None
        self._token_expires_at = 0.0
        self._token_scope = None

    def __repr__(self):
        return f"<ApiPixClient {self.base_url} client_id={self.client_id!r}>"

    # -- OAuth2 ------------------------------------------------------------------------

    def token(self) -> str:
        """A valid access token, from the cache until 60 s before it expires."""
        with self._lock:  # one token request even when several threads find the cache empty
            if self._token and self._clock() < self._token_expires_at:
                return self._token
            asked_at = self._clock()
            token, lifetime, scope = self._fetch_token()
            # 60 s of margin for clock skew and slow calls, but never the whole lifetime.
            self._token_expires_at = asked_at + lifetime - min(60, lifetime / 2)
            self._token, self._token_scope = token, scope
            return token

    def _forget_token(self, token):
        with self._lock:
            if self._token == token:  # another thread may already hold a fresh one
                self._token = None

    def _fetch_token(self):
        form = {"grant_type": "client_credentials"}
        if self.scopes:
            form["scope"] = self.scopes
        _logger.debug("Requesting an API Pix access token from %s", http_client.host(self.token_url))
        response, attempts = self._send(
            "POST",
            self.token_url,
            data=form,
            auth=(self.client_id, self._client_secret),
            headers={"Accept": "application/json"},
        )
        status = response.status_code
        if not 200 <= status < 300:
            raise _error_from_response(
                response,
                default_title="The PSP refused the OAuth token request",
                attempts=attempts,
                hidden=(self._client_secret,),
                auth=400 <= status < 500 and status != 429,
            )
        data = http_client.json_or_none(response)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not _HEADER_VALUE.fullmatch(token):
            raise ApiPixAuthError(
                f"The PSP answered the token request (HTTP {status}) without a usable access_token.",
                status=status,
                attempts=attempts,
            )
        lifetime = data.get("expires_in")
        if isinstance(lifetime, str) and lifetime.isdigit():
            lifetime = int(lifetime)
        if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)) or lifetime <= 0:
            lifetime = 300  # RFC 6749 only recommends expires_in: assume a short life
        scope = data.get("scope") if isinstance(data.get("scope"), str) else None
        return token, float(lifetime), scope

    # -- HTTP ------------------------------------------------------------------------------

    def _send(self, method, url, **kwargs):
        """One call with retries; returns (response, attempts) or raises ApiPixConnectionError."""
        try:
            return http_client.send(
                self.session,
                method,
                url,
                timeout=self.timeout,
                max_retries=self.max_retries,
                backoff=self.backoff,
                max_retry_after=self.max_retry_after,
                sleep=self._sleep,
                label="API Pix",
                verify=self.verify,
                cert=self.cert,
                **kwargs,
            )
        except http_client.TransportError as error:
            if error.kind == "tls":
                message = (
                    f"TLS with the PSP at {error.host} failed: {error.reason}. Check the client certificate "
                    "(cert) and the PSP's CA bundle (verify)."
                )
            elif error.kind == "other":
                message = f"Could not call the PSP at {error.host}: {error.reason}."
            else:
                message = (
                    f"Could not reach the PSP at {error.host}: {error.reason} "
                    f"(gave up after {error.attempts} attempts)."
                )
            raise ApiPixConnectionError(message, attempts=error.attempts) from None

    def _call(self, method, path, *, body=None, params=None):
        """An authorised API call; returns the JSON object answered ({} when empty)."""
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        attempts = 0
        reauthenticated = False
        while True:
            token = self.token()
            response, used = self._send(
                method, url, data=data, params=params, headers={**headers, "Authorization": f"Bearer {token}"}
            )
            attempts += used
            if response.status_code == 401 and not reauthenticated:
                # Revoked or expired early on the PSP's side: one fresh token, then give up.
                _logger.info("API Pix %s %s answered 401; requesting a new access token", method, path)
                self._forget_token(token)
                reauthenticated = True
                continue
            break
        status = response.status_code
        if not 200 <= status < 300:
            raise _error_from_response(
                response,
                default_title=f"The PSP refused {method} {path.split('?')[0]}",
                attempts=attempts,
                hidden=(self._client_secret, token),
            )
        if status == 204 or not response.content:
            return {}
        payload = http_client.json_or_none(response)
        if not isinstance(payload, dict):
            raise ApiPixError(
                f"The PSP answered {method} {path} with HTTP {status} but not with a JSON object.",
                status=status,
                attempts=attempts,
            )
        return payload

    # -- charges ----------------------------------------------------------------------------

    def create_cob(self, txid, body, *, recover=False) -> dict:
        """``PUT /cob/{txid}``: create an immediate charge (see ``cob_body``).

        ``recover``: an earlier call with this txid may have reached the PSP (its answer was
        lost); a "txid in use" then returns that charge if it is the same one.
        """
        return self._create("cob", txid, body, recover)

    def get_cob(self, txid) -> dict:
        return self._call("GET", f"/cob/{_check_txid(txid)}")

    def revise_cob(self, txid, body) -> dict:
        """``PATCH /cob/{txid}``: change an active charge (amount, debtor, expiration...)."""
        return self._call("PATCH", f"/cob/{_check_txid(txid)}", body=_check_body(body))

    def cancel_cob(self, txid) -> dict:
        return self.revise_cob(txid, {"status": STATUS_REMOVED_BY_RECEIVER})

    def create_cobv(self, txid, body, *, recover=False) -> dict:
        """``PUT /cobv/{txid}``: create a charge with due date (see ``cobv_body``; ``recover`` as in
        ``create_cob``)."""
        return self._create("cobv", txid, body, recover)

    def get_cobv(self, txid) -> dict:
        return self._call("GET", f"/cobv/{_check_txid(txid)}")

    def revise_cobv(self, txid, body) -> dict:
        return self._call("PATCH", f"/cobv/{_check_txid(txid)}", body=_check_body(body))

    def cancel_cobv(self, txid) -> dict:
        return self.revise_cobv(txid, {"status": STATUS_REMOVED_BY_RECEIVER})

    def _create(self, kind, txid, body, recover=False):
        path = f"/{kind}/{_check_txid(txid)}"
        try:
            return self._call("PUT", path, body=_check_body(body))
        except ApiPixError as exc:
            if exc.status != 400 or (exc.attempts < 2 and not recover):
                raise
            # An earlier attempt may have created the charge before its answer was lost; the
            # retry then finds the txid taken. Our own charge is a success, anything else not.
            try:
                existing = self._call("GET", path)
            except ApiPixError:
                raise exc from None
            if _same_charge(existing, body):
                _logger.info("API Pix PUT %s: the charge was created by an earlier attempt", path)
                return existing
            raise

    # -- received Pix ------------------------------------------------------------------------

    def list_pix(self, start: datetime, end: datetime, page_size=100) -> list:
        """Every Pix received between ``start`` and ``end`` (aware datetimes), all pages followed.

        Records are returned as the PSP sent them (see ``parse_pix_record``), once each even
        if a payment arriving meanwhile shifts the pages.
        """
        inicio = _rfc3339(start, "start")
        fim = _rfc3339(end, "end", round_up=True)
        if end < start:
            raise ValueError("The end of the period is before its start.")
        page_size = _positive_int(page_size, "page size")
        if page_size > MAX_PAGE_SIZE:
            raise ValueError(f"The page size is at most {MAX_PAGE_SIZE}.")
        records, seen = [], set()
        for page in range(MAX_PAGES):
            params = {
                "inicio": inicio,
                "fim": fim,
                "paginacao.paginaAtual": page,
                "paginacao.itensPorPagina": page_size,
            }
            data = self._call("GET", "/pix", params=params)
            items = data.get("pix") or []
            if not isinstance(items, list):
                raise ApiPixError('The PSP answered GET /pix with a "pix" that is not a list.', status=200)
            for item in items:
                key = item.get("endToEndId") if isinstance(item, dict) else None
                if key in seen:
                    continue
                seen.add(key)
                records.append(item)
            pages = _pagination(data).get("quantidadeDePaginas")
            more = page + 1 < pages if isinstance(pages, int) else len(items) >= page_size
            if not items or not more:
                return records
        raise ApiPixError(f"The PSP kept paginating GET /pix beyond {MAX_PAGES} pages; narrow the period.")

    def get_pix(self, end_to_end_id) -> dict:
        if not isinstance(end_to_end_id, str) or not _END_TO_END_ID.fullmatch(end_to_end_id):
            raise ValueError("An endToEndId is 32 letters and digits.")
        return self._call("GET", f"/pix/{end_to_end_id}")

    # -- webhook ----------------------------------------------------------------------------

    def put_webhook(self, key, url) -> dict:
        """Register ``url``; the PSP will POST notifications to ``url + "/pix"``."""
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("The webhook URL must be an absolute https:// address.")
        return self._call("PUT", _webhook_path(key), body={"webhookUrl": url})

    def get_webhook(self, key) -> dict:
        return self._call("GET", _webhook_path(key))

    def delete_webhook(self, key) -> None:
        self._call("DELETE", _webhook_path(key))

    # -- settings screen -------------------------------------------------------------------

    def test_connection(self) -> dict:
        """Get a token and make one cheap authorised call, for a "Test connection" button.

        Returns ``{"token_scopes": <scopes the PSP granted, or None if it did not say>,
        "pix_count": <Pix received in the last minute>}``.
        """
        self.token()
        now = datetime.now(timezone.utc)
        data = self._call(
            "GET",
            "/pix",
            params={
                "inicio": _rfc3339(now - timedelta(minutes=1), "start"),
                "fim": _rfc3339(now, "end", round_up=True),
                "paginacao.paginaAtual": 0,
                "paginacao.itensPorPagina": 1,
            },
        )
        total = _pagination(data).get("quantidadeTotalDeItens")
        items = data.get("pix")
        if not isinstance(total, int):
            total = len(items) if isinstance(items, list) else 0
        return {"token_scopes": self._token_scope, "pix_count": total}


# -- client helpers ------------------------------------------------------------------------


def _check_url(url, label, allow_http):
    parts = urlsplit(url) if isinstance(url, str) and url == url.strip() else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"The {label} must be an https:// address, got {url!r}.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"The {label} must not carry credentials, a query or a fragment.")
    if parts.scheme == "http" and not allow_http and not http_client.is_loopback(parts.hostname):
        raise ValueError(
            f"The {label} must use https://: over http:// the client secret and the tokens would travel in "
            "clear (plain http is accepted on loopback, or with allow_http=True for a sandbox)."
        )
    return url.rstrip("/")


def _check_txid(txid):
    if not is_valid_txid(txid):
        raise ValueError(f"A txid is 26 to 35 letters and digits, got {_shown(txid)}.")
    return txid


def _check_body(body):
    if not isinstance(body, dict):
        raise ValueError("The charge body must be a dict (see cob_body and cobv_body).")
    return body


def _same_charge(existing, body):
    def part(data, *keys):
        for key in keys:
            data = data.get(key) if isinstance(data, dict) else None
        return data

    return all(
        part(existing, *keys) == part(body, *keys)
        for keys in (("chave",), ("valor", "original"), ("calendario", "dataDeVencimento"))
    )


def _webhook_path(key):
    # A key may be an e-mail or "+55..." phone: encode it whole as one path segment.
    return "/webhook/" + quote(_check_key(key), safe="")


def _pagination(data):
    parameters = data.get("parametros") if isinstance(data, dict) else None
    pagination = parameters.get("paginacao") if isinstance(parameters, dict) else None
    return pagination if isinstance(pagination, dict) else {}
