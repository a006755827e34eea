"""Read CNAB return files ("retorno"): CNAB 240 T/U pairs and CNAB 400 details, any covered bank.

Real files are forgiving readers' work: trailing blanks are stripped (lines are padded back to
the record length), CRLF and LF are mixed, CNAB 400 years have two digits. What is refused is
refused all at once: :class:`CnabFileError` lists every bad line with its number and reason.

Amounts: ``amount_paid`` is what the payer paid (gross), ``amount_credited`` what lands in the
account (net of the fee). A layout carries one or both; ``amounts_source`` says which were read
(``'gross'``, ``'net'`` or ``'both'``). On a settled line the missing one is derived
(gross = net + fee, net = gross - fee); on other lines it is ``None``.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from . import cnab240, cnab400
from .fields import CnabError, read_record_errors

ZERO = Decimal("0.00")


class CnabFileError(CnabError):
    """A return file refused; ``problems`` is the list of ``(line number, reason)``."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        lines = "\n".join(f"line {number}: {reason}" for number, reason in self.problems)
        super().__init__(f"CNAB file refused ({len(self.problems)} problem(s)):\n{lines}")


class CnabUnknownBankError(CnabFileError):
    """The header names a bank (or a layout of it) this module does not read."""


@dataclass(frozen=True)
class ReturnLine:
    line_number: int
    bank_code: str
    nosso_numero_raw: str
    your_number: str
    occurrence: str
    meaning: str  # settled, accepted, rejected, written_off, fee, instruction_rejected, other
    occurrence_date: object
    due_date: object
    face_value: Decimal
    amount_paid: object  # Decimal, or None when neither read nor derivable (not settled)
    amount_credited: object
    fee: Decimal
    interest_fine: Decimal
    discount: Decimal
    rebate: Decimal
    iof: Decimal
    other_expenses: Decimal
    other_credits: Decimal
    credit_date: object
    reasons: tuple
    amounts_source: str  # 'gross', 'net' or 'both': which amounts the file carried
    raw: str


@dataclass(frozen=True)
class ReturnFile:
    layout: str  # '240' or '400'
    bank_code: str
    company_document: str
    file_sequence: str
    generated_date: object
    lines: tuple
    warnings: tuple = ()  # header metadata that could not be read (the file is still accepted)


def decode(data):
    """Bytes -> text: UTF-8 BOM honoured, then UTF-8, then cp1252, then latin-1 (never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def split_lines(text):
    """``[(line number, text)]`` of the non-blank lines, CR/LF/CRLF all accepted."""
    return [(number, line) for number, line in enumerate(re.split(r"\r\n|\n|\r", text), 1) if line.strip()]


def _codes(text):
    return tuple(code for code in (text[i : i + 2] for i in range(0, len(text), 2)) if code.strip("0 "))


def _amounts(values, meaning):
    fee = values.get("fee", ZERO)
    paid, credited = values.get("amount_paid"), values.get("amount_credited")
    if paid is not None and credited is not None:
        if meaning == "settled" and not paid and credited:
            return credited + fee, credited, "net"
        if meaning == "settled" and paid and not credited:
            return paid, paid - fee, "gross"
        return paid, credited, "both"
    if paid is not None:
        return paid, (paid - fee if meaning == "settled" else None), "gross"
    return (credited + fee if meaning == "settled" else None), credited, "net"


def _return_line(number, bank_code, values, meanings, raw):
    occurrence = values["occurrence"]
    meaning = meanings.get(occurrence, "other")
    paid, credited, source = _amounts(values, meaning)
    return ReturnLine(
        line_number=number,
        bank_code=bank_code,
        nosso_numero_raw=values["nosso_numero"],
        your_number=values.get("your_number", ""),
        occurrence=occurrence,
        meaning=meaning,
        occurrence_date=values.get("occurrence_date"),
        due_date=values.get("due_date"),
        face_value=values.get("face_value", ZERO),
        amount_paid=paid,
        amount_credited=credited,
        fee=values.get("fee", ZERO),
        interest_fine=values.get("interest_fine", ZERO),
        discount=values.get("discount", ZERO),
        rebate=values.get("rebate", ZERO),
        iof=values.get("iof", ZERO),
        other_expenses=values.get("other_expenses", ZERO),
        other_credits=values.get("other_credits", ZERO),
        credit_date=values.get("credit_date"),
        reasons=_codes(values.get("reasons", "")),
        amounts_source=source,
        raw=raw,
    )


class _Reader:
    def __init__(self):
        self.problems = []

    def problem(self, number, reason):
        self.problems.append((number, reason))

    def record(self, number, line, spec):
        values, errors = read_record_errors(line, spec)
        for error in errors:
            self.problem(number, str(error))
        return None if errors else values

    def header(self, number, line, spec, warnings):
        """Header metadata: an unreadable field becomes a warning, not a refusal."""
        if len(line) > spec.length:
            self.problem(number, f"record of {len(line)} characters, expected {spec.length}")
            return {}
        values, errors = read_record_errors(line, spec)
        for error in errors:
            warnings.append(f"line {number}: {error} (header field ignored)")
            values[error.field.name] = None
        return values


def _count(text):
    return int(text) if text and text.isdigit() else None


def _parse_240(lines):
    reader = _Reader()
    number, header_line = lines[0]
    bank = header_line[0:3]
    if bank not in cnab240.BANKS:
        raise CnabUnknownBankError(
            [(number, f"unknown bank {bank!r} for CNAB 240 (known: {', '.join(cnab240.BANKS)})")]
        )
    specs = cnab240.records_for(bank)
    warnings = []
    header = reader.header(number, header_line, specs["file_header"], warnings)
    result, pending = [], None
    batches = 0
    batch_records = 0  # records of the current lote, its header included
    details = 0  # detail records of the current lote
    trailer_seen = False
    for number, line in lines[1:]:
        if len(line) > cnab240.LENGTH:
            reader.problem(number, f"record of {len(line)} characters, expected {cnab240.LENGTH}")
            continue
        if trailer_seen:
            reader.problem(number, "record after the file trailer")
            continue
        if line[0:3] != bank:
            reader.problem(number, f"bank code {line[0:3]!r} differs from the header's {bank!r}")
        kind = line[7:8]
        if kind == "1":
            batches += 1
            batch_records, details = 1, 0
        elif kind == "3":
            batch_records += 1
            details += 1
            segment = line[13:14]
            sequence = line[8:13]
            if sequence.isdigit() and int(sequence) != details:
                reader.problem(number, f"sequence number {sequence} in its lote, expected {details:05d}")
            if segment == "T":
                if pending:
                    reader.problem(pending[0], "segment T without a following segment U")
                values = reader.record(number, line, specs["segment_t"])
                pending = (number, values, line)
            elif segment == "U":
                values = reader.record(number, line, specs["segment_u"])
                if not pending:
                    reader.problem(number, "segment U without a preceding segment T")
                    continue
                t_number, t_values, t_line = pending
                pending = None
                if t_values is None or values is None:
                    continue
                if values["movement"] != t_values["movement"]:
                    reader.problem(
                        number,
                        f"segment U movement {values['movement']} differs from segment T's {t_values['movement']}",
                    )
                    continue
                merged = {**values, **t_values, "occurrence": t_values["movement"]}
                result.append(_return_line(t_number, bank, merged, cnab240.RETURN_MEANINGS, f"{t_line}\n{line}"))
        elif kind == "5":
            batch_records += 1
            if pending:
                reader.problem(pending[0], "segment T without a following segment U")
                pending = None
            values = reader.record(number, line, specs["batch_trailer"])
            count = _count(values and values["record_count"])
            if count and count != batch_records:
                reader.problem(number, f"lote trailer counts {count} records, the lote has {batch_records}")
        elif kind == "9":
            trailer_seen = True
            values = reader.record(number, line, specs["file_trailer"])
            total = len(lines)
            count = _count(values and values["record_count"])
            if count and count != total:
                reader.problem(number, f"file trailer counts {count} records, the file has {total}")
            count = _count(values and values["batch_count"])
            if count and count != batches:
                reader.problem(number, f"file trailer counts {count} lotes, the file has {batches}")
        elif kind == "0":
            reader.problem(number, "second file header")
        else:
            reader.problem(number, f"unknown record type {kind!r}")
    if pending:
        reader.problem(pending[0], "segment T without a following segment U")
    if reader.problems:
        raise CnabFileError(sorted(reader.problems))
    return ReturnFile(
        layout="240",
        bank_code=bank,
        company_document=header.get("company_document") or "",
        file_sequence=header.get("file_sequence") or "",
        generated_date=header.get("generated_date"),
        lines=tuple(result),
        warnings=tuple(warnings),
    )


def _parse_400(lines):
    reader = _Reader()
    number, header_line = lines[0]
    bank = header_line.ljust(cnab400.LENGTH)[76:79]
    if bank not in cnab400.RETURN_LAYOUTS:
        known = ", ".join(sorted(cnab400.RETURN_LAYOUTS))
        raise CnabUnknownBankError([(number, f"unknown bank {bank!r} for CNAB 400 (known: {known})")])
    header_spec, detail_spec = cnab400.RETURN_LAYOUTS[bank]
    detail_type = detail_spec.match[0][2]
    meanings = cnab400.RETURN_MEANINGS[bank]
    warnings = []
    header = reader.header(number, header_line, header_spec, warnings)
    result, company_document, trailer_seen = [], "", False
    for index, (number, line) in enumerate(lines, 1):
        if len(line) > cnab400.LENGTH:
            reader.problem(number, f"record of {len(line)} characters, expected {cnab400.LENGTH}")
            continue
        sequence = line.ljust(cnab400.LENGTH)[394:400]
        if sequence.isdigit() and int(sequence) != index:
            reader.problem(number, f"sequence number {sequence}, expected {index:06d}")
        if index == 1:
            continue
        if trailer_seen:
            reader.problem(number, "record after the file trailer")
            continue
        kind = line[0]
        if kind == "9":
            trailer_seen = True
        elif kind == detail_type:
            values = reader.record(number, line, detail_spec)
            if values is None:
                continue
            company_document = company_document or values.get("company_document", "")
            result.append(_return_line(number, bank, values, meanings, line))
        elif kind == "0":
            reader.problem(number, "second file header")
        # other record types (rateio, messages) are not about a boleto's state: skipped
    if not trailer_seen:
        reader.problem(lines[-1][0] + 1, "file trailer (record type 9) missing")
    if reader.problems:
        raise CnabFileError(sorted(reader.problems))
    return ReturnFile(
        layout="400",
        bank_code=bank,
        company_document=company_document,
        file_sequence=header.get("file_sequence") or "",
        generated_date=header.get("generated_date"),
        lines=tuple(result),
        warnings=tuple(warnings),
    )


def detect_layout(first_line):
    """'400' for a ``02RETORNO`` header, '240' for a FEBRABAN file header, else None."""
    if first_line.startswith("02RETORNO"):
        return "400"
    if first_line[3:8] == "00000" and first_line[0:3].isdigit():
        return "240"
    return None


def parse_return(data):
    """Parse a CNAB return file (``bytes``) into a :class:`ReturnFile`; refuse it whole otherwise."""
    if isinstance(data, str):
        raise TypeError("parse_return takes the file's bytes")
    lines = split_lines(decode(data))
    if not lines:
        raise CnabFileError([(1, "empty file: header missing")])
    layout = detect_layout(lines[0][1])
    if layout is None:
        raise CnabFileError([(lines[0][0], "header missing: neither a CNAB 240 nor a CNAB 400 return header")])
    return _parse_240(lines) if layout == "240" else _parse_400(lines)
