import base64
import datetime
import hashlib
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import cnab
from ..tools.banks.common import clean
from ..tools.cnab import CnabError

ESPECIE_DM = "02"  # duplicata mercantil
INTEREST_PER_DAY = "1"
FINE_PERCENT = "2"
NO_PROTEST = "3"
WRITE_OFF_AFTER = "1"
WRITE_OFF_DAYS = 60


class CollectionBankRemittance(models.Model):
    """A CNAB remittance file: the boletos to register and the write-offs to request, in one batch.

    The file is rendered from what this record keeps (its boletos, movements, number and generation
    time), so rendering it again gives the same bytes.
    """

    _name = "collection.bank.remittance"
    _description = "CNAB Remittance"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    bank_account_id = fields.Many2one("res.partner.bank", required=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    sequence = fields.Integer(string="File Number", readonly=True)
    generated_at = fields.Datetime(readonly=True)
    layout = fields.Selection([("240", "CNAB 240"), ("400", "CNAB 400")], readonly=True)
    boleto_ids = fields.One2many("collection.boleto", "remittance_id", string="Boletos to Register", readonly=True)
    writeoff_ids = fields.One2many(
        "collection.boleto", "writeoff_remittance_id", string="Write-offs Requested", readonly=True
    )
    change_ids = fields.One2many("collection.boleto", "change_remittance_id", string="Changes Requested", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    file = fields.Binary(related="attachment_id.datas")
    filename = fields.Char(related="attachment_id.name", string="File Name")
    file_hash = fields.Char(readonly=True)
    boleto_count = fields.Integer(compute="_compute_counts")
    writeoff_count = fields.Integer(compute="_compute_counts")

    @api.depends("boleto_ids", "writeoff_ids")
    def _compute_counts(self):
        for remittance in self:
            remittance.boleto_count = len(remittance.boleto_ids)
            remittance.writeoff_count = len(remittance.writeoff_ids)

    @api.model
    def _create_for_account(self, account):
        """One remittance with every boleto of ``account`` waiting to be registered or written off."""
        account.ensure_one()
        account._collection_check_ready()
        # Lock the account: two users generating at once would otherwise number two files the same.
        self.env.cr.execute("SELECT id FROM res_partner_bank WHERE id = %s FOR UPDATE", (account.id,))
        Boleto = self.env["collection.boleto"]
        new = Boleto.search([("bank_account_id", "=", account.id), ("state", "=", "to_register")], order="id")
        writeoffs = Boleto.search([("bank_account_id", "=", account.id), ("state", "=", "to_write_off")], order="id")
        changes = Boleto.search(
            [
                ("bank_account_id", "=", account.id),
                ("state", "in", ("sent", "registered")),
                ("change_movement", "!=", False),
                ("change_remittance_id", "=", False),
            ],
            order="id",
        )
        if not new and not writeoffs and not changes:
            raise UserError(self.env._("There is no boleto to register or write off on %s.", account.display_name))
        number = account.collection_remittance_next
        remittance = self.create(
            {
                "name": self.env._("Remittance %(number)s of %(account)s", number=number, account=account.display_name),
                "bank_account_id": account.id,
                "company_id": account.company_id.id or self.env.company.id,
                "sequence": number,
                "generated_at": fields.Datetime.now().replace(microsecond=0),
                "layout": account.collection_cnab_layout or "240",
            }
        )
        account.sudo().collection_remittance_next = number + 1
        new.write({"remittance_id": remittance.id, "state": "sent"})
        writeoffs.write({"writeoff_remittance_id": remittance.id})
        changes.write({"change_remittance_id": remittance.id})
        content = remittance._render()
        filename = f"REM{account.collection_bank_code}{number:06d}.{'REM' if remittance.layout == '400' else 'rem'}"
        remittance.write(
            {
                "attachment_id": self.env["ir.attachment"]
                .create(
                    {
                        "name": filename,
                        "raw": content,
                        "mimetype": "text/plain",
                        "res_model": self._name,
                        "res_id": remittance.id,
                    }
                )
                .id,
                "file_hash": hashlib.sha256(content).hexdigest(),
            }
        )
        return remittance

    def _render(self):
        """The CNAB bytes of this remittance, from what the record keeps."""
        self.ensure_one()
        account = self.bank_account_id
        company = self.company_id
        data = account._collection_bank().validate(account._collection_account_data())
        local = fields.Datetime.context_timestamp(
            self.with_context(tz=company.partner_id.tz or "America/Sao_Paulo"), self.generated_at
        )
        header = {
            "generated_at": local.replace(tzinfo=None),
            "file_sequence": self.sequence,
            "company_document": company.vat,
            "company_name": company.name,
            "agency": data.agency,
            "agency_dv": account.collection_agency_dv or "",
            "account": data.account,
            "account_dv": account.collection_account_dv or "",
            "convenio": data.convenio,
        }
        items = [self._item(boleto, "01") for boleto in self.boleto_ids.sorted("id")]
        items += [self._item(boleto, "02") for boleto in self.writeoff_ids.sorted("id")]
        items += [self._item(boleto, boleto.change_movement or "06") for boleto in self.change_ids.sorted("id")]
        try:
            return cnab.build_remittance(
                header, items, layout=self.layout or "240", bank_code=account.collection_bank_code
            )
        except CnabError as error:
            raise UserError(self.env._("The remittance file cannot be written: %(error)s", error=error)) from error

    @api.model
    def _item(self, boleto, movement):
        partner = boleto.partner_id
        amount = Decimal(str(boleto.amount))
        next_day = boleto.due_date + datetime.timedelta(days=1)
        daily_interest = (amount * Decimal(str(boleto.interest_percent_month)) / 100 / 30).quantize(Decimal("0.01"))
        return {
            "movement": movement,
            "nosso_numero": clean(boleto.nosso_numero),
            "carteira": "1",
            "your_number": (boleto.move_id.name or "")[-15:],
            "company_use": str(boleto.id),
            "due_date": boleto.due_date,
            "amount": amount,
            "especie": ESPECIE_DM,
            "aceite": "N",
            "issue_date": boleto.issue_date,
            "interest_code": INTEREST_PER_DAY if daily_interest else "3",
            "interest_date": next_day if daily_interest else None,
            "interest_value": daily_interest,
            "fine_code": FINE_PERCENT if boleto.fine_percent else "0",
            "fine_date": next_day if boleto.fine_percent else None,
            "fine_value": Decimal(str(boleto.fine_percent)).quantize(Decimal("0.01")),
            "protest_code": NO_PROTEST,
            "writeoff_code": WRITE_OFF_AFTER,
            "writeoff_days": WRITE_OFF_DAYS,
            "payer_document": partner.vat or "",
            "payer_name": partner.name or "",
            "payer_address": " ".join(filter(None, (partner.street, partner.street2))),
            "payer_district": partner.street2 or "",
            "payer_zip": partner.zip or "",
            "payer_city": partner.city or "",
            "payer_state": partner.state_id.code or "",
        }

    def action_download(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }

    def _check_unchanged(self):
        """True when rendering again gives the stored file byte for byte."""
        self.ensure_one()
        content = self._render()
        return hashlib.sha256(content).hexdigest() == self.file_hash and base64.b64decode(self.file) == content
