# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each bank's boleto rules (nosso número, campo livre), one module per bank, one shape.

See :mod:`.common` for the interface every module follows. :func:`get` gives the module
of a FEBRABAN bank code.
"""

from . import banco_do_brasil, bradesco, caixa, itau, santander, sicoob, sicredi
from .common import BankAccountData, InvalidAccount, UnknownBank

BANKS = {bank.CODE: bank for bank in (banco_do_brasil, itau, bradesco, santander, caixa, sicoob, sicredi)}


def get(bank_code: str):
    """The module of a bank code (``"1"``, ``"001"`` and ``1`` all give Banco do Brasil)."""
    code = str(bank_code).strip().zfill(3)
    try:
        return BANKS[code]
    except KeyError:
        raise UnknownBank(f"no boleto rules for bank {code}; known: {', '.join(sorted(BANKS))}") from None
