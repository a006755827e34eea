# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Banco do Brasil (001).

The layout depends on the length of the convênio:

- 7 digits (and the older 8): the nosso número is the convênio followed by the sequence
  (10 digits, 9 for an 8-digit convênio), 17 digits without a check digit; the free field is
  ``000000`` + nosso número (17) + carteira (2).
- 6 digits (sequence of 5) and 4 digits (sequence of 7): the nosso número is convênio +
  sequence (11 digits) and a módulo 11 check digit (weights 2-9, 10 printed as ``X``), shown
  as ``12345600001-7``; the free field is convênio + sequence (11) + agency (4) + account (8)
  + carteira (2).

Agency and account check digits are the same módulo 11 with ``X``.

Matching key (:func:`read_nosso_numero`): the nosso número without check digit, 17 digits
(7/8-digit convênio) or 11 digits (4/6-digit convênio).
"""

from .. import boleto
from .common import BankAccountData, InvalidAccount, check_dv, clean, digits, need_digits, sequence_digits

CODE = "001"
NAME = "Banco do Brasil"

_SEQUENCE_LENGTH = {4: 7, 6: 5, 7: 10, 8: 9}
_X = {10: "X", 11: 0}


def _dv(number: str) -> str:
    return boleto.mod11(number, replace=_X)


def validate(account: BankAccountData) -> BankAccountData:
    """A normalised copy of the account data, or :class:`InvalidAccount`."""
    convenio = digits(account.convenio, 8, "convênio", NAME, pad=False)
    if len(convenio) not in _SEQUENCE_LENGTH:
        raise InvalidAccount(f"{NAME}: the convênio has 4, 6, 7 or 8 digits, not {len(convenio)} ({convenio})")
    carteira = digits(account.carteira, 2, "carteira", NAME)
    short = len(convenio) in (4, 6)  # the agency and account go into the free field
    agency = digits(account.agency, 4, "agency", NAME, required=short)
    number = digits(account.account, 8, "account", NAME, required=short)
    if agency:
        check_dv(NAME, "agency", account.agency_dv, _dv(agency))
    if number:
        check_dv(NAME, "account", account.account_dv, _dv(number))
    return account.replace(convenio=convenio, carteira=carteira, agency=agency, account=number)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    """The check digit of convênio + sequence (11 digits), ``""`` for a 7/8-digit convênio."""
    account = validate(account)
    if len(account.convenio) >= 7:
        return ""
    return _dv(need_digits(number, NAME))


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``12345670000000001`` (7/8-digit convênio) or ``12345600001-7`` (4/6 digits)."""
    account = validate(account)
    body = account.convenio + sequence_digits(sequence, _SEQUENCE_LENGTH[len(account.convenio)], NAME)
    if len(account.convenio) >= 7:
        return body
    return f"{body}-{_dv(body)}"


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    number = clean(nosso_numero)
    if len(account.convenio) >= 7:
        need_digits(number, NAME)
        if len(number) != 17 or not number.startswith(account.convenio):
            raise boleto.InvalidFormat(
                f"{NAME}: the nosso número is the convênio {account.convenio} and the sequence, 17 digits: {number}"
            )
        return f"000000{number}{account.carteira}"
    if len(number) != 12 or not number.startswith(account.convenio):
        raise boleto.InvalidFormat(
            f"{NAME}: the nosso número is the convênio {account.convenio}, the sequence and a check digit, "
            f"12 characters: {number}"
        )
    body = need_digits(number[:11], NAME)
    check_dv(NAME, "nosso número", number[11], _dv(body))
    return f"{body}{account.agency}{account.account}{account.carteira}"


def read_nosso_numero(raw: str) -> str:
    """The matching key (nosso número without check digit) of a printed or CNAB nosso número.

    Takes 17 digits, 11 digits, or 11 digits and their check digit (verified).
    """
    number = clean(raw)
    if len(number) == 12:
        body = need_digits(number[:11], NAME)
        check_dv(NAME, "nosso número", number[11], _dv(body))
        return body
    if len(number) in (11, 17):
        return need_digits(number, NAME)
    raise boleto.InvalidLength(f"{NAME}: a nosso número has 11, 12 or 17 characters, not {len(number)} ({number})")
