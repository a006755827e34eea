"""Fixtures the Pix, boleto and portal tests share: a provider on the PSP sandbox, a collection account."""

from ..tools.cnab.bank_sandbox import SANDBOX_BB_ACCOUNT
from .fake_psp import DEFAULT_PIX_KEY


def sandbox_pix_provider(env, company, journal, sandbox, **values):
    """A Pix provider of ``company`` talking to the running PSP sandbox (client odoo / s3cret)."""
    return env["collection.pix.provider"].create(
        {
            "name": "Sandbox PSP",
            "base_url": sandbox.base_url,
            "client_id": "odoo",
            "client_secret": "s3cret",
            "pix_key": DEFAULT_PIX_KEY,
            "journal_id": journal.id,
            "company_id": company.id,
            **values,
        }
    )


def bb_collection_account(env, company, journal, fee_account):
    """The company's Banco do Brasil account issuing boletos (carteira 18, 7-digit convênio)."""
    return env["res.partner.bank"].create(
        {
            **SANDBOX_BB_ACCOUNT,
            "acc_number": "3073-12345-6",
            "partner_id": company.partner_id.id,
            "company_id": company.id,
            "collection_journal_id": journal.id,
            "collection_fee_account_id": fee_account.id,
        }
    )
