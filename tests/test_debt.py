import datetime
import itertools
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from collections_ruler.tools.debt import (
    CENT,
    DebtError,
    DebtUpdate,
    Discount,
    PolicyTerms,
    add_months,
    discount_to_revert,
    max_discount,
    money,
    plan_installments,
    plan_options,
    policy_violations,
    split_discount,
    sum_updates,
    to_decimal,
    update_debt,
)

D = Decimal
DATE = datetime.date
AS_OF = DATE(2026, 3, 17)
DUE_45_DAYS_BEFORE = DATE(2026, 1, 31)  # Feb has 28 days: 28 + 17 = 45
TERMS = PolicyTerms(fine_percent=2, interest_percent_month=1)


def amounts(plan):
    return [installment.amount for installment in plan.installments]


# --- to_decimal, money, PolicyTerms -------------------------------------------------------------


def test_to_decimal_goes_through_the_shortest_repr_of_floats():
    assert to_decimal(0.1) == D("0.1") and str(to_decimal(0.1)) == "0.1"  # not 0.1000000000000000055511...
    assert to_decimal(2.675) == D("2.675")
    assert to_decimal(None) == 0 and to_decimal(False) == 0
    assert isinstance(to_decimal(None), Decimal) and isinstance(to_decimal(False), Decimal)
    assert to_decimal(7) == D(7) and to_decimal("12.34") == D("12.34")
    value = D("1.005")
    assert to_decimal(value) is value


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (D("0.125"), CENT, D("0.13")),  # half up, not half even (which would give 0.12)
        (D("0.025"), CENT, D("0.03")),  # half even would give 0.02
        (2.675, CENT, D("2.68")),  # float 2.675 is 2.67499999...: repr keeps it 2.675, so 2.68
        (D("0.004"), CENT, D("0.00")),
        (D("-0.125"), CENT, D("-0.13")),  # half away from zero
        (D("10.5"), D(1), D("11")),  # currency without cents
    ],
)
def test_money_rounds_half_up_to_the_unit(value, unit, expected):
    result = money(value, unit)
    assert result == expected and result.as_tuple().exponent == expected.as_tuple().exponent


def test_policy_terms_convert_floats_to_decimals():
    terms = PolicyTerms(fine_percent=2.5, interest_percent_month=0.1, min_installment_amount=None)
    assert terms.fine_percent == D("2.5") and isinstance(terms.fine_percent, Decimal)
    assert terms.interest_percent_month == D("0.1")
    assert terms.min_installment_amount == 0 and isinstance(terms.min_installment_amount, Decimal)
    # exactly 100 % is still a percentage of the debt
    assert PolicyTerms(max_cash_discount_percent=100, min_down_payment_percent=100).max_cash_discount_percent == 100


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fine_percent": -1}, "fine_percent cannot be negative"),
        ({"interest_percent_month": D("-0.01")}, "interest_percent_month cannot be negative"),
        ({"min_installment_amount": -5}, "min_installment_amount cannot be negative"),
        ({"installment_interest_percent_month": -1}, "installment_interest_percent_month cannot be negative"),
        ({"approval_amount_limit": -1}, "approval_amount_limit cannot be negative"),
        ({"max_cash_discount_percent": D("100.01")}, "cannot exceed 100"),
        ({"min_down_payment_percent": 101}, "cannot exceed 100"),
        ({"grace_days": -1}, "Days cannot be negative"),
        ({"max_first_due_days": -1}, "Days cannot be negative"),
        ({"max_installments": 0}, "At least one installment"),
    ],
)
def test_policy_terms_reject_absurd_numbers(kwargs, message):
    with pytest.raises(DebtError, match=message):
        PolicyTerms(**kwargs)


# --- update_debt --------------------------------------------------------------------------------


def test_update_of_a_debt_45_days_late():
    debt = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, TERMS)
    assert debt.days_late == 45
    assert debt.fine == D("20.00")  # 1,000.00 × 2 % = 20.00
    assert debt.interest == D("15.00")  # 1,000.00 × 1 % × 45 / 30 = 15.00
    assert debt.charges == D("35.00")
    assert debt.total == D("1035.00")  # 1,000.00 + 20.00 + 15.00


def test_grace_days_forgive_everything_within_them_and_nothing_past_them():
    within = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, PolicyTerms(grace_days=45))
    assert (within.fine, within.interest, within.total) == (0, 0, D("1000.00"))  # 45 late ≤ 45 of grace
    assert within.days_late == 45
    past = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, PolicyTerms(grace_days=44))
    # 45 late > 44 of grace: interest counts from the due date (45 days), not from the end of grace (1 day)
    assert (past.fine, past.interest, past.total) == (D("20.00"), D("15.00"), D("1035.00"))


@pytest.mark.parametrize("as_of", [DUE_45_DAYS_BEFORE, DATE(2026, 1, 30), DATE(2025, 12, 1)])
def test_paid_on_or_before_the_due_date_owes_nothing_more(as_of):
    debt = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, as_of, TERMS)
    assert (debt.fine, debt.interest, debt.days_late, debt.total) == (0, 0, 0, D("1000.00"))


def test_fine_is_capped_at_2_percent_for_consumers_only():
    terms = PolicyTerms(fine_percent=10, interest_percent_month=1)
    consumer = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, terms, consumer=True)
    company = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, terms, consumer=False)
    assert consumer.fine == D("20.00")  # 1,000.00 × min(10, 2) % = 20.00
    assert company.fine == D("100.00")  # 1,000.00 × 10 % = 100.00
    assert consumer.interest == company.interest == D("15.00")  # the cap is on the fine only
    # a fine below the cap is kept as is for consumers
    low = update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, PolicyTerms(fine_percent=1), consumer=True)
    assert low.fine == D("10.00")  # 1,000.00 × 1 % = 10.00


@pytest.mark.parametrize(
    ("due", "as_of", "days", "interest"),
    [
        (DATE(2026, 1, 31), DATE(2026, 3, 2), 30, D("10.00")),  # 28 days of Feb + 2 = 30: 1,000 × 1 % × 30/30
        (DATE(2028, 1, 31), DATE(2028, 3, 2), 31, D("10.33")),  # leap: 29 + 2 = 31; 10 × 31/30 = 10.333...
        (DATE(2026, 2, 1), DATE(2026, 3, 1), 28, D("9.33")),  # all of Feb 2026: 10 × 28/30 = 9.333...
        (DATE(2028, 2, 1), DATE(2028, 3, 1), 29, D("9.67")),  # all of Feb 2028: 10 × 29/30 = 9.666...
        (DATE(2026, 12, 31), DATE(2027, 1, 1), 1, D("0.33")),  # across the new year: 10 / 30 = 0.333...
    ],
)
def test_interest_is_pro_rata_by_calendar_day(due, as_of, days, interest):
    debt = update_debt(D("1000.00"), due, as_of, TERMS)
    assert debt.days_late == days
    assert debt.interest == interest
    assert debt.fine == D("20.00")  # the fine does not depend on the days


@pytest.mark.parametrize(
    ("principal", "days", "fine", "interest"),
    [
        (D("333.33"), 1, D("6.67"), D("0.11")),  # 333.33 × 2 % = 6.6666 → 6.67; × 1 % / 30 = 0.11111 → 0.11
        (D("1.25"), 30, D("0.03"), D("0.01")),  # 1.25 × 2 % = 0.025 → 0.03 (half up); × 1 % = 0.0125 → 0.01
        (D("2.50"), 30, D("0.05"), D("0.03")),  # 2.50 × 1 % = 0.025 → 0.03 (half even would give 0.02)
        (D("0.01"), 1, D("0.00"), D("0.00")),  # 0.0002 and 0.0000033 round to nothing
        (D("100.004"), 30, D("2.00"), D("1.00")),  # the principal itself is rounded to 100.00 first
    ],
)
def test_fine_and_interest_round_half_up(principal, days, fine, interest):
    debt = update_debt(principal, DATE(2026, 1, 1), DATE(2026, 1, 1) + datetime.timedelta(days=days), TERMS)
    assert (debt.fine, debt.interest) == (fine, interest)
    assert debt.total == money(principal) + fine + interest


def test_negative_debt_is_rejected():
    with pytest.raises(DebtError, match="cannot be negative"):
        update_debt(D("-0.01"), DUE_45_DAYS_BEFORE, AS_OF, TERMS)


def test_sum_updates_adds_amounts_and_keeps_the_oldest_lateness():
    total = sum_updates(
        [
            update_debt(D("1000.00"), DUE_45_DAYS_BEFORE, AS_OF, TERMS),  # 20.00 + 15.00, 45 days
            update_debt(D("300.00"), DATE(2026, 3, 7), AS_OF, TERMS),  # 6.00 + 300 × 1 % × 10/30 = 1.00
        ]
    )
    assert (total.principal, total.fine, total.interest, total.days_late) == (D(1300), D(26), D(16), 45)
    assert total.total == D("1342.00")
    assert sum_updates([]) == DebtUpdate(D(0))


# --- cash discount ------------------------------------------------------------------------------

DEBT_1035 = DebtUpdate(principal=D("1000.00"), fine=D("20.00"), interest=D("15.00"), days_late=45)


def test_max_discount_is_a_share_of_the_updated_total():
    assert max_discount(DEBT_1035, PolicyTerms(max_cash_discount_percent=10)) == D("103.50")  # 1,035 × 10 %
    assert max_discount(DEBT_1035, PolicyTerms(max_cash_discount_percent=D("3.33"))) == D("34.47")  # 34.4655
    assert max_discount(DEBT_1035, PolicyTerms()) == 0


@pytest.mark.parametrize(
    ("amount", "on_charges", "on_principal"),
    [
        (D("0"), D("0"), D("0")),
        (D("10.00"), D("10.00"), D("0")),  # less than the 35.00 of charges: all on charges
        (D("35.00"), D("35.00"), D("0")),  # exactly the charges
        (D("35.01"), D("35.00"), D("0.01")),  # one cent more goes to the principal
        (D("103.50"), D("35.00"), D("68.50")),  # 103.50 − 35.00
        (D("1035.00"), D("35.00"), D("1000.00")),  # the whole debt
        (D("10.004"), D("10.00"), D("0")),  # rounded to cents first
    ],
)
def test_split_discount_takes_fine_and_interest_first(amount, on_charges, on_principal):
    discount = split_discount(DEBT_1035, amount)
    assert (discount.on_charges, discount.on_principal) == (on_charges, on_principal)
    assert discount.total == on_charges + on_principal


def test_split_discount_with_no_charges_goes_to_the_principal():
    discount = split_discount(DebtUpdate(D("500.00")), D("50.00"))
    assert discount == Discount(on_charges=D(0), on_principal=D("50.00"))


@pytest.mark.parametrize(
    ("amount", "message"), [(D("-0.01"), "cannot be negative"), (D("1035.01"), "larger than the debt")]
)
def test_split_discount_rejects_impossible_amounts(amount, message):
    with pytest.raises(DebtError, match=message):
        split_discount(DEBT_1035, amount)


# --- add_months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (DATE(2026, 1, 31), 0, DATE(2026, 1, 31)),
        (DATE(2026, 1, 31), 1, DATE(2026, 2, 28)),
        (DATE(2028, 1, 31), 1, DATE(2028, 2, 29)),
        (DATE(2026, 1, 31), 2, DATE(2026, 3, 31)),
        (DATE(2026, 1, 31), 3, DATE(2026, 4, 30)),
        (DATE(2026, 11, 15), 2, DATE(2027, 1, 15)),
        (DATE(2026, 12, 31), 14, DATE(2028, 2, 29)),
        (DATE(2026, 3, 31), -1, DATE(2026, 2, 28)),
        (DATE(2026, 1, 15), -1, DATE(2025, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_last_day(day, months, expected):
    assert add_months(day, months) == expected


# --- plan_installments --------------------------------------------------------------------------


def test_plan_without_interest_puts_the_remainder_in_the_last_installment():
    plan = plan_installments(D("1000.00"), 3, DATE(2026, 1, 31))
    assert amounts(plan) == [D("333.33"), D("333.33"), D("333.34")]  # 1,000 / 3 = 333.333...; 1,000 − 666.66
    assert [i.number for i in plan.installments] == [1, 2, 3]
    # always counted from the first due date: Jan 31 + 1 = Feb 28, Jan 31 + 2 = Mar 31 (not Mar 28)
    assert [i.due_date for i in plan.installments] == [DATE(2026, 1, 31), DATE(2026, 2, 28), DATE(2026, 3, 31)]
    assert (plan.base, plan.total, plan.interest, plan.count) == (D("1000.00"), D("1000.00"), 0, 3)


def test_plan_dates_in_a_leap_year():
    plan = plan_installments(D("400.00"), 4, DATE(2028, 1, 31))
    assert [i.due_date for i in plan.installments] == [
        DATE(2028, 1, 31),
        DATE(2028, 2, 29),
        DATE(2028, 3, 31),
        DATE(2028, 4, 30),
    ]
    assert amounts(plan) == [D("100.00")] * 4


@pytest.mark.parametrize(
    ("base", "count", "expected"),
    [
        (D("100.00"), 3, ["33.33", "33.33", "33.34"]),  # 100 / 3 = 33.333... → 33.33; 100 − 66.66 = 33.34
        # 66.666... is rounded down to 66.66 (half up gave 66.67, 66.67 and a smaller last 66.66);
        # 200 − 2 × 66.66 = 200 − 133.32 = 66.68: the last is 2 cents above, the most n − 1 = 2 allow
        (D("200.00"), 3, ["66.66", "66.66", "66.68"]),
        (D("100.00"), 1, ["100.00"]),
        (D("0.05"), 2, ["0.02", "0.03"]),  # 0.025 is rounded down to 0.02 (not half up); 0.05 − 0.02 = 0.03
        (D("10.004"), 2, ["5.00", "5.00"]),  # the base is rounded to 10.00 first
        (D("0.03"), 3, ["0.01", "0.01", "0.01"]),  # exactly one cent each: the smallest plan of 3
        # 0.18 / 12 = 0.015 → 0.01 (half up gave 0.02 × 11 = 0.22 > 0.18 and a last of −0.04);
        # 0.18 − 11 × 0.01 = 0.07
        (D("0.18"), 12, ["0.01"] * 11 + ["0.07"]),
    ],
)
def test_plan_without_interest_examples(base, count, expected):
    plan = plan_installments(base, count, DATE(2026, 5, 10))
    assert amounts(plan) == [D(amount) for amount in expected]
    assert plan.total == money(base)


def test_plan_with_down_payment_splits_what_is_left():
    plan = plan_installments(D("1000.00"), 4, DATE(2026, 1, 31), down_payment=D("100.00"))
    assert amounts(plan) == [D("100.00"), D("300.00"), D("300.00"), D("300.00")]  # 900 / 3 = 300
    assert [i.due_date for i in plan.installments] == [
        DATE(2026, 1, 31),
        DATE(2026, 2, 28),
        DATE(2026, 3, 31),
        DATE(2026, 4, 30),
    ]
    odd = plan_installments(D("1000.00"), 4, DATE(2026, 1, 31), down_payment=D("200.00"))
    # 800 / 3 = 266.666... → 266.66; 800 − 2 × 266.66 = 800 − 533.32 = 266.68
    assert amounts(odd) == [D("200.00"), D("266.66"), D("266.66"), D("266.68")]
    whole = plan_installments(D("1000.00"), 1, DATE(2026, 1, 31), down_payment=D("1000.00"))
    assert amounts(whole) == [D("1000.00")]


def test_plan_down_payment_of_the_whole_debt_needs_a_single_installment():
    # 100.00 down on 100.00 leaves 0.00 for installments 2 and 3
    with pytest.raises(DebtError, match="whole debt leaves nothing"):
        plan_installments(D("100.00"), 3, DATE(2026, 1, 31), down_payment=D("100.00"))
    with pytest.raises(DebtError, match="whole debt leaves nothing"):  # 100.004 is rounded to 100.00 first
        plan_installments(D("100.00"), 2, DATE(2026, 1, 31), monthly_rate_percent=2, down_payment=D("100.004"))
    # one cent less leaves 0.01 for one more installment: allowed
    plan = plan_installments(D("100.00"), 2, DATE(2026, 1, 31), down_payment=D("99.99"))
    assert amounts(plan) == [D("99.99"), D("0.01")]
    # ...but not for two more: 0.01 / 2 = 0.005 → 0.00
    with pytest.raises(DebtError, match="Too many installments for this amount"):
        plan_installments(D("100.00"), 3, DATE(2026, 1, 31), down_payment=D("99.99"))


@pytest.mark.parametrize(
    ("base", "count", "rate"),
    [
        (D("0.01"), 3, 0),  # 0.01 / 3 = 0.0033... → 0.00
        (D("0.02"), 3, 0),  # 0.0066... → 0.00 (half up gave 0.01, 0.01 and a last of 0.00)
        (D("0.47"), 48, 0),  # 0.47 / 48 = 0.0097... → 0.00: one cent short of 48 installments of 0.01
        # interest does not lift it to a cent: 0.02 × 0.05 × 1.05³ / (1.05³ − 1) = 0.001157625 / 0.157625 = 0.0073
        (D("0.02"), 3, 5),
    ],
)
def test_plan_with_less_than_a_cent_per_installment_is_rejected(base, count, rate):
    with pytest.raises(DebtError, match="Too many installments for this amount"):
        plan_installments(base, count, DATE(2026, 1, 31), monthly_rate_percent=rate)


def test_plan_below_a_cent_each_is_judged_on_the_payment_with_interest():
    # 0.01 in 2 is 0.005 each without interest, but 100 % a month makes it 0.01 / (1 − 2⁻²) = 0.01 / 0.75
    # = 0.01333... → 0.01; total = round(2 × 0.01333... = 0.02666...) = 0.03; last = 0.03 − 0.01 = 0.02
    plan = plan_installments(D("0.01"), 2, DATE(2026, 1, 31), monthly_rate_percent=100)
    assert amounts(plan) == [D("0.01"), D("0.02")]


def test_plan_with_price_table_interest():
    plan = plan_installments(D("1000.00"), 3, DATE(2026, 1, 31), monthly_rate_percent=2)
    # PMT = 1,000 × 0.02 / (1 − 1.02^−3); 1.02³ = 1.061208, 1/1.061208 = 0.9423223, 1 − that = 0.0576777
    # PMT = 20 / 0.0576777 = 346.7547 → 346.75; total = round(346.7547 × 3 = 1,040.264) = 1,040.26
    # last = 1,040.26 − 2 × 346.75 = 346.76
    assert amounts(plan) == [D("346.75"), D("346.75"), D("346.76")]
    assert plan.total == D("1040.26")
    assert plan.interest == D("40.26")
    assert plan.base == D("1000.00")


def test_plan_with_down_payment_and_interest_charges_interest_on_the_financed_part_only():
    plan = plan_installments(D("1000.00"), 3, DATE(2026, 1, 31), monthly_rate_percent=2, down_payment=100)
    # financed 900 in 2: 1.02² = 1.0404, 1/1.0404 = 0.9611688, 1 − that = 0.0388312
    # PMT = 18 / 0.0388312 = 463.5446 → 463.54; total = round(927.089) = 927.09; last = 927.09 − 463.54 = 463.55
    assert amounts(plan) == [D("100.00"), D("463.54"), D("463.55")]
    assert plan.total == D("1027.09") and plan.interest == D("27.09")


def test_plan_with_price_table_interest_last_installment_at_most_count_cents_above():
    plan = plan_installments(D("1000.00"), 2, DATE(2026, 1, 31), monthly_rate_percent=2)
    # PMT = 1,000 × 0.02 × 1.02² / (1.02² − 1) = 20.808 / 0.0404 = 515.0495... → 515.04 (rounded down);
    # total = round(2 × 515.0495... = 1,030.099...) = 1,030.10; last = 1,030.10 − 515.04 = 515.06:
    # 2 cents above the regular one with 2 installments (without interest the most is 2 − 1 = 1 cent)
    assert amounts(plan) == [D("515.04"), D("515.06")]
    assert plan.total == D("1030.10")


def test_single_installment_with_interest_is_one_month_of_interest():
    plan = plan_installments(D("1000.00"), 1, DATE(2026, 1, 31), monthly_rate_percent=2)
    assert amounts(plan) == [D("1020.00")]  # 1,000 × 0.02 / (1 − 1/1.02) = 1,000 × 1.02


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"count": 0}, "at least one installment"),
        ({"count": -1}, "at least one installment"),
        ({"base": D("0")}, "nothing to split"),
        ({"base": D("0.004")}, "nothing to split"),  # rounds to 0.00
        ({"base": D("-10")}, "nothing to split"),
        ({"down_payment": D("1000.01")}, "between zero and the debt"),
        ({"down_payment": D("-1")}, "between zero and the debt"),
        ({"monthly_rate_percent": D("-0.01")}, "cannot be negative"),
        ({"count": 1, "down_payment": D("500")}, "single installment is the whole debt"),
        ({"down_payment": D("1000.00")}, "whole debt leaves nothing"),
        ({"base": D("0.02")}, "Too many installments for this amount"),  # 0.02 / 3 = 0.0066... → 0.00
        ({"down_payment": D("999.99")}, "Too many installments for this amount"),  # 0.01 / 2 = 0.005 → 0.00
    ],
)
def test_plan_rejects_impossible_inputs(kwargs, message):
    arguments = {"base": D("1000.00"), "count": 3, "first_due": DATE(2026, 1, 31)} | kwargs
    with pytest.raises(DebtError, match=message):
        plan_installments(**arguments)


# --- plan_options -------------------------------------------------------------------------------


def test_plan_options_1x_with_discount_then_installments_above_the_minimum():
    terms = PolicyTerms(max_installments=6, max_cash_discount_percent=10, min_installment_amount=300)
    options = plan_options(DEBT_1035, terms, DATE(2026, 4, 1))
    # 1x: discount 1,035 × 10 % = 103.50 (35.00 of charges, 68.50 of principal); pays 1,035 − 103.50 = 931.50
    # 2x: 517.50 each; 3x: 345.00 each; 4x: 258.75 < 300 → stop (5x and 6x are never reached)
    assert [option.count for option in options] == [1, 2, 3]
    one = options[0]
    assert one.discount == Discount(on_charges=D("35.00"), on_principal=D("68.50"))
    assert one.total == one.installment_amount == D("931.50")
    assert one.plan.installments[0].due_date == DATE(2026, 4, 1)
    assert [(o.discount, o.installment_amount, o.total) for o in options[1:]] == [
        (Discount(), D("517.50"), D("1035.00")),
        (Discount(), D("345.00"), D("1035.00")),
    ]


def test_plan_options_carry_installment_interest_but_not_on_1x():
    terms = PolicyTerms(max_installments=3, installment_interest_percent_month=2)
    options = plan_options(DebtUpdate(D("1000.00")), terms, DATE(2026, 1, 31))
    assert [o.count for o in options] == [1, 2, 3]
    assert options[0].total == D("1000.00")  # no discount allowed, no interest on 1x
    assert amounts(options[2].plan) == [D("346.75"), D("346.75"), D("346.76")]  # as in the Price example


def test_plan_options_with_no_minimum_go_up_to_max_installments():
    options = plan_options(DebtUpdate(D("100.00")), PolicyTerms(max_installments=4), DATE(2026, 1, 31))
    assert [o.count for o in options] == [1, 2, 3, 4]
    assert [o.installment_amount for o in options] == [D("100.00"), D("50.00"), D("33.33"), D("25.00")]


def test_plan_options_stop_when_the_smallest_installment_is_below_the_minimum():
    # 100.00 in 3: 33.33, 33.33, 33.34 ... in 2 with minimum 33.34: 50, 50 fine; 3x has 33.33 < 33.34
    terms = PolicyTerms(max_installments=3, min_installment_amount=D("33.34"))
    assert [o.count for o in plan_options(DebtUpdate(D("100.00")), terms, DATE(2026, 1, 31))] == [1, 2]
    # 200.00 in 3: 66.66, 66.66, 66.68: the last is above 66.67 but the others are below it
    terms = PolicyTerms(max_installments=3, min_installment_amount=D("66.67"))
    assert [o.count for o in plan_options(DebtUpdate(D("200.00")), terms, DATE(2026, 1, 31))] == [1, 2]
    # an installment exactly at the minimum is fine: 100.00 in 3 with minimum 33.33, 200.00 in 3 with 66.66
    terms = PolicyTerms(max_installments=3, min_installment_amount=D("33.33"))
    assert [o.count for o in plan_options(DebtUpdate(D("100.00")), terms, DATE(2026, 1, 31))] == [1, 2, 3]
    terms = PolicyTerms(max_installments=3, min_installment_amount=D("66.66"))
    assert [o.count for o in plan_options(DebtUpdate(D("200.00")), terms, DATE(2026, 1, 31))] == [1, 2, 3]


def test_plan_options_drop_a_discount_that_would_forgive_everything():
    terms = PolicyTerms(max_installments=2, max_cash_discount_percent=100)
    options = plan_options(DEBT_1035, terms, DATE(2026, 4, 1))
    # 1,035.00 × 100 % = 1,035.00, the whole debt: no discount, 1x pays 1,035.00; 2x: 1,035 / 2 = 517.50 each
    assert [(o.count, o.discount, amounts(o.plan)) for o in options] == [
        (1, Discount(), [D("1035.00")]),
        (2, Discount(), [D("517.50"), D("517.50")]),
    ]
    # rounding can make a smaller share forgive everything: 0.01 × 50 % = 0.005 → 0.01; 0.01 cannot be split in 2
    terms = PolicyTerms(max_installments=2, max_cash_discount_percent=50)
    options = plan_options(DebtUpdate(D("0.01")), terms, DATE(2026, 4, 1))
    assert [(o.count, o.discount, amounts(o.plan)) for o in options] == [(1, Discount(), [D("0.01")])]
    # one cent short of everything is still offered: 100.00 × 99.99 % = 99.99, so 1x pays 0.01
    terms = PolicyTerms(max_installments=1, max_cash_discount_percent=D("99.99"))
    options = plan_options(DebtUpdate(D("100.00")), terms, DATE(2026, 4, 1))
    assert [(o.count, o.discount, amounts(o.plan)) for o in options] == [
        (1, Discount(on_charges=D(0), on_principal=D("99.99")), [D("0.01")])
    ]


def test_plan_options_stop_at_less_than_a_cent_per_installment():
    # 0.02 in 2 is 0.01 each; in 3, 0.0066... → 0.00: no 3x to 12x, and no error
    options = plan_options(DebtUpdate(D("0.02")), PolicyTerms(max_installments=12), DATE(2026, 1, 31))
    assert [(o.count, amounts(o.plan)) for o in options] == [(1, [D("0.02")]), (2, [D("0.01"), D("0.01")])]
    # with 5 % a month: 2x PMT = 0.02 × 0.05 × 1.05² / (1.05² − 1) = 0.0011025 / 0.1025 = 0.01075... → 0.01,
    # total = round(0.0215...) = 0.02, last 0.01; 3x PMT = 0.001157625 / 0.157625 = 0.0073... → 0.00: stop
    terms = PolicyTerms(max_installments=12, installment_interest_percent_month=5)
    options = plan_options(DebtUpdate(D("0.02")), terms, DATE(2026, 1, 31))
    assert [(o.count, amounts(o.plan)) for o in options] == [(1, [D("0.02")]), (2, [D("0.01"), D("0.01")])]


def test_plan_options_for_nothing_owed_are_empty():
    assert plan_options(DebtUpdate(D("0")), PolicyTerms(max_installments=12), DATE(2026, 1, 31)) == []


# --- policy_violations --------------------------------------------------------------------------

AGREED_ON = DATE(2026, 3, 17)
POLICY = PolicyTerms(
    max_installments=6,
    max_cash_discount_percent=10,  # 100.00 on a 1,000.00 debt
    min_installment_amount=100,
    max_first_due_days=30,
    min_down_payment_percent=5,  # 50.00 on a 1,000.00 plan
    approval_amount_limit=5000,
)
DEBT_1000 = DebtUpdate(D("1000.00"))
NO_DOWN = D(0)


def violations(plan, discount=None, down_payment=NO_DOWN, debt=DEBT_1000, terms=POLICY):
    return policy_violations(debt, terms, plan, discount or Discount(), AGREED_ON, down_payment)


def in_days(days):
    return AGREED_ON + datetime.timedelta(days=days)


def test_compliant_proposals_have_no_violations():
    # 100.00 down (≥ 50.00), then 450.00 and 450.00 (≥ 100.00), first due in 30 days, 3 ≤ 6 installments
    plan = plan_installments(D("1000.00"), 3, in_days(30), down_payment=100)
    assert violations(plan, down_payment=D(100)) == []
    # 1x, no down payment: neither the minimum installment nor the down payment apply to a single payment
    assert violations(plan_installments(D("900.00"), 1, in_days(0)), Discount(D("100.00"))) == []
    # a single payment below the minimum installment (a small debt paid at once) is fine
    assert violations(plan_installments(D("50.00"), 1, in_days(0)), debt=DebtUpdate(D("50.00"))) == []
    # the discount may be exactly the maximum: 1,000 × 10 % = 100.00
    plan = plan_installments(D("900.00"), 6, in_days(1), down_payment=D("400.00"))  # 400, then 5 × 100.00
    assert violations(plan, Discount(D("0"), D("100.00")), D("400.00")) == []


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # 7 > 6: 100.00 down, then 900 / 6 = 150.00
        ("installments", ["installments"]),
        # 100.01 > 1,000 × 10 %
        ("discount", ["discount"]),
        # 60.00 down is ≥ 50.00 but below the minimum installment of 100.00
        ("min_installment", ["min_installment"]),
        # first due 31 days after the agreement, 30 allowed
        ("first_due", ["first_due"]),
        # no down payment in a plan of 3, 50.00 required
        ("down_payment", ["down_payment"]),
        # debt of 5,000.01 above the limit of 5,000.00 (and a plan that respects everything else)
        ("amount_limit", ["amount_limit"]),
    ],
)
def test_each_violation_alone(case, expected):
    debt, discount, down = DEBT_1000, Discount(), D("100.00")
    plan = plan_installments(D("1000.00"), 3, in_days(30), down_payment=down)
    if case == "installments":
        plan = plan_installments(D("1000.00"), 7, in_days(30), down_payment=down)
    elif case == "discount":
        discount = Discount(D("35.00"), D("65.01"))  # judged on the total, not on the principal part
        plan = plan_installments(D("899.99"), 3, in_days(30), down_payment=down)
    elif case == "min_installment":
        down = D("60.00")
        plan = plan_installments(D("1000.00"), 3, in_days(30), down_payment=down)  # 60.00, 470.00, 470.00
    elif case == "first_due":
        plan = plan_installments(D("1000.00"), 3, in_days(31), down_payment=down)
    elif case == "down_payment":
        down = D(0)
        plan = plan_installments(D("1000.00"), 3, in_days(30))  # 333.33, 333.33, 333.34
    elif case == "amount_limit":
        debt = DebtUpdate(D("5000.01"))
        down = D("500.00")  # 5,000.01 × 5 % = 250.00 ≤ 500.00
        plan = plan_installments(debt.total, 3, in_days(30), down_payment=down)
    assert violations(plan, discount, down, debt) == expected


def test_amount_limit_boundary_and_zero_means_no_limit():
    plan = plan_installments(D("5000.00"), 1, in_days(0))
    assert violations(plan, debt=DebtUpdate(D("5000.00"))) == []  # exactly the limit
    assert violations(plan, debt=DebtUpdate(D("5000.00")), terms=PolicyTerms(approval_amount_limit=D("4999.99"))) == [
        "amount_limit"
    ]
    assert violations(plan, debt=DebtUpdate(D("5000.00")), terms=PolicyTerms(approval_amount_limit=0)) == []


def test_many_violations_come_in_the_documented_order():
    plan = plan_installments(D("1000.00"), 12, in_days(45))  # 83.33 × 11 + 83.37
    got = violations(plan, Discount(D("0"), D("200.00")), debt=DebtUpdate(D("6000.00")))
    # discount 200 ≤ 6,000 × 10 % = 600 is allowed; minimum down = 1,000 × 5 % = 50.00 > 0
    assert got == ["installments", "min_installment", "first_due", "down_payment", "amount_limit"]


# --- breach -------------------------------------------------------------------------------------


def test_discount_to_revert_is_the_unpaid_share():
    discount = Discount(on_charges=D("35.00"), on_principal=D("65.00"))
    # 600 of 900 unpaid = 2/3 of 100.00 = 66.67 (rounded once); fine and interest 35 × 2/3 = 23.33,
    # principal the rest, 43.34 (rounded apart, 23.33 + 43.33 would charge back a cent too little)
    assert discount_to_revert(discount, D("900.00"), D("600.00")) == Discount(D("23.33"), D("43.34"))
    # half unpaid: 17.50 and 32.50
    assert discount_to_revert(discount, D("900.00"), D("450.00")) == Discount(D("17.50"), D("32.50"))
    # 1/3 unpaid: 33.33 in all; 11.666 → 11.67 and 21.66 (not 21.67: that would be a cent too much)
    assert discount_to_revert(discount, D("900.00"), D("300.00")) == Discount(D("11.67"), D("21.66"))
    # nothing paid, or more unpaid than the base (capped at the whole discount)
    assert discount_to_revert(discount, D("900.00"), D("900.00")) == discount
    assert discount_to_revert(discount, D("900.00"), D("1200.00")) == discount


@pytest.mark.parametrize(("base", "remaining"), [(D("900.00"), D("0")), (D("900.00"), D("-1")), (D("0"), D("10"))])
def test_discount_to_revert_nothing_when_paid_or_no_base(base, remaining):
    assert discount_to_revert(Discount(D("35.00"), D("65.00")), base, remaining) == Discount()


# --- properties ---------------------------------------------------------------------------------


@given(
    charges=st.decimals(min_value=0, max_value=10_000, places=2),
    principal=st.decimals(min_value=0, max_value=10_000, places=2),
    base=st.decimals(min_value=D("0.01"), max_value=100_000, places=2),
    remaining=st.decimals(min_value=D("0.01"), max_value=100_000, places=2),
)
def test_reverted_discount_adds_up_to_the_unpaid_share_exactly(charges, principal, base, remaining):
    discount = Discount(charges, principal)
    revert = discount_to_revert(discount, base, remaining)
    share = min(remaining / base, D(1))
    assert revert.total == (discount.total * share).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert D(0) <= revert.on_charges <= charges
    assert D(0) <= revert.on_principal <= principal + D("0.01")


amount_st = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)
rate_st = st.decimals(min_value=D("0"), max_value=D("5"), places=2)
day_st = st.dates(min_value=DATE(2024, 1, 1), max_value=DATE(2030, 12, 31))


def exact_price_payment(financed, count, rate_percent):
    rate = Fraction(rate_percent) / 100
    if not rate:
        return Fraction(financed) / count
    return Fraction(financed) * rate / (1 - (1 + rate) ** -count)


@given(amount_st, st.integers(1, 48), rate_st, st.none() | st.floats(0, 1), day_st)
def test_plan_properties(base, count, rate, down_share, first_due):
    down = D(0) if down_share is None else money(base * to_decimal(down_share))
    if count == 1 and down:
        down = base  # a single installment with a down payment is the whole debt
    financed, financed_count = base - down, count - (1 if down else 0)
    if financed_count and not financed:
        with pytest.raises(DebtError, match="whole debt leaves nothing"):
            plan_installments(base, count, first_due, rate, down)
        return
    payment = exact_price_payment(financed, financed_count, rate) if financed_count else None
    if financed_count and payment < Fraction(1, 100):
        # less than a cent each: without interest, that is fewer cents financed than installments
        assert rate or financed < CENT * financed_count
        with pytest.raises(DebtError, match="Too many installments for this amount"):
            plan_installments(base, count, first_due, rate, down)
        return
    plan = plan_installments(base, count, first_due, rate, down)
    got = amounts(plan)

    assert plan.count == count and [i.number for i in plan.installments] == list(range(1, count + 1))
    assert all(amount.as_tuple().exponent == -2 for amount in got)
    assert all(amount >= CENT for amount in got)  # none is zero or negative
    assert sum(got, D(0)) == plan.total and plan.base == base
    dates = [i.due_date for i in plan.installments]
    assert dates == [add_months(first_due, k) for k in range(count)]
    assert all(earlier < later for earlier, later in itertools.pairwise(dates))

    financed_amounts = got[1:] if down else got
    assert len(financed_amounts) == financed_count
    if down:
        assert got[0] == down
    if not financed_count:
        return
    # With n ≥ 2 financed, the regular installment R is the Price payment P rounded down: P − 0.01 < R ≤ P.
    # The financed total T is n·P rounded half up, and the last is L = T − (n − 1)·R, so
    # L − R = T − n·R = round(n·(P − R)) with 0 ≤ n·(P − R) < 0.01·n: since |T − n·P| ≤ 0.005 and L − R is
    # whole cents, 0 ≤ L − R ≤ n cents. Without interest T = n·P exactly (the financed amount), so
    # L − R = n·(P − R) < n cents: at most n − 1 cents.
    # Both bounds are reached (200.00 in 3: 66.66 + 2 cents; 1,000.00 in 2 at 2 %: 515.04 + 2 cents).
    tolerance = Fraction(1, 10**12)  # P is computed in 28-digit decimals, not exactly
    regular, last = financed_amounts[0], financed_amounts[-1]
    assert set(financed_amounts[:-1]) <= {regular}
    if financed_count > 1:  # a single financed installment is the total itself, P rounded half up
        assert Fraction(regular) <= payment + tolerance
        assert payment - Fraction(regular) < Fraction(1, 100) + tolerance
    assert D(0) <= last - regular <= CENT * (financed_count if rate else financed_count - 1)
    total = sum(financed_amounts, D(0))
    assert abs(Fraction(total) - payment * financed_count) <= Fraction(1, 200) + tolerance
    if not rate:
        assert plan.total == base and plan.interest == 0
    else:
        # never less than the base, and less than simple interest on all of it for all the months
        assert base <= plan.total <= base + money(financed * rate / 100 * financed_count) + CENT


@given(
    st.decimals(min_value=D("0"), max_value=D("10000000"), places=2),
    day_st,
    day_st,
    day_st,
    st.decimals(min_value=D("0"), max_value=D("20"), places=2),
    st.decimals(min_value=D("0"), max_value=D("10"), places=2),
    st.integers(0, 60),
    st.booleans(),
)
def test_update_debt_properties(principal, due, as_of_1, as_of_2, fine, interest, grace, consumer):
    terms = PolicyTerms(fine_percent=fine, interest_percent_month=interest, grace_days=grace)
    earlier, later = sorted([as_of_1, as_of_2])
    first, second = (update_debt(principal, due, day, terms, consumer) for day in (earlier, later))
    for debt, day in ((first, earlier), (second, later)):
        assert debt.fine >= 0 and debt.interest >= 0 and debt.principal == principal
        assert debt.days_late == max((day - due).days, 0)
        if debt.days_late <= grace:
            assert debt.charges == 0
        if consumer:
            assert debt.fine <= money(principal * 2 / 100)
    assert second.fine >= first.fine and second.interest >= first.interest and second.total >= first.total


@given(
    st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
    st.decimals(min_value=D("0"), max_value=D("10000"), places=2),
    st.decimals(min_value=D("0"), max_value=D("10000"), places=2),
    st.data(),
)
def test_split_discount_properties(principal, fine, interest, data):
    debt = DebtUpdate(principal, fine, interest)
    assume(debt.total > 0)
    amount = data.draw(st.decimals(min_value=D("0"), max_value=debt.total, places=2))
    discount = split_discount(debt, amount)
    assert discount.on_charges + discount.on_principal == discount.total == amount
    assert 0 <= discount.on_charges <= debt.charges and 0 <= discount.on_principal <= debt.principal
    assert (discount.on_principal > 0) == (amount > debt.charges)
