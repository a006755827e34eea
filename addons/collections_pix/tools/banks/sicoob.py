# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sicoob (756).

- Nosso número: 7 digits and a check digit over cooperativa (4) + código do beneficiário
  (10, zero-padded) + nosso número (7), weights 3, 1, 9, 7 repeated from the left,
  ``11 - (sum mod 11)``, 10 and 11 become 0 (the "constante 3197"). Printed ``0203210-1``.
- Free field: carteira (1) + cooperativa (4) + modalidade (2) + código do beneficiário (7) +
  nosso número with check digit (8) + installment number (3, always ``001`` here).

Matching key (:func:`read_nosso_numero`): the 7-digit nosso número without check digit.
"""

from .. import boleto
from .common import BankAccountData, check_dv, clean, digits, need_digits, sequence_digits

CODE = "756"
NAME = "Sicoob"

WEIGHTS_3197 = (3, 1, 9, 7)
INSTALLMENT = "001"


def validate(account: BankAccountData) -> BankAccountData:
    agency = digits(account.agency, 4, "cooperativa", NAME)
    convenio = digits(account.convenio, 7, "código do beneficiário", NAME)
    carteira = digits(account.carteira or "1", 1, "carteira", NAME)
    modalidade = digits(account.modalidade or "01", 2, "modalidade", NAME)
    return account.replace(agency=agency, convenio=convenio, carteira=carteira, modalidade=modalidade)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    account = validate(account)
    body = account.agency + account.convenio.zfill(10) + need_digits(number, NAME).zfill(7)
    return boleto.mod11(body, WEIGHTS_3197, from_right=False)


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``0203210-1``."""
    number = sequence_digits(sequence, 7, NAME)
    return f"{number}-{nosso_numero_check_digit(account, number)}"


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    text = need_digits(clean(nosso_numero), NAME)
    if len(text) != 8:
        raise boleto.InvalidLength(f"{NAME}: the nosso número has 7 digits and a check digit: {nosso_numero}")
    check_dv(NAME, "nosso número", text[7], nosso_numero_check_digit(account, text[:7]))
    return f"{account.carteira}{account.agency}{account.modalidade}{account.convenio}{text}{INSTALLMENT}"


def read_nosso_numero(raw: str) -> str:
    """The 7-digit key of a printed nosso número or a CNAB field.

    Takes the nosso número with its check digit (up to 10 digits, the check digit not verified:
    it needs the account), or the CNAB 240 field of 15 digits, nosso número with check digit
    (10) + installment (2) + modalidade (2) + form type (1).
    """
    text = need_digits(clean(raw), NAME)
    if len(text) == 15:
        text = text[:10]
    if not 2 <= len(text) <= 10:
        raise boleto.InvalidLength(f"{NAME}: a nosso número has up to 9 digits and a check digit: {text}")
    number = text[:-1]
    if len(number) > 7 and number[:-7].strip("0"):
        raise boleto.InvalidFormat(f"{NAME}: a nosso número has 7 digits, not {number}")
    return number[-7:].zfill(7)
