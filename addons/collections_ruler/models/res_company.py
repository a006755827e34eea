import pytz

from odoo import api, fields, models


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

    collection_whatsapp_provider = fields.Selection(
        [("cloud_api", "WhatsApp Cloud API"), ("webhook", "Generic HTTP Gateway")],
        string="WhatsApp Gateway",
    )
    collection_whatsapp_url = fields.Char(
        string="WhatsApp Gateway URL",
        help="Cloud API: the Graph API base, e.g. https://graph.facebook.com/v21.0. "
        "Generic gateway: the URL that receives the JSON message.",
    )
    collection_whatsapp_phone_number_id = fields.Char(string="WhatsApp Phone Number ID")
    collection_whatsapp_token = fields.Char(string="WhatsApp Access Token", groups="base.group_system", copy=False)
    collection_whatsapp_secret = fields.Char(
        string="WhatsApp Signing Secret",
        groups="base.group_system",
        copy=False,
        help="Generic gateway: each request carries X-Signature: sha256=HMAC of its body with this secret.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["collection.ruler"]._install_default_rulers(companies)
        self.env["collection.policy"]._install_default_policies(companies)
        self.env["collection.aging.bucket"]._install_default_buckets(companies)
        return companies

    def _collection_tz(self):
        """The company's time zone: its partner's, else Brasília time for Brazilian companies, else UTC."""
        self.ensure_one()
        name = self.partner_id.tz or ("America/Sao_Paulo" if self.country_id.code == "BR" else "UTC")
        return pytz.timezone(name)

    def _collection_to_local(self, moment):
        """Naive UTC (as the ORM stores it) to naive local time of the company."""
        return pytz.utc.localize(moment).astimezone(self._collection_tz()).replace(tzinfo=None)

    def _collection_to_utc(self, moment):
        """Naive local time of the company to naive UTC."""
        return self._collection_tz().localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    def _collection_today(self):
        """Today's date where the company is (a cron at 00:30 UTC is still yesterday in São Paulo)."""
        return self._collection_to_local(fields.Datetime.now()).date()
