# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Caixa Econômica Federal (104), SIGCB.

- Nosso número: 17 digits, carteira (``1`` registrada, ``2`` sem registro) + ``4`` (issued by
  the beneficiary) + 15 free digits, and a check digit (módulo 11, weights 2 to 9, 10 and 11
  become 0). Printed ``14000000000000001-4``.
- Free field: código do beneficiário (6) + its check digit (same módulo 11), or, for the
  7-digit codes from 1100001 up, the 7 digits alone; then nosso número digits 3-5, its
  digit 1, digits 6-8, its digit 2, digits 9-17, and a check digit of those 24 digits
  (same módulo 11).

Codes 1000000 to 1100000 do not exist. ``carteira`` accepts ``1``/``RG`` or ``2``/``SR``.

Matching key (:func:`read_nosso_numero`): the 17-digit nosso número without check digit.
"""

from .. import boleto
from .common import BankAccountData, InvalidAccount, check_dv, clean, digits, need_digits, sequence_digits

CODE = "104"
NAME = "Caixa"

_CARTEIRAS = {"": "1", "1": "1", "RG": "1", "2": "2", "SR": "2"}
ISSUED_BY_BENEFICIARY = "4"


def validate(account: BankAccountData) -> BankAccountData:
    convenio = digits(account.convenio, 7, "código do beneficiário", NAME, pad=False).lstrip("0") or "0"
    code = int(convenio)
    if 999999 < code <= 1100000:
        raise InvalidAccount(f"{NAME}: there is no código do beneficiário between 1000000 and 1100000: {code}")
    convenio = convenio.zfill(6)
    carteira = _CARTEIRAS.get(clean(account.carteira))
    if carteira is None:
        raise InvalidAccount(f"{NAME}: the carteira is 1 (RG, registrada) or 2 (SR), not {account.carteira!r}")
    if len(convenio) == 6:
        check_dv(NAME, "código do beneficiário", account.account_dv, boleto.mod11(convenio))
    return account.replace(convenio=convenio, carteira=carteira)


def nosso_numero_check_digit(account: BankAccountData, number: str) -> str:
    """Check digit of the 17-digit nosso número (carteira, ``4`` and the 15 digits)."""
    return boleto.mod11(need_digits(number, NAME))


def nosso_numero(account: BankAccountData, sequence: int, *, issue_date=None) -> str:
    """``14000000000000001-4``."""
    account = validate(account)
    number = account.carteira + ISSUED_BY_BENEFICIARY + sequence_digits(sequence, 15, NAME)
    return f"{number}-{nosso_numero_check_digit(account, number)}"


def _split(nosso_numero: str) -> str:
    text = need_digits(clean(nosso_numero), NAME)
    if len(text) == 18:
        check_dv(NAME, "nosso número", text[17], boleto.mod11(text[:17]))
        return text[:17]
    if len(text) == 17:
        return text
    raise boleto.InvalidLength(f"{NAME}: a nosso número has 17 digits and a check digit, not {len(text)} ({text})")


def free_field(account: BankAccountData, nosso_numero: str) -> str:
    account = validate(account)
    text = clean(nosso_numero)
    if len(text) != 18:
        raise boleto.InvalidLength(f"{NAME}: the nosso número has 17 digits and a check digit: {nosso_numero}")
    number = _split(text)
    beneficiary = account.convenio
    if len(beneficiary) == 6:
        beneficiary += boleto.mod11(beneficiary)
    field = beneficiary + number[2:5] + number[0] + number[5:8] + number[1] + number[8:17]
    return field + boleto.mod11(field)


def read_nosso_numero(raw: str) -> str:
    """The 17-digit key: takes 17 digits, or 18 with the check digit (verified)."""
    return _split(raw)
