# Copyright 2026 Cobrança for Odoo contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Collections: Pix and Boleto",
    "summary": "Pix BR Code and dynamic charges through a PSP's API Pix, "
    "boleto and CNAB return files, reconciled automatically",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Cobrança for Odoo",
    "license": "LGPL-3",
    "depends": ["collections_ruler", "l10n_br"],
    "external_dependencies": {"python": ["python-barcode", "qrcode", "requests"]},
    "data": [
        "security/collections_pix_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/collection_pix_provider_views.xml",
        "views/collection_pix_charge_views.xml",
        "views/collection_pix_event_views.xml",
        "views/account_move_views.xml",
        "views/collection_boleto_views.xml",
        "wizard/collection_bank_return_import_views.xml",
        "report/collection_boleto_report.xml",
        "views/collections_pix_menus.xml",
        "views/report_templates.xml",
    ],
    "demo": ["demo/collections_demo.xml"],
    "assets": {"web.assets_tests": ["collections_pix/static/tests/tours/*.js"]},
}
