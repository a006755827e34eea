"""CPF and CNPJ: the taxpayer numbers a Pix charge, a boleto and a credit bureau need."""

from dataclasses import dataclass

from stdnum.br import cnpj, cpf


class InvalidTaxIdError(ValueError):
    """The value is not a valid CPF or CNPJ."""


@dataclass(frozen=True)
class TaxId:
    kind: str  # "cpf" for people, "cnpj" for companies
    digits: str

    @property
    def formatted(self) -> str:
        return cpf.format(self.digits) if self.kind == "cpf" else cnpj.format(self.digits)


def parse_tax_id(value: str) -> TaxId:
    """Recognise a CPF (11 digits) or CNPJ (14 digits), punctuated or not.

    Raises InvalidTaxIdError with a message a user can act on.
    """
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if len(digits) == 11:
        if not cpf.is_valid(digits):
            raise InvalidTaxIdError(f"CPF {value!r} has wrong check digits.")
        return TaxId("cpf", digits)
    if len(digits) == 14:
        if not cnpj.is_valid(digits):
            raise InvalidTaxIdError(f"CNPJ {value!r} has wrong check digits.")
        return TaxId("cnpj", digits)
    raise InvalidTaxIdError(
        f"{value!r} is neither a CPF (11 digits) nor a CNPJ (14 digits): it has {len(digits)} digits."
    )
