# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Collections Ruler (Régua de Cobrança)",
    "summary": "Automatic, respectful follow-up of overdue receivables over e-mail, SMS, WhatsApp, letter and phone",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Cobrança for Odoo",
    "license": "LGPL-3",
    "application": True,
    "depends": ["account", "mail", "sms"],
    "external_dependencies": {"python": ["requests", "xlsxwriter"]},
    "data": [
        "security/collections_ruler_groups.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/collections_ruler_menus.xml",
    ],
}
