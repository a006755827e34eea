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
    module_collections_pix = fields.Boolean(string="Pix and Boleto")
    module_collections_portal = fields.Boolean(string="Customer Collections Portal")
