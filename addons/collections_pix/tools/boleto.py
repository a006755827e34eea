# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Boleto (bloqueto de cobrança): barcode, typeable line and due date factor.

The layout is FEBRABAN's, common to every bank:

- The **barcode** has 44 digits: 1–3 bank code, 4 currency (``9`` = real), 5 general check
  digit, 6–9 due date factor, 10–19 amount in cents, 20–44 the *campo livre* (free field),
  whose layout each bank defines (see :mod:`collections_pix.tools.banks`).
- The general check digit is a módulo 11 over the other 43 digits, weights 2 to 9 from the
  right, ``11 - (sum mod 11)``, where 0, 10 and 11 become 1.
- The **typeable line** (linha digitável) has 47 digits in five fields: bank, currency and
  barcode positions 20–24 plus a módulo 10 check digit; positions 25–34 plus a check digit;
  positions 35–44 plus a check digit; the general check digit; factor and amount. It is
  printed as ``AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV``.
- The **due date factor** counts days from 1997-10-07 (1000 is 2000-07-03) up to 9999
  (2025-02-21); on 2025-02-22 it restarts at 1000, so it repeats every 9000 days. ``0000``
  means "no due date". A factor is read back as the one date of its cycle inside the window
  from 3000 days before *today* to 5500 days after.

The API follows python-stdnum: :func:`compact`, ``validate_*`` (returns the compact value or
raises a :class:`BoletoError` saying exactly what is wrong) and ``is_valid_*``. Standard
library only, so it runs (and is tested) without Odoo.

Example from kivanio/brcobranca ``spec/brcobranca/boleto/banco_brasil_spec.rb``:

>>> line_from_barcode("00193376900000135000000001238798977770016818")
'00190000090123879897777700168188337690000013500'
>>> format_line("00190000090123879897777700168188337690000013500")
'00190.00009 01238.798977 77700.168188 3 37690000013500'
>>> barcode_from_line("00190.00009 01238.798977 77700.168188 3 37690000013500")
'00193376900000135000000001238798977770016818'
>>> due_date_factor(datetime.date(2025, 2, 22))
1000
"""

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "Boleto",
    "BoletoError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "barcode_from_line",
    "compact",
    "due_date_factor",
    "due_date_from_factor",
    "format_line",
    "general_check_digit",
    "is_valid_barcode",
    "is_valid_line",
    "line_from_barcode",
    "make_barcode",
    "mod10",
    "mod11",
    "parse",
    "validate_barcode",
    "validate_line",
]

BARCODE_LENGTH = 44
LINE_LENGTH = 47
FREE_FIELD_LENGTH = 25

FACTOR_BASE = datetime.date(1997, 10, 7)  # factor 0 of the first cycle (never printed: 0 means "no due date")
FACTOR_FIRST_DAY = datetime.date(2000, 7, 3)  # factor 1000, the first one in use
FACTOR_RESET = datetime.date(2025, 2, 22)  # first day of the second cycle, factor 1000 again
FACTOR_MIN = 1000
FACTOR_MAX = 9999
FACTOR_CYCLE = FACTOR_MAX - FACTOR_MIN + 1  # 9000 days
WINDOW_PAST = 3000  # days before today a decoded due date may be
WINDOW_FUTURE = 5500  # days after today

MAX_CENTS = 10**10 - 1  # 10 digits
WEIGHTS_2_9 = (2, 3, 4, 5, 6, 7, 8, 9)
WEIGHTS_2_7 = (2, 3, 4, 5, 6, 7)

_CENT = Decimal("0.01")
_SEPARATORS = re.compile(r"[\s.\-/]")
_DIGITS = re.compile(r"[0-9]+")

# Typeable line: (field number, slice of the field body, index of its check digit), 0-based.
_LINE_FIELDS = ((1, slice(0, 9), 9), (2, slice(10, 20), 20), (3, slice(21, 31), 31))
_LINE_GENERAL_DV = 32


class BoletoError(ValueError):
    """A barcode, typeable line or one of its parts is not valid."""


class InvalidFormat(BoletoError):
    """The value has characters or a structure a boleto cannot have."""


class InvalidLength(BoletoError):
    """The value does not have the number of digits it must have."""


class InvalidChecksum(BoletoError):
    """A check digit does not match.

    ``field`` names the check digit ("general", "field 1" … "field 3", or a bank's own),
    ``position`` is its 1-based position in the value, ``expected`` and ``found`` the digits.
    """

    def __init__(self, message, *, field="", position=None, expected="", found=""):
        super().__init__(message)
        self.field = field
        self.position = position
        self.expected = expected
        self.found = found


class InvalidComponent(BoletoError):
    """A part (amount, due date, factor, free field) is out of range."""


def compact(value) -> str:
    """Remove the dots, spaces, hyphens and slashes a printed barcode or line carries.

    >>> compact(" 00190.00009 01238.798977-77700.168188 3 ")
    '001900000901238798977777001681883'
    """
    return _SEPARATORS.sub("", str(value or ""))


def _digits(value, length, what) -> str:
    number = compact(value)
    if not _DIGITS.fullmatch(number or "x"):
        bad = sorted({char for char in number if not char.isdigit()})
        raise InvalidFormat(f"the {what} must have digits only, found {''.join(bad) or 'nothing'!r}")
    if len(number) != length:
        raise InvalidLength(f"the {what} must have {length} digits, not {len(number)}")
    return number


# ---------------------------------------------------------------------------- check digits


def _weighted_sum(digits: str, weights: Iterable[int], from_right: bool) -> int:
    weights = tuple(weights)
    sequence = reversed(digits) if from_right else digits
    return sum(int(digit) * weights[index % len(weights)] for index, digit in enumerate(sequence))


def mod10(digits: str) -> str:
    """Módulo 10 check digit: weights 2, 1, 2, 1… from the right, the digits of each product
    added up, ``(10 - sum mod 10) mod 10``.

    >>> mod10("001900000")
    '9'
    """
    if not _DIGITS.fullmatch(digits or "x"):
        raise InvalidFormat(f"a módulo 10 check digit needs digits, not {digits!r}")
    total = 0
    for index, digit in enumerate(reversed(digits)):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def mod11(
    digits: str,
    weights: Iterable[int] = WEIGHTS_2_9,
    *,
    replace: Mapping[int, str | int] | None = None,
    from_right: bool = True,
) -> str:
    """Módulo 11 check digit: ``11 - (weighted sum mod 11)``, then ``replace`` applied.

    The weights repeat in a cycle, starting from the rightmost digit (or the leftmost with
    ``from_right=False``). The raw result is between 1 and 11; ``replace`` maps the ones the
    bank does not print (10 and 11 by default, both to ``0``) to what it prints instead,
    e.g. ``{10: "P", 11: 0}`` for Bradesco or ``{10: 1, 11: 1}`` for the general digit.

    >>> mod11("0019376900000135000000001238798977770016818", replace={10: 1, 11: 1})
    '3'
    >>> mod11("1900000000001", WEIGHTS_2_7, replace={10: "P", 11: 0})
    'P'
    """
    if not _DIGITS.fullmatch(digits or "x"):
        raise InvalidFormat(f"a módulo 11 check digit needs digits, not {digits!r}")
    result = 11 - _weighted_sum(digits, weights, from_right) % 11
    mapping = {10: 0, 11: 0} if replace is None else replace
    return str(mapping.get(result, result))


def general_check_digit(barcode43: str) -> str:
    """The general check digit (barcode position 5) over the other 43 digits, in order."""
    return mod11(_digits(barcode43, BARCODE_LENGTH - 1, "barcode without its check digit"), replace={10: 1, 11: 1})


def _checksum_error(field, position, where, expected, found):
    name = "the general check digit" if field == "general" else f"{field} check digit"
    raise InvalidChecksum(
        f"{name} (position {position} of the {where}) should be {expected}, not {found}",
        field=field,
        position=position,
        expected=expected,
        found=found,
    )


# ---------------------------------------------------------------------------- barcode and line


def validate_barcode(barcode) -> str:
    """Return the 44-digit barcode, or raise a :class:`BoletoError` saying what is wrong.

    >>> validate_barcode("00197376900000135000000001238798977770016818")
    Traceback (most recent call last):
        ...
    collections_pix.tools.boleto.InvalidChecksum: the general check digit (position 5 of the barcode) should be 3, not 7
    """
    number = _digits(barcode, BARCODE_LENGTH, "barcode")
    if number[0] == "8":
        raise InvalidFormat("a barcode starting with 8 is a utility or tax slip (arrecadação), not a bank boleto")
    expected = general_check_digit(number[:4] + number[5:])
    if number[4] != expected:
        _checksum_error("general", 5, "barcode", expected, number[4])
    factor = int(number[5:9])
    if 0 < factor < FACTOR_MIN:
        raise InvalidComponent(f"the due date factor {number[5:9]} (positions 6 to 9) is neither 0000 nor 1000-9999")
    return number


def is_valid_barcode(barcode) -> bool:
    """Whether the barcode is valid (see :func:`validate_barcode`)."""
    try:
        validate_barcode(barcode)
    except BoletoError:
        return False
    return True


def line_from_barcode(barcode) -> str:
    """The 47-digit typeable line of a (validated) 44-digit barcode."""
    number = validate_barcode(barcode)
    fields = (number[0:4] + number[19:24], number[24:34], number[34:44])
    line = "".join(field + mod10(field) for field in fields)
    return line + number[4] + number[5:19]


def validate_line(line) -> str:
    """Return the compact 47-digit typeable line, or raise a :class:`BoletoError`.

    The three field check digits are checked first, then the general one.
    """
    number = _digits(line, LINE_LENGTH, "typeable line")
    for field, body, index in _LINE_FIELDS:
        expected = mod10(number[body])
        if number[index] != expected:
            _checksum_error(f"field {field}", index + 1, "typeable line", expected, number[index])
    barcode = _barcode_of_line(number)
    try:
        validate_barcode(barcode)
    except InvalidChecksum as error:
        _checksum_error("general", _LINE_GENERAL_DV + 1, "typeable line", error.expected, error.found)
    return number


def _barcode_of_line(line: str) -> str:
    return line[0:4] + line[32] + line[33:47] + line[4:9] + line[10:20] + line[21:31]


def barcode_from_line(line) -> str:
    """The 44-digit barcode of a typeable line (formatted or not), after checking its 4 check digits."""
    return _barcode_of_line(validate_line(line))


def is_valid_line(line) -> bool:
    """Whether the typeable line is valid (see :func:`validate_line`)."""
    try:
        validate_line(line)
    except BoletoError:
        return False
    return True


def format_line(line) -> str:
    """The typeable line as printed: ``AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV``."""
    n = validate_line(line)
    return f"{n[0:5]}.{n[5:10]} {n[10:15]}.{n[15:21]} {n[21:26]}.{n[26:32]} {n[32]} {n[33:47]}"


# ---------------------------------------------------------------------------- due date factor


def due_date_factor(date: datetime.date) -> int:
    """The 4-digit factor of a due date (1000-9999, restarting at 1000 every 9000 days).

    >>> due_date_factor(datetime.date(2025, 2, 21)), due_date_factor(datetime.date(2025, 2, 22))
    (9999, 1000)
    """
    if isinstance(date, datetime.datetime):
        date = date.date()
    if date < FACTOR_FIRST_DAY:
        raise InvalidComponent(f"a due date before {FACTOR_FIRST_DAY.isoformat()} has no factor: {date.isoformat()}")
    return FACTOR_MIN + (date - FACTOR_FIRST_DAY).days % FACTOR_CYCLE


def due_date_from_factor(factor: int, today: datetime.date) -> datetime.date | None:
    """The due date of a factor, or ``None`` for 0 ("no due date").

    Of the dates sharing the factor (9000 days apart), the one between 3000 days before
    ``today`` and 5500 days after it; a factor none of whose dates falls there is refused.

    >>> due_date_from_factor(1000, today=datetime.date(2001, 1, 1))
    datetime.date(2000, 7, 3)
    >>> due_date_from_factor(1000, today=datetime.date(2025, 1, 1))
    datetime.date(2025, 2, 22)
    """
    factor = int(factor)
    if factor == 0:
        return None
    if not FACTOR_MIN <= factor <= FACTOR_MAX:
        raise InvalidComponent(f"a due date factor is 0 or between 1000 and 9999, not {factor}")
    if isinstance(today, datetime.datetime):
        today = today.date()
    earliest = today - datetime.timedelta(days=WINDOW_PAST)
    first = FACTOR_FIRST_DAY + datetime.timedelta(days=factor - FACTOR_MIN)
    cycles = max(0, -(-(earliest - first).days // FACTOR_CYCLE))  # first cycle not before the window
    candidate = first + datetime.timedelta(days=cycles * FACTOR_CYCLE)
    if candidate > today + datetime.timedelta(days=WINDOW_FUTURE):
        raise InvalidComponent(
            f"the due date factor {factor} gives no date between {WINDOW_PAST} days before and "
            f"{WINDOW_FUTURE} days after {today.isoformat()}"
        )
    return candidate


# ---------------------------------------------------------------------------- building and reading


def _cents(amount) -> int:
    if isinstance(amount, float):
        amount = str(amount)
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidComponent(f"the amount must be a number, not {amount!r}") from None
    if not value.is_finite():
        raise InvalidComponent(f"the amount must be a finite number, not {amount!r}")
    if value < 0:
        raise InvalidComponent(f"the amount cannot be negative: {value}")
    if value != value.quantize(_CENT):
        raise InvalidComponent(f"the amount has fractions of a cent: {value}")
    cents = int(value * 100)
    if cents > MAX_CENTS:
        raise InvalidComponent(f"the amount {value} does not fit in 10 digits of cents (max 99999999.99)")
    return cents


def make_barcode(
    bank_code: str,
    amount,
    due_date: datetime.date | None,
    free_field: str,
    currency: str = "9",
) -> str:
    """Build the 44-digit barcode from its parts (``due_date=None`` gives factor 0000).

    >>> make_barcode("001", Decimal("135.00"), datetime.date(2008, 2, 1), "0000001238798977770016818")
    '00193376900000135000000001238798977770016818'
    """
    bank = _digits(bank_code, 3, "bank code")
    currency = _digits(currency, 1, "currency code")
    free = _digits(free_field, FREE_FIELD_LENGTH, "free field (campo livre)")
    factor = 0 if due_date is None else due_date_factor(due_date)
    body = f"{bank}{currency}{factor:04d}{_cents(amount):010d}{free}"
    return body[:4] + general_check_digit(body) + body[4:]


@dataclass(frozen=True)
class Boleto:
    """A parsed boleto: what its barcode says."""

    bank_code: str
    currency: str
    amount: Decimal
    due_date: datetime.date | None
    factor: int
    free_field: str
    barcode: str
    line: str

    @property
    def formatted_line(self) -> str:
        return format_line(self.line)


def parse(value, today: datetime.date) -> Boleto:
    """Read a barcode (44 digits) or a typeable line (47 digits, formatted or not).

    ``today`` picks the due date of the factor (see :func:`due_date_from_factor`).

    >>> parse("00190.00009 01238.798977 77700.168188 3 37690000013500", datetime.date(2008, 1, 1)).due_date
    datetime.date(2008, 2, 1)
    """
    number = compact(value)
    if len(number) == LINE_LENGTH:
        barcode = barcode_from_line(number)
    elif len(number) == BARCODE_LENGTH:
        barcode = validate_barcode(number)
    else:
        if not _DIGITS.fullmatch(number or "x"):
            _digits(number, BARCODE_LENGTH, "barcode or typeable line")  # says which characters are wrong
        raise InvalidLength(f"a barcode has 44 digits and a typeable line 47, not {len(number)}")
    factor = int(barcode[5:9])
    return Boleto(
        bank_code=barcode[0:3],
        currency=barcode[3],
        amount=(Decimal(int(barcode[9:19])) / 100).quantize(_CENT),
        due_date=due_date_from_factor(factor, today),
        factor=factor,
        free_field=barcode[19:44],
        barcode=barcode,
        line=line_from_barcode(barcode),
    )


def barcode_png(barcode: str, dpi: int = 300) -> bytes:
    """The barcode as the ITF (interleaved 2 of 5) image a bank's reader scans, PNG bytes.

    FEBRABAN's slip: ITF with a narrow bar of 0.254 mm (here 0.25), 13 mm high, quiet zones on
    both sides, no human-readable text (the typeable line is printed above it).
    """
    import io  # noqa: PLC0415 - image helpers load python-barcode only when a slip is drawn

    from barcode import get as get_barcode  # noqa: PLC0415
    from barcode.writer import ImageWriter  # noqa: PLC0415

    number = validate_barcode(barcode)
    output = io.BytesIO()
    get_barcode("itf", number, writer=ImageWriter()).write(
        output,
        options={"module_width": 0.25, "module_height": 13.0, "quiet_zone": 6.5, "write_text": False, "dpi": dpi},
    )
    return output.getvalue()
