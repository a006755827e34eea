# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bradesco (237).

- Nosso número: 11 digits and a check digit, módulo 11 with weights 2 to 7 over carteira
  (2) + nosso número (11); a result of 10 is printed ``P``, 11 is ``0``. Printed
  ``06/00000000525-P``. The ``P`` is kept: it is what the bank prints and returns.
- Free field: agency (4) + carteira (2) + nosso número (11) + account (7) + ``0``.
- Agency check digit: weights 2 to 5; account: 2 to 7; both with ``P``. For the agency the
  published examples disagree on a 10 (brcobranca prints ``0121-P``, pyboleto ``0278-0``), so
  both ``P`` and ``0`` are accepted there.

Matching key (:func:`read_nosso_numero`): the 11-digit nosso número.
"""

from .. import boleto
from .common import BankAccountData, check_dv, clean, digits, need_digits, sequence_digits

CODE = "237"
NAME = "Bradesco"

_P = {10: "P", 11: 0}


def validate(account: BankAccountData) -> BankAccountData:
    agency = digits(account.agency, 4, "agency", NAME)
    number = digits(account.account, 7, "account", NAME)
    carteira = digits(account.carteira, 2, "carteira", NAME)
    agency_dv = boleto.mod11(agency, (2, 3, 4, 5), replace=_P)
    if not (agency_dv == "P" and clean(account.agency_dv) == "0"):  # see the module docstring
        check_dv(NAME, "agency", account.agency_dv, agency_dv)
    check_dv(NAME, "account", account.account_dv, boleto.mod11(number, boleto.WEIGHTS_2_7, replace=_P))
    return account.replace(agency=agency, account=number, carteira=carteira)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    """``0``-``9`` or ``P``."""
    account = validate(account)
    return boleto.mod11(account.carteira + need_digits(number, NAME).zfill(11), boleto.WEIGHTS_2_7, replace=_P)


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``06/00000000525-P``."""
    account = validate(account)
    number = sequence_digits(sequence, 11, NAME)
    return f"{account.carteira}/{number}-{nosso_numero_check_digit(account, number)}"


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    text = clean(nosso_numero)
    if len(text) == 14:
        if text[:2] != account.carteira:
            raise boleto.InvalidFormat(f"{NAME}: the nosso número {nosso_numero} is not of carteira {account.carteira}")
        text = text[2:]
    if len(text) != 12:
        raise boleto.InvalidLength(f"{NAME}: the nosso número has 11 digits and a check digit: {nosso_numero}")
    number = need_digits(text[:11], NAME)
    check_dv(NAME, "nosso número", text[11], nosso_numero_check_digit(account, number))
    return f"{account.agency}{account.carteira}{number}{account.account}0"


def read_nosso_numero(raw: str) -> str:
    """The 11-digit nosso número in a printed one or a CNAB field.

    Takes 11 digits, 11 + check digit (12), carteira + 11 (13) or carteira + 11 + check digit
    (14); the check digit (which may be ``P``) is not checked (it needs the carteira).
    """
    number = clean(raw)
    slices = {11: slice(0, 11), 12: slice(0, 11), 13: slice(2, 13), 14: slice(2, 13)}
    if len(number) not in slices:
        raise boleto.InvalidLength(f"{NAME}: a nosso número has 11 to 14 characters, not {len(number)} ({number})")
    need_digits(number[:13] if len(number) > 12 else number[:11], NAME)
    return number[slices[len(number)]]
