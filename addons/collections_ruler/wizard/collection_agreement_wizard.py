from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.account_move import open_receivable_domain, open_receivable_domain_text
from ..tools.debt import plan_options, sum_updates

_PLAN_TABLE = Markup(
    "<table class='table table-sm'><tbody>%s</tbody>"
    "<tfoot><tr><th colspan='2'>%s</th><th class='text-end'>%s</th></tr></tfoot></table>"
)


class CollectionAgreementWizard(models.TransientModel):
    _name = "collection.agreement.wizard"
    _description = "Propose a Collection Agreement"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain=open_receivable_domain_text(
            "('commercial_partner_id', '=', partner_id)", "('company_id', '=', company_id)"
        ),
    )
    policy_id = fields.Many2one("collection.policy", required=True, domain="[('company_id', '=', company_id)]")
    date = fields.Date(string="Agreement Date", required=True, default=fields.Date.context_today)
    principal_amount = fields.Monetary(string="Principal", compute="_compute_debt")
    fine_amount = fields.Monetary(string="Fine", compute="_compute_debt")
    interest_amount = fields.Monetary(string="Interest", compute="_compute_debt")
    updated_amount = fields.Monetary(string="Updated Debt", compute="_compute_debt")
    max_discount_amount = fields.Monetary(string="Best Cash Discount", compute="_compute_debt")
    options_html = fields.Html(string="What the Policy Allows", compute="_compute_debt", sanitize=False)
    installment_count = fields.Integer(string="Installments", default=1, required=True)
    discount_amount = fields.Monetary(string="Discount")
    down_payment = fields.Monetary(help="Paid as the first installment; the rest is split in equal installments.")
    first_due_date = fields.Date(string="First Installment Due", required=True)
    preview_html = fields.Html(string="Plan", compute="_compute_preview", sanitize=False)
    violation_text = fields.Text(string="Outside the Policy", compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        moves = self.env["account.move"]
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = moves.browse(context["active_ids"])._collection_filter_open()
            if not moves:
                raise UserError(self.env._("Select open customer invoices to propose an agreement."))
            partner = moves.commercial_partner_id[:1]
        elif context.get("active_model") == "res.partner" and context.get("active_id"):
            partner = self.env["res.partner"].browse(context["active_id"]).commercial_partner_id
            moves = moves.search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", self.env.company.id),
                    ("invoice_date_due", "<", fields.Date.context_today(self)),
                    ("collection_agreement_id", "=", False),
                    *open_receivable_domain(),
                ]
            )
        else:
            return values
        today = fields.Date.context_today(self)
        policy = partner._collection_policy()
        values.update(
            partner_id=partner.id,
            move_ids=[Command.set(moves.ids)],
            policy_id=policy.id,
            first_due_date=today + relativedelta(days=min(7, policy.max_first_due_days)),
        )
        if policy and moves:
            debt = sum_updates(moves._collection_debt_update(today).values())
            options = plan_options(debt, policy._terms(), today)
            if options:
                values["discount_amount"] = float(options[0].discount.total)
        return values

    @api.depends("move_ids", "policy_id", "date", "first_due_date")
    def _compute_debt(self):
        for wizard in self:
            wizard.update(
                {
                    "principal_amount": 0.0,
                    "fine_amount": 0.0,
                    "interest_amount": 0.0,
                    "updated_amount": 0.0,
                    "max_discount_amount": 0.0,
                    "options_html": False,
                }
            )
            if not wizard.move_ids or not wizard.policy_id or not wizard.date:
                continue
            debt = sum_updates(wizard.move_ids._collection_debt_update(wizard.date).values())
            options = plan_options(debt, wizard.policy_id._terms(), wizard.first_due_date or wizard.date)
            wizard.update(
                {
                    "principal_amount": float(debt.principal),
                    "fine_amount": float(debt.fine),
                    "interest_amount": float(debt.interest),
                    "updated_amount": float(debt.total),
                    "max_discount_amount": float(options[0].discount.total) if options else 0.0,
                    "options_html": wizard.policy_id._render_agreement_options(debt, options, wizard.currency_id),
                }
            )

    @api.depends(
        "move_ids", "policy_id", "date", "installment_count", "discount_amount", "down_payment", "first_due_date"
    )
    def _compute_preview(self):
        Agreement = self.env["collection.agreement"]
        for wizard in self:
            wizard.preview_html = False
            wizard.violation_text = False
            if not (wizard.move_ids and wizard.policy_id and wizard.first_due_date and wizard.installment_count > 0):
                continue
            try:
                _debt, _discount, plan, violations = Agreement._evaluate_proposal(
                    wizard.partner_id,
                    wizard.move_ids,
                    wizard.policy_id,
                    wizard.installment_count,
                    wizard.discount_amount,
                    wizard.first_due_date,
                    wizard.date,
                    wizard.down_payment,
                )
            except UserError as error:  # shown while the collector types, not raised
                wizard.violation_text = error.args[0]
                continue
            fmt = wizard.currency_id.format
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (i.number, format_date(self.env, i.due_date), fmt(float(i.amount)))
                for i in plan.installments
            )
            wizard.preview_html = _PLAN_TABLE % (rows, escape(self.env._("Total")), fmt(float(plan.total)))
            probe = Agreement.new({"policy_id": wizard.policy_id.id, "company_id": wizard.company_id.id})
            wizard.violation_text = "\n".join(probe._violation_message(code) for code in violations) or False

    def _create_agreement(self):
        self.ensure_one()
        values = self.env["collection.agreement"]._prepare_proposal(
            self.partner_id,
            self.move_ids,
            self.policy_id,
            self.installment_count,
            self.discount_amount,
            self.first_due_date,
            self.date,
            self.down_payment,
        )
        return self.env["collection.agreement"].create(values)

    def action_save_draft(self):
        return self._open(self._create_agreement())

    def action_confirm(self):
        agreement = self._create_agreement()
        agreement.action_confirm()
        return self._open(agreement)

    @staticmethod
    def _open(agreement):
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.agreement",
            "res_id": agreement.id,
            "view_mode": "form",
        }
