"""Pure helpers for Brazilian payments (Pix, boleto, CNAB): no Odoo import."""
