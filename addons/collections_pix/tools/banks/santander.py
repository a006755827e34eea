# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Santander (033).

- Nosso número: up to 12 digits and a check digit, módulo 11 with weights 2 to 9 (10 and 11
  become 0). Printed ``000001234567-9``.
- Free field: ``9`` + código do beneficiário (7) + nosso número with its check digit (13) +
  IOF (``0``, only insurers use another) + carteira (3: 101, 102, 201…).

Matching key (:func:`read_nosso_numero`): the 12-digit nosso número without check digit.
"""

from .. import boleto
from .common import BankAccountData, check_dv, clean, digits, need_digits, sequence_digits

CODE = "033"
NAME = "Santander"


def validate(account: BankAccountData) -> BankAccountData:
    convenio = digits(account.convenio, 7, "código do beneficiário", NAME)
    carteira = digits(account.carteira, 3, "carteira", NAME)
    return account.replace(convenio=convenio, carteira=carteira)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    return boleto.mod11(need_digits(number, NAME).zfill(12))


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``000001234567-9``."""
    validate(account)
    number = sequence_digits(sequence, 12, NAME)
    return f"{number}-{nosso_numero_check_digit(account, number)}"


def _split(nosso_numero: str) -> str:
    """The 12 digits of a nosso número given with its check digit, which is verified."""
    text = need_digits(clean(nosso_numero), NAME)
    if not 2 <= len(text) <= 13:
        raise boleto.InvalidLength(f"{NAME}: a nosso número has at most 12 digits and a check digit: {text}")
    number = text[:-1].zfill(12)
    check_dv(NAME, "nosso número", text[-1], boleto.mod11(number))
    return number


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    number = _split(nosso_numero)
    return f"9{account.convenio}{number}{boleto.mod11(number)}0{account.carteira}"


def read_nosso_numero(raw: str) -> str:
    """The 12-digit key of a printed or CNAB nosso número, which always ends with its
    (verified) check digit: 8 digits in CNAB 400, 13 in CNAB 240."""
    return _split(raw)
