from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_user_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        help="Receives the phone tasks and manual actions of partners that have no collector of their own.",
    )
    collection_reply_to = fields.Char(
        string="Collections Reply-To",
        help="Address the customers' answers to reminders go to, "
        "e.g. financeiro@yourcompany.com.br. Empty: the company e-mail.",
    )
