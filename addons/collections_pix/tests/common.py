"""Fixtures the Pix, boleto and portal tests share: a provider on the PSP sandbox, a collection account."""

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
            "acc_number": "3073-12345-6",
            "partner_id": company.partner_id.id,
            "company_id": company.id,
            "collection_boleto": True,
            "collection_bank_code": "001",
            "collection_agency": "3073",
            "collection_account": "12345",
            "collection_carteira": "18",
            "collection_convenio": "1234567",
            "collection_journal_id": journal.id,
            "collection_fee_account_id": fee_account.id,
        }
    )
