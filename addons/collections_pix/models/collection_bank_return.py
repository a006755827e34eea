import hashlib
import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.collections_ruler.tools.debt import money

from ..tools import cnab
from ..tools.boleto import BoletoError
from ..tools.cnab import CnabError, CnabFileError

_logger = logging.getLogger(__name__)

LINE_STATES = [
    ("done", "Applied"),
    ("info", "Noted"),
    ("review", "To Review"),
    ("duplicate", "Already Imported"),
    ("ignored", "Ignored"),
]
MEANINGS = [
    ("settled", "Settled"),
    ("accepted", "Registered"),
    ("rejected", "Rejected"),
    ("written_off", "Written Off"),
    ("fee", "Fee"),
    ("instruction_rejected", "Instruction Rejected"),
    ("other", "Other"),
]


class CollectionBankReturn(models.Model):
    """An imported CNAB return file: what the bank says happened to our boletos, and what each line did.

    One file, one transaction: a file that cannot be read is refused as a whole; a file already
    imported (same bytes) is refused; each line is applied in its own savepoint, and a line that
    cannot be applied waits in the review list instead of stopping the others.
    """

    _name = "collection.bank.return"
    _inherit = ["mail.thread"]
    _description = "CNAB Return File"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    bank_account_id = fields.Many2one("res.partner.bank", required=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    layout = fields.Selection([("240", "CNAB 240"), ("400", "CNAB 400")], readonly=True)
    bank_code = fields.Char(readonly=True)
    file_sequence = fields.Char(string="File Number", readonly=True)
    generated_date = fields.Date(string="Generated On", readonly=True)
    file_hash = fields.Char(readonly=True, index=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    line_ids = fields.One2many("collection.bank.return.line", "return_id", readonly=True)
    fee_move_ids = fields.One2many("account.move", compute="_compute_fee_moves", string="Bank Fees Entries")
    settled_amount = fields.Monetary(compute="_compute_totals", string="Paid")
    fee_amount = fields.Monetary(compute="_compute_totals", string="Fees")
    review_count = fields.Integer(compute="_compute_totals")

    _sql_constraints = [
        ("file_unique", "UNIQUE(company_id, file_hash)", "This return file was already imported."),
    ]

    @api.depends("line_ids.fee_move_id")
    def _compute_fee_moves(self):
        for ret in self:
            ret.fee_move_ids = ret.line_ids.fee_move_id

    @api.depends("line_ids.state", "line_ids.amount_paid", "line_ids.fee")
    def _compute_totals(self):
        for ret in self:
            done = ret.line_ids.filtered(lambda line: line.state == "done")
            ret.settled_amount = sum(done.filtered(lambda line: line.meaning == "settled").mapped("amount_paid"))
            ret.fee_amount = sum(done.mapped("fee"))
            ret.review_count = len(ret.line_ids.filtered(lambda line: line.state == "review"))

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    @api.model
    def _import_file(self, account, data, filename):
        """Read, record and apply a return file of ``account``; returns the new return."""
        account.ensure_one()
        account._collection_check_ready()
        company = account.company_id or self.env.company
        digest = hashlib.sha256(data).hexdigest()
        previous = self.search([("company_id", "=", company.id), ("file_hash", "=", digest)], limit=1)
        if previous:
            raise UserError(
                self.env._(
                    "This file was already imported on %(date)s (%(name)s): nothing was changed.",
                    date=fields.Datetime.context_timestamp(self, previous.create_date).strftime("%d/%m/%Y %H:%M"),
                    name=previous.name,
                )
            )
        try:
            parsed = cnab.parse_return(data)
        except CnabFileError as error:
            raise UserError(
                self.env._(
                    "The file %(file)s cannot be imported; nothing was applied.\n%(problems)s",
                    file=filename,
                    problems="\n".join(
                        self.env._("Line %(line)s: %(reason)s", line=number, reason=reason)
                        for number, reason in error.problems
                    )
                    or str(error),
                )
            ) from error
        except CnabError as error:
            raise UserError(
                self.env._(
                    "The file %(file)s cannot be imported; nothing was applied: %(error)s", file=filename, error=error
                )
            ) from error
        if parsed.bank_code != account.collection_bank_code:
            raise UserError(
                self.env._(
                    "The file %(file)s comes from bank %(file_bank)s, not from %(account)s (bank %(bank)s).",
                    file=filename,
                    file_bank=parsed.bank_code,
                    account=account.display_name,
                    bank=account.collection_bank_code,
                )
            )
        bank = account._collection_bank()
        ret = self.create(
            {
                "name": filename,
                "bank_account_id": account.id,
                "company_id": company.id,
                "layout": parsed.layout,
                "bank_code": parsed.bank_code,
                "file_sequence": parsed.file_sequence,
                "generated_date": parsed.generated_date,
                "file_hash": digest,
                "line_ids": [Command.create(self._prepare_line(bank, line)) for line in parsed.lines],
            }
        )
        ret.attachment_id = self.env["ir.attachment"].create(
            {"name": filename, "raw": data, "mimetype": "text/plain", "res_model": self._name, "res_id": ret.id}
        )
        ret.line_ids._apply_each()
        ret._book_fees(ret.line_ids)
        ret.message_post(
            body=self.env._(
                "%(count)s lines: %(done)s applied, %(review)s to review, %(dup)s already imported.",
                count=len(ret.line_ids),
                done=len(ret.line_ids.filtered(lambda line: line.state in ("done", "info"))),
                review=ret.review_count,
                dup=len(ret.line_ids.filtered(lambda line: line.state == "duplicate")),
            )
        )
        return ret

    @api.model
    def _prepare_line(self, bank, line):
        try:
            key = bank.read_nosso_numero(line.nosso_numero_raw) if line.nosso_numero_raw else ""
        except BoletoError:
            key = line.nosso_numero_raw
        return {
            "line_number": line.line_number,
            "nosso_numero_raw": line.nosso_numero_raw,
            "nosso_numero_key": key,
            "your_number": line.your_number,
            "occurrence": line.occurrence,
            "meaning": line.meaning if line.meaning in dict(MEANINGS) else "other",
            "occurrence_date": line.occurrence_date,
            "credit_date": line.credit_date,
            "due_date": line.due_date,
            "face_value": float(line.face_value or 0),
            "amount_paid": float(line.amount_paid or 0),
            "amount_credited": float(line.amount_credited or 0),
            "fee": float(line.fee or 0),
            "interest_fine": float(line.interest_fine or 0),
            "discount": float(line.discount or 0),
            "rebate": float(line.rebate or 0),
            "amounts_source": line.amounts_source,
            "reasons": " ".join(line.reasons or ()),
            "raw": line.raw,
        }

    def _book_fees(self, lines):
        """One entry for the fees of ``lines`` applied and not booked yet: the bank kept them out of
        what it credited."""
        self.ensure_one()
        lines = lines.filtered(lambda line: line.state == "done" and line.fee and not line.fee_move_id)
        total = money(sum(lines.mapped("fee")))
        if not total:
            return
        account = self.bank_account_id
        journal = account.collection_journal_id
        # Where the payments wait for the bank statement, or the bank account itself when they do not.
        outstanding = journal.inbound_payment_method_line_ids[:1].payment_account_id or journal.default_account_id
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": max(lines.mapped(lambda line: line.credit_date or line.occurrence_date or fields.Date.today())),
                "ref": self.env._("Bank fees of the return file %(name)s", name=self.name),
                "line_ids": [
                    Command.create(
                        {
                            "name": self.env._("Collection fees (%(count)s boletos)", count=len(lines)),
                            "account_id": account.collection_fee_account_id.id,
                            "debit": float(total),
                        }
                    ),
                    Command.create(
                        {
                            "name": self.env._("Fees kept by the bank"),
                            "account_id": outstanding.id,
                            "credit": float(total),
                        }
                    ),
                ],
            }
        )
        move.action_post()
        lines.fee_move_id = move

    def action_view_review(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lines to Review"),
            "res_model": "collection.bank.return.line",
            "view_mode": "list,form",
            "domain": [("return_id", "=", self.id), ("state", "=", "review")],
        }


class CollectionBankReturnLine(models.Model):
    _name = "collection.bank.return.line"
    _description = "CNAB Return Line"
    _order = "return_id desc, line_number"
    _check_company_auto = True

    return_id = fields.Many2one("collection.bank.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True, index=True)
    bank_account_id = fields.Many2one(related="return_id.bank_account_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_number = fields.Integer(readonly=True)
    nosso_numero_raw = fields.Char(string="Nosso Número (File)", readonly=True)
    nosso_numero_key = fields.Char(string="Nosso Número", readonly=True, index=True)
    your_number = fields.Char(string="Your Number", readonly=True)
    occurrence = fields.Char(readonly=True)
    meaning = fields.Selection(MEANINGS, readonly=True)
    occurrence_date = fields.Date(readonly=True)
    credit_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    face_value = fields.Monetary(readonly=True)
    amount_paid = fields.Monetary(string="Paid", readonly=True, help="What the payer paid (gross of the fee).")
    amount_credited = fields.Monetary(string="Credited", readonly=True, help="What the bank credited (net).")
    fee = fields.Monetary(readonly=True)
    interest_fine = fields.Monetary(string="Interest and Fine", readonly=True)
    discount = fields.Monetary(readonly=True)
    rebate = fields.Monetary(readonly=True)
    amounts_source = fields.Char(readonly=True, help="Which amounts the file carried: gross, net or both.")
    reasons = fields.Char(readonly=True)
    raw = fields.Text(readonly=True)
    state = fields.Selection(LINE_STATES, default="review", required=True, readonly=True, index=True)
    message = fields.Char(readonly=True)
    boleto_id = fields.Many2one("collection.boleto", readonly=True)
    move_id = fields.Many2one(related="boleto_id.move_id", string="Receivable")
    payment_id = fields.Many2one("account.payment", readonly=True)
    settlement_move_id = fields.Many2one("account.move", string="Settlement Entry", readonly=True)
    fee_move_id = fields.Many2one("account.move", string="Fee Entry", readonly=True)

    def _apply_each(self):
        """Apply these lines: the plain settlements (the open amount paid exactly, on a boleto of an open
        invoice, first time seen) in batches through Odoo's own multi-invoice payment path, the rest one
        by one, each in its own savepoint."""
        batched = self._apply_settled_in_batches()
        for line in self - batched:
            try:
                with self.env.cr.savepoint():
                    line._apply()
            except (UserError, BoletoError) as error:
                line.write({"state": "review", "message": str(error)[:250]})
            except Exception as error:  # one line must not stop the file: it waits for a person
                _logger.warning("collections_pix: return line %s could not be applied: %s", line.id, error)
                line.write({"state": "review", "message": str(error)[:250]})

    def _apply_settled_in_batches(self):
        """The plain settlements of these lines, paid in one batch per payment date; returns the lines
        handled. Anything unusual (interest, discount, partial, a second time, no boleto) is left to the
        line-by-line path, and a batch that fails falls back to it whole."""
        settled = self.filtered(
            lambda line: line.meaning == "settled" and line.state == "review" and line.nosso_numero_key
        )
        if not settled:
            return self.browse()
        Boleto = self.env["collection.boleto"]
        boletos = Boleto.search(
            [
                ("bank_account_id", "in", settled.bank_account_id.ids),
                ("nosso_numero_key", "in", settled.mapped("nosso_numero_key")),
            ]
        )
        by_key = {(b.bank_account_id.id, b.nosso_numero_key): b for b in boletos}
        seen = self.search(
            [("boleto_id", "in", boletos.ids), ("state", "in", ("done", "info")), ("id", "not in", self.ids)]
        )
        seen_keys = {(line.boleto_id.id, line.occurrence, line.occurrence_date) for line in seen}
        open_moves = boletos.move_id._collection_filter_open()
        plain = {}
        used = Boleto
        for line in settled:
            boleto = by_key.get((line.bank_account_id.id, line.nosso_numero_key))
            if (
                not boleto
                or boleto in used
                or boleto.state == "paid"
                or boleto.move_id not in open_moves
                or (boleto.id, line.occurrence, line.occurrence_date) in seen_keys
                or line.interest_fine
                or line.discount
                or line.rebate
                or money(line.amount_paid) != money(line.face_value)
                or money(line.amount_paid) != money(boleto.move_id.amount_residual)
            ):
                continue
            used |= boleto
            plain.setdefault((line.occurrence_date or line.credit_date, boleto.bank_account_id), []).append(
                (line, boleto)
            )
        handled = self.browse()
        for (paid_on, account), pairs in plain.items():
            lines = self.browse([line.id for line, _boleto in pairs])
            try:
                with self.env.cr.savepoint():
                    entry = self._settle_in_one_entry(account, paid_on, pairs)
                    paid = self.env["collection.boleto"].browse([boleto.id for _line, boleto in pairs])
                    paid.write({"state": "paid", "settlement_move_id": entry.id, "reason": False})
                    lines.write({"state": "done", "message": self.env._("Paid."), "settlement_move_id": entry.id})
                    for line, boleto in pairs:
                        line.boleto_id = boleto
            except Exception as error:  # the lines of a failed batch go one by one, where each failure is named
                _logger.info("collections_pix: %s return lines go one by one: %s", len(lines), error)
                continue
            handled |= lines
        return handled

    @api.model
    def _settle_in_one_entry(self, account, paid_on, pairs):
        """One journal entry for the boletos the bank settled on a day (it credits them together): the
        total into the journal's outstanding receipts, each invoice's open amount out of its receivable,
        then every invoice reconciled with its line in one reconciliation plan."""
        journal = account.collection_journal_id
        outstanding = journal.inbound_payment_method_line_ids[:1].payment_account_id or journal.default_account_id
        company_currency = journal.company_id.currency_id
        receivables = []
        for _line, boleto in pairs:
            move = boleto.move_id
            if move.currency_id != company_currency:
                raise UserError(self.env._("Only invoices in the company currency are settled in a batch."))
            receivables.append(
                move.line_ids.filtered(
                    lambda aml: aml.account_id.account_type == "asset_receivable" and not aml.reconciled
                )
            )
        total = sum(boleto.move_id.amount_residual for _line, boleto in pairs)
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": paid_on or fields.Date.context_today(self),
                "ref": self.env._("Boletos settled (return file %(name)s)", name=pairs[0][0].return_id.name),
                "line_ids": [
                    Command.create(
                        {
                            "name": self.env._("Boletos settled: %(count)s", count=len(pairs)),
                            "account_id": outstanding.id,
                            "debit": total,
                        }
                    ),
                    *(
                        Command.create(
                            {
                                "name": self.env._(
                                    "Boleto %(number)s (%(invoice)s)",
                                    number=boleto.nosso_numero,
                                    invoice=boleto.move_id.name,
                                ),
                                "account_id": lines_of_move[0].account_id.id,
                                "partner_id": boleto.move_id.commercial_partner_id.id,
                                "credit": boleto.move_id.amount_residual,
                            }
                        )
                        for (_line, boleto), lines_of_move in zip(pairs, receivables, strict=True)
                    ),
                ],
            }
        )
        entry.action_post()
        counterparts = entry.line_ids.filtered(lambda aml: aml.credit)
        self.env["account.move.line"]._reconcile_plan(
            [
                counterpart | lines_of_move
                for counterpart, lines_of_move in zip(counterparts.sorted("id"), receivables, strict=True)
            ]
        )
        return entry

    def _apply(self):
        self.ensure_one()
        boleto = self.env["collection.boleto"].search(
            [("bank_account_id", "=", self.bank_account_id.id), ("nosso_numero_key", "=", self.nosso_numero_key)],
            limit=1,
        )
        if not boleto:
            return self._set("review", self.env._("No boleto with this nosso número on this account."))
        self.boleto_id = boleto
        # The same event of the same boleto (bank, nosso número, occurrence, date) counts once.
        twin = self.search(
            [
                ("id", "!=", self.id),
                ("boleto_id", "=", boleto.id),
                ("occurrence", "=", self.occurrence),
                ("occurrence_date", "=", self.occurrence_date),
                ("state", "in", ("done", "info")),
            ],
            limit=1,
        )
        if twin:
            return self._set(
                "duplicate", self.env._("Already imported with the file %(file)s.", file=twin.return_id.name)
            )
        handler = {
            "settled": self._apply_settled,
            "accepted": self._apply_accepted,
            "rejected": self._apply_rejected,
            "written_off": self._apply_written_off,
        }.get(self.meaning)
        if not handler:
            return self._set("info", self.env._("Occurrence %(code)s noted.", code=self.occurrence))
        return handler(boleto)

    def _set(self, state, message=False, **values):
        self.write({"state": state, "message": message, **values})
        return True

    def _apply_accepted(self, boleto):
        if boleto.state in ("to_register", "sent"):
            boleto.state = "registered"
        return self._set("info", self.env._("Registered by the bank."))

    def _apply_rejected(self, boleto):
        if boleto.state in ("to_register", "sent", "registered"):
            boleto.write({"state": "rejected", "reason": self.reasons})
        return self._set("info", self.env._("Rejected by the bank: %(reasons)s", reasons=self.reasons or "-"))

    def _apply_written_off(self, boleto):
        if boleto.state != "paid":
            boleto.write({"state": "written_off", "reason": self.reasons or boleto.reason})
        return self._set("info", self.env._("Written off at the bank."))

    def _apply_settled(self, boleto):
        move = boleto.move_id
        currency = boleto.currency_id
        paid = money(self.amount_paid)
        if boleto.state == "paid":
            return self._set("review", self.env._("This boleto was already paid: refund one of the payments."))
        if not move._collection_filter_open():
            return self._set(
                "review", self.env._("The invoice was already paid another way: refund this boleto payment.")
            )
        expected = money(self.face_value) + money(self.interest_fine) - money(self.discount) - money(self.rebate)
        if paid != expected:
            return self._set(
                "review",
                self.env._(
                    "The bank says %(paid)s was paid where the boleto's amounts give %(expected)s.",
                    paid=currency.format(float(paid)),
                    expected=currency.format(float(expected)),
                ),
            )
        payment = self._register_payment(boleto, move, paid)
        boleto.write({"state": "paid", "payment_id": payment.id, "settlement_move_id": payment.move_id.id})
        partial = move._collection_filter_open()
        return self._set(
            "done",
            self.env._("Partial payment: the rest stays open.") if partial else self.env._("Paid."),
            payment_id=payment.id,
            settlement_move_id=payment.move_id.id,
        )

    def _register_payment(self, boleto, move, paid):
        """A payment of what the payer paid, reconciled with the invoice: above the open amount the
        fine and interest go to their accounts; below it, a discount or rebate the bank granted settles
        the rest on the discount account; any other shortfall leaves the rest open."""
        account = boleto.bank_account_id
        residual = money(move.amount_residual)
        paid_on = self.occurrence_date or self.credit_date or fields.Date.context_today(self)
        values = {
            "payment_date": paid_on,
            "journal_id": account.collection_journal_id.id,
            "amount": float(paid),
            "communication": self.env._("Boleto %(number)s", number=boleto.nosso_numero),
        }
        split = []
        if paid > residual:
            split = boleto._interest_split(paid - residual, paid_on)
            values.update(payment_difference_handling="reconcile", writeoff_account_id=split[-1][0])
            values["writeoff_label"] = self.env._("Fine and interest received by boleto")
        elif paid < residual and paid + money(self.discount) + money(self.rebate) == residual:
            policy = move.commercial_partner_id.with_company(move.company_id)._collection_policy()
            if not policy or not policy.discount_account_id:
                raise UserError(self.env._("No discount account in the collection policy."))
            values.update(
                payment_difference_handling="reconcile",
                writeoff_account_id=policy.discount_account_id.id,
                writeoff_label=self.env._("Discount granted on the boleto"),
            )
        elif paid < residual:
            values["payment_difference_handling"] = "open"
        register = (
            self.env["account.payment.register"]
            .with_company(move.company_id)
            .with_context(active_model="account.move", active_ids=move.ids, collection_writeoff_split=split or None)
            .create(values)
        )
        return register._create_payments()

    def action_retry(self):
        """Apply again the selected lines to review (a boleto issued meanwhile, an account fixed)."""
        retry = self.filtered(lambda line: line.state == "review")
        retry._apply_each()
        for ret in retry.return_id:
            ret._book_fees(retry.filtered(lambda line, ret=ret: line.return_id == ret))
        return True

    def action_ignore(self):
        self.filtered(lambda line: line.state == "review").write({"state": "ignored"})
        return True
