"""Payment-risk score of a customer from the last twelve months of behaviour.

The score (0 to 100) weighs how late the customer pays (days late weighted by
amount), how much of what they were billed they paid late, their worst delay,
what they owe past due today relative to a normal month of billing, and promises
to pay they broke. Low risk customers can be spared pre-due reminders; high risk
ones get a firmer ruler.
"""

from dataclasses import dataclass
from decimal import Decimal

LOW_BELOW = 20
HIGH_FROM = 50
WEIGHTS = {
    "days_late": 30,  # average days late, full weight at 30 days
    "share_late": 25,  # share of the billed amount paid after its due date
    "worst_delay": 20,  # worst delay, full weight at 90 days
    "overdue": 20,  # overdue now, full weight at three months of billing
    "broken_promises": 5,  # full weight at two broken promises
}


class InvalidHistoryError(ValueError):
    """A payment history with negative amounts or days."""


@dataclass(frozen=True)
class PaymentHistory:
    billed: Decimal = Decimal(0)  # invoiced in the last 12 months
    paid_late_amount: Decimal = Decimal(0)  # part of it paid after the due date
    amount_days_late: Decimal = Decimal(0)  # sum of amount x days late of the payments
    worst_days_late: int = 0  # worst delay, paid or still open
    overdue_amount: Decimal = Decimal(0)  # open and past due today
    broken_promises: int = 0

    def __post_init__(self):
        for name in self.__dataclass_fields__:
            if getattr(self, name) < 0:
                raise InvalidHistoryError(f"{name} cannot be negative.")


@dataclass(frozen=True)
class Risk:
    score: int
    level: str  # "low", "medium" or "high"


def _decimal(value) -> Decimal:
    # Databases hand floats back for NUMERIC columns; str() keeps the decimal digits exact.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _ratio(value, full) -> Decimal:
    return min(_decimal(value) / _decimal(full), Decimal(1))


def risk_of(history: PaymentHistory) -> Risk:
    billed = _decimal(history.billed)
    monthly = billed / 12
    parts = {
        "days_late": _ratio(_decimal(history.amount_days_late) / billed, 30) if billed else Decimal(0),
        "share_late": _ratio(history.paid_late_amount, billed) if billed else Decimal(0),
        "worst_delay": _ratio(history.worst_days_late, 90),
        "overdue": (
            _ratio(history.overdue_amount, 3 * monthly) if monthly else Decimal(1 if history.overdue_amount else 0)
        ),
        "broken_promises": _ratio(history.broken_promises, 2),
    }
    score = int(sum(WEIGHTS[name] * value for name, value in parts.items()).to_integral_value())
    level = "low" if score < LOW_BELOW else "medium" if score < HIGH_FROM else "high"
    return Risk(score, level)
