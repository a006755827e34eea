"""CNAB 240/400: layouts, reader/writer, returns and remittances, on files the tests build.

The real sample returns (brcobranca / OCA fixtures) are not in this repository; the values their
specs assert are reproduced here on synthetic lines written at the same positions, with the same
quirks (trailing blanks stripped, CRLF/LF mixed, two-digit years, latin-1, BOM).
"""

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from collections_pix.tools.cnab import (
    CnabError,
    CnabFieldError,
    CnabFileError,
    CnabOverflowError,
    CnabUnknownBankError,
    Field,
    RecordSpec,
    build_remittance,
    cnab240,
    cnab400,
    parse_return,
    read_record,
    write_record,
)
from collections_pix.tools.cnab.fields import CnabLayoutError

D = datetime.date
ROOT = Path(__file__).resolve().parent.parent


def lines_to_bytes(lines, strip=True, endings=("\n",), encoding="latin-1", bom=False):
    """Join records the way real files come: trailing blanks stripped, line endings cycled."""
    out = []
    for index, line in enumerate(lines):
        out.append((line.rstrip(" ") if strip else line) + endings[index % len(endings)])
    data = "".join(out).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


# ----------------------------------------------------------------------------- fields


def test_field_kinds_round_trip():
    spec = RecordSpec(
        "demo",
        60,
        (
            Field("code", 1, 3, "num"),
            Field("name", 4, 13, "alpha"),
            Field("amount", 14, 26, "money"),
            Field("day", 27, 34, "date8"),
            Field("short_day", 35, 40, "date6"),
            Field("fixed", 41, 42, "const", "AB"),
        ),
    )
    values = {
        "code": 7,
        "name": "José",
        "amount": Decimal("1234.5"),
        "day": D(2024, 2, 29),
        "short_day": D(2031, 12, 1),
    }
    line = write_record(values, spec)
    assert len(line) == 60
    assert line[:42] == "007JOSE      0000000123450290220240112" + "31AB"
    back = read_record(line, spec)
    assert back == {
        "code": "007",
        "name": "JOSE",
        "amount": Decimal("1234.50"),
        "day": D(2024, 2, 29),
        "short_day": D(2031, 12, 1),
        "fixed": "AB",
    }
    # zeros and blanks are "no date"; a short line is padded before slicing
    assert read_record("000", spec)["day"] is None
    assert read_record("000", spec)["amount"] == 0


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (Field("n", 1, 3, "num"), 1234, CnabOverflowError),
        (Field("n", 1, 3, "num"), "12a", CnabFieldError),
        (Field("n", 1, 3, "num"), -1, CnabFieldError),
        (Field("t", 1, 3, "alpha"), "ABCD", CnabOverflowError),
        (Field("m", 1, 5, "money"), Decimal("1000.00"), CnabOverflowError),
        (Field("m", 1, 5, "money"), Decimal("1.005"), CnabFieldError),
        (Field("m", 1, 5, "money"), Decimal("-1"), CnabFieldError),
        (Field("d", 1, 6, "date6"), D(1999, 1, 1), CnabFieldError),
        (Field("d", 1, 8, "date8"), "01012024", CnabFieldError),
    ],
)
def test_writer_refuses_what_does_not_fit(field, value, error):
    spec = RecordSpec("x", 10, (field,))
    with pytest.raises(error):
        write_record({field.name: value}, spec)


def test_writer_truncates_only_free_text_and_knows_every_field():
    spec = RecordSpec("x", 10, (Field("name", 1, 5, "alpha", truncate=True),))
    assert write_record({"name": "Conceição Ltda"}, spec) == "CONCE     "
    with pytest.raises(CnabError, match="unknown fields"):
        write_record({"nmae": "x"}, spec)


def test_layout_errors_are_caught_when_the_layout_is_defined():
    with pytest.raises(CnabLayoutError, match="overlap"):
        RecordSpec("x", 10, (Field("a", 1, 3), Field("b", 3, 4)))
    with pytest.raises(CnabLayoutError, match="ends at"):
        RecordSpec("x", 10, (Field("a", 5, 11),))
    with pytest.raises(CnabLayoutError):
        Field("d", 1, 7, "date8")


def test_every_layout_is_consistent_for_every_bank():
    for bank in cnab240.BANKS:
        for spec in cnab240.records_for(bank).values():
            assert spec.length == 240
            assert all(f.end <= 240 for f in spec.fields)
    for spec in cnab400.RECORDS.values():
        assert spec.length == 400


@pytest.mark.parametrize(
    ("text", "message"),
    [("31022015", "due date 31022015 is not a date"), ("1302201X", "due date '1302201X' is not a date")],
)
def test_bad_dates_are_named(text, message):
    spec = RecordSpec("x", 8, (Field("due_date", 1, 8, "date8"),))
    with pytest.raises(CnabFieldError, match=message):
        read_record(text, spec)


def test_line_longer_than_the_record_is_refused():
    spec = RecordSpec("x", 5, (Field("a", 1, 5),))
    with pytest.raises(CnabError, match="record of 6 characters, expected 5"):
        read_record("123456", spec)


# ----------------------------------------------------------------------------- CNAB 240 returns


def header_240(bank="001", **values):
    base = {
        "bank_code": bank,
        "batch": 0,
        "company_document_type": 2,
        "company_document": "35643899000145",
        "company_name": "Empresa Ação",
        "direction": 2,
        "generated_date": D(2011, 12, 29),
        "generated_time": "014319",
        "file_sequence": 2108,
        "layout_version": "030",
    }
    return write_record({**base, **values}, cnab240.records_for(bank)["file_header"])


def tu_pair(bank, sequence, t=None, u=None, batch=1):
    specs = cnab240.records_for(bank)
    t_values = {
        "bank_code": bank,
        "batch": batch,
        "sequence": sequence,
        "movement": "06",
        "nosso_numero": "1234567890123",
        "face_value": Decimal("100.00"),
        "fee": Decimal("1.00"),
        **(t or {}),
    }
    u_values = {
        "bank_code": bank,
        "batch": batch,
        "sequence": sequence + 1,
        "movement": t_values["movement"],
        "amount_paid": Decimal("100.00"),
        "amount_credited": Decimal("99.00"),
        "occurrence_date": D(2011, 12, 29),
        "credit_date": D(2012, 1, 2),
        **(u or {}),
    }
    return [write_record(t_values, specs["segment_t"]), write_record(u_values, specs["segment_u"])]


def file_240(bank, pairs, trailer_counts=True):
    specs = cnab240.records_for(bank)
    details = [line for pair in pairs for line in pair]
    batch = [write_record({"bank_code": bank, "batch": 1, "operation": "T"}, specs["batch_header"]), *details]
    batch.append(
        write_record(
            {"bank_code": bank, "batch": 1, "record_count": len(batch) + 1 if trailer_counts else 0},
            specs["batch_trailer"],
        )
    )
    lines = [header_240(bank), *batch]
    lines.append(
        write_record(
            {"bank_code": bank, "batch": 9999, "batch_count": 1, "record_count": len(lines) + 1},
            specs["file_trailer"],
        )
    )
    return lines


def test_cnab240_banco_do_brasil_first_pair_values():
    """brcobranca retorno_cnab_240_spec.rb on CNAB240.RET, first T/U pair, rebuilt."""
    pair = tu_pair(
        "001",
        1,
        t={
            "movement": "17",
            "nosso_numero": "14499570000020673",
            "face_value": Decimal("344.00"),
            "fee": Decimal("1.03"),
            "reasons": "03",
            "carteira": "7",
        },
        u={
            "interest_fine": Decimal("0.09"),
            "discount": Decimal("0.01"),
            "rebate": Decimal("0.02"),
            "iof": Decimal("0.03"),
            "amount_paid": Decimal("344.00"),
            "amount_credited": Decimal("342.97"),
            "other_expenses": Decimal("0.04"),
            "other_credits": Decimal("0.05"),
            "credit_date": D(2012, 1, 2),
        },
    )
    parsed = parse_return(lines_to_bytes(file_240("001", [pair])))
    assert (parsed.layout, parsed.bank_code, parsed.company_document) == ("240", "001", "35643899000145")
    assert (parsed.file_sequence, parsed.generated_date) == ("002108", D(2011, 12, 29))
    (line,) = parsed.lines
    assert line.line_number == 3
    assert (line.occurrence, line.meaning) == ("17", "settled")
    assert line.nosso_numero_raw == "14499570000020673"
    assert line.face_value == Decimal("344.00")
    assert (line.interest_fine, line.discount, line.rebate, line.iof) == tuple(
        Decimal(x) for x in ("0.09", "0.01", "0.02", "0.03")
    )
    assert (line.amount_paid, line.amount_credited, line.fee) == (Decimal("344.00"), Decimal("342.97"), Decimal("1.03"))
    assert (line.other_expenses, line.other_credits) == (Decimal("0.04"), Decimal("0.05"))
    assert line.credit_date == D(2012, 1, 2)
    assert line.due_date is None
    assert line.reasons == ("03",)
    assert line.amounts_source == "both"
    assert line.raw.splitlines() == [x.rstrip() for x in pair]


def test_cnab240_sicoob_values_with_crlf():
    """brcobranca cnab240/sicoob_spec.rb on CNAB240SICOOB.RET (CRLF, stripped lines), rebuilt."""
    pairs = [
        tu_pair(
            "756",
            1 + 2 * i,
            t={"due_date": D(2015, 8, 13), "face_value": Decimal("2.00"), "fee": Decimal("1.70")},
            u={"amount_paid": Decimal("2.00"), "amount_credited": Decimal("2.00"), "credit_date": D(2015, 8, 10)},
        )
        for i in range(3)
    ]
    parsed = parse_return(lines_to_bytes(file_240("756", pairs), endings=("\r\n",)))
    assert len(parsed.lines) == 3
    line = parsed.lines[0]
    assert (line.occurrence, line.meaning, line.due_date) == ("06", "settled", D(2015, 8, 13))
    assert (line.amount_paid, line.fee, line.credit_date) == (Decimal("2.00"), Decimal("1.70"), D(2015, 8, 10))


def test_cnab240_net_only_is_derived_into_gross():
    pair = tu_pair("237", 1, u={"amount_paid": 0, "amount_credited": Decimal("99.00")})
    (line,) = parse_return(lines_to_bytes(file_240("237", [pair]))).lines
    assert (line.amount_paid, line.amount_credited, line.amounts_source) == (Decimal("100.00"), Decimal("99.00"), "net")


@pytest.mark.parametrize("bank", cnab240.BANKS)
def test_cnab240_round_trip_every_bank_with_mixed_endings(bank):
    pairs = [
        tu_pair(bank, 1, t={"movement": "02", "your_number": "FAT-1"}, u={"amount_paid": 0, "amount_credited": 0}),
        tu_pair(bank, 3, t={"movement": "06", "due_date": D(2024, 3, 10), "nosso_numero": "123"}),
        tu_pair(bank, 5, t={"movement": "03", "reasons": "A1B200"}, u={"amount_paid": 0, "amount_credited": 0}),
    ]
    parsed = parse_return(lines_to_bytes(file_240(bank, pairs), endings=("\r\n", "\n")))
    meanings = [line.meaning for line in parsed.lines]
    assert meanings == ["accepted", "settled", "rejected"]
    accepted, settled, rejected = parsed.lines
    assert accepted.your_number == "FAT-1"
    assert settled.nosso_numero_raw == "123"
    assert settled.due_date == D(2024, 3, 10)
    assert (settled.amount_paid, settled.amount_credited) == (Decimal("100.00"), Decimal("99.00"))
    assert rejected.reasons == ("A1", "B2")
    assert [line.line_number for line in parsed.lines] == [3, 5, 7]


def test_cnab240_bank_overrides_move_the_fields():
    # Caixa: nosso número 40-56; Santander: 41-53 and the fee at 194-208; Itaú: 4 reasons at 214-221
    caixa = cnab240.records_for("104")["segment_t"]
    assert (caixa.field("nosso_numero").start, caixa.field("nosso_numero").end) == (40, 56)
    santander = cnab240.records_for("033")["segment_t"]
    assert (santander.field("fee").start, santander.field("due_date").start) == (194, 70)
    itau = cnab240.records_for("341")["segment_t"]
    assert itau.field("reasons").end == 221
    # a Santander T written with its layout reads back through parse_return
    pair = tu_pair("033", 1, t={"nosso_numero": "1234567890123", "fee": Decimal("3.45"), "due_date": D(2020, 1, 31)})
    (line,) = parse_return(lines_to_bytes(file_240("033", [pair]))).lines
    assert (line.nosso_numero_raw, line.fee, line.due_date) == ("1234567890123", Decimal("3.45"), D(2020, 1, 31))


def test_cnab240_shifted_segment_u_is_refused():
    """Like the OCA AILOS sample: the second U is shifted one column left."""
    pairs = [tu_pair("085", 1), tu_pair("085", 3, u={"occurrence_date": D(2021, 12, 6), "credit_date": D(2021, 12, 7)})]
    lines = file_240("085", pairs)
    lines[5] = lines[5][:17] + lines[5][18:] + " "  # the second U (line 6) loses one column
    with pytest.raises(CnabFileError) as caught:
        parse_return(lines_to_bytes(lines))
    text = str(caught.value)
    assert "line 6: occurrence date 61220210 is not a date" in text
    assert all(number == 6 for number, _ in caught.value.problems)


def test_cnab240_malformed_file_lists_every_bad_line():
    lines = file_240("001", [tu_pair("001", 1), tu_pair("001", 3), tu_pair("001", 5)])
    lines[2] = lines[2][:73] + "31022015" + lines[2][81:]  # line 3: T with a bad due date
    lines.insert(4, "X" * 262)  # line 5: too long
    del lines[5]  # the second pair loses its T: line 6 is now a U without a T
    lines[7] = lines[7][:17] + "00000000000000X" + lines[7][32:]  # line 8: non-digit in a money field
    with pytest.raises(CnabFileError) as caught:
        parse_return(lines_to_bytes(lines))
    message = str(caught.value)
    assert "line 3: due date 31022015 is not a date" in message
    assert "line 5: record of 262 characters, expected 240" in message
    assert "line 6: segment U without a preceding segment T" in message
    assert "line 8: interest fine '00000000000000X' is not numeric" in message
    assert "line 9: lote trailer counts 8 records, the lote has 7" in message
    assert {number for number, _ in caught.value.problems} >= {3, 5, 6, 8, 9}


def test_cnab240_trailer_counts_and_orphans():
    lines = file_240("001", [tu_pair("001", 1)])
    lines.insert(2, tu_pair("001", 1)[0])  # a T followed by another T
    lines[-1] = lines[-1][:23] + "000099" + lines[-1][29:]
    with pytest.raises(CnabFileError) as caught:
        parse_return(lines_to_bytes(lines))
    message = str(caught.value)
    assert "line 3: segment T without a following segment U" in message
    assert "file trailer counts 99 records, the file has 7" in message


# ----------------------------------------------------------------------------- CNAB 400 returns


def file_400(bank, details, header=None):
    header_spec, detail_spec = cnab400.RETURN_LAYOUTS[bank]
    lines = [
        write_record(
            {"bank_code": bank, "generated_date": D(2013, 5, 20), "file_sequence": 25, "sequence": 1, **(header or {})},
            header_spec,
        )
    ]
    for values in details:
        lines.append(write_record({**values, "sequence": len(lines) + 1}, detail_spec))
    lines.append(write_record({"bank_code": bank, "sequence": len(lines) + 1}, cnab400.RETURN_TRAILER))
    return lines


def itau_detail(**values):
    return {
        "company_document_type": 2,
        "company_document": "16733872000107",
        "nosso_numero": "00000011",
        "carteira": 109,
        "carteira_code": "I",
        "occurrence": "06",
        "occurrence_date": D(2013, 5, 20),
        "face_value": Decimal("40.00"),
        "fee": Decimal("2.10"),
        "amount_credited": Decimal("37.90"),
        "credit_date": D(2013, 5, 21),
        **values,
    }


def test_cnab400_itau_first_record_values():
    """brcobranca cnab400/itau_spec.rb on CNAB400ITAU.RET, first record, rebuilt (LF, 2-digit years)."""
    lines = file_400("341", [itau_detail(), itau_detail(nosso_numero="27714592", occurrence="09", credit_date=None)])
    assert lines[1][62:70] == "00000011" and lines[1][82:85] == "109" and lines[1][253:266] == "0000000003790"
    parsed = parse_return(lines_to_bytes(lines))
    assert (parsed.layout, parsed.bank_code, parsed.company_document) == ("400", "341", "16733872000107")
    assert (parsed.file_sequence, parsed.generated_date) == ("00025", D(2013, 5, 20))
    first, writeoff = parsed.lines
    assert (first.nosso_numero_raw, first.occurrence, first.meaning) == ("00000011", "06", "settled")
    assert first.occurrence_date == D(2013, 5, 20)
    assert (first.face_value, first.fee, first.amount_credited) == (Decimal("40.00"), Decimal("2.10"), Decimal("37.90"))
    assert (first.amount_paid, first.amounts_source) == (Decimal("40.00"), "net")
    assert first.credit_date == D(2013, 5, 21)
    assert (writeoff.meaning, writeoff.amount_paid, writeoff.credit_date) == ("written_off", None, None)


def test_cnab400_itau_interest_and_separate_fields():
    # Itaú's 400: 228-240 abatimento, 241-253 desconto, 267-279 juros+multa (published layout)
    detail = itau_detail(
        face_value=Decimal("44.00"),
        interest_fine=Decimal("0.98"),
        amount_credited=Decimal("42.88"),
        rebate=Decimal("0.30"),
        discount=Decimal("0.20"),
    )
    line = file_400("341", [detail])[1]
    assert line[227:240] == "0000000000030" and line[240:253] == "0000000000020"
    (parsed,) = parse_return(lines_to_bytes(file_400("341", [detail]))).lines
    assert parsed.amount_paid == Decimal("44.98")  # 42.88 net + 2.10 fee = 44.00 + 0.98 interest
    assert (parsed.rebate, parsed.discount, parsed.interest_fine) == (Decimal("0.30"), Decimal("0.20"), Decimal("0.98"))


def test_cnab400_bradesco_first_record_values_crlf():
    """brcobranca cnab400/bradesco_spec.rb on CNAB400BRADESCO.RET (CRLF), rebuilt."""
    detail = {
        "company_document": "12095870000170",
        "nosso_numero": "000000000303",
        "occurrence": "02",
        "occurrence_date": D(2015, 5, 15),
        "due_date": D(2015, 5, 25),
        "face_value": Decimal("1450.00"),
        "fee": Decimal("1.60"),
        "amount_paid": Decimal("1450.00"),
        "credit_date": D(2015, 5, 15),
    }
    settled = {**detail, "nosso_numero": "51350000004P", "occurrence": "06", "reasons": "0000000000"}
    parsed = parse_return(lines_to_bytes(file_400("237", [detail, settled]), endings=("\r\n",)))
    first, second = parsed.lines
    assert (first.occurrence, first.meaning, first.nosso_numero_raw) == ("02", "accepted", "000000000303")
    assert (first.due_date, first.face_value, first.fee) == (D(2015, 5, 25), Decimal("1450.00"), Decimal("1.60"))
    assert (first.amounts_source, first.amount_credited) == ("gross", None)
    assert second.nosso_numero_raw == "51350000004P"
    assert (second.amount_paid, second.amount_credited, second.reasons) == (Decimal("1450.00"), Decimal("1448.40"), ())


def test_cnab400_banco_do_brasil_cbr643():
    """brcobranca retorno_cbr643_spec.rb on CBR64310.RET (detail type 7), rebuilt."""
    detail = {
        "convenio": 1622420,
        "nosso_numero": "16224200000000003",
        "occurrence": "06",
        "occurrence_date": D(2009, 1, 20),
        "credit_date": D(2009, 1, 22),
        "face_value": Decimal("90.64"),
        "fee": Decimal("5.00"),
        "amount_paid": Decimal("90.64"),
        "amount_credited": Decimal("85.64"),
    }
    lines = file_400("001", [detail], header={"generated_date": D(2009, 1, 20), "file_sequence": 7})
    assert lines[1][0] == "7" and lines[1][63:80] == "16224200000000003"
    (line,) = parse_return(lines_to_bytes(lines)).lines
    assert (line.nosso_numero_raw, line.meaning, line.occurrence_date) == (
        "16224200000000003",
        "settled",
        D(2009, 1, 20),
    )
    assert (line.amount_paid, line.amount_credited, line.amounts_source) == (Decimal("90.64"), Decimal("85.64"), "both")
    assert line.credit_date == D(2009, 1, 22)


def test_cnab400_latin1_accents_and_bom_are_read():
    detail = itau_detail()
    lines = file_400("341", [detail], header={"company_name": "ACAO"})
    lines[0] = lines[0][:46] + "AÇÃO LTDA".ljust(30) + lines[0][76:]
    for encoding, bom in (("latin-1", False), ("cp1252", False), ("utf-8", True), ("utf-8", False)):
        parsed = parse_return(lines_to_bytes(lines, encoding=encoding, bom=bom))
        assert len(parsed.lines) == 1, encoding
        assert parsed.lines[0].face_value == Decimal("40.00")


def test_cnab400_malformed_lines_and_sequence():
    lines = file_400("341", [itau_detail(), itau_detail(), itau_detail()])
    lines[1] = lines[1][:146] + "310215" + lines[1][152:]  # line 2: due date 31/02/15
    lines[2] = lines[2] + "XX"  # line 3: 402 characters
    lines[3] = lines[3][:394] + "000009"  # line 4: wrong sequence
    with pytest.raises(CnabFileError) as caught:
        parse_return(lines_to_bytes(lines, strip=False))
    message = str(caught.value)
    assert "line 2: due date 310215 is not a date" in message
    assert "line 3: record of 402 characters, expected 400" in message
    assert "line 4: sequence number 000009, expected 000004" in message


def test_unknown_bank_and_missing_header():
    with pytest.raises(CnabUnknownBankError, match="unknown bank '999'"):
        parse_return(lines_to_bytes(["999" + header_240()[3:]]))
    lines = file_400("341", [itau_detail()])
    lines[0] = lines[0][:76] + "999" + lines[0][79:]
    with pytest.raises(CnabUnknownBankError):
        parse_return(lines_to_bytes(lines))
    with pytest.raises(CnabFileError, match="header missing"):
        parse_return(lines_to_bytes(lines[1:]))
    with pytest.raises(CnabFileError, match="empty"):
        parse_return(b"\r\n\n")
    with pytest.raises(CnabFileError, match="trailer"):
        parse_return(lines_to_bytes(file_400("341", [itau_detail()])[:-1]))


# ----------------------------------------------------------------------------- remittances

GENERATED = datetime.datetime(2024, 3, 1, 9, 30, 15)


def remittance_header(bank="001", **values):
    return {
        "bank_code": bank,
        "company_document": "11.222.333/0001-81",
        "company_name": "Cobrança Exemplo Ltda",
        "convenio": "0012345670014",
        "agency": 1234,
        "agency_dv": "5",
        "account": 98765,
        "account_dv": "1",
        "file_sequence": 42,
        "generated_at": GENERATED,
        **values,
    }


def boleto(**values):
    return {
        "movement": "01",
        "nosso_numero": "12345670000000123",
        "carteira": 7,
        "your_number": "INV/2024/0001",
        "due_date": D(2024, 3, 31),
        "amount": Decimal("1500.75"),
        "especie": "02",
        "aceite": "N",
        "issue_date": D(2024, 3, 1),
        "interest_code": 1,
        "interest_date": D(2024, 4, 1),
        "interest_value": Decimal("0.50"),
        "discount_code": 1,
        "discount_date": D(2024, 3, 25),
        "discount_value": Decimal("10.00"),
        "iof": Decimal("0"),
        "rebate": Decimal("5.00"),
        "company_use": "MOVE-77",
        "protest_code": 3,
        "writeoff_code": 1,
        "writeoff_days": 30,
        "payer_document": "123.456.789-09",
        "payer_name": "João da Silva Conceição e Filhos Comércio de Peças Ltda",
        "payer_address": "Rua das Acácias, 100",
        "payer_district": "Centro",
        "payer_zip": "01310-100",
        "payer_city": "São Paulo",
        "payer_state": "SP",
        "fine_code": 2,
        "fine_date": D(2024, 4, 1),
        "fine_value": Decimal("2.00"),
        **values,
    }


def test_remittance_240_structure_and_values():
    items = [boleto(), boleto(movement="02", nosso_numero="12345670000000124"), boleto(movement="06")]
    data = build_remittance(remittance_header(), items)
    assert data == build_remittance(remittance_header(), items)  # deterministic
    text = data.decode("latin-1")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert all(len(line) == 240 for line in lines)
    assert len(lines) == 1 + 1 + 3 * 3 + 1 + 1
    specs = cnab240.records_for("001")
    header = read_record(lines[0], specs["file_header"])
    assert (header["direction"], header["generated_date"], header["generated_time"]) == ("1", D(2024, 3, 1), "093015")
    assert (header["file_sequence"], header["company_document"], header["layout_version"]) == (
        "000042",
        "11222333000181",
        "083",
    )
    assert header["company_name"] == "COBRANCA EXEMPLO LTDA"
    assert lines[1][8] == "R"
    p = read_record(lines[2], specs["segment_p"])
    assert (p["sequence"], p["movement"], p["nosso_numero"]) == ("00001", "01", "12345670000000123")
    assert (p["due_date"], p["amount"], p["issue_date"]) == (D(2024, 3, 31), Decimal("1500.75"), D(2024, 3, 1))
    assert (p["interest_code"], p["interest_value"], p["discount_value"], p["rebate"]) == (
        "1",
        Decimal("0.50"),
        Decimal("10.00"),
        Decimal("5.00"),
    )
    assert (p["your_number"], p["company_use"], p["currency"]) == ("INV/2024/0001", "MOVE-77", "09")
    q = read_record(lines[3], specs["segment_q"])
    assert (q["payer_document_type"], q["payer_document"]) == ("1", "000012345678909")
    assert q["payer_name"] == "JOAO DA SILVA CONCEICAO E FILHOS COMERCI"  # cut at 40
    assert (q["payer_zip"], q["payer_city"], q["payer_state"]) == ("01310100", "SAO PAULO", "SP")
    r = read_record(lines[4], specs["segment_r"])
    assert (r["fine_code"], r["fine_date"], r["fine_value"]) == ("2", D(2024, 4, 1), Decimal("2.00"))
    assert [line[15:17] for line in lines[2:11]] == ["01"] * 3 + ["02"] * 3 + ["06"] * 3
    assert [line[8:13] for line in lines[2:11]] == [f"{n:05d}" for n in range(1, 10)]
    trailer = read_record(lines[-2], specs["batch_trailer"])
    assert trailer["record_count"] == "000011"
    file_trailer = read_record(lines[-1], specs["file_trailer"])
    assert (file_trailer["batch_count"], file_trailer["record_count"]) == ("000001", "000013")


@pytest.mark.parametrize("bank", cnab240.REMITTANCE_BANKS)
def test_remittance_240_every_bank(bank):
    header = remittance_header(bank, layout_version="087", batch_layout_version="045", beneficiary_code=123456)
    if bank != "104":
        header.pop("beneficiary_code")
    item = boleto(nosso_numero="14000000000000123" if bank == "104" else "1234567", your_number="INV0001")
    if bank == "104":
        item["extra"] = {"segment_p": {"beneficiary_code": 123456}}
    lines = build_remittance(header, [item], bank_code=bank).decode("latin-1").split("\r\n")[:-1]
    assert [len(line) for line in lines] == [240] * 7
    assert all(line[:3] == bank for line in lines)
    p = read_record(lines[2], cnab240.records_for(bank)["segment_p"])
    assert p["nosso_numero"] == item["nosso_numero"]


def test_remittance_refusals():
    with pytest.raises(CnabError, match="movement"):
        build_remittance(remittance_header(), [boleto(movement="99")])
    with pytest.raises(CnabError, match="generated_at"):
        build_remittance(remittance_header(generated_at=None), [boleto()])
    with pytest.raises(CnabOverflowError):
        build_remittance(remittance_header(), [boleto(amount=Decimal("1e14"))])
    with pytest.raises(CnabError, match="no CNAB 240 remittance"):
        build_remittance(remittance_header("033"), [boleto()])
    with pytest.raises(CnabError, match="layout"):
        build_remittance(remittance_header(), [boleto()], layout="444")


def test_remittance_400_itau_and_bradesco():
    header = remittance_header("341", agency=730, account=3511, account_dv=0)
    item = boleto(nosso_numero="00000011", carteira=109, your_number="FAT0001")
    lines = build_remittance(header, [item], layout="400").decode("latin-1").split("\r\n")[:-1]
    assert [len(line) for line in lines] == [400] * 4  # header, detail, fine (type 2), trailer
    assert lines[0].startswith("01REMESSA01COBRANCA       0730")
    detail = read_record(lines[1], cnab400.ITAU_REMITTANCE_DETAIL)
    assert (detail["nosso_numero"], detail["carteira"], detail["movement"]) == ("00000011", "109", "01")
    assert (detail["due_date"], detail["amount"], detail["payer_zip"]) == (
        D(2024, 3, 31),
        Decimal("1500.75"),
        "01310100",
    )
    fine = read_record(lines[2], cnab400.ITAU_REMITTANCE_FINE)
    assert (fine["fine_code"], fine["fine_value"]) == ("2", Decimal("2.00"))
    assert [line[394:] for line in lines] == ["000001", "000002", "000003", "000004"]

    header = remittance_header("237", company_code=4540691)
    item = boleto(nosso_numero="000000003038", carteira=9, your_number="INV0001", fine_percent=Decimal("2.00"))
    lines = build_remittance(header, [item], layout="400").decode("latin-1").split("\r\n")[:-1]
    assert [len(line) for line in lines] == [400] * 3
    head = read_record(lines[0], cnab400.BRADESCO_REMITTANCE_HEADER)
    assert (head["file_sequence"], head["system"], head["generated_date"]) == ("0000042", "MX", D(2024, 3, 1))
    detail = read_record(lines[1], cnab400.BRADESCO_REMITTANCE_DETAIL)
    assert (detail["nosso_numero"], detail["carteira"], detail["fine_percent"]) == (
        "000000003038",
        "009",
        Decimal("2.00"),
    )


def test_remittance_round_trips_through_the_reader_positions():
    """What the writer puts at the P positions is what a reader at the same positions gets."""
    item = boleto()
    lines = build_remittance(remittance_header(), [item]).decode("latin-1").split("\r\n")
    p_line = lines[2]
    assert p_line[37:57].rstrip() == item["nosso_numero"]
    assert p_line[77:85] == "31032024"
    assert p_line[85:100] == "000000000150075"


def test_cnab_modules_import_without_odoo():
    code = (
        "import sys; sys.modules['odoo'] = None\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r}); import conftest\n"
        "import importlib\n"
        "for m in ('fields', 'cnab240', 'cnab400', 'returns', 'remittance'):\n"
        "    importlib.import_module('collections_pix.tools.cnab.' + m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ----------------------------------------------------------------------------- positions by hand


def by_hand(length, placed):
    """A record built from ``{start: text}`` (1-based), independent of the layout data under test."""
    chars = [" "] * length
    for start, text in placed.items():
        chars[start - 1 : start - 1 + len(text)] = text
    return "".join(chars).rstrip(" ")


def test_cnab240_positions_placed_by_hand():
    """The BRAZIL.md / FEBRABAN positions, typed here a second time, read by parse_return."""
    header = by_hand(240, {1: "00100000", 18: "2", 19: "35643899000145", 143: "2", 144: "29122011", 158: "002108"})
    batch = by_hand(240, {1: "00100011", 9: "T01"})
    t = by_hand(
        240,
        {1: "0010001300001T", 16: "17", 38: "14499570000020673", 74: "00000000", 82: "000000000034400"}
        | {106: "SEU-NUMERO-9", 199: "000000000000103", 214: "0300000000"},
    )
    u = by_hand(
        240,
        {1: "0010001300002U", 16: "17", 18: "000000000000009", 33: "000000000000001", 48: "000000000000002"}
        | {63: "000000000000003", 78: "000000000034400", 93: "000000000034297", 108: "000000000000004"}
        | {123: "000000000000005", 138: "29122011", 146: "02012012"},
    )
    trailer = by_hand(240, {1: "00100015", 18: "000004"})
    file_trailer = by_hand(240, {1: "00199999", 18: "000001", 24: "000006"})
    parsed = parse_return(lines_to_bytes([header, batch, t, u, trailer, file_trailer], endings=("\r\n", "\n")))
    (line,) = parsed.lines
    assert (parsed.company_document, parsed.file_sequence, parsed.generated_date) == (
        "35643899000145",
        "002108",
        D(2011, 12, 29),
    )
    assert (line.occurrence, line.nosso_numero_raw, line.your_number) == ("17", "14499570000020673", "SEU-NUMERO-9")
    assert (line.face_value, line.fee, line.reasons) == (Decimal("344.00"), Decimal("1.03"), ("03",))
    money = (line.interest_fine, line.discount, line.rebate, line.iof, line.other_expenses, line.other_credits)
    assert money == tuple(Decimal(f"0.0{n}") for n in (9, 1, 2, 3, 4, 5))
    assert (line.amount_paid, line.amount_credited) == (Decimal("344.00"), Decimal("342.97"))
    assert (line.occurrence_date, line.credit_date) == (D(2011, 12, 29), D(2012, 1, 2))


def test_cnab400_positions_placed_by_hand():
    itau = [
        by_hand(400, {1: "02RETORNO01COBRANCA", 77: "341", 95: "200513", 109: "00025", 395: "000001"}),
        by_hand(
            400,
            {1: "102", 4: "16733872000107", 38: "USO-EMPRESA", 63: "00000011", 83: "109", 109: "06", 111: "200513"}
            | {147: "100513", 153: "0000000004400", 176: "0000000000210", 215: "0000000000001"}
            | {228: "0000000000002", 241: "0000000000003", 254: "0000000004288", 267: "0000000000098"}
            | {296: "210513", 378: "AB", 395: "000002"},
        ),
        by_hand(400, {1: "9201341", 395: "000003"}),
    ]
    (line,) = parse_return(lines_to_bytes(itau)).lines
    assert (line.nosso_numero_raw, line.your_number, line.occurrence) == ("00000011", "USO-EMPRESA", "06")
    assert (line.occurrence_date, line.due_date, line.credit_date) == (D(2013, 5, 20), D(2013, 5, 10), D(2013, 5, 21))
    assert (line.face_value, line.fee, line.iof, line.rebate, line.discount) == tuple(
        Decimal(x) for x in ("44.00", "2.10", "0.01", "0.02", "0.03")
    )
    assert (line.amount_credited, line.interest_fine, line.amount_paid) == tuple(
        Decimal(x) for x in ("42.88", "0.98", "44.98")
    )
    assert line.reasons == ("AB",)

    bradesco = [
        by_hand(400, {1: "02RETORNO01COBRANCA", 77: "237", 95: "150515", 109: "00405", 395: "000001"}),
        by_hand(
            400,
            {1: "102", 4: "12095870000170", 71: "51350000004P", 109: "06", 111: "150515", 147: "250515"}
            | {153: "0000000145000", 176: "0000000000160", 228: "0000000000002", 241: "0000000000003"}
            | {254: "0000000145000", 267: "0000000000004", 296: "150515", 319: "0000000017", 395: "000002"},
        ),
        by_hand(400, {1: "9201237", 395: "000003"}),
    ]
    (line,) = parse_return(lines_to_bytes(bradesco, endings=("\r\n",))).lines
    assert (line.nosso_numero_raw, line.meaning, line.due_date) == ("51350000004P", "settled", D(2015, 5, 25))
    assert (line.amount_paid, line.fee, line.amount_credited) == (
        Decimal("1450.00"),
        Decimal("1.60"),
        Decimal("1448.40"),
    )
    assert (line.rebate, line.discount, line.interest_fine) == (Decimal("0.02"), Decimal("0.03"), Decimal("0.04"))
    assert line.reasons == ("17",)

    bb = [
        by_hand(400, {1: "02RETORNO01COBRANCA", 77: "001", 95: "200109", 101: "0000007", 395: "000001"}),
        by_hand(
            400,
            {1: "7", 64: "16224200000000003", 109: "06", 111: "200109", 153: "0000000009064", 176: "220109"}
            | {182: "0000500", 254: "0000000009064", 306: "0000000008564", 395: "000002"},
        ),
        by_hand(400, {1: "9201001", 395: "000003"}),
    ]
    (line,) = parse_return(lines_to_bytes(bb)).lines
    assert (line.nosso_numero_raw, line.credit_date, line.fee) == ("16224200000000003", D(2009, 1, 22), Decimal("5.00"))
    assert (line.amount_paid, line.amount_credited) == (Decimal("90.64"), Decimal("85.64"))


def test_a_field_cut_by_blank_stripping_is_padded_then_judged():
    spec = RecordSpec("x", 6, (Field("a", 1, 3, "num"), Field("b", 4, 6, "num")))
    assert read_record("123", spec) == {"a": "123", "b": ""}
    with pytest.raises(CnabFieldError, match="not numeric"):
        read_record("12345", spec)  # b is '45 ' once padded: a digit field with a blank
