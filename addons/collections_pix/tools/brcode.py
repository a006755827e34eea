# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pix BR Code: build and read the "copia e cola" text behind a Pix QR code.

A BR Code is EMVCo's merchant-presented QR payload (EMV QRCPS-MPM) as profiled by Banco
Central do Brasil in the "Manual de Padrões para Iniciação do Pix" (v2.10, §2.5 to §2.8):
a flat run of fields, each a 2-digit id, a 2-digit length and the value, starting with
``000201`` and ending with field 63, a CRC-16/CCITT-FALSE over everything before it
(including the literal ``6304``).

- A *static* code carries the receiver's Pix key (field 26, sub-field 01), optionally an
  amount and a transaction id (txid) of our own choosing, and can be printed once and paid
  many times.
- A *dynamic* code carries instead the location URL of a charge created through the PSP's
  API Pix (26/25, without scheme); the payer's bank fetches amount and txid from there.

Builders emit ASCII only (accents stripped), because lengths count characters while the CRC
runs over bytes: one "ã" would make both wrong for some readers. The parser is strict about
everything a payer's bank would refuse, and lenient only where the manual or real issuers
are (see :func:`parse`). Standard library only, so it runs (and is tested) without Odoo.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "BRCode",
    "BRCodeError",
    "build_dynamic",
    "build_static",
    "crc16",
    "normalize_text",
    "parse",
]

PIX_GUI = "br.gov.bcb.pix"
CURRENCY_BRL = "986"  # ISO 4217 numeric code of the real
COUNTRY_BR = "BR"
SINGLE_USE = "12"  # point of initiation method: "do not pay this code more than once"
REUSABLE = "11"

MAX_FIELD = 99  # a 2-digit length cannot say more
MAX_KEY = 77  # 99 - GUI (4 + 14) - id and length of the key (4)
MAX_URL = 77  # same budget, and the manual's limit for a location
MAX_DESCRIPTION = 72  # 99 - GUI (18) - the shortest key (5) - id and length (4)
MAX_NAME = 25
MAX_CITY = 15
MAX_TXID = 25
MAX_AMOUNT_CHARS = 13  # "9999999999.99"
UNUSED_TXID = "***"  # EMV: "the app obtains the value itself"; Pix: no txid in this code

_CENT = Decimal("0.01")
_AMOUNT_CEILING = Decimal("10000000000")  # 11 integer digits would not fit in 13 characters
_DIGITS = re.compile(r"[0-9]+")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_TXID = re.compile(r"[A-Za-z0-9]{1,25}")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HTTP_SCHEME = re.compile(r"^https?://", re.IGNORECASE)

# Letters NFKD does not decompose into an ASCII base letter, and typographic punctuation
# that word processors put in company names: transliterate rather than drop them.
_TRANSLITERATION = str.maketrans(
    {
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Œ": "OE",
        "œ": "oe",
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
    }
)


class BRCodeError(ValueError):
    """The BR Code (or an input to build one) breaks the Pix rules; the message says which field."""


@dataclass(frozen=True)
class BRCode:
    """The fields of a BR Code that a Pix payment cares about."""

    key: str | None  # static codes: the receiver's Pix key
    url: str | None  # dynamic codes: the charge's location, without scheme
    description: str | None  # 26/02, free text shown to the payer
    amount: Decimal | None  # None: the payer types the amount
    txid: str | None  # "***" when the code carries no transaction id
    merchant_name: str
    merchant_city: str
    postal_code: str | None
    mcc: str
    currency: str
    country: str
    point_of_initiation: str | None  # "11" reusable, "12" single use, None not stated

    @property
    def is_dynamic(self) -> bool:
        """A dynamic code points to a charge on the PSP instead of carrying a key."""
        return self.url is not None


# ---------------------------------------------------------------------------------------
# CRC and text


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = (crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE of ``text`` (UTF-8 bytes) as 4 upper-case hex digits.

    Polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor:
    ``crc16("123456789") == "29B1"``.
    """
    crc = 0xFFFF
    for byte in text.encode("utf-8"):
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return f"{crc:04X}"


def _ascii(value) -> str:
    """Printable ASCII: accents stripped, other symbols dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", str(value or "").translate(_TRANSLITERATION))
    # Combining accents and non-Latin symbols go; tabs, newlines and the like become spaces.
    text = "".join(ch if " " <= ch <= "~" else " " if ch.isspace() else "" for ch in text)
    return " ".join(text.split())


def normalize_text(value: str, max_length: int) -> str:
    """Text fit for a BR Code: ASCII without accents, single spaces, at most ``max_length`` characters.

    Case is kept ("São Paulo" becomes "Sao Paulo"). Truncation happens after stripping
    accents, so a long name keeps as many letters as the field allows.
    """
    return _ascii(value)[:max_length].rstrip()


# ---------------------------------------------------------------------------------------
# Building


def build_static(
    key: str,
    merchant_name: str,
    merchant_city: str,
    amount=None,
    txid: str = UNUSED_TXID,
    description: str = "",
    postal_code: str = "",
    mcc: str = "0000",
) -> str:
    """BR Code of a static Pix QR: the receiver's key, with an optional amount and txid.

    ``key`` is used as given (CPF/CNPJ digits only, phone as +55..., e-mail, or random key
    with its dashes, per the DICT rules); ``txid`` is 1 to 25 letters and digits, or "***"
    (also used when it is empty) for none. Name, city and description are normalised with
    :func:`normalize_text`; name and city are truncated to 25 and 15 characters.
    Raises BRCodeError when an input cannot fit the rules.
    """
    key = _clean_key(key)
    account = _tlv("00", PIX_GUI) + _tlv("01", key)
    description = _ascii(description)
    if len(description) > MAX_DESCRIPTION:
        raise BRCodeError(
            f"BR Code description (field 26, sub-field 02) has {len(description)} characters, "
            f"over the limit of {MAX_DESCRIPTION}."
        )
    if description:
        account += _tlv("02", description)
    if len(account) > MAX_FIELD:
        room = MAX_FIELD - (len(account) - len(description))
        raise BRCodeError(
            f"BR Code merchant account information (field 26) would have {len(account)} characters, "
            f"over the limit of {MAX_FIELD}: with this key the description can have at most {max(room, 0)}."
        )
    txid = txid or UNUSED_TXID
    if not _valid_txid(txid):
        raise BRCodeError(
            f"BR Code txid (field 62, sub-field 05) {txid!r} is invalid: use 1 to {MAX_TXID} "
            f"letters and digits (A-Z, a-z, 0-9), or {UNUSED_TXID!r} for none."
        )
    return _assemble(None, account, merchant_name, merchant_city, amount, txid, postal_code, mcc)


def build_dynamic(
    url: str,
    merchant_name: str,
    merchant_city: str,
    amount=None,
    mcc: str = "0000",
    postal_code: str = "",
    reusable: bool = False,
) -> str:
    """BR Code of a dynamic Pix QR pointing to a charge's location on the PSP.

    ``url`` is the location returned by the API Pix (``loc.location``); an ``https://`` or
    ``http://`` prefix is removed, as the BR Code forbids a scheme. The code is marked single
    use (01 = 12) unless ``reusable``; its txid is "***" because the real one lives behind
    the URL. Raises BRCodeError when an input cannot fit the rules.
    """
    url = _clean_url(url)
    account = _tlv("00", PIX_GUI) + _tlv("25", url)
    point_of_initiation = REUSABLE if reusable else SINGLE_USE
    return _assemble(point_of_initiation, account, merchant_name, merchant_city, amount, UNUSED_TXID, postal_code, mcc)


def _assemble(point_of_initiation, account, merchant_name, merchant_city, amount, txid, postal_code, mcc) -> str:
    """Fields in ascending id order (as the manual's examples), then the CRC."""
    name = normalize_text(merchant_name, MAX_NAME)
    if not name:
        raise BRCodeError("BR Code merchant name (field 59) is empty once accents and symbols are removed.")
    city = normalize_text(merchant_city, MAX_CITY)
    if not city:
        raise BRCodeError("BR Code merchant city (field 60) is empty once accents and symbols are removed.")
    if not isinstance(mcc, str) or not re.fullmatch(r"[0-9]{4}", mcc):
        raise BRCodeError(f"BR Code merchant category code (field 52) must be 4 digits, got {mcc!r}.")
    amount_text = _format_amount(amount)
    cep = _clean_postal_code(postal_code)

    fields = [("00", "01")]
    if point_of_initiation:
        fields.append(("01", point_of_initiation))
    fields += [("26", account), ("52", mcc), ("53", CURRENCY_BRL)]
    if amount_text:
        fields.append(("54", amount_text))
    fields += [("58", COUNTRY_BR), ("59", name), ("60", city)]
    if cep:
        fields.append(("61", cep))
    fields.append(("62", _tlv("05", txid)))
    body = "".join(_tlv(tag, value) for tag, value in fields) + "6304"
    return body + crc16(body)


def _tlv(tag: str, value: str) -> str:
    if len(value) > MAX_FIELD:
        raise BRCodeError(f"BR Code field {tag} would have {len(value)} characters, over the limit of {MAX_FIELD}.")
    return f"{tag}{len(value):02d}{value}"


def _is_printable_ascii(text: str) -> bool:
    return all(" " <= ch <= "~" for ch in text)


def _clean_key(key) -> str:
    if not isinstance(key, str) or not key.strip():
        raise BRCodeError("BR Code Pix key (field 26, sub-field 01) is missing.")
    key = key.strip()
    # Keys are DICT identifiers (digits, +55..., e-mail, UUID): no accent or space is legitimate.
    if not _is_printable_ascii(key) or " " in key:
        raise BRCodeError(f"BR Code Pix key (field 26, sub-field 01) {key!r} must be ASCII without spaces.")
    if len(key) > MAX_KEY:
        raise BRCodeError(
            f"BR Code Pix key (field 26, sub-field 01) has {len(key)} characters, over the limit of {MAX_KEY}."
        )
    return key


def _clean_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise BRCodeError("BR Code URL (field 26, sub-field 25) is missing.")
    url = _HTTP_SCHEME.sub("", url.strip(), count=1)
    if _SCHEME.match(url):
        raise BRCodeError(f"BR Code URL (field 26, sub-field 25) {url!r} has a scheme other than https://.")
    if not url or not _is_printable_ascii(url) or " " in url:
        raise BRCodeError(f"BR Code URL (field 26, sub-field 25) {url!r} must be non-empty ASCII without spaces.")
    if len(url) > MAX_URL:
        raise BRCodeError(
            f"BR Code URL (field 26, sub-field 25) has {len(url)} characters without its scheme, "
            f"over the limit of {MAX_URL}."
        )
    return url


def _clean_postal_code(postal_code) -> str:
    if not postal_code:
        return ""
    # Accept the usual "01310-100" / "01.310-100" spellings; the field holds the 8 digits.
    digits = re.sub(r"[\s.-]", "", str(postal_code))
    if not (_DIGITS.fullmatch(digits) and len(digits) == 8):
        raise BRCodeError(f"BR Code postal code (field 61) must be a CEP of 8 digits, got {postal_code!r}.")
    return digits


def _format_amount(amount) -> str | None:
    """Amount with 2 decimals; refuses rather than rounds, as a changed amount is a wrong charge."""
    if amount is None or amount == "":
        return None
    if isinstance(amount, bool):
        raise BRCodeError(f"BR Code amount (field 54) must be a number, got {amount!r}.")
    original = amount
    if isinstance(amount, float):
        # str() is the shortest text that reads back as the same float: 12.3 stays "12.3".
        amount = str(amount)
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise BRCodeError(f"BR Code amount (field 54) must be a number, got {original!r}.") from None
    if not value.is_finite():
        raise BRCodeError(f"BR Code amount (field 54) must be a finite number, got {original!r}.")
    if value <= 0:
        raise BRCodeError(f"BR Code amount (field 54) must be greater than zero, got {original!r}.")
    if value >= _AMOUNT_CEILING:
        raise BRCodeError(
            f"BR Code amount (field 54) {original!r} does not fit in {MAX_AMOUNT_CHARS} characters "
            "(at most 9999999999.99)."
        )
    if value != value.quantize(_CENT):
        raise BRCodeError(f"BR Code amount (field 54) {original!r} has more than 2 decimal places: round it first.")
    return f"{value.quantize(_CENT):f}"


def _valid_txid(txid) -> bool:
    return isinstance(txid, str) and (txid == UNUSED_TXID or bool(_TXID.fullmatch(txid)))


# ---------------------------------------------------------------------------------------
# Parsing


def parse(payload: str) -> BRCode:
    """Read and check a BR Code ("Pix copia e cola").

    Raises BRCodeError, naming the field, when the code is not a valid Pix BR Code.
    Leniencies, each because real codes need it:

    - surrounding whitespace is ignored (pasted codes often end with a newline);
    - the GUI is compared case-insensitively (the manual: a reverse DNS name);
    - the CRC may be written in lower-case hex (some issuers do);
    - the Pix account may sit in any merchant account template 26 to 51, and fields this
      module does not use (other payment schemes, 80-99 recurrence templates of composite
      codes, RFU ids) are skipped once their TLV structure is checked;
    - a dynamic code may carry a txid of letters and digits instead of "***": the manual
      (§2.7) says payers must ignore it, not reject the code;
    - a code without field 62 reads as ``txid=None``.
    """
    if not isinstance(payload, str):
        raise BRCodeError(f"BR Code must be text (str), not {type(payload).__name__}.")
    payload = payload.strip()
    for position, char in enumerate(payload):
        if not " " <= char <= "~":
            raise BRCodeError(
                f"BR Code must contain printable ASCII characters only: found {char!r} at position {position}."
            )
    if not payload.startswith("000201"):
        raise BRCodeError(f"BR Code must start with 000201 (payload format indicator 01), found {payload[:6]!r}.")

    fields = _split_tlv(payload, "BR Code")
    tags = [tag for tag, _ in fields]
    if "63" not in tags:
        raise BRCodeError("BR Code has no CRC (field 63).")
    values = _unique(fields, "BR Code")
    if tags[-1] != "63":
        raise BRCodeError(f"BR Code CRC (field 63) must be the last field, but field {tags[-1]} follows it.")
    found = values["63"]
    if len(found) != 4:
        raise BRCodeError(f"BR Code CRC (field 63) must have length 04, found {len(found):02d}.")
    if not _HEX4.fullmatch(found):
        raise BRCodeError(f"BR Code CRC (field 63) must be 4 hexadecimal digits, found {found!r}.")
    expected = crc16(payload[:-4])
    if found.upper() != expected:
        raise BRCodeError(f"BR Code CRC mismatch: expected {expected}, found {found}.")

    point_of_initiation = values.get("01")
    if point_of_initiation is not None and point_of_initiation not in (REUSABLE, SINGLE_USE):
        raise BRCodeError(
            f"BR Code point of initiation method (field 01) must be 11 or 12, found {point_of_initiation!r}."
        )
    key, url, description = _parse_pix_account(fields)
    mcc = _mandatory(values, "52", "merchant category code")
    if not (len(mcc) == 4 and _DIGITS.fullmatch(mcc)):
        raise BRCodeError(f"BR Code merchant category code (field 52) must be 4 digits, found {mcc!r}.")
    currency = _mandatory(values, "53", "transaction currency")
    if currency != CURRENCY_BRL:
        raise BRCodeError(f"BR Code currency (field 53) must be 986 (Brazilian real), found {currency!r}.")
    amount = _parse_amount(values.get("54"))
    country = _mandatory(values, "58", "country code")
    if country != COUNTRY_BR:
        raise BRCodeError(f"BR Code country code (field 58) must be BR, found {country!r}.")
    merchant_name = _mandatory(values, "59", "merchant name")
    _check_length(merchant_name, 1, MAX_NAME, "merchant name (field 59)")
    merchant_city = _mandatory(values, "60", "merchant city")
    _check_length(merchant_city, 1, MAX_CITY, "merchant city (field 60)")
    postal_code = values.get("61")
    if postal_code is not None and not (len(postal_code) == 8 and _DIGITS.fullmatch(postal_code)):
        raise BRCodeError(f"BR Code postal code (field 61) must be a CEP of 8 digits, found {postal_code!r}.")
    txid = _parse_txid(values.get("62"), dynamic=url is not None)

    return BRCode(
        key=key,
        url=url,
        description=description,
        amount=amount,
        txid=txid,
        merchant_name=merchant_name,
        merchant_city=merchant_city,
        postal_code=postal_code,
        mcc=mcc,
        currency=currency,
        country=country,
        point_of_initiation=point_of_initiation,
    )


def _split_tlv(data: str, where: str) -> list[tuple[str, str]]:
    """(id, value) pairs of a TLV run, in order; raises on a broken structure."""
    fields = []
    position = 0
    while position < len(data):
        header = data[position : position + 4]
        if len(header) < 4:
            raise BRCodeError(
                f"{where} is truncated: {header!r} at position {position} is too short for an id and a length."
            )
        tag, length = header[:2], header[2:]
        if not _DIGITS.fullmatch(tag):
            raise BRCodeError(f"{where} has a non-numeric field id {tag!r} at position {position}.")
        if not _DIGITS.fullmatch(length):
            raise BRCodeError(f"{where} field {tag} has a non-numeric length {length!r} at position {position + 2}.")
        size = int(length)
        value = data[position + 4 : position + 4 + size]
        if len(value) < size:
            raise BRCodeError(
                f"{where} is truncated: field {tag} declares {size} characters but only {len(value)} remain."
            )
        fields.append((tag, value))
        position += 4 + size
    return fields


def _unique(fields: list[tuple[str, str]], where: str) -> dict[str, str]:
    values = {}
    for tag, value in fields:
        if tag in values:
            raise BRCodeError(f"{where} has field {tag} twice.")
        values[tag] = value
    return values


def _mandatory(values: dict[str, str], tag: str, name: str) -> str:
    if tag not in values:
        raise BRCodeError(f"BR Code is missing the {name} (field {tag}).")
    return values[tag]


def _check_length(value: str, minimum: int, maximum: int, name: str) -> None:
    if not minimum <= len(value) <= maximum:
        raise BRCodeError(f"BR Code {name} must have {minimum} to {maximum} characters, found {len(value)}.")


def _parse_pix_account(fields: list[tuple[str, str]]) -> tuple[str | None, str | None, str | None]:
    """Key, URL and description of the (single) Pix merchant account template."""
    templates = [(tag, value) for tag, value in fields if 26 <= int(tag) <= 51]
    if not templates:
        raise BRCodeError("BR Code is missing the merchant account information (field 26).")
    accounts, problems = [], []
    for tag, value in templates:
        where = f"BR Code field {tag} (merchant account information)"
        subs = _unique(_split_tlv(value, where), where)
        gui = subs.get("00")
        if gui is None:
            problems.append(f"{where} has no GUI (sub-field 00).")
        elif gui.lower() != PIX_GUI:
            problems.append(f"{where} has GUI {gui!r}, not {PIX_GUI}: this is not a Pix code.")
        else:
            accounts.append((tag, subs))
    if not accounts:
        raise BRCodeError(problems[0])
    if len(accounts) > 1:
        raise BRCodeError(
            f"BR Code has more than one Pix merchant account (fields {' and '.join(tag for tag, _ in accounts)})."
        )
    tag, subs = accounts[0]
    key, url, description = subs.get("01"), subs.get("25"), subs.get("02")
    if key is not None and url is not None:
        raise BRCodeError(
            f"BR Code field {tag} has both a Pix key (sub-field 01) and a URL (sub-field 25): "
            "a code is either static or dynamic."
        )
    if key is None and url is None:
        raise BRCodeError(f"BR Code field {tag} has neither a Pix key (sub-field 01) nor a URL (sub-field 25).")
    if key is not None:
        _check_length(key, 1, MAX_KEY, f"Pix key (field {tag}, sub-field 01)")
    if url is not None:
        _check_length(url, 1, MAX_URL, f"URL (field {tag}, sub-field 25)")
        if _SCHEME.match(url):
            raise BRCodeError(
                f"BR Code URL (field {tag}, sub-field 25) must not include a scheme such as https://, found {url!r}."
            )
    if description is not None:
        _check_length(description, 1, MAX_DESCRIPTION, f"description (field {tag}, sub-field 02)")
    return key, url, description


def _parse_amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    if len(text) > MAX_AMOUNT_CHARS or not _AMOUNT.fullmatch(text):
        raise BRCodeError(
            f"BR Code amount (field 54) {text!r} is not a plain decimal with up to 2 decimal places "
            f"and {MAX_AMOUNT_CHARS} characters."
        )
    value = Decimal(text)
    if value <= 0:
        raise BRCodeError(f"BR Code amount (field 54) must be greater than zero, found {text!r}.")
    return value.quantize(_CENT)


def _parse_txid(additional_data: str | None, dynamic: bool) -> str | None:
    if additional_data is None:
        return None
    where = "BR Code field 62 (additional data)"
    txid = _unique(_split_tlv(additional_data, where), where).get("05")
    if txid is not None and not _valid_txid(txid):
        kind = "dynamic" if dynamic else "static"
        raise BRCodeError(
            f"BR Code txid (field 62, sub-field 05) {txid!r} is invalid for a {kind} code: "
            f"expected 1 to {MAX_TXID} letters and digits, or {UNUSED_TXID!r}."
        )
    return txid
