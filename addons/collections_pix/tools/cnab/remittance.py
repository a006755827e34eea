"""Write CNAB remittance files ("remessa"): CNAB 240 P/Q/R per boleto, CNAB 400 Itaú/Bradesco.

Deterministic: nothing reads the clock; the generation date/time come in the header. Values a
bank formats its own way (the nosso número with its DV, the convênio block) are given already
formatted by the caller (``banks/<bank>``); this module only places them.

``header`` and each item are dicts or dataclasses. Item keys (240): ``movement`` ('01' new,
'02' write-off request, '06' change due date, '31' change other data - see
``cnab240.REMITTANCE_MOVEMENTS``), ``nosso_numero``, ``carteira``, ``your_number``, ``due_date``,
``amount``, ``especie``, ``aceite``, ``issue_date``, ``interest_code``/``_date``/``_value``,
``discount_code``/``_date``/``_value``, ``iof``, ``rebate``, ``company_use``, ``protest_code``/
``_days``, ``writeoff_code``/``_days``, ``payer_document`` (CPF/CNPJ digits, its type derived
unless ``payer_document_type`` is given), ``payer_name``, ``payer_address``, ``payer_district``,
``payer_zip``, ``payer_city``, ``payer_state``, ``fine_code``/``_date``/``_value``, and
``extra`` = ``{record name: {field: value}}`` for bank-specific fields.
"""

import dataclasses
import datetime

from . import cnab240, cnab400
from .fields import CnabError, write_record

CRLF = "\r\n"

# FEBRABAN layout versions each bank's remessa declares (brcobranca remessa/cnab240/<bank>.rb).
LAYOUT_VERSIONS = {
    "001": ("083", "042"),
    "104": ("050", "030"),
    "756": ("081", "040"),
    "748": ("081", "040"),
    "085": ("087", "045"),
}


def _as_dict(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return dict(value)


def _pick(source, spec, skip=()):
    names = {f.name for f in spec.fields} - set(skip)
    return {key: value for key, value in source.items() if key in names}


def _document_type(document):
    digits = "".join(ch for ch in str(document or "") if ch.isdigit())
    return {11: 1, 14: 2}.get(len(digits), 0), digits


def _digits(value):
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _check_movement(movement):
    if movement not in cnab240.REMITTANCE_MOVEMENTS:
        raise CnabError(f"movement {movement!r} is not one this module sends ({sorted(cnab240.REMITTANCE_MOVEMENTS)})")


def _build_240(header, items, bank):
    if bank not in cnab240.REMITTANCE_BANKS:
        raise CnabError(f"no CNAB 240 remittance layout for bank {bank!r} (have {', '.join(cnab240.REMITTANCE_BANKS)})")
    specs = cnab240.records_for(bank)
    generated = header.get("generated_at")
    if not isinstance(generated, datetime.datetime):
        raise CnabError("header['generated_at'] (a datetime) is required: the file never reads the clock")
    file_version, batch_version = LAYOUT_VERSIONS.get(bank, (None, None))
    file_version = header.get("layout_version", file_version)
    batch_version = header.get("batch_layout_version", batch_version)
    if not file_version or not batch_version:
        raise CnabError(f"bank {bank}: pass header['layout_version'] and ['batch_layout_version']")
    doc_type, doc = _document_type(header.get("company_document"))
    common = {
        **header,
        "bank_code": bank,
        "company_document_type": header.get("company_document_type", doc_type),
        "company_document": doc,
        "generated_date": generated.date(),
        "generated_time": generated.strftime("%H%M%S"),
        "layout_version": file_version,
        "batch_layout_version": batch_version,
        "bank_name": header.get("bank_name", cnab240.BANK_NAMES[bank]),
    }
    lines = [write_record({**_pick(common, specs["file_header"]), "batch": 0, "direction": 1}, specs["file_header"])]
    batch = 1
    batch_lines = [
        write_record(
            {**_pick(common, specs["batch_header"], skip=("credit_date",)), "batch": batch, "operation": "R"},
            specs["batch_header"],
        )
    ]
    sequence = 0
    for raw_item in items:
        item = _as_dict(raw_item)
        movement = str(item.get("movement", "01"))
        _check_movement(movement)
        extra = item.pop("extra", None) or {}
        payer_type, payer_doc = _document_type(item.get("payer_document"))
        values = {
            **common,
            **item,
            "bank_code": bank,
            "batch": batch,
            "movement": movement,
            "payer_document_type": item.get("payer_document_type", payer_type),
            "payer_document": payer_doc,
            "payer_zip": _digits(item.get("payer_zip")),
        }
        for name in ("segment_p", "segment_q", "segment_r"):
            sequence += 1
            record = {**_pick(values, specs[name]), **extra.get(name, {}), "sequence": sequence}
            batch_lines.append(write_record(record, specs[name]))
    batch_lines.append(
        write_record(
            {"bank_code": bank, "batch": batch, "record_count": len(batch_lines) + 1},
            specs["batch_trailer"],
        )
    )
    lines += batch_lines
    lines.append(
        write_record(
            {"bank_code": bank, "batch": 9999, "batch_count": 1, "record_count": len(lines) + 1},
            specs["file_trailer"],
        )
    )
    return lines


def _build_400(header, items, bank):
    if bank not in cnab400.REMITTANCE_LAYOUTS:
        raise CnabError(f"no CNAB 400 remittance layout for bank {bank!r}")
    header_spec, detail_spec, trailer_spec = cnab400.REMITTANCE_LAYOUTS[bank]
    generated = header.get("generated_at")
    if not isinstance(generated, datetime.datetime | datetime.date):
        raise CnabError("header['generated_at'] is required: the file never reads the clock")
    generated = generated.date() if isinstance(generated, datetime.datetime) else generated
    doc_type, doc = _document_type(header.get("company_document"))
    common = {**header, "company_document_type": doc_type, "company_document": doc, "generated_date": generated}
    lines = [write_record({**_pick(common, header_spec), "sequence": 1}, header_spec)]
    for raw_item in items:
        item = _as_dict(raw_item)
        movement = str(item.get("movement", "01"))
        _check_movement(movement)
        extra = item.pop("extra", None) or {}
        payer_type, payer_doc = _document_type(item.get("payer_document"))
        values = {
            **common,
            **item,
            "movement": movement,
            "payer_document_type": item.get("payer_document_type", payer_type),
            "payer_document": payer_doc,
            "payer_zip": _digits(item.get("payer_zip")),
        }
        record = {**_pick(values, detail_spec), **extra.get(detail_spec.name, {}), "sequence": len(lines) + 1}
        lines.append(write_record(record, detail_spec))
        if bank == "341" and item.get("fine_code") not in (None, 0, "0"):
            fine_spec = cnab400.ITAU_REMITTANCE_FINE
            lines.append(write_record({**_pick(item, fine_spec), "sequence": len(lines) + 1}, fine_spec))
    lines.append(write_record({"sequence": len(lines) + 1}, trailer_spec))
    return lines


def build_remittance(header, items, layout="240", bank_code=None):
    """The remittance file's bytes (latin-1, CRLF after every record)."""
    header = _as_dict(header)
    bank = str(bank_code or header.get("bank_code") or "")
    if layout == "240":
        lines = _build_240(header, list(items), bank)
    elif layout == "400":
        lines = _build_400(header, list(items), bank)
    else:
        raise CnabError(f"layout must be '240' or '400', not {layout!r}")
    return "".join(line + CRLF for line in lines).encode("latin-1")
