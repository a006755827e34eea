"""Boleto barcode, typeable line and due date factor (FEBRABAN layout).

Full published slips (line and barcode from kivanio/brcobranca
``spec/brcobranca/boleto/banco_brasil_spec.rb`` and ``itau_spec.rb``, eduardocereto/pyboleto
``tests/test_banco_bradesco.py``) check the conversions; every check digit is then mutated and
must be refused with a message naming it. Bank layouts are in ``test_boleto_banks.py``.
"""

import datetime
import doctest
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_pix.tools import boleto
from collections_pix.tools.boleto import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

D = datetime.date

# (barcode, formatted line)
PUBLISHED = [
    # kivanio/brcobranca spec/brcobranca/boleto/banco_brasil_spec.rb
    ("00193376900000135000000001238798977770016818", "00190.00009 01238.798977 77700.168188 3 37690000013500"),
    ("00191684600002246740000001474166000000032817", "00190.00009 01474.166004 00000.328179 1 68460000224674"),
    # kivanio/brcobranca spec/brcobranca/boleto/itau_spec.rb (due 2029-05-20: factor after the reset)
    ("34194254800006757871090001015271248021246000", "34191.09008 01015.271248 80212.460002 4 25480000675787"),
    # eduardocereto/pyboleto tests/test_banco_bradesco.py
    ("23794486900008280000278060000212552500392320", "23790.27804 60000.212559 25003.923205 4 48690000828000"),
]
BARCODE, LINE = PUBLISHED[0]


def test_doctests():
    assert doctest.testmod(boleto, optionflags=doctest.IGNORE_EXCEPTION_DETAIL).failed == 0


@pytest.mark.parametrize(("barcode", "line"), PUBLISHED)
def test_published_line_and_barcode(barcode, line):
    assert boleto.line_from_barcode(barcode) == boleto.compact(line)
    assert boleto.format_line(boleto.line_from_barcode(barcode)) == line
    assert boleto.barcode_from_line(line) == barcode
    assert boleto.barcode_from_line(boleto.compact(line)) == barcode
    assert boleto.is_valid_line(line) and boleto.is_valid_barcode(barcode)
    assert boleto.format_line(boleto.compact(line)) == line


def test_parse():
    parsed = boleto.parse(LINE, today=D(2008, 1, 15))
    assert parsed == boleto.parse(BARCODE, today=D(2008, 1, 15))
    assert parsed.bank_code == "001" and parsed.currency == "9"
    assert parsed.amount == Decimal("135.00") and parsed.due_date == D(2008, 2, 1) and parsed.factor == 3769
    assert parsed.free_field == "0000001238798977770016818"
    assert parsed.barcode == BARCODE and parsed.formatted_line == LINE
    after_reset = boleto.parse(PUBLISHED[2][1], today=D(2026, 1, 1))
    assert after_reset.due_date == D(2029, 5, 20) and after_reset.amount == Decimal("6757.87")
    with pytest.raises(InvalidLength, match="44 digits and a typeable line 47, not 45"):
        boleto.parse(BARCODE + "0", today=D(2008, 1, 1))


def test_general_check_digit_helpers():
    assert boleto.general_check_digit(BARCODE[:4] + BARCODE[5:]) == "3"
    assert boleto.mod10("001900000") == "9"
    assert boleto.mod11("0", replace={10: 1, 11: 1}) == "1"  # 11 becomes 1
    # a 10 becomes 1 in the general check digit, 0 by default, P for Bradesco
    assert boleto.mod11("5", replace={10: 1, 11: 1}) == "1"  # 5*2 = 10 -> 11 - 10 = 1
    assert boleto.mod11("1") == "9" and boleto.mod11("6") == "0"  # 6*2 = 12 -> 1 -> 10 -> 0
    assert boleto.mod11("6", replace={10: "P", 11: 0}) == "P"
    assert boleto.mod11("31", (3, 1), from_right=False) == "1"  # 9 + 1 = 10 -> 1


# ---------------------------------------------------------------------------- due date factor


@pytest.mark.parametrize(
    ("date", "factor"),
    [
        (D(2000, 7, 3), 1000),
        (D(2000, 7, 4), 1001),
        (D(2008, 2, 1), 3769),  # BRC banco_brasil_spec.rb
        (D(2025, 2, 21), 9999),
        (D(2025, 2, 22), 1000),
        (D(2025, 2, 23), 1001),
        (D(2029, 5, 20), 2548),  # BRC itau_spec.rb
    ],
)
def test_due_date_factor(date, factor):
    assert boleto.due_date_factor(date) == factor
    assert boleto.due_date_factor(datetime.datetime.combine(date, datetime.time(12))) == factor


def test_due_date_factor_before_its_start():
    with pytest.raises(InvalidComponent, match="before 2000-07-03"):
        boleto.due_date_factor(D(2000, 7, 2))


def test_due_date_from_factor():
    assert boleto.due_date_from_factor(0, today=D(2025, 1, 1)) is None
    assert boleto.due_date_from_factor(1000, today=D(2001, 1, 1)) == D(2000, 7, 3)
    # near the reset, 1000 is the new cycle and 9999 the old one
    for today in (D(2025, 2, 1), D(2025, 2, 21), D(2025, 2, 22), D(2025, 3, 1)):
        assert boleto.due_date_from_factor(1000, today) == D(2025, 2, 22)
        assert boleto.due_date_from_factor(9999, today) == D(2025, 2, 21)
    assert boleto.due_date_from_factor(3769, today=D(2008, 1, 1)) == D(2008, 2, 1)
    assert boleto.due_date_from_factor(3769, today=D(2030, 1, 1)) == D(2032, 9, 22)  # 2008-02-01 + 9000 days
    # the window: 3000 days back, 5500 ahead
    today = D(2026, 1, 1)
    oldest = today - datetime.timedelta(days=3000)
    newest = today + datetime.timedelta(days=5500)
    assert boleto.due_date_from_factor(boleto.due_date_factor(oldest), today) == oldest
    assert boleto.due_date_from_factor(boleto.due_date_factor(newest), today) == newest
    gap = newest + datetime.timedelta(days=1)  # neither this date nor 9000 days before is in the window
    with pytest.raises(InvalidComponent, match="no date between"):
        boleto.due_date_from_factor(boleto.due_date_factor(gap), today)
    for bad in (1, 999, 10000, -1):
        with pytest.raises(InvalidComponent, match="0 or between 1000 and 9999"):
            boleto.due_date_from_factor(bad, today)


@given(
    date=st.dates(min_value=D(2000, 7, 3), max_value=D(2060, 1, 1)),
    offset=st.integers(-3000, 5500),
)
def test_factor_round_trip_inside_the_window(date, offset):
    today = date - datetime.timedelta(days=offset)
    assert boleto.due_date_from_factor(boleto.due_date_factor(date), today) == date


# ---------------------------------------------------------------------------- make_barcode


def test_make_barcode():
    free = BARCODE[19:]
    assert boleto.make_barcode("001", Decimal("135.00"), D(2008, 2, 1), free) == BARCODE
    assert boleto.make_barcode("001", "135", D(2008, 2, 1), free) == BARCODE
    no_due = boleto.make_barcode("001", Decimal("135.00"), None, free)
    assert no_due[5:9] == "0000" and boleto.parse(no_due, today=D(2026, 1, 1)).due_date is None
    top = boleto.make_barcode("001", Decimal("99999999.99"), None, free)
    assert top[9:19] == "9999999999"
    assert boleto.parse(top, today=D(2026, 1, 1)).amount == Decimal("99999999.99")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("100000000.00"), "does not fit in 10 digits"),
        (Decimal("-0.01"), "cannot be negative"),
        (Decimal("1.005"), "fractions of a cent"),
        (Decimal("NaN"), "finite"),
        ("abc", "must be a number"),
    ],
)
def test_make_barcode_refuses_bad_amounts(amount, message):
    with pytest.raises(InvalidComponent, match=message):
        boleto.make_barcode("001", amount, D(2008, 2, 1), BARCODE[19:])


def test_make_barcode_refuses_bad_parts():
    with pytest.raises(InvalidLength, match="free field"):
        boleto.make_barcode("001", 1, None, "123")
    with pytest.raises(InvalidFormat, match="bank code"):
        boleto.make_barcode("0A1", 1, None, BARCODE[19:])
    with pytest.raises(InvalidComponent, match="before 2000-07-03"):
        boleto.make_barcode("001", 1, D(1999, 1, 1), BARCODE[19:])


# ---------------------------------------------------------------------------- refusals


def _replace(value, index, digit):
    return value[:index] + digit + value[index + 1 :]


@pytest.mark.parametrize(("barcode", "line"), PUBLISHED)
def test_every_wrong_general_digit_of_a_barcode_is_refused(barcode, line):
    for digit in "0123456789":
        if digit == barcode[4]:
            continue
        with pytest.raises(InvalidChecksum) as error:
            boleto.validate_barcode(_replace(barcode, 4, digit))
        assert str(error.value) == (
            f"the general check digit (position 5 of the barcode) should be {barcode[4]}, not {digit}"
        )
        assert (error.value.field, error.value.position) == ("general", 5)
        assert not boleto.is_valid_barcode(_replace(barcode, 4, digit))
        with pytest.raises(InvalidChecksum):
            boleto.line_from_barcode(_replace(barcode, 4, digit))


@pytest.mark.parametrize(("barcode", "line"), PUBLISHED)
@pytest.mark.parametrize(
    ("index", "field", "name"),
    [
        (9, "field 1", "field 1 check digit"),
        (20, "field 2", "field 2 check digit"),
        (31, "field 3", "field 3 check digit"),
        (32, "general", "the general check digit"),
    ],
)
def test_every_wrong_check_digit_of_a_line_is_refused(barcode, line, index, field, name):
    compact = boleto.compact(line)
    for digit in "0123456789":
        if digit == compact[index]:
            continue
        wrong = _replace(compact, index, digit)
        with pytest.raises(InvalidChecksum) as error:
            boleto.barcode_from_line(wrong)
        assert str(error.value) == (
            f"{name} (position {index + 1} of the typeable line) should be {compact[index]}, not {digit}"
        )
        assert (error.value.field, error.value.position) == (field, index + 1)
        assert not boleto.is_valid_line(wrong)


def test_a_changed_digit_outside_the_check_digits_is_caught():
    compact = boleto.compact(LINE)
    for index in range(47):
        if index in (9, 20, 31, 32):
            continue
        digit = "1" if compact[index] != "1" else "2"
        with pytest.raises(InvalidChecksum):
            boleto.validate_line(_replace(compact, index, digit))


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (BARCODE[:-1], InvalidLength, "must have 44 digits, not 43"),
        (BARCODE + "1", InvalidLength, "must have 44 digits, not 45"),
        ("", InvalidFormat, "digits only"),
        (BARCODE[:-1] + "A", InvalidFormat, "digits only, found 'A'"),
        ("8" + BARCODE[1:], InvalidFormat, "arrecadação"),
    ],
)
def test_wrong_barcodes_are_refused(value, error, message):
    with pytest.raises(error, match=message):
        boleto.validate_barcode(value)
    assert not boleto.is_valid_barcode(value)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (LINE[:-1], InvalidLength, "typeable line must have 47 digits, not 46"),
        (LINE + "0", InvalidLength, "not 48"),
        (LINE.replace("3 3769", "3 X769"), InvalidFormat, "digits only"),
        (None, InvalidFormat, "digits only"),
    ],
)
def test_wrong_lines_are_refused(value, error, message):
    with pytest.raises(error, match=message):
        boleto.barcode_from_line(value)
    assert not boleto.is_valid_line(value)
    with pytest.raises(boleto.BoletoError):
        boleto.format_line(value)


def test_factor_below_1000_is_refused():
    body = BARCODE[:5] + "0999" + BARCODE[9:]
    body = body[:4] + boleto.general_check_digit(body[:4] + body[5:]) + body[5:]
    with pytest.raises(InvalidComponent, match="neither 0000 nor 1000-9999"):
        boleto.validate_barcode(body)


def test_errors_are_value_errors():
    for error in (InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength):
        assert issubclass(error, boleto.BoletoError) and issubclass(error, ValueError)


# ---------------------------------------------------------------------------- properties

barcodes = st.builds(
    boleto.make_barcode,
    st.sampled_from(["001", "033", "104", "237", "341", "748", "756"]),
    st.integers(0, boleto.MAX_CENTS).map(lambda cents: Decimal(cents) / 100),
    st.one_of(st.none(), st.dates(min_value=D(2000, 7, 3), max_value=D(2040, 12, 31))),
    st.text("0123456789", min_size=25, max_size=25),
)


@given(barcodes)
def test_line_and_barcode_round_trip(barcode):
    line = boleto.line_from_barcode(barcode)
    assert len(line) == 47 and boleto.is_valid_line(line)
    assert boleto.barcode_from_line(line) == barcode
    assert boleto.barcode_from_line(boleto.format_line(line)) == barcode
    assert boleto.compact(boleto.format_line(line)) == line


@given(barcodes, st.integers(0, 46), st.integers(1, 9))
def test_any_single_digit_change_of_a_line_is_refused(barcode, index, delta):
    line = boleto.line_from_barcode(barcode)
    wrong = _replace(line, index, str((int(line[index]) + delta) % 10))
    # módulo 10 catches any change in fields 1 to 3; in field 5 only the general digit guards,
    # and it misses a change that moves its raw value between 0, 10 and 11 (all printed 1)
    if boleto.is_valid_line(wrong):
        assert index >= 33 and line[32] == "1"


@given(barcodes, st.integers(0, 43), st.integers(1, 9))
def test_single_digit_changes_of_a_barcode(barcode, index, delta):
    wrong = _replace(barcode, index, str((int(barcode[index]) + delta) % 10))
    # módulo 11 catches every single change except where the check digit's 0/10/11 all print 1
    if boleto.is_valid_barcode(wrong):
        assert wrong[4] == "1" and index != 4
