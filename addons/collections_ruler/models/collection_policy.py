from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import formatLang

from ..tools.debt import CONSUMER_FINE_CAP, PolicyTerms, to_decimal

# Per chart of accounts, the template ids of the accounts a collection policy books to. Brazil
# (l10n_br, the CFC's referential plan): fine to "Multas e Outras Vantagens Recebidas", late
# interest to "Outras Receitas Financeiras", discounts granted in a renegotiation to
# "(-) Outras Despesas Financeiras" (a financial expense, not a deduction from gross sales).
CHART_ACCOUNTS = {
    "generic_coa": {"fine": "other_income", "interest": "other_income", "discount": "cash_discount_loss"},
    "br": {
        "fine": "account_template_30101050124",
        "interest": "account_template_30101050105",
        "discount": "account_template_30101090108",
    },
}


class CollectionPolicy(models.Model):
    _name = "collection.policy"
    _description = "Collection Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    is_default = fields.Boolean(
        string="Company Default", tracking=True, help="Applies to customers and rulers that name no policy."
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    # Debt update.
    fine_percent = fields.Float(
        string="Fine (%)",
        default=2.0,
        digits=(5, 2),
        tracking=True,
        help="Multa, charged once on the overdue amount. Consumers are never charged more than 2 % "
        "(CDC art. 52 §1), whatever this says.",
    )
    interest_percent_month = fields.Float(
        string="Interest (% a month)",
        default=1.0,
        digits=(5, 4),
        tracking=True,
        help="Juros de mora: simple, pro rata by calendar day (a month counts 30 days). Use the rate of your "
        "contracts; without one the legal rate is Selic minus IPCA (Law 14.905/2024).",
    )
    grace_days = fields.Integer(
        default=0, tracking=True, help="Paid within these days after the due date, no fine and no interest."
    )
    # Agreements.
    max_installments = fields.Integer(default=6, tracking=True)
    min_installment_amount = fields.Monetary(default=50.0, tracking=True)
    max_cash_discount_percent = fields.Float(
        string="Max Cash Discount (%)",
        default=100.0 / 3,
        digits=(5, 2),
        tracking=True,
        help="Largest discount for paying at once, as a share of the updated debt. It forgives fine and interest "
        "first, then principal.",
    )
    installment_interest_percent = fields.Float(
        string="Installment Interest (% a month)",
        digits=(5, 4),
        tracking=True,
        help="Interest of the payment plan (Price table). 0: installments without interest (sem juros).",
    )
    max_first_due_days = fields.Integer(string="Max Days to First Installment", default=30, tracking=True)
    max_promise_days = fields.Integer(
        string="Max Days of a Promise",
        default=15,
        tracking=True,
        help="How far ahead a customer may promise to pay on the portal; the ruler waits until then.",
    )
    min_down_payment_percent = fields.Float(
        string="Min Down Payment (%)", digits=(5, 2), tracking=True, help="Of the agreed total, as first installment."
    )
    approval_amount_limit = fields.Monetary(
        string="Approval Above",
        tracking=True,
        help="Agreements on debts above this amount always need a manager. 0: no limit. Proposals outside any "
        "other limit of this policy need one too.",
    )
    approver_id = fields.Many2one(
        "res.users",
        string="Approver",
        help="Gets the approval requests of proposals outside this policy. Empty: a collections manager.",
    )
    breach_tolerance_days = fields.Integer(
        string="Breach After (days)",
        default=15,
        tracking=True,
        help="An installment unpaid this many days after its due date breaks the agreement: what is left falls "
        "due at once.",
    )
    revert_discount_on_breach = fields.Boolean(
        default=True,
        tracking=True,
        help="On breach, the discount granted on what is still unpaid is charged again.",
    )
    max_reschedule_days = fields.Integer(
        string="Max Installment Postponement (days)",
        default=15,
        tracking=True,
        help="How far a collector may move an installment's due date. Beyond it, only a manager.",
    )
    installment_ruler_id = fields.Many2one(
        "collection.ruler",
        string="Installments Ruler",
        domain="[('usage', '=', 'agreement'), ('company_id', '=', company_id)]",
        help="Follows the installments while the agreement holds. After a breach, the customer's own ruler.",
    )
    # Accounting.
    journal_id = fields.Many2one(
        "account.journal",
        string="Agreements Journal",
        domain="[('type', '=', 'general')]",
        help="Books the entry that settles the original invoices into the agreement.",
    )
    installment_journal_id = fields.Many2one(
        "account.journal", string="Installments Journal", domain="[('type', '=', 'sale')]"
    )
    fine_account_id = fields.Many2one(
        "account.account",
        string="Fine Income",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Late fines received (multas): on the Brazilian chart, Multas e Outras Vantagens Recebidas.",
    )
    interest_account_id = fields.Many2one(
        "account.account",
        string="Interest Income",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Late payment and installment interest received (juros ativos): financial income.",
    )
    discount_account_id = fields.Many2one(
        "account.account",
        string="Discounts Granted",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Discounts granted in a renegotiation are a financial expense (descontos concedidos), not a "
        "deduction from sales.",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        string="Agreements Clearing Account",
        domain="[('reconcile', '=', True), ('account_type', '=', 'asset_current')]",
        help="Bridges the settlement entry and the installment invoices; its balance is zero once they are posted.",
    )
    consumer_fine_warning = fields.Boolean(compute="_compute_consumer_fine_warning")

    _sql_constraints = [
        ("fine_range", "CHECK(fine_percent >= 0 AND fine_percent <= 100)", "The fine must be between 0 and 100 %."),
        ("interest_positive", "CHECK(interest_percent_month >= 0)", "Interest cannot be negative."),
        ("installments_positive", "CHECK(max_installments >= 1)", "At least one installment must be allowed."),
        (
            "discount_range",
            "CHECK(max_cash_discount_percent >= 0 AND max_cash_discount_percent <= 100)",
            "The discount must be between 0 and 100 %.",
        ),
        (
            "days_positive",
            "CHECK(grace_days >= 0 AND max_first_due_days >= 0 AND breach_tolerance_days >= 0)",
            "Days cannot be negative.",
        ),
    ]

    @api.depends("fine_percent")
    def _compute_consumer_fine_warning(self):
        for policy in self:
            policy.consumer_fine_warning = to_decimal(policy.fine_percent) > CONSUMER_FINE_CAP

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for policy in self.filtered(lambda p: p.is_default and p.active):
            if self.search_count(
                [("company_id", "=", policy.company_id.id), ("is_default", "=", True), ("id", "!=", policy.id)]
            ):
                raise ValidationError(
                    self.env._("%(company)s already has a default collection policy.", company=policy.company_id.name)
                )

    @api.constrains(
        "min_installment_amount", "approval_amount_limit", "installment_interest_percent", "min_down_payment_percent"
    )
    def _check_amounts(self):
        for policy in self:
            if policy.min_installment_amount < 0 or policy.approval_amount_limit < 0:
                raise ValidationError(self.env._("Amounts of a collection policy cannot be negative."))
            if policy.installment_interest_percent < 0 or not 0 <= policy.min_down_payment_percent <= 100:
                raise ValidationError(self.env._("Percentages of a collection policy must be between 0 and 100."))

    def _charges_split(self, difference, expected_fine, fine_label, interest_label):
        """[(account id, label, amount)] of what a payment brought above the open amount: the fine first
        (at most ``expected_fine``, the policy's fine that day), the rest interest, each to its account.
        The one rule for Pix and boleto payments; raises without the accounts."""
        if not self or not self.fine_account_id or not self.interest_account_id:
            raise UserError(self.env._("No fine and interest accounts in the collection policy."))
        fine = min(expected_fine, difference)
        return [
            (self.fine_account_id.id, fine_label, float(fine)),
            (self.interest_account_id.id, interest_label, float(difference - fine)),
        ]

    def _terms(self):
        """The policy as plain numbers for ``tools.debt``."""
        self.ensure_one()
        return PolicyTerms(
            fine_percent=to_decimal(self.fine_percent),
            interest_percent_month=to_decimal(self.interest_percent_month),
            grace_days=self.grace_days,
            max_installments=self.max_installments,
            min_installment_amount=to_decimal(self.min_installment_amount),
            max_cash_discount_percent=to_decimal(round(self.max_cash_discount_percent, 2)),
            installment_interest_percent_month=to_decimal(self.installment_interest_percent),
            max_first_due_days=self.max_first_due_days,
            min_down_payment_percent=to_decimal(self.min_down_payment_percent),
            approval_amount_limit=to_decimal(self.approval_amount_limit),
            unit=to_decimal(self.currency_id.rounding or 0.01),
        )

    def _agreement_terms(self, partner):
        """The terms a customer accepts with an agreement under this policy, one sentence each: printed on
        the termo de acordo and shown (and recorded) where the customer accepts it on the portal."""
        self.ensure_one()
        terms = self._terms()
        fine = terms.fine_rate_for(partner.with_company(self.company_id)._collection_is_consumer())
        breach = self.env._(
            "An installment unpaid %(days)s days after its due date breaks this agreement: everything still due "
            "falls due at once.",
            days=self.breach_tolerance_days,
        )
        if self.revert_discount_on_breach:
            breach += " " + self.env._("The discount granted on what is still due is charged again.")
        # in the reader's number format ("2,00" in Portuguese)
        fine_text = formatLang(self.env, float(fine), digits=2)
        interest_text = formatLang(self.env, self.interest_percent_month, digits=2)
        return [
            self.env._("Each installment is billed separately and can be paid like any invoice of the creditor."),
            self.env._("The original invoices are considered settled by this agreement while it is honoured."),
            breach,
            self.env._(
                "Late installments bear a %(fine)s%% fine and %(interest)s%% a month interest, pro rata by day.",
                fine=fine_text,
                interest=interest_text,
            ),
            self.env._("Paying the installments is the debtor's acceptance of these terms."),
        ]

    def _render_agreement_options(self, debt, options, currency, lang=None):
        """The options table (``tools.debt.plan_options``) as customers read it: the one rendering used by
        negotiation messages and by the agreement wizard."""
        if not options:
            return False
        return (
            self.env["ir.qweb"]
            .with_context(lang=lang or self.env.lang)
            ._render(
                "collections_ruler.collection_agreement_options",
                {
                    "options": [
                        {
                            "count": option.count,
                            "installment": float(option.installment_amount),
                            "discount": float(option.discount.total),
                            "total": float(option.total),
                        }
                        for option in options
                    ],
                    "debt_total": float(debt.total),
                    "currency": currency,
                },
            )
        )

    def _check_accounting_ready(self):
        self.ensure_one()
        missing = [
            self._fields[name].get_description(self.env)["string"]
            for name in (
                "journal_id",
                "installment_journal_id",
                "fine_account_id",
                "interest_account_id",
                "discount_account_id",
                "clearing_account_id",
            )
            if not self[name]
        ]
        if missing:
            raise ValidationError(
                self.env._(
                    "The collection policy %(policy)s needs these accounting settings first: %(fields)s.",
                    policy=self.display_name,
                    fields=", ".join(missing),
                )
            )

    @api.model
    def _install_default_policies(self, companies=None):
        """One default policy per company with a chart of accounts, its accounts picked from the chart."""
        self = self.sudo()
        companies = companies if companies is not None else self.env["res.company"].search([])
        with_default = (
            self.with_context(active_test=False)
            .search([("company_id", "in", companies.ids), ("is_default", "=", True)])
            .company_id
        )
        created = self
        for company in companies - with_default:
            if not company.chart_template:
                continue  # no accounts yet: the chart's installation calls us again
            policy = self.with_company(company).create(self._default_policy_values(company))
            policy._translate_default_names()
            created |= policy
        return created

    def _translate_default_names(self):
        """The names this module gives the default policy and its clearing account, in every installed
        language (they are made by code, not loaded from data files that Odoo would translate)."""
        for code, _label in self.env["res.lang"].get_installed():
            translated = self.with_context(lang=code)
            for policy in translated:
                policy.name = translated.env._("Standard Policy")
                clearing = policy.clearing_account_id
                if clearing and clearing.with_context(lang="en_US").name == "Collection Agreements to Invoice":
                    clearing.name = translated.env._("Collection Agreements to Invoice")

    @api.model
    def _default_policy_values(self, company):
        Account = self.env["account.account"].with_company(company)
        Journal = self.env["account.journal"].with_company(company)
        company_domain = [*Account._check_company_domain(company), ("deprecated", "=", False)]

        def first_account(*domains):
            for domain in domains:
                account = Account.search([*company_domain, *domain], limit=1)
                if account:
                    return account
            return Account

        def chart_account(role):
            """The account the company's chart template names for ``role``, by its template id."""
            xmlid = CHART_ACCOUNTS.get(company.chart_template, {}).get(role)
            if not xmlid:
                return Account
            account = self.env["account.chart.template"].with_company(company).ref(xmlid, raise_if_not_found=False)
            return account if account and not account.deprecated else Account

        receivable = company.partner_id.with_company(company).property_account_receivable_id
        clearing = first_account(
            [
                ("account_type", "=", "asset_current"),
                ("reconcile", "=", True),
                ("name", "=", self.env._("Collection Agreements to Invoice")),
            ]
        )
        if not clearing and receivable:
            clearing = Account.create(
                {
                    "name": self.env._("Collection Agreements to Invoice"),
                    "code": Account._search_new_account_code(receivable.code),
                    "account_type": "asset_current",
                    "reconcile": True,
                    "company_ids": [(6, 0, company.ids)],
                }
            )
        ruler = self.env["collection.ruler"].search(
            [("company_id", "=", company.id), ("usage", "=", "agreement")], limit=1
        )
        return {
            "name": self.env._("Standard Policy"),
            "is_default": True,
            "company_id": company.id,
            "journal_id": Journal.search(
                [*Journal._check_company_domain(company), ("type", "=", "general")], limit=1
            ).id,
            "installment_journal_id": Journal.search(
                [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
            ).id,
            "fine_account_id": (
                chart_account("fine")
                or first_account(
                    [("account_type", "=", "income_other"), ("name", "ilike", "multa")],
                    [("account_type", "=", "income_other"), ("name", "ilike", "fine")],
                    [("account_type", "=", "income_other")],
                    [("account_type", "=", "income")],
                )
            ).id,
            "interest_account_id": (
                chart_account("interest")
                or first_account(
                    [("account_type", "=", "income_other"), ("name", "ilike", "financial income")],
                    [("account_type", "=", "income_other"), ("name", "ilike", "interest")],
                    [("account_type", "=", "income_other")],
                    [("account_type", "=", "income")],
                )
            ).id,
            "discount_account_id": (
                chart_account("discount")
                or first_account(
                    [("account_type", "=", "expense"), ("name", "ilike", "discount")],
                    [("account_type", "=", "expense")],
                )
            ).id,
            "clearing_account_id": clearing.id,
            "installment_ruler_id": ruler.id,
        }
