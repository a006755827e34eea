"""Pure helpers for Brazilian payments (documents, Pix, boleto, CNAB): no Odoo import."""
