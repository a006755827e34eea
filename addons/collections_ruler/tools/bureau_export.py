"""CSV of debts for a credit bureau (negativação) or a collection agency.

Bureaus (Serasa, Boa Vista/SCPC, SPC) and agencies each have their own upload
layouts; this neutral CSV carries every field they ask for and imports into
their spreadsheets and portals. Semicolon-separated with decimal comma, as a
Brazilian spreadsheet expects.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

HEADER = [
    "evento",
    "documento",
    "nome",
    "endereco",
    "cidade",
    "uf",
    "cep",
    "titulo",
    "vencimento",
    "valor",
    "data_ocorrencia",
]


class InvalidBureauRecordError(ValueError):
    """A debt that cannot be reported (no CPF/CNPJ, no amount)."""


@dataclass(frozen=True)
class BureauRecord:
    event: str  # "inclusao" (register) or "exclusao" (remove)
    document: str
    name: str
    street: str
    city: str
    state: str
    zip_code: str
    reference: str
    due_date: datetime.date
    amount: Decimal
    occurred_on: datetime.date


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def to_csv(records) -> str:
    """The records as CSV text; raises InvalidBureauRecordError naming the bad debt."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for record in records:
        document = _digits(record.document)
        if len(document) not in (11, 14):
            raise InvalidBureauRecordError(f"{record.reference}: {record.name} has no valid CPF or CNPJ.")
        if record.event not in ("inclusao", "exclusao"):
            raise InvalidBureauRecordError(f"{record.reference}: unknown event {record.event!r}.")
        amount = Decimal(str(record.amount)).quantize(Decimal("0.01"))
        if amount <= 0:
            raise InvalidBureauRecordError(f"{record.reference}: the amount must be positive.")
        writer.writerow(
            [
                record.event,
                document,
                record.name,
                record.street,
                record.city,
                record.state,
                _digits(record.zip_code),
                record.reference,
                record.due_date.strftime("%d/%m/%Y"),
                f"{amount}".replace(".", ","),
                record.occurred_on.strftime("%d/%m/%Y"),
            ]
        )
    return out.getvalue()
