# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sicredi (748).

- Nosso número: year of issue (2) + byte (1: ``1`` when the cooperative numbers the slip,
  ``2`` to ``9`` when the beneficiary does) + sequence (5), and a check digit: módulo 11,
  weights 2 to 9, over cooperativa (4) + posto (2) + código do beneficiário (5) + those 8
  digits; 10 and 11 become 0. Printed ``16/208879-3``.
- Free field: cobrança type (``carteira``: ``1`` com registro, ``3`` sem registro) + ``1``
  (carteira simples) + nosso número with check digit (9) + cooperativa (4) + posto (2) +
  código do beneficiário (5) + ``1`` (amount filled in) + ``0`` + check digit (módulo 11,
  weights 2 to 9, 10 and 11 become 0).

Matching key (:func:`read_nosso_numero`): the 8 digits year + byte + sequence.
"""

from .. import boleto
from .common import (
    BankAccountData,
    InvalidAccount,
    check_dv,
    clean,
    digits,
    need_digits,
    sequence_digits,
    two_digit_year,
)

CODE = "748"
NAME = "Sicredi"


def validate(account: BankAccountData) -> BankAccountData:
    agency = digits(account.agency, 4, "cooperativa", NAME)
    posto = digits(account.posto, 2, "posto", NAME)
    convenio = digits(account.convenio, 5, "código do beneficiário", NAME)
    carteira = clean(account.carteira) or "1"
    if carteira not in ("1", "3"):
        raise InvalidAccount(f"{NAME}: the cobrança type (carteira) is 1 (com registro) or 3, not {carteira!r}")
    byte_idt = clean(account.byte_idt) or "2"
    if byte_idt not in "23456789" or len(byte_idt) != 1:
        raise InvalidAccount(
            f"{NAME}: the byte of a nosso número the beneficiary numbers is one digit from 2 to 9, not {byte_idt!r}"
        )
    return account.replace(agency=agency, posto=posto, convenio=convenio, carteira=carteira, byte_idt=byte_idt)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    """Check digit of the 8 digits year + byte + sequence."""
    account = validate(account)
    return boleto.mod11(account.agency + account.posto + account.convenio + need_digits(number, NAME))


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``16/208879-3``; the year is ``issue_date``'s (today's when not given)."""
    account = validate(account)
    number = two_digit_year(issue_date) + account.byte_idt + sequence_digits(sequence, 5, NAME)
    return f"{number[:2]}/{number[2:]}-{nosso_numero_check_digit(account, number)}"


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    text = need_digits(clean(nosso_numero), NAME)
    if len(text) != 9:
        raise boleto.InvalidLength(f"{NAME}: the nosso número has 8 digits and a check digit: {nosso_numero}")
    check_dv(NAME, "nosso número", text[8], nosso_numero_check_digit(account, text[:8]))
    field = f"{account.carteira}1{text}{account.agency}{account.posto}{account.convenio}10"
    return field + boleto.mod11(field)


def read_nosso_numero(raw: str) -> str:
    """The 8-digit key: takes 8 digits, or 9 with the check digit (not verified: it needs
    the account), as printed (``16/208879-3``) or in a CNAB field."""
    text = need_digits(clean(raw), NAME)
    if len(text) not in (8, 9):
        raise boleto.InvalidLength(f"{NAME}: a nosso número has 8 digits and a check digit, not {len(text)} ({text})")
    return text[:8]
