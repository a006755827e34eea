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
    "depends": ["collections_ruler", "collections_pix", "portal", "account_payment"],
    "data": [
        "security/ir.model.access.csv",
        "security/collections_portal_security.xml",
        "data/mail_template_data.xml",
        "views/collection_portal_templates.xml",
        "views/payment_templates.xml",
        "data/payment_provider_data.xml",
        "views/collection_agreement_views.xml",
        "views/res_config_settings_views.xml",
        "report/collection_agreement_report.xml",
    ],
    "assets": {
        "web.assets_frontend": ["collections_portal/static/src/js/collection_portal.js"],
        "web.assets_tests": ["collections_portal/static/tests/tours/*.js"],
    },
}
