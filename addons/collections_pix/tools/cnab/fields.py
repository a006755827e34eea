"""Fixed-width CNAB records as data: one reader and one writer for every layout.

A :class:`Field` says where a value lives (1-based, inclusive positions, as every bank
manual prints them) and how it is encoded; a :class:`RecordSpec` is a record length, a
tuple of fields and the constant positions that identify the record (record type,
segment letter). Positions not covered by a field are blanks on write and ignored on read.

Kinds:

- ``num``: digits, zero-padded on the left (``int`` or digit string on write, ``str`` on read);
- ``alpha``: text, left-aligned, blank-padded, upper-cased and stripped of accents on write;
- ``money``: digits with ``decimals`` implied places (``Decimal`` both ways);
- ``date8``: ``DDMMAAAA``; ``date6``: ``DDMMAA`` (years 2000–2099); zeros or blanks read as ``None``;
- ``const``: a fixed text (``default``) written as is.
"""

import datetime
import itertools
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

KINDS = ("num", "alpha", "money", "date8", "date6", "const")


class CnabError(ValueError):
    """Anything wrong with a CNAB file, record or value."""


class CnabLayoutError(CnabError):
    """A layout definition is inconsistent (overlapping fields, out of the record)."""


class CnabFieldError(CnabError):
    """A value cannot be read from, or written to, one field."""

    def __init__(self, field, message):
        self.field = field
        super().__init__(message)


class CnabOverflowError(CnabFieldError):
    """A value does not fit in its field when writing."""


@dataclass(frozen=True)
class Field:
    name: str
    start: int
    end: int
    kind: str = "alpha"
    default: object = None
    decimals: int = 2
    truncate: bool = False  # free text (names, addresses) is cut to size instead of refused

    def __post_init__(self):
        if self.kind not in KINDS:
            raise CnabLayoutError(f"field {self.name}: unknown kind {self.kind!r}")
        if not 1 <= self.start <= self.end:
            raise CnabLayoutError(f"field {self.name}: bad positions {self.start}-{self.end}")
        if (self.kind == "date8" and self.width != 8) or (self.kind == "date6" and self.width != 6):
            raise CnabLayoutError(f"field {self.name}: {self.kind} needs {self.kind[-1]} positions")
        if self.kind == "const" and len(str(self.default)) != self.width:
            raise CnabLayoutError(f"field {self.name}: constant {self.default!r} is not {self.width} wide")

    @property
    def width(self):
        return self.end - self.start + 1

    @property
    def label(self):
        return self.name.replace("_", " ")


@dataclass(frozen=True)
class RecordSpec:
    name: str
    length: int
    fields: tuple
    match: tuple = ()  # ((start, end, text), ...): all must hold for the spec to apply to a line

    def __post_init__(self):
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise CnabLayoutError(f"{self.name}: duplicate field names")
        ordered = sorted(self.fields, key=lambda f: f.start)
        for field in ordered:
            if field.end > self.length:
                raise CnabLayoutError(f"{self.name}: field {field.name} ends at {field.end} > {self.length}")
        for before, after in itertools.pairwise(ordered):
            if after.start <= before.end:
                raise CnabLayoutError(f"{self.name}: fields {before.name} and {after.name} overlap")
        object.__setattr__(self, "fields", tuple(ordered))

    def field(self, name):
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def matches(self, line):
        line = line.ljust(self.length)
        return all(line[start - 1 : end] == text for start, end, text in self.match)

    def override(self, *fields, remove=(), name=None):
        """A copy where ``fields`` replace the same-named ones (or are added) and ``remove`` go away.

        A bank's variant of a FEBRABAN record is one call: only what differs is written.
        """
        new = {f.name: f for f in fields}
        kept = tuple(new.pop(f.name, f) for f in self.fields if f.name not in remove)
        return replace(self, name=name or self.name, fields=kept + tuple(new.values()))


def _only_digits(text):
    return text.isascii() and text.isdigit()


def _parse_date(field, text):
    if not text.strip() or set(text) == {"0"}:
        return None
    if not _only_digits(text):
        raise CnabFieldError(field, f"{field.label} {text!r} is not a date")
    day, month = int(text[0:2]), int(text[2:4])
    year = int(text[4:8]) if field.kind == "date8" else 2000 + int(text[4:6])
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CnabFieldError(field, f"{field.label} {text} is not a date") from None


def read_field(text, field):
    """Decode one field's text (already sliced, exactly ``field.width`` characters)."""
    kind = field.kind
    if kind in ("alpha", "const"):
        return text.strip()
    if kind in ("date8", "date6"):
        return _parse_date(field, text)
    if not text.strip():
        return Decimal(0) if kind == "money" else ""
    if not _only_digits(text):
        raise CnabFieldError(field, f"{field.label} {text!r} is not numeric")
    if kind == "money":
        return Decimal(int(text)).scaleb(-field.decimals)
    return text


def read_record(line, spec):
    """Read ``line`` (trailing blanks may be stripped) with ``spec``: ``{field name: value}``.

    Raises :class:`CnabError` for a line longer than the record, :class:`CnabFieldError`
    for the first field whose content is invalid (use :func:`read_record_errors` for all).
    """
    values, errors = read_record_errors(line, spec)
    if errors:
        raise errors[0]
    return values


def read_record_errors(line, spec):
    """Like :func:`read_record` but returns ``(values, [errors])`` instead of raising."""
    if len(line) > spec.length:
        return {}, [CnabError(f"record of {len(line)} characters, expected {spec.length}")]
    line = line.ljust(spec.length)
    values, errors = {}, []
    for field in spec.fields:
        try:
            values[field.name] = read_field(line[field.start - 1 : field.end], field)
        except CnabFieldError as error:
            errors.append(error)
    return values, errors


def strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _overflow(field, value):
    return CnabOverflowError(field, f"{field.label}: {value!r} does not fit in {field.width} positions")


def write_field(value, field):
    """Encode ``value`` into exactly ``field.width`` characters."""
    width, kind = field.width, field.kind
    if value is None:
        value = field.default
    if kind == "const":
        return str(field.default)
    if kind == "alpha":
        text = strip_accents("" if value is None else str(value)).upper()
        if not text.isascii() or not text.isprintable():
            raise CnabFieldError(field, f"{field.label}: {value!r} has characters a CNAB file cannot carry")
        if len(text) > width:
            if not field.truncate:
                raise _overflow(field, value)
            text = text[:width]
        return text.ljust(width)
    if kind in ("date8", "date6"):
        if value is None or value == 0:
            return "0" * width
        if not isinstance(value, datetime.date):
            raise CnabFieldError(field, f"{field.label}: {value!r} is not a date")
        if kind == "date6":
            if not 2000 <= value.year <= 2099:
                raise CnabFieldError(field, f"{field.label}: {value} is outside 2000-2099 (two-digit year)")
            return value.strftime("%d%m") + f"{value.year % 100:02d}"
        return value.strftime("%d%m") + f"{value.year:04d}"
    if kind == "money":
        try:
            amount = Decimal(0) if value is None else Decimal(str(value))
        except InvalidOperation:
            raise CnabFieldError(field, f"{field.label}: {value!r} is not an amount") from None
        units = amount.scaleb(field.decimals)
        if units != units.to_integral_value():
            raise CnabFieldError(field, f"{field.label}: {value} has more than {field.decimals} decimals")
        if units < 0:
            raise CnabFieldError(field, f"{field.label}: {value} is negative")
        text = str(int(units))
    else:  # num
        text = "" if value is None else str(value)
        if isinstance(value, bool) or (text and not _only_digits(text)):
            raise CnabFieldError(field, f"{field.label}: {value!r} is not a number")
    if len(text) > width:
        raise _overflow(field, value)
    return text.rjust(width, "0")


def write_record(values, spec):
    """Write one record of ``spec.length`` characters from ``{field name: value}``.

    Missing fields take their ``default`` (blanks/zeros when none); unknown names are an error,
    so a typo cannot silently drop a value.
    """
    unknown = set(values) - {f.name for f in spec.fields}
    if unknown:
        raise CnabError(f"{spec.name}: unknown fields {sorted(unknown)}")
    chars = [" "] * spec.length
    for start, end, text in spec.match:
        chars[start - 1 : end] = text
    for field in spec.fields:
        chars[field.start - 1 : field.end] = write_field(values.get(field.name), field)
    line = "".join(chars)
    assert len(line) == spec.length
    return line
