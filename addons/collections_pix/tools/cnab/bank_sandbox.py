"""A bank's side, for the demo, the tests and the benchmark: the CNAB 240 return file a bank sends.

The caller describes the events of its boletos and gets the bytes a bank's return file would
carry, written with the same layouts the import reads and with the quirks real files have
(trailing blanks stripped, CRLF). Standard library only.
"""

import datetime
from decimal import Decimal

from . import cnab240
from .fields import write_record

MOVEMENTS = {"accepted": "02", "rejected": "03", "settled": "06", "written_off": "09"}
# The collection agreement of the sandbox bank (Banco do Brasil, carteira 18, 7-digit convênio): the
# res.partner.bank values the demo, the tests and the benchmark issue their boletos on.
SANDBOX_BB_ACCOUNT = {
    "collection_boleto": True,
    "collection_bank_code": "001",
    "collection_agency": "3073",
    "collection_account": "12345",
    "collection_carteira": "18",
    "collection_convenio": "1234567",
}


def return_240(bank_code, company_document, events, generated=None, file_sequence=1, crlf=True):
    """``events``: dicts with ``nosso_numero`` and ``kind`` (accepted, rejected, settled, written_off)
    or ``movement``, plus any of face_value, interest_fine, discount, rebate, fee, amount_paid,
    amount_credited (derived: paid - fee), occurrence_date, credit_date, due_date, reasons."""
    specs = cnab240.records_for(bank_code)
    generated = generated or datetime.date.today()
    lines = [
        write_record(
            {
                "bank_code": bank_code,
                "batch": 0,
                "company_document_type": 2,
                "company_document": "".join(ch for ch in company_document if ch.isdigit()),
                "company_name": "Cobranca Demo",
                "direction": 2,
                "generated_date": generated,
                "generated_time": "083000",
                "file_sequence": file_sequence,
                "layout_version": "083",
            },
            specs["file_header"],
        ),
        write_record({"bank_code": bank_code, "batch": 1, "operation": "T"}, specs["batch_header"]),
    ]
    sequence = 0
    for event in events:
        movement = event.get("movement") or MOVEMENTS[event["kind"]]
        paid = Decimal(str(event.get("amount_paid", 0)))
        fee = Decimal(str(event.get("fee", 0)))
        day = event.get("occurrence_date", generated)
        t_values = {
            "bank_code": bank_code,
            "batch": 1,
            "sequence": sequence + 1,
            "movement": movement,
            "nosso_numero": event["nosso_numero"],
            "due_date": event.get("due_date"),
            "face_value": Decimal(str(event.get("face_value", 0))),
            "fee": fee,
            "reasons": event.get("reasons", ""),
        }
        u_values = {
            "bank_code": bank_code,
            "batch": 1,
            "sequence": sequence + 2,
            "movement": movement,
            "interest_fine": Decimal(str(event.get("interest_fine", 0))),
            "discount": Decimal(str(event.get("discount", 0))),
            "rebate": Decimal(str(event.get("rebate", 0))),
            "amount_paid": paid,
            "amount_credited": Decimal(str(event.get("amount_credited", paid - fee if paid else 0))),
            "occurrence_date": day,
            "credit_date": event.get("credit_date", day + datetime.timedelta(days=1) if paid else None),
        }
        lines.append(write_record(t_values, specs["segment_t"]))
        lines.append(write_record(u_values, specs["segment_u"]))
        sequence += 2
    lines.append(
        write_record({"bank_code": bank_code, "batch": 1, "record_count": sequence + 2}, specs["batch_trailer"])
    )
    lines.append(
        write_record(
            {"bank_code": bank_code, "batch": 9999, "batch_count": 1, "record_count": len(lines) + 1},
            specs["file_trailer"],
        )
    )
    ending = "\r\n" if crlf else "\n"
    return "".join(line.rstrip(" ") + ending for line in lines).encode("latin-1")
