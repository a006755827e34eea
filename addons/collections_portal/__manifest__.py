# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Collections: Customer Portal",
    "summary": "Customers see what they owe, pay by Pix or boleto, propose a deal, "
    "promise a date and choose how to be contacted",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Cobrança for Odoo",
    "license": "LGPL-3",
    "depends": ["collections_ruler", "collections_pix", "portal"],
}
