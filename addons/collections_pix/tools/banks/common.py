# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every bank module shares: the account data, its errors and small field helpers.

Every module of this package has the same shape::

    CODE: str                      # FEBRABAN bank code, "001"
    NAME: str
    validate(account) -> BankAccountData                    # normalised (zero-padded) copy
    nosso_numero_check_digit(account, number) -> str        # "" where the bank has none
    nosso_numero(account, sequence, *, issue_date=None) -> str   # as printed on the slip
    free_field(account, nosso_numero) -> str                # the 25-digit campo livre
    read_nosso_numero(raw) -> str                           # the matching key

``read_nosso_numero`` accepts both the printed nosso número (what ``nosso_numero`` returned)
and the field of a CNAB return line, and gives the same key for both, so that
``read_nosso_numero(nosso_numero(account, n)) == read_nosso_numero(cnab_field)``. Each module
documents its key.
"""

import datetime
import re
from dataclasses import dataclass, replace

from ..boleto import BoletoError, InvalidChecksum, InvalidFormat, InvalidLength, compact

__all__ = ["BankAccountData", "InvalidAccount", "UnknownBank"]

_DIGITS = re.compile(r"[0-9]+")


class InvalidAccount(BoletoError):
    """The bank account data cannot issue boletos (missing, too long or inconsistent)."""


class UnknownBank(BoletoError):
    """No boleto rules are known for that bank code."""


@dataclass(frozen=True)
class BankAccountData:
    """The beneficiary's account, as the bank's layout needs it. Unused fields stay empty.

    ``convenio`` is the bank's code of the beneficiary (convênio, código do beneficiário,
    código do cedente, código do cliente); ``modalidade`` is Sicoob's; ``posto`` and
    ``byte_idt`` are Sicredi's.
    """

    agency: str = ""
    agency_dv: str = ""
    account: str = ""
    account_dv: str = ""
    carteira: str = ""
    convenio: str = ""
    modalidade: str = ""
    posto: str = ""
    byte_idt: str = ""

    def replace(self, **changes) -> "BankAccountData":
        return replace(self, **changes)


def digits(value, max_length: int, what: str, bank: str, *, required: bool = True, pad: bool = True) -> str:
    """``value`` as digits, zero-padded to ``max_length``; raises :class:`InvalidAccount`."""
    text = compact(value)
    if not text:
        if required:
            raise InvalidAccount(f"{bank}: the {what} is required")
        return ""
    if not _DIGITS.fullmatch(text):
        raise InvalidAccount(f"{bank}: the {what} must have digits only, not {text!r}")
    if len(text) > max_length:
        stripped = text.lstrip("0")
        if len(stripped) > max_length:
            raise InvalidAccount(f"{bank}: the {what} has at most {max_length} digits, not {len(text)} ({text})")
        text = stripped
    return text.zfill(max_length) if pad else text


def sequence_digits(sequence, length: int, bank: str) -> str:
    """The sequence number, zero-padded to ``length`` digits."""
    try:
        number = int(sequence)
    except (TypeError, ValueError):
        raise InvalidFormat(f"{bank}: the sequence must be a whole number, not {sequence!r}") from None
    if number < 0 or number >= 10**length:
        raise InvalidLength(f"{bank}: the sequence must be between 0 and {10**length - 1}, not {number}")
    return f"{number:0{length}d}"


def check_dv(bank: str, what: str, given: str, expected: str) -> None:
    """Raise :class:`InvalidChecksum` when a check digit the user typed is not the right one."""
    given = compact(given).upper()
    if given and given != str(expected).upper():
        raise InvalidChecksum(
            f"{bank}: the {what} check digit should be {expected}, not {given}",
            field=what,
            expected=str(expected),
            found=given,
        )


def clean(raw) -> str:
    """A nosso número without its separators (spaces, dots, slashes, hyphens), upper case."""
    return compact(raw).upper()


def need_digits(value: str, bank: str, what: str = "nosso número") -> str:
    if not _DIGITS.fullmatch(value or "x"):
        raise InvalidFormat(f"{bank}: the {what} must have digits only, not {value!r}")
    return value


def two_digit_year(issue_date: datetime.date | None) -> str:
    return f"{(issue_date or datetime.date.today()).year % 100:02d}"
