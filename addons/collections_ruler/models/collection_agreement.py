import logging

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date

from ..tools.debt import (
    DebtError,
    Discount,
    discount_to_revert,
    plan_installments,
    policy_violations,
    split_discount,
    sum_updates,
    to_decimal,
)
from .account_move import open_receivable_domain_text, open_receivable_sql

_logger = logging.getLogger(__name__)

AGREEMENT_STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("active", "Active"),
    ("done", "Done"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
MANAGER_GROUP = "collections_ruler.collections_ruler_group_manager"


class CollectionAgreement(models.Model):
    _name = "collection.agreement"
    _description = "Collection Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    user_id = fields.Many2one("res.users", string="Collector", default=lambda self: self.env.user, tracking=True)
    policy_id = fields.Many2one("collection.policy", required=True, check_company=True, tracking=True)
    origin = fields.Selection(
        [("backoffice", "Back Office"), ("portal", "Customer Portal")], default="backoffice", required=True
    )
    state = fields.Selection(AGREEMENT_STATES, default="draft", required=True, tracking=True, index=True, copy=False)
    date = fields.Date(
        string="Agreement Date", required=True, default=fields.Date.context_today, help="The debt is updated to it."
    )
    move_ids = fields.Many2many(
        "account.move",
        "collection_agreement_move_rel",
        "agreement_id",
        "move_id",
        string="Original Invoices",
        check_company=True,
        domain=open_receivable_domain_text("('commercial_partner_id', '=', partner_id)"),
    )
    # The debt as of the agreement date, and the deal.
    principal_amount = fields.Monetary(string="Principal", readonly=True)
    fine_amount = fields.Monetary(string="Fine", readonly=True)
    interest_amount = fields.Monetary(string="Interest", readonly=True)
    updated_amount = fields.Monetary(string="Updated Debt", compute="_compute_amounts", store=True)
    discount_on_charges = fields.Monetary(string="Discount on Fine and Interest", readonly=True)
    discount_on_principal = fields.Monetary(string="Discount on Principal", readonly=True)
    discount_amount = fields.Monetary(string="Discount", compute="_compute_amounts", store=True)
    installment_interest_amount = fields.Monetary(string="Installment Interest", readonly=True)
    total_amount = fields.Monetary(string="Agreed Total", compute="_compute_amounts", store=True)
    down_payment = fields.Monetary(readonly=True)
    installment_ids = fields.One2many("collection.agreement.installment", "agreement_id", string="Installments")
    installment_count = fields.Integer(compute="_compute_amounts", store=True)
    amount_paid = fields.Monetary(compute="_compute_payment")
    amount_residual = fields.Monetary(string="Still Due", compute="_compute_payment")
    violation_codes = fields.Char(readonly=True, copy=False)
    violation_text = fields.Text(string="Outside the Policy", compute="_compute_violation_text")
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approved_date = fields.Datetime(readonly=True, copy=False)
    settlement_move_id = fields.Many2one("account.move", readonly=True, copy=False, check_company=True)
    discount_revert_move_id = fields.Many2one("account.move", readonly=True, copy=False, check_company=True)
    reversal_move_ids = fields.Many2many(
        "account.move", "collection_agreement_reversal_rel", "agreement_id", "move_id", readonly=True, copy=False
    )
    note = fields.Html(string="Terms", help="Printed on the agreement (termo de acordo).")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "An agreement number is used once per company."),
    ]

    @api.depends(
        "principal_amount",
        "fine_amount",
        "interest_amount",
        "discount_on_charges",
        "discount_on_principal",
        "installment_ids.amount",
    )
    def _compute_amounts(self):
        for agreement in self:
            agreement.updated_amount = agreement.principal_amount + agreement.fine_amount + agreement.interest_amount
            agreement.discount_amount = agreement.discount_on_charges + agreement.discount_on_principal
            agreement.total_amount = sum(agreement.installment_ids.mapped("amount"))
            agreement.installment_count = len(agreement.installment_ids)

    @api.depends("installment_ids.move_id.amount_residual", "state")
    def _compute_payment(self):
        for agreement in self:
            moves = agreement.installment_ids.move_id.filtered(lambda m: m.state == "posted")
            paid = sum(m.amount_total - m.amount_residual for m in moves if m.payment_state != "reversed")
            agreement.amount_paid = paid
            agreement.amount_residual = agreement.total_amount - paid if agreement.state == "active" else 0.0

    @api.depends("violation_codes")
    def _compute_violation_text(self):
        for agreement in self:
            codes = (agreement.violation_codes or "").split(",")
            agreement.violation_text = "\n".join(agreement._violation_message(code) for code in codes if code) or False

    def _violation_message(self, code):
        policy = self.policy_id
        messages = {
            "installments": self.env._("More than %(count)s installments.", count=policy.max_installments),
            "discount": self.env._(
                "A discount above %(percent)s%% of the updated debt.",
                percent=round(policy.max_cash_discount_percent, 2),
            ),
            "min_installment": self.env._(
                "An installment below %(amount)s.",
                amount=self.currency_id.format(policy.min_installment_amount),
            ),
            "first_due": self.env._("First installment more than %(days)s days away.", days=policy.max_first_due_days),
            "down_payment": self.env._(
                "A down payment below %(percent)s%%.", percent=round(policy.min_down_payment_percent, 2)
            ),
            "amount_limit": self.env._(
                "A debt above %(amount)s.", amount=self.currency_id.format(policy.approval_amount_limit)
            ),
        }
        return messages.get(code, code)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("collection.agreement")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Proposal: the policy's arithmetic on the chosen invoices
    # ------------------------------------------------------------------
    @api.model
    def _evaluate_proposal(self, partner, moves, policy, count, discount, first_due, date, down_payment=0.0):
        """(debt, Discount, Plan, violation codes) of a proposal, all in ``Decimal``."""
        if not moves:
            raise UserError(self.env._("Choose the invoices the agreement settles."))
        if len(moves.commercial_partner_id) > 1 or moves.commercial_partner_id != partner.commercial_partner_id:
            raise UserError(self.env._("An agreement covers invoices of one customer only."))
        if moves - moves._collection_filter_open():
            raise UserError(self.env._("Only open customer invoices can go into an agreement."))
        if moves.collection_agreement_id.filtered(lambda a: a.state == "active"):
            raise UserError(self.env._("Installments of an active agreement cannot be renegotiated into another."))
        if count < 1:
            raise UserError(self.env._("An agreement has at least one installment."))
        if first_due < date:
            raise UserError(self._first_due_error(date))
        terms = policy._terms()
        debt = sum_updates(moves._collection_debt_update(date).values())
        try:
            discount = split_discount(debt, to_decimal(discount), terms.unit)
            plan = plan_installments(
                debt.total - discount.total,
                count,
                first_due,
                terms.installment_interest_percent_month if count > 1 else 0,
                to_decimal(down_payment),
                terms.unit,
            )
        except DebtError as error:
            raise UserError(self.env._("This proposal cannot be made: %(reason)s", reason=str(error))) from error
        violations = policy_violations(debt, terms, plan, discount, date, to_decimal(down_payment))
        return debt, discount, plan, violations

    @api.model
    def _prepare_proposal(
        self, partner, moves, policy, count, discount, first_due, date, down_payment=0.0, origin="backoffice"
    ):
        """Values of a draft agreement for a proposal (back office wizard or portal)."""
        debt, discount, plan, violations = self._evaluate_proposal(
            partner, moves, policy, count, discount, first_due, date, down_payment
        )
        return {
            "partner_id": partner.commercial_partner_id.id,
            "company_id": policy.company_id.id,
            "policy_id": policy.id,
            "origin": origin,
            "date": date,
            "move_ids": [Command.set(moves.ids)],
            "principal_amount": float(debt.principal),
            "fine_amount": float(debt.fine),
            "interest_amount": float(debt.interest),
            "discount_on_charges": float(discount.on_charges),
            "discount_on_principal": float(discount.on_principal),
            "installment_interest_amount": float(plan.interest),
            "down_payment": float(to_decimal(down_payment)),
            "violation_codes": ",".join(violations),
            "installment_ids": [
                Command.create({"sequence": i.number, "date_due": i.due_date, "amount": float(i.amount)})
                for i in plan.installments
            ],
        }

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def action_confirm(self):
        """Within the policy, the agreement starts at once; outside it, a manager must approve it."""
        for agreement in self:
            if agreement.state != "draft":
                raise UserError(self.env._("Only a draft agreement can be confirmed."))
            agreement._check_plan()
            if agreement.violation_codes:
                agreement._request_approval()
            else:
                agreement._activate()
        return True

    def _first_due_error(self, date):
        return self.env._(
            "The first installment cannot be due before the agreement date (%(date)s): it would be overdue the "
            "day the agreement starts.",
            date=format_date(self.env, date),
        )

    def _check_plan(self):
        self.ensure_one()
        if not self.installment_ids:
            raise ValidationError(self.env._("The agreement has no installments."))
        if min(self.installment_ids.mapped("date_due")) < self.date:
            raise ValidationError(self._first_due_error(self.date))
        if any(inst.amount <= 0 for inst in self.installment_ids):
            raise ValidationError(self.env._("Every installment must have a positive amount."))
        if self.currency_id.compare_amounts(self.total_amount, self._expected_total()):
            raise ValidationError(
                self.env._(
                    "The installments add up to %(sum)s but the agreement is for %(total)s.",
                    sum=self.currency_id.format(self.total_amount),
                    total=self.currency_id.format(self._expected_total()),
                )
            )

    def _expected_total(self):
        return (
            self.principal_amount
            + self.fine_amount
            + self.interest_amount
            - self.discount_on_charges
            - self.discount_on_principal
            + self.installment_interest_amount
        )

    def _approvers(self):
        group = self.env.ref(MANAGER_GROUP)
        return (
            self.policy_id.approver_id
            or group.sudo().users.filtered(lambda user: self.company_id in user.company_ids and not user.share)[:1]
        )

    def _request_approval(self):
        self.write({"state": "to_approve"})
        for agreement in self:
            approver = agreement._approvers()
            agreement.activity_schedule(
                "collections_ruler.mail_activity_agreement_approval",
                summary=self.env._("Approve the agreement %(name)s", name=agreement.name),
                note=agreement.violation_text,
                user_id=approver.id or self.env.user.id,
            )
            agreement.message_post(
                body=self.env._(
                    "Outside the collection policy, sent to a manager for approval:\n%(reasons)s",
                    reasons=agreement.violation_text,
                )
            )

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collections manager can approve or reject an agreement."))

    def action_approve(self):
        self._check_manager()
        for agreement in self:
            if agreement.state != "to_approve":
                raise UserError(self.env._("Only an agreement waiting for approval can be approved."))
            agreement.write({"approved_by_id": self.env.user.id, "approved_date": fields.Datetime.now()})
            agreement.activity_feedback(
                ["collections_ruler.mail_activity_agreement_approval"],
                feedback=self.env._("Approved"),
            )
            agreement._activate()
        return True

    def action_reject(self):
        self._check_manager()
        for agreement in self:
            if agreement.state != "to_approve":
                raise UserError(self.env._("Only an agreement waiting for approval can be rejected."))
            agreement.activity_feedback(
                ["collections_ruler.mail_activity_agreement_approval"], feedback=self.env._("Rejected")
            )
            agreement.write({"state": "draft"})
            agreement.message_post(body=self.env._("Rejected by %(user)s.", user=self.env.user.name))
        return True

    # ------------------------------------------------------------------
    # Activation: settle the invoices into the agreement, bill the installments
    # ------------------------------------------------------------------
    def _activate(self):
        self.ensure_one()
        policy = self.policy_id
        policy._check_accounting_ready()
        moves = self.move_ids
        if moves - moves._collection_filter_open():
            raise UserError(self.env._("An invoice of this agreement was paid or cancelled meanwhile: start over."))
        if moves.currency_id != self.currency_id:
            raise UserError(self.env._("Agreements cover invoices in the company currency only."))
        if self.currency_id.compare_amounts(sum(moves.mapped("amount_residual")), self.principal_amount):
            raise UserError(self.env._("The invoices' open amount changed since the proposal: start over."))
        # Installments must be on sale; the settlement entry keeps them in balance.
        settlement = self._create_settlement_entry()
        installment_moves = self._create_installment_invoices()
        self.write({"state": "active", "settlement_move_id": settlement.id})
        settlement.action_post()
        installment_moves.action_post()
        self._reconcile_receivables(settlement, moves)
        clearing = policy.clearing_account_id
        (settlement.line_ids | installment_moves.line_ids).filtered(
            lambda line: line.account_id == clearing and not line.reconciled
        ).reconcile()
        self.message_post(
            body=self.env._(
                "Agreement active: %(count)s installments, %(total)s in all.",
                count=self.installment_count,
                total=self.currency_id.format(self.total_amount),
            )
        )
        moves._message_log_batch(
            bodies=dict.fromkeys(moves.ids, self.env._("Settled by the agreement %(name)s.", name=self.name))
        )
        self._send_terms()

    def _create_settlement_entry(self):
        policy, partner = self.policy_id, self.partner_id.commercial_partner_id
        lines = []
        for move in self.move_ids:
            for receivable in move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
            ):
                lines.append(
                    Command.create(
                        {
                            "name": self.env._("%(invoice)s settled by the agreement", invoice=move.name),
                            "account_id": receivable.account_id.id,
                            "partner_id": partner.id,
                            "credit": receivable.amount_residual,
                        }
                    )
                )
        income_lines = [
            (self.fine_amount, policy.fine_account_id, self.env._("Fine")),
            (self.interest_amount, policy.interest_account_id, self.env._("Late payment interest")),
            (self.installment_interest_amount, policy.interest_account_id, self.env._("Installment interest")),
        ]
        lines += [
            Command.create({"name": label, "account_id": account.id, "partner_id": partner.id, "credit": amount})
            for amount, account, label in income_lines
            if amount
        ]
        if self.discount_amount:
            lines.append(
                Command.create(
                    {
                        "name": self.env._("Discount granted"),
                        "account_id": policy.discount_account_id.id,
                        "partner_id": partner.id,
                        "debit": self.discount_amount,
                    }
                )
            )
        lines.append(
            Command.create(
                {
                    "name": self.env._("Installments of the agreement"),
                    "account_id": policy.clearing_account_id.id,
                    "partner_id": partner.id,
                    "debit": self.total_amount,
                }
            )
        )
        return self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": policy.journal_id.id,
                "date": self.date,
                "ref": self.env._("Agreement %(name)s", name=self.name),
                "company_id": self.company_id.id,
                "line_ids": lines,
            }
        )

    def _prepare_agreement_invoice_vals(self, label, account, amount, invoice_date, due_date):
        """An invoice of this agreement (an installment, or the discount charged again on breach): one line,
        no tax, on the policy's installment journal."""
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.commercial_partner_id.id,
            "journal_id": self.policy_id.installment_journal_id.id,
            "company_id": self.company_id.id,
            "invoice_date": invoice_date,
            "invoice_date_due": due_date,
            "invoice_payment_term_id": False,
            "invoice_origin": self.name,
            "invoice_user_id": self.user_id.id,
            "collection_agreement_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": label,
                        "account_id": account.id,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _create_installment_invoices(self):
        policy = self.policy_id
        installments = self.installment_ids.sorted("sequence")
        moves = self.env["account.move"].create(
            [
                {
                    **self._prepare_agreement_invoice_vals(
                        installment._label(),
                        policy.clearing_account_id,
                        installment.amount,
                        self.date,
                        installment.date_due,
                    ),
                    "collection_ruler_id": policy.installment_ruler_id.id,
                }
                for installment in installments
            ]
        )
        for installment, move in zip(installments, moves, strict=True):
            installment.move_id = move
        return moves

    @staticmethod
    def _reconcile_receivables(settlement, moves):
        for account in settlement.line_ids.account_id.filtered(lambda a: a.account_type == "asset_receivable"):
            (settlement.line_ids | moves.line_ids).filtered(
                lambda line, account=account: line.account_id == account and not line.reconciled
            ).reconcile()

    def _send_terms(self):
        if self.env.context.get("collection_history"):
            return  # an agreement of the past (the demo's month): its terms were sent back then
        template = self.env.ref("collections_ruler.mail_template_collection_agreement", raise_if_not_found=False)
        if template and self.partner_id.email:
            self.with_context(mail_notify_force_send=False).message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    # ------------------------------------------------------------------
    # End of an agreement: done, broken, cancelled
    # ------------------------------------------------------------------
    def _unpaid_installment_moves(self):
        return self.installment_ids.move_id._collection_filter_open()

    def _close_if_fulfilled(self):
        """Active agreements whose installments are all paid are done."""
        for agreement in self.filtered(lambda a: a.state == "active"):
            if agreement.installment_ids and not agreement._unpaid_installment_moves():
                agreement.state = "done"
                agreement.message_post(body=self.env._("Every installment is paid: agreement fulfilled."))

    @api.model
    def _collection_breach_candidates(self, company, day):
        """Active agreements with an installment unpaid beyond the policy's tolerance on ``day``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT a.id
                  FROM collection_agreement a
                  JOIN collection_policy p ON p.id = a.policy_id
                  JOIN account_move m ON m.collection_agreement_id = a.id
                 WHERE a.company_id = %(company)s AND a.state = 'active'
                   AND %(open)s
                   AND m.invoice_date_due + p.breach_tolerance_days < %(day)s
                 ORDER BY a.id
                """,
                company=company.id,
                day=day,
                open=open_receivable_sql("m"),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _collection_process_breaches(self, company, day):
        """Break the overdue agreements of ``company``, each in its own savepoint: one that cannot be
        broken (a policy that lost an account) is reported to its collector and the others go on.
        Returns (broken, failed)."""
        broken = failed = self.browse()
        for agreement in self._collection_breach_candidates(company, day):
            try:
                with self.env.cr.savepoint():
                    agreement._break(day)
                broken |= agreement
            except Exception as error:
                self.env.invalidate_all()
                _logger.warning("collections: agreement %s could not be broken: %s", agreement.name, error)
                agreement._report_failure(self.env._("The breach of this agreement could not be recorded"), error)
                failed |= agreement
        return broken, failed

    def _report_failure(self, what, error):
        """Tell the agreement's collector (a to-do, once) and keep the reason in the chatter."""
        self.ensure_one()
        summary = self.env._("Collections: fix agreement %(name)s", name=self.name)
        self.message_post(body=self.env._("%(what)s: %(error)s", what=what, error=str(error)))
        if not self.activity_ids.filtered(lambda activity: activity.summary == summary):
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=str(error),
                user_id=(self.user_id or self.policy_id.approver_id or self.env.ref("base.user_admin")).id,
            )

    def action_break(self):
        """Manual breach (the customer said they will not pay)."""
        for agreement in self:
            if agreement.state != "active":
                raise UserError(self.env._("Only an active agreement can be broken."))
            agreement._break(fields.Date.context_today(self))
        return True

    def _break(self, day):
        """What is unpaid falls due on ``day``, the discount on it comes back, the customer's ruler resumes."""
        self.ensure_one()
        # Accelerated installments and the discount charged again book to the policy's accounts: a policy
        # that lost one must not let them land on whatever account the journal defaults to.
        self.policy_id._check_accounting_ready()
        unpaid = self._unpaid_installment_moves()
        remaining = sum(unpaid.mapped("amount_residual"))
        revert = Discount()
        if self.policy_id.revert_discount_on_breach and self.discount_amount:
            revert = discount_to_revert(
                Discount(to_decimal(self.discount_on_charges), to_decimal(self.discount_on_principal)),
                to_decimal(self.total_amount),
                to_decimal(remaining),
                to_decimal(self.currency_id.rounding),
            )
        self._accelerate(unpaid, day)
        if revert.total:
            self.discount_revert_move_id = self._create_discount_revert(revert, day)
        self.state = "broken"
        partner = self.partner_id.commercial_partner_id
        # Counts like a broken promise in the risk score.
        partner.sudo().collection_broken_promises += 1
        self.message_post(
            body=self.env._(
                "Agreement broken: %(amount)s falls due on %(date)s%(revert)s.",
                amount=self.currency_id.format(remaining),
                date=format_date(self.env, day),
                revert=self.env._(
                    ", with %(discount)s of discount charged again",
                    discount=self.currency_id.format(float(revert.total)),
                )
                if revert.total
                else "",
            )
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Agreement %(name)s broken: call the customer", name=self.name),
            user_id=(self.user_id or self.env.user).id,
        )

    def _accelerate(self, moves, day):
        if not moves:
            return
        moves._collection_set_due_date(day)
        # The customer's own ruler takes over from the first stage.
        moves.write({"collection_ruler_id": False})
        moves.sudo().collection_stage_ids.write({"current": False})

    def _create_discount_revert(self, revert, day):
        move = self.env["account.move"].create(
            self._prepare_agreement_invoice_vals(
                self.with_context(lang=self.partner_id.lang or self.env.lang).env._(
                    "Discount of the broken agreement %(name)s", name=self.name
                ),
                self.policy_id.discount_account_id,
                float(revert.total),
                day,
                day,
            )
        )
        move.action_post()
        return move

    def action_cancel(self):
        """Undo the agreement. Before any payment every entry is reversed exactly; after one, what is
        paid stays paid and what is unpaid falls due today (no discount is charged again)."""
        for agreement in self:
            if agreement.state in ("done", "broken", "cancelled"):
                raise UserError(self.env._("This agreement is already closed."))
            if agreement.state == "active":
                installments = agreement.installment_ids.move_id
                if any(m.payment_state != "not_paid" for m in installments):
                    agreement._accelerate(agreement._unpaid_installment_moves(), fields.Date.context_today(self))
                else:
                    agreement._reverse_entries()
            agreement.activity_unlink(["collections_ruler.mail_activity_agreement_approval"])
            agreement.state = "cancelled"
            agreement.message_post(body=self.env._("Agreement cancelled."))
        return True

    def _reverse_entries(self):
        """Reverse the settlement and the installments: the original invoices are open again."""
        settlement = self.settlement_move_id
        installments = self.installment_ids.move_id
        moves = settlement | installments
        # Break the matchings first, so each reversal matches its own entry and nothing else.
        moves.line_ids.filtered("reconciled").remove_move_reconcile()
        reversals = moves._reverse_moves(
            [
                {"date": fields.Date.context_today(self), "ref": self.env._("Cancellation of %(name)s", name=m.name)}
                for m in moves
            ],
            cancel=True,
        )
        self.reversal_move_ids = reversals
        self.move_ids._message_log_batch(
            bodies=dict.fromkeys(
                self.move_ids.ids, self.env._("The agreement %(name)s was cancelled: open again.", name=self.name)
            )
        )

    def action_print(self):
        return self.env.ref("collections_ruler.action_report_collection_agreement").report_action(self)

    def action_view_invoices(self):
        self.ensure_one()
        moves = self.move_ids | self.installment_ids.move_id | self.discount_revert_move_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
        }

    def action_view_entries(self):
        self.ensure_one()
        moves = self.settlement_move_id | self.reversal_move_ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
        }
