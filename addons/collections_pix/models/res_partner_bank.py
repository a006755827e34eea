from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import banks
from ..tools.boleto import BoletoError

BOLETO_BANKS = [(code, f"{code} - {bank.NAME}") for code, bank in sorted(banks.BANKS.items())]


class ResPartnerBank(models.Model):
    """The company's bank account as a collection account: the agreement with the bank that lets it
    issue boletos, its nosso número sequence, its CNAB layout and where the money lands."""

    _inherit = "res.partner.bank"

    collection_boleto = fields.Boolean(string="Issue Boletos", help="The company issues boletos on this account.")
    collection_bank_code = fields.Selection(BOLETO_BANKS, string="Boleto Bank")
    collection_agency = fields.Char(string="Agency (Agência)")
    collection_agency_dv = fields.Char(string="Agency Check Digit")
    collection_account = fields.Char(string="Account (Conta)")
    collection_account_dv = fields.Char(string="Account Check Digit")
    collection_carteira = fields.Char(string="Carteira")
    collection_convenio = fields.Char(
        string="Beneficiary Code (Convênio)",
        help="The bank's code of the company: convênio, código do beneficiário or código do cedente.",
    )
    collection_modalidade = fields.Char(string="Modalidade", help="Sicoob: the collection modality (01, 02, 05).")
    collection_posto = fields.Char(string="Posto", help="Sicredi: the branch's posto.")
    collection_byte_idt = fields.Char(string="Byte", help="Sicredi: the byte of the nosso número (2 to 9).")
    collection_auto_boleto = fields.Boolean(
        string="Boletos with Reminders",
        default=True,
        help="Reminders by e-mail and letter issue a boleto for the invoices they list, and carry its PDF once "
        "the bank has it (sent in a remittance).",
    )
    collection_cnab_layout = fields.Selection(
        [("240", "CNAB 240"), ("400", "CNAB 400")], string="CNAB Layout", default="240"
    )
    collection_journal_id = fields.Many2one(
        "account.journal",
        string="Receiving Journal",
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        help="The bank journal boleto payments are recorded in.",
    )
    collection_fee_account_id = fields.Many2one(
        "account.account",
        string="Bank Fee Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="The expense the bank's collection fees are booked to.",
    )
    collection_sequence_id = fields.Many2one(
        "ir.sequence", string="Nosso Número Sequence", readonly=True, copy=False, ondelete="restrict"
    )
    collection_remittance_next = fields.Integer(
        string="Next Remittance Number", default=1, copy=False, help="The sequence of the next CNAB remittance file."
    )
    collection_due_days = fields.Integer(
        string="Days to Pay an Overdue Invoice's Boleto",
        default=3,
        help="A boleto for an invoice already overdue falls due this many days after it is issued, "
        "for the amount updated to that day.",
    )
    collection_instructions = fields.Text(
        string="Instructions to the Cashier",
        translate=True,
        help="Printed on the slip, below the fine and interest the collection policy sets.",
    )

    @api.constrains(
        "collection_boleto",
        "collection_bank_code",
        "collection_agency",
        "collection_agency_dv",
        "collection_account",
        "collection_account_dv",
        "collection_carteira",
        "collection_convenio",
        "collection_modalidade",
        "collection_posto",
        "collection_byte_idt",
    )
    def _check_collection_account(self):
        for account in self.filtered("collection_boleto"):
            if not account.collection_bank_code:
                raise ValidationError(
                    self.env._("Choose the bank that issues the boletos of %s.", account.display_name)
                )
            try:
                account._collection_bank().validate(account._collection_account_data())
            except BoletoError as error:
                raise ValidationError(
                    self.env._(
                        "The collection data of %(account)s is not valid: %(error)s",
                        account=account.display_name,
                        error=error,
                    )
                ) from error

    def _collection_bank(self):
        self.ensure_one()
        return banks.get(self.collection_bank_code)

    def _collection_account_data(self):
        self.ensure_one()
        return banks.BankAccountData(
            agency=self.collection_agency or "",
            agency_dv=self.collection_agency_dv or "",
            account=self.collection_account or "",
            account_dv=self.collection_account_dv or "",
            carteira=self.collection_carteira or "",
            convenio=self.collection_convenio or "",
            modalidade=self.collection_modalidade or "",
            posto=self.collection_posto or "",
            byte_idt=self.collection_byte_idt or "",
        )

    def _collection_next_number(self):
        """The next nosso número sequence of this account (a PostgreSQL sequence: no lock, never repeated)."""
        self.ensure_one()
        if not self.collection_sequence_id:
            self.sudo().collection_sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Nosso número of %s", self.display_name),
                        "implementation": "standard",
                        "number_next": 1,
                        "padding": 1,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return int(self.collection_sequence_id.sudo().next_by_id())

    @api.model
    def _collection_for_company(self, company):
        """The account boletos are issued on for ``company``, or an empty recordset."""
        return self.search(
            [("collection_boleto", "=", True), ("partner_id", "=", company.partner_id.id)],
            order="sequence, id",
            limit=1,
        )

    def _collection_check_ready(self):
        self.ensure_one()
        missing = [
            label
            for label, value in (
                (self.env._("the receiving journal"), self.collection_journal_id),
                (self.env._("the bank fee account"), self.collection_fee_account_id),
            )
            if not value
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Set %(missing)s on the collection account %(account)s first.",
                    missing=", ".join(missing),
                    account=self.display_name,
                )
            )

    def action_collection_remittance(self):
        """A CNAB remittance of everything waiting to be sent to the bank on this account."""
        self.ensure_one()
        remittance = self.env["collection.bank.remittance"]._create_for_account(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.bank.remittance",
            "res_id": remittance.id,
            "view_mode": "form",
        }
