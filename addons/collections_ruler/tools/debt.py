"""Debt update (fine and interest) and installment plans, in exact decimal arithmetic.

Everything here works on ``Decimal`` and rounds to the currency's unit once per
amount, so that what the customer is shown, what the journal entry books and what
the installments add up to are the same cents. The company's collection policy
arrives as a ``PolicyTerms``; Odoo models convert their float fields into it.

- Fine (multa): once, a percentage of the overdue principal. Brazilian consumer law
  caps it at 2 % (CDC art. 52 §1), so the cap applies to consumers whatever the
  policy says.
- Interest (juros de mora): simple, pro rata by calendar day, a monthly rate over
  30 days. No legal rate is assumed (Law 14.905/2024 made the default variable).
- Grace days: paid within them, no fine and no interest. Past them, both count
  from the due date.
- Cash discount: up to a share of the updated debt; it takes fine and interest
  first, then principal.
- Installments: equal amounts (Price table when they carry interest), rounded down
  with the remainder in the last one, so they always sum to the total and none is
  smaller than the others.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
DAYS_PER_MONTH = Decimal(30)
CONSUMER_FINE_CAP = Decimal(2)


class DebtError(ValueError):
    """Inputs no debt or plan can be made of (negative amounts, no installments...)."""


def to_decimal(value) -> Decimal:
    """Decimal of an amount; floats go through ``str`` so 0.1 stays 0.1 (Odoo hands out floats)."""
    if value is None or value is False:
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def money(value, unit=CENT) -> Decimal:
    """Round half up to the currency unit (0.01 for BRL)."""
    return to_decimal(value).quantize(to_decimal(unit), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PolicyTerms:
    """The numbers of a collection policy. Percentages are plain (2 means 2 %)."""

    fine_percent: Decimal = Decimal(2)
    interest_percent_month: Decimal = Decimal(1)
    grace_days: int = 0
    max_installments: int = 1
    min_installment_amount: Decimal = ZERO
    max_cash_discount_percent: Decimal = ZERO
    installment_interest_percent_month: Decimal = ZERO
    max_first_due_days: int = 30
    min_down_payment_percent: Decimal = ZERO
    approval_amount_limit: Decimal = ZERO  # 0: any amount may be agreed without a manager
    unit: Decimal = CENT

    def __post_init__(self):
        for name in (
            "fine_percent",
            "interest_percent_month",
            "min_installment_amount",
            "max_cash_discount_percent",
            "installment_interest_percent_month",
            "min_down_payment_percent",
            "approval_amount_limit",
        ):
            value = to_decimal(getattr(self, name))
            if value < 0:
                raise DebtError(f"{name} cannot be negative.")
            object.__setattr__(self, name, value)
        if to_decimal(self.max_cash_discount_percent) > HUNDRED or self.min_down_payment_percent > HUNDRED:
            raise DebtError("A percentage of the debt cannot exceed 100.")
        if self.grace_days < 0 or self.max_first_due_days < 0:
            raise DebtError("Days cannot be negative.")
        if self.max_installments < 1:
            raise DebtError("At least one installment must be allowed.")

    def fine_rate_for(self, consumer: bool) -> Decimal:
        return min(self.fine_percent, CONSUMER_FINE_CAP) if consumer else self.fine_percent


@dataclass(frozen=True)
class DebtUpdate:
    """One debt (or a sum of them) brought to a date."""

    principal: Decimal
    fine: Decimal = ZERO
    interest: Decimal = ZERO
    days_late: int = 0

    @property
    def charges(self) -> Decimal:
        return self.fine + self.interest

    @property
    def total(self) -> Decimal:
        return self.principal + self.fine + self.interest


def update_debt(principal, due_date, as_of, terms: PolicyTerms, consumer=False) -> DebtUpdate:
    """Fine and interest owed on ``principal`` due on ``due_date`` if paid on ``as_of``."""
    principal = money(principal, terms.unit)
    if principal < 0:
        raise DebtError("A debt cannot be negative.")
    days_late = max((as_of - due_date).days, 0)
    if days_late == 0 or days_late <= terms.grace_days:
        return DebtUpdate(principal, days_late=days_late)
    fine = money(principal * terms.fine_rate_for(consumer) / HUNDRED, terms.unit)
    interest = money(principal * terms.interest_percent_month / HUNDRED * days_late / DAYS_PER_MONTH, terms.unit)
    return DebtUpdate(principal, fine, interest, days_late)


def sum_updates(updates) -> DebtUpdate:
    updates = list(updates)
    return DebtUpdate(
        principal=sum((u.principal for u in updates), ZERO),
        fine=sum((u.fine for u in updates), ZERO),
        interest=sum((u.interest for u in updates), ZERO),
        days_late=max((u.days_late for u in updates), default=0),
    )


@dataclass(frozen=True)
class Discount:
    """A discount split into what it forgives of fine and interest, and of principal."""

    on_charges: Decimal = ZERO
    on_principal: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.on_charges + self.on_principal


def max_discount(debt: DebtUpdate, terms: PolicyTerms) -> Decimal:
    """The largest cash discount the policy allows on this debt."""
    return money(debt.total * terms.max_cash_discount_percent / HUNDRED, terms.unit)


def split_discount(debt: DebtUpdate, amount, unit=CENT) -> Discount:
    """Forgive fine and interest first, then principal."""
    amount = money(amount, unit)
    if amount < 0:
        raise DebtError("A discount cannot be negative.")
    if amount > debt.total:
        raise DebtError("The discount is larger than the debt.")
    on_charges = min(amount, debt.charges)
    return Discount(on_charges=on_charges, on_principal=amount - on_charges)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class Plan:
    """An installment plan of ``base`` (the debt after discount)."""

    base: Decimal
    installments: tuple = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.installments), ZERO)

    @property
    def interest(self) -> Decimal:
        """What the installments add over the base (installment interest)."""
        return self.total - self.base

    @property
    def count(self) -> int:
        return len(self.installments)


def price_payment(financed: Decimal, count: int, monthly_rate_percent: Decimal) -> Decimal:
    """Unrounded Price-table payment: ``PV·i / (1 − (1+i)^−n)``; with no rate, ``PV / n``."""
    rate = monthly_rate_percent / HUNDRED
    if not rate:
        return financed / count
    return financed * rate / (1 - (1 + rate) ** -count)


def plan_installments(
    base, count: int, first_due: datetime.date, monthly_rate_percent=ZERO, down_payment=ZERO, unit=CENT
) -> Plan:
    """``count`` monthly installments from ``first_due``.

    With a down payment, it is the first installment and the rest share what is
    left; installment interest (Price table) applies to what is financed, that is
    everything after the down payment. Amounts are rounded to the unit and the
    last installment takes the remainder, so the plan sums to its total exactly.
    """
    base, down_payment = money(base, unit), money(down_payment, unit)
    rate = to_decimal(monthly_rate_percent)
    if count < 1:
        raise DebtError("A plan has at least one installment.")
    if base <= 0:
        raise DebtError("There is nothing to split.")
    if down_payment < 0 or down_payment > base:
        raise DebtError("The down payment must be between zero and the debt.")
    if rate < 0:
        raise DebtError("Installment interest cannot be negative.")
    if down_payment and count == 1 and down_payment != base:
        raise DebtError("A single installment is the whole debt.")
    if down_payment == base and count > 1:
        raise DebtError("A down payment of the whole debt leaves nothing for the other installments.")
    amounts = []
    if down_payment:
        amounts.append(down_payment)
    financed_count = count - len(amounts)
    if financed_count:
        financed = base - down_payment
        payment = price_payment(financed, financed_count, rate)
        total = money(payment * financed_count, unit) if rate else financed
        # Rounded down, so the last installment (which takes the remainder) is never the smallest.
        regular = to_decimal(payment).quantize(to_decimal(unit), rounding=ROUND_DOWN)
        if regular <= 0:
            raise DebtError("Too many installments for this amount.")
        amounts += [regular] * (financed_count - 1) + [total - regular * (financed_count - 1)]
    installments = tuple(
        Installment(number, add_months(first_due, number - 1), amount) for number, amount in enumerate(amounts, start=1)
    )
    return Plan(base=base, installments=installments)


@dataclass(frozen=True)
class Option:
    """One way to settle the debt the policy allows: ``count`` installments after ``discount``."""

    count: int
    discount: Discount
    plan: Plan

    @property
    def installment_amount(self) -> Decimal:
        return self.plan.installments[0].amount

    @property
    def total(self) -> Decimal:
        return self.plan.total


def plan_options(debt: DebtUpdate, terms: PolicyTerms, first_due: datetime.date) -> list:
    """1x with the best discount, then 2x..Nx with their installments (those above the minimum)."""
    if debt.total <= 0:
        return []
    best = split_discount(debt, max_discount(debt, terms), terms.unit)
    if best.total == debt.total:  # a policy forgiving everything still asks for something
        best = Discount()
    options = [Option(1, best, plan_installments(debt.total - best.total, 1, first_due, unit=terms.unit))]
    for count in range(2, terms.max_installments + 1):
        try:
            plan = plan_installments(
                debt.total, count, first_due, terms.installment_interest_percent_month, unit=terms.unit
            )
        except DebtError:
            break  # less than a cent each
        if min(i.amount for i in plan.installments) < terms.min_installment_amount:
            break  # more installments only make them smaller
        options.append(Option(count, Discount(), plan))
    return options


# Why a proposal needs a manager; the Odoo model turns each code into a translated sentence.
VIOLATIONS = ("installments", "discount", "min_installment", "first_due", "down_payment", "amount_limit")


def policy_violations(
    debt: DebtUpdate,
    terms: PolicyTerms,
    plan: Plan,
    discount: Discount,
    agreement_date: datetime.date,
    down_payment=ZERO,
) -> list:
    """Codes of the limits a proposal goes beyond (empty: the collector may agree it alone)."""
    violations = []
    if plan.count > terms.max_installments:
        violations.append("installments")
    if discount.total > max_discount(debt, terms):
        violations.append("discount")
    if plan.count > 1 and min(i.amount for i in plan.installments) < terms.min_installment_amount:
        violations.append("min_installment")
    if plan.installments and (plan.installments[0].due_date - agreement_date).days > terms.max_first_due_days:
        violations.append("first_due")
    minimum_down = money(plan.base * terms.min_down_payment_percent / HUNDRED, terms.unit)
    if plan.count > 1 and money(down_payment, terms.unit) < minimum_down:
        violations.append("down_payment")
    if terms.approval_amount_limit and debt.total > terms.approval_amount_limit:
        violations.append("amount_limit")
    return violations


def discount_to_revert(discount: Discount, base, remaining, unit=CENT) -> Discount:
    """The share of a discount lost on breach: in proportion of the plan still unpaid.

    ``base`` is what the plan financed (debt after discount), ``remaining`` what is
    still unpaid of it. Paid installments keep the discount they earned. The parts add
    up exactly to the discount's share, rounded once.
    """
    base, remaining = money(base, unit), money(remaining, unit)
    if base <= 0 or remaining <= 0:
        return Discount()
    share = min(remaining / base, Decimal(1))
    # Round the whole once, then split it: two parts rounded apart can be a cent off the share.
    total = money(discount.total * share, unit)
    on_charges = min(money(discount.on_charges * share, unit), total)
    return Discount(on_charges, total - on_charges)
