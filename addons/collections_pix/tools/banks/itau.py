# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Itaú (341), the ordinary layout (carteiras 109, 112, 175…).

- Nosso número: 8 digits and a DAC, módulo 10 over agency (4) + account (5) + carteira (3)
  + nosso número (8); for carteiras 126, 131, 146, 150 and 168 over carteira + nosso número
  only. Printed ``109/00010152-7``.
- Free field: carteira (3) + nosso número (8) + DAC + agency (4) + account (5) + account DAC
  (módulo 10 of agency + account) + ``000``.

The carteiras that put the document number and the client code in the barcode (106, 107,
122, 142, 143, 195, 196, 198) are not supported.

Matching key (:func:`read_nosso_numero`): the 8-digit nosso número.
"""

from .. import boleto
from .common import BankAccountData, InvalidAccount, check_dv, clean, digits, need_digits, sequence_digits

CODE = "341"
NAME = "Itaú"

_SHORT_DAC = frozenset({"126", "131", "146", "150", "168"})
_CLIENT_CODE_CARTEIRAS = frozenset({"106", "107", "122", "142", "143", "195", "196", "198"})


def validate(account: BankAccountData) -> BankAccountData:
    agency = digits(account.agency, 4, "agency", NAME)
    number = digits(account.account, 5, "account", NAME)
    carteira = digits(account.carteira, 3, "carteira", NAME)
    if carteira in _CLIENT_CODE_CARTEIRAS:
        raise InvalidAccount(f"{NAME}: carteira {carteira} puts the client code in the barcode: not supported")
    check_dv(NAME, "account", account.account_dv, boleto.mod10(agency + number))
    return account.replace(agency=agency, account=number, carteira=carteira)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    """The DAC of the 8-digit nosso número."""
    account = validate(account)
    number = need_digits(number, NAME).zfill(8)
    if account.carteira in _SHORT_DAC:
        return boleto.mod10(account.carteira + number)
    return boleto.mod10(account.agency + account.account + account.carteira + number)


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``175/12345678-4``."""
    account = validate(account)
    number = sequence_digits(sequence, 8, NAME)
    return f"{account.carteira}/{number}-{nosso_numero_check_digit(account, number)}"


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    text = need_digits(clean(nosso_numero), NAME)
    if len(text) == 12:
        if text[:3] != account.carteira:
            raise boleto.InvalidFormat(f"{NAME}: the nosso número {nosso_numero} is not of carteira {account.carteira}")
        text = text[3:]
    if len(text) != 9:
        raise boleto.InvalidLength(f"{NAME}: the nosso número has 8 digits and a DAC: {nosso_numero}")
    number, dac = text[:8], text[8]
    check_dv(NAME, "nosso número", dac, nosso_numero_check_digit(account, number))
    agency_account_dac = boleto.mod10(account.agency + account.account)
    return f"{account.carteira}{number}{dac}{account.agency}{account.account}{agency_account_dac}000"


def read_nosso_numero(raw: str) -> str:
    """The 8-digit nosso número in a printed one (``109/00010152-7``) or a CNAB field.

    Takes 8 digits, 8 + DAC (9), carteira + 8 (11) or carteira + 8 + DAC (12); the DAC is not
    checked (it needs the account).
    """
    number = need_digits(clean(raw), NAME)
    slices = {8: slice(0, 8), 9: slice(0, 8), 11: slice(3, 11), 12: slice(3, 11)}
    if len(number) not in slices:
        raise boleto.InvalidLength(f"{NAME}: a nosso número has 8, 9, 11 or 12 digits, not {len(number)} ({number})")
    return number[slices[len(number)]]
