from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_portal_link_days = fields.Integer(
        string="Reminder Links Valid For (days)",
        default=30,
        help="A reminder's link opens the customer's debts page without a password for this many days; after "
        "that the page offers to send a fresh link to the e-mail address on file.",
    )
