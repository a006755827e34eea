import base64

from odoo import fields, models
from odoo.exceptions import UserError


class CollectionBankReturnImport(models.TransientModel):
    _name = "collection.bank.return.import"
    _description = "Import a CNAB Return File"

    bank_account_id = fields.Many2one(
        "res.partner.bank",
        string="Collection Account",
        required=True,
        domain="[('collection_boleto', '=', True)]",
        default=lambda self: self.env["res.partner.bank"]._collection_for_company(self.env.company),
    )
    file = fields.Binary(string="Return File", required=True, attachment=False)
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the return file the bank sent."))
        ret = self.env["collection.bank.return"]._import_file(
            self.bank_account_id, base64.b64decode(self.file), self.filename or "retorno.ret"
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.bank.return",
            "res_id": ret.id,
            "view_mode": "form",
        }
