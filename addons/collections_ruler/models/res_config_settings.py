from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_user_id = fields.Many2one(
        related="company_id.collection_user_id",
        readonly=False,
    )
    collection_reply_to = fields.Char(
        related="company_id.collection_reply_to",
        readonly=False,
    )
    collection_whatsapp_provider = fields.Selection(related="company_id.collection_whatsapp_provider", readonly=False)
    collection_whatsapp_url = fields.Char(related="company_id.collection_whatsapp_url", readonly=False)
    collection_whatsapp_phone_number_id = fields.Char(
        related="company_id.collection_whatsapp_phone_number_id", readonly=False
    )
    collection_whatsapp_token = fields.Char(related="company_id.collection_whatsapp_token", readonly=False)
    collection_whatsapp_secret = fields.Char(related="company_id.collection_whatsapp_secret", readonly=False)
    collection_dispatch_jobs = fields.Integer(
        string="Parallel Sending Jobs",
        config_parameter="collections_ruler.dispatch_jobs",
        default=2,
        help="How many dispatch jobs send reminders side by side. Each needs a cron thread "
        "(--max-cron-threads) on one of the Odoo servers sharing this database.",
    )
    module_collections_pix = fields.Boolean(string="Pix and Boleto")
    module_collections_portal = fields.Boolean(string="Customer Collections Portal")

    def set_values(self):
        res = super().set_values()
        self.env["collection.communication"]._set_dispatch_jobs(self.collection_dispatch_jobs)
        return res
