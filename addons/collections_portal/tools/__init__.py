"""Pure helpers of the customer portal: no Odoo import."""
