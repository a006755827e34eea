import base64
import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from odoo.addons.collections_ruler.tools.debt import money
from odoo.addons.collections_ruler.tools.documents import InvalidTaxIdError, parse_tax_id

from ..tools import boleto as boleto_tools
from ..tools.boleto import BoletoError

BOLETO_STATES = [
    ("to_register", "To Register"),
    ("sent", "Sent to the Bank"),
    ("registered", "Registered"),
    ("paid", "Paid"),
    ("to_write_off", "To Write Off"),
    ("written_off", "Written Off"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
# FEBRABAN bank codes with their check digit, as the slip's header prints them ("001-9").
BANK_CHECK_DIGITS = {"001": "9", "033": "7", "104": "0", "237": "2", "341": "7", "748": "X", "756": "0"}
# A boleto the bank may still accept a payment for.
LIVE_STATES = ("to_register", "sent", "registered")


class CollectionBoleto(models.Model):
    """One boleto for one receivable, registered with the bank through a CNAB remittance and settled
    by its return file. When a Pix charge exists for the same debt, the slip carries its QR code too
    (boleto híbrido)."""

    _name = "collection.boleto"
    _inherit = ["mail.thread"]
    _description = "Boleto"
    _order = "id desc"
    _rec_name = "nosso_numero"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move", string="Receivable", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", store=True, string="Payer")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    bank_account_id = fields.Many2one(
        "res.partner.bank", string="Collection Account", required=True, readonly=True, check_company=True
    )
    bank_code = fields.Selection(related="bank_account_id.collection_bank_code", store=True)
    sequence = fields.Integer(readonly=True, help="The number of this account's sequence the nosso número carries.")
    nosso_numero = fields.Char(string="Nosso Número", required=True, readonly=True, copy=False)
    nosso_numero_key = fields.Char(
        required=True, readonly=True, copy=False, index=True, help="How the bank's return files write it."
    )
    amount = fields.Monetary(readonly=True, help="The face value (valor do documento).")
    issue_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    fine_percent = fields.Float(readonly=True, digits=(5, 2))
    interest_percent_month = fields.Float(readonly=True, digits=(5, 4))
    barcode = fields.Char(readonly=True)
    line = fields.Char(string="Typeable Line", readonly=True)
    barcode_image = fields.Binary(compute="_compute_barcode_image")
    state = fields.Selection(BOLETO_STATES, default="to_register", required=True, readonly=True, tracking=True)
    reason = fields.Char(readonly=True, help="What the bank said (rejection or write-off reasons).")
    remittance_id = fields.Many2one("collection.bank.remittance", readonly=True, copy=False)
    writeoff_remittance_id = fields.Many2one(
        "collection.bank.remittance", string="Write-off Remittance", readonly=True, copy=False
    )
    change_movement = fields.Selection(
        [("06", "Change of Due Date")],
        readonly=True,
        copy=False,
        help="A change the bank must be told of by the next remittance.",
    )
    change_remittance_id = fields.Many2one(
        "collection.bank.remittance", string="Change Remittance", readonly=True, copy=False
    )
    payment_id = fields.Many2one("account.payment", readonly=True, copy=False)
    settlement_move_id = fields.Many2one(
        "account.move", string="Settlement Entry", readonly=True, copy=False, help="The entry that paid the invoice."
    )
    slip_attachment_id = fields.Many2one("ir.attachment", string="Slip PDF", readonly=True, copy=False)
    pix_charge_id = fields.Many2one(
        "collection.pix.charge", string="Pix on the Slip", compute="_compute_pix_charge", help="Boleto híbrido."
    )

    _sql_constraints = [
        (
            "nosso_numero_unique",
            "UNIQUE(bank_account_id, nosso_numero_key)",
            "A nosso número is used once per collection account.",
        ),
    ]

    @api.depends("barcode")
    def _compute_barcode_image(self):
        for boleto in self:
            boleto.barcode_image = (
                base64.b64encode(boleto_tools.barcode_png(boleto.barcode)) if boleto.barcode else False
            )

    @api.depends("move_id.collection_pix_charge_ids.state")
    def _compute_pix_charge(self):
        for boleto in self:
            boleto.pix_charge_id = (
                boleto.move_id.sudo().collection_pix_charge_id if boleto.state in LIVE_STATES else False
            )

    @api.depends("nosso_numero", "move_id")
    def _compute_display_name(self):
        for boleto in self:
            boleto.display_name = (
                f"{boleto.nosso_numero} ({boleto.move_id.name})" if boleto.move_id else boleto.nosso_numero
            )

    # ------------------------------------------------------------------
    # Issue
    # ------------------------------------------------------------------
    @api.model
    def _ensure_for_moves(self, moves, raise_errors=False):
        """The live boleto of each open receivable, issued on the company's collection account when there
        is none. Issuing calls no bank: registration goes in the next remittance file."""
        boletos = self.browse()
        for move in moves.sudo()._collection_filter_open():
            live = move.collection_boleto_ids.filtered(lambda b: b.state in LIVE_STATES)[:1]
            if live:
                boletos |= live
                continue
            account = self.env["res.partner.bank"].sudo()._collection_for_company(move.company_id)
            if not account:
                if raise_errors:
                    raise UserError(
                        self.env._(
                            "%(company)s has no bank account that issues boletos: set one up in its bank accounts.",
                            company=move.company_id.name,
                        )
                    )
                continue
            boletos |= self.sudo().create(self._prepare_boleto(move, account))
        return boletos

    @api.model
    def _prepare_boleto(self, move, account):
        """Values of the boleto of ``move``: an invoice not yet due keeps its due date and open amount; an
        overdue one gets a new due date a few days away, for its amount updated to that day."""
        account._collection_check_ready()
        today = fields.Date.context_today(self)
        if move.invoice_date_due and move.invoice_date_due >= today:
            due, amount = move.invoice_date_due, money(move.amount_residual)
        else:
            due = today + datetime.timedelta(days=max(account.collection_due_days, 0))
            amount = move._collection_debt_update(due)[move.id].total
        policy = move.commercial_partner_id.with_company(move.company_id)._collection_policy()
        bank = account._collection_bank()
        data = account._collection_account_data()
        sequence = account._collection_next_number()
        try:
            nosso_numero = bank.nosso_numero(data, sequence, issue_date=today)
            barcode = boleto_tools.make_barcode(bank.CODE, amount, due, bank.free_field(data, nosso_numero))
        except BoletoError as error:
            raise UserError(
                self.env._("The boleto of %(move)s cannot be issued: %(error)s", move=move.name, error=error)
            ) from error
        return {
            "move_id": move.id,
            "company_id": move.company_id.id,
            "bank_account_id": account.id,
            "sequence": sequence,
            "nosso_numero": nosso_numero,
            "nosso_numero_key": bank.read_nosso_numero(nosso_numero),
            "amount": float(amount),
            "issue_date": today,
            "due_date": due,
            "fine_percent": policy.fine_percent if policy else 0.0,
            "interest_percent_month": policy.interest_percent_month if policy else 0.0,
            "barcode": barcode,
            "line": boleto_tools.format_line(boleto_tools.line_from_barcode(barcode)),
        }

    # ------------------------------------------------------------------
    # Settled elsewhere: ask the bank to write it off
    # ------------------------------------------------------------------
    def _collection_withdraw(self, reason):
        """The debt was paid another way (Pix, agreement, by hand) or reversed: a boleto never sent is
        cancelled; one the bank knows goes in the next remittance as a write-off request."""
        live = self.filtered(lambda b: b.state in LIVE_STATES)
        unsent = live.filtered(lambda b: b.state == "to_register")
        unsent.write({"state": "cancelled", "reason": reason})
        (live - unsent).write({"state": "to_write_off", "reason": reason})

    def _change_due_date(self, day):
        """A new due date (an agreement installment rescheduled): a new barcode and line for the same
        nosso número; a boleto the bank already has is changed by the next remittance (movement 06)."""
        for boleto in self.filtered(lambda b: b.state in LIVE_STATES and b.due_date != day):
            bank = boleto.bank_account_id._collection_bank()
            free_field = boleto.barcode[19:44]
            barcode = boleto_tools.make_barcode(bank.CODE, money(boleto.amount), day, free_field)
            values = {
                "due_date": day,
                "barcode": barcode,
                "line": boleto_tools.format_line(boleto_tools.line_from_barcode(barcode)),
                "slip_attachment_id": False,
            }
            if boleto.state != "to_register":
                # told to the bank by the next remittance (a later change is told again)
                values.update(change_movement="06", change_remittance_id=False)
            boleto.write(values)
            boleto.message_post(body=self.env._("Due date changed to %(date)s.", date=format_date(self.env, day)))

    # ------------------------------------------------------------------
    # Payment amounts
    # ------------------------------------------------------------------
    def _interest_split(self, difference, paid_on):
        """[(account, label, amount)] of what was paid above the open amount: the fine first (at most
        what the policy's fine is on that day), the rest interest."""
        self.ensure_one()
        move = self.move_id
        policy = move.commercial_partner_id.with_company(move.company_id)._collection_policy()
        expected = move._collection_debt_update(max(paid_on, self.due_date or paid_on))[move.id]
        return policy._charges_split(
            difference,
            expected.fine,
            self.env._("Fine received by boleto"),
            self.env._("Interest received by boleto"),
        )

    # ------------------------------------------------------------------
    # The slip
    # ------------------------------------------------------------------
    def _slip_bank_label(self):
        """("001-9", "Banco do Brasil"): the bank code with its check digit, as every slip prints it."""
        self.ensure_one()
        code = self.bank_account_id.collection_bank_code or ""
        return f"{code}-{BANK_CHECK_DIGITS.get(code, '')}".rstrip("-"), self.bank_account_id._collection_bank().NAME

    def _slip_beneficiary_code(self):
        self.ensure_one()
        account = self.bank_account_id
        agency = "-".join(filter(None, (account.collection_agency, account.collection_agency_dv)))
        code = account.collection_convenio or "-".join(
            filter(None, (account.collection_account, account.collection_account_dv))
        )
        return f"{agency} / {code}"

    @api.model
    def _slip_tax_id(self, partner):
        """The payer's or beneficiary's CPF/CNPJ, punctuated the usual way."""
        if not partner.vat:
            return ""
        try:
            tax_id = parse_tax_id(partner.vat)
        except InvalidTaxIdError:
            return partner.vat
        return f"{tax_id.kind.upper()} {tax_id.formatted}"

    def _slip_instructions(self):
        """What the cashier applies after the due date, from the collection policy, then the account's."""
        self.ensure_one()
        lines = []
        after = format_date(self.env, self.due_date)
        fine, interest = f"{self.fine_percent:g}", f"{self.interest_percent_month:g}"
        if self.fine_percent:
            lines.append(self.env._("After %(date)s charge a fine of %(percent)s%%.", date=after, percent=fine))
        if self.interest_percent_month:
            daily = self.currency_id.format(self.amount * self.interest_percent_month / 100 / 30)
            lines.append(
                self.env._(
                    "After %(date)s charge interest of %(amount)s a day (%(percent)s%% a month).",
                    date=after,
                    amount=daily,
                    percent=interest,
                )
            )
        if self.bank_account_id.collection_instructions:
            lines.extend(self.bank_account_id.collection_instructions.splitlines())
        return lines

    def _slip_pdf(self):
        self.ensure_one()
        content, _kind = (
            self.env["ir.actions.report"].sudo()._render_qweb_pdf("collections_pix.action_report_boleto", self.ids)
        )
        return content

    def _slip_attachment(self):
        """The slip as an attachment of the boleto, rendered once."""
        self.ensure_one()
        if not self.slip_attachment_id:
            self.slip_attachment_id = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"Boleto {(self.move_id.name or self.nosso_numero).replace('/', '_')}.pdf",
                        "raw": self._slip_pdf(),
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
        return self.slip_attachment_id

    def action_print(self):
        return self.env.ref("collections_pix.action_report_boleto").report_action(self)
