import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_ruler.tools.risk import InvalidHistoryError, PaymentHistory, risk_of
from collections_ruler.tools.schedule import (
    ContactWindow,
    InvalidContactWindowError,
    is_contact_allowed,
    next_contact_moment,
    weekly_cap_release,
)

DT = datetime.datetime
WINDOW = ContactWindow(hour_from=8, hour_to=20)


def test_contact_inside_the_window_on_a_business_day_goes_now():
    monday_10h = DT(2026, 11, 23, 10, 0)
    assert is_contact_allowed(monday_10h, WINDOW)
    assert next_contact_moment(monday_10h, WINDOW) == monday_10h


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (DT(2026, 11, 23, 6, 30), DT(2026, 11, 23, 8, 0)),  # too early: same day at 8h
        (DT(2026, 11, 23, 21, 0), DT(2026, 11, 24, 8, 0)),  # too late: next day
        (DT(2026, 11, 20, 10, 0), DT(2026, 11, 23, 8, 0)),  # Friday 20 Nov is Consciência Negra: Monday
        (DT(2026, 11, 21, 9, 0), DT(2026, 11, 23, 8, 0)),  # Saturday: Monday
        (DT(2026, 12, 24, 20, 0), DT(2026, 12, 28, 8, 0)),  # Christmas Eve night: past Christmas and weekend
        (DT(2027, 2, 5, 20, 30), DT(2027, 2, 10, 8, 0)),  # Friday night before Carnival: Ash Wednesday
    ],
)
def test_next_contact_moment_respects_quiet_hours_weekends_and_holidays(moment, expected):
    assert next_contact_moment(moment, WINDOW) == expected


def test_weekends_and_holidays_can_be_allowed():
    saturday = DT(2026, 11, 21, 9, 0)
    holiday = DT(2026, 11, 20, 9, 0)
    relaxed = ContactWindow(hour_from=9, hour_to=18, skip_weekends=False, skip_holidays=False)
    assert is_contact_allowed(saturday, relaxed) and is_contact_allowed(holiday, relaxed)
    assert not is_contact_allowed(holiday, ContactWindow(skip_weekends=False))
    assert next_contact_moment(DT(2026, 11, 23, 9, 0), WINDOW, extra_holidays={datetime.date(2026, 11, 23)}) == DT(
        2026, 11, 24, 8, 0
    )


@pytest.mark.parametrize(("hour_from", "hour_to"), [(20, 8), (8, 8), (-1, 10), (8, 25)])
def test_absurd_windows_are_rejected(hour_from, hour_to):
    with pytest.raises(InvalidContactWindowError, match="Contact hours"):
        ContactWindow(hour_from=hour_from, hour_to=hour_to)


@given(st.datetimes(min_value=DT(2024, 1, 1), max_value=DT(2030, 12, 31)))
def test_next_contact_moment_is_allowed_and_never_in_the_past(moment):
    result = next_contact_moment(moment, WINDOW)
    assert result >= moment.replace(microsecond=0) or result == moment
    assert is_contact_allowed(result, WINDOW)


def test_weekly_cap():
    now = DT(2026, 11, 23, 10, 0)
    sent = [DT(2026, 11, 17, 9, 0), DT(2026, 11, 19, 9, 0), DT(2026, 11, 10, 9, 0)]
    assert weekly_cap_release(sent, 3, now) is None  # only two in the last 7 days
    assert weekly_cap_release(sent, 2, now) == DT(2026, 11, 24, 9, 0)  # when the 17th leaves the window
    assert weekly_cap_release(sent, 1, now) == DT(2026, 11, 26, 9, 0)
    assert weekly_cap_release(sent, 0, now) is None


def test_risk_of_a_punctual_customer_is_low():
    history = PaymentHistory(billed=Decimal("12000"), worst_days_late=0)
    assert risk_of(history).score == 0 and risk_of(history).level == "low"


def test_risk_hand_checked_example():
    # 12,000 billed; 3,000 of it paid 20 days late (60,000 amount-days); worst 20 days;
    # 1,000 overdue now (a month of billing is 1,000: a third of the 3-month full weight); one broken promise.
    history = PaymentHistory(
        billed=Decimal("12000"),
        paid_late_amount=Decimal("3000"),
        amount_days_late=Decimal("60000"),
        worst_days_late=20,
        overdue_amount=Decimal("1000"),
        broken_promises=1,
    )
    # days late: 60000/12000 = 5 days -> 5/30 x 30 = 5.0; share late 0.25 x 25 = 6.25;
    # worst 20/90 x 20 = 4.44; overdue 1000/3000 x 20 = 6.67; promises 1/2 x 5 = 2.5 -> 24.86
    assert risk_of(history).score == 25
    assert risk_of(history).level == "medium"


def test_risk_of_a_chronic_late_payer_is_high_and_capped():
    history = PaymentHistory(
        billed=Decimal("1000"),
        paid_late_amount=Decimal("1000"),
        amount_days_late=Decimal("90000"),
        worst_days_late=200,
        overdue_amount=Decimal("5000"),
        broken_promises=4,
    )
    assert risk_of(history) == risk_of(history)  # deterministic
    assert risk_of(history).score == 100 and risk_of(history).level == "high"


def test_overdue_without_history_counts_fully():
    assert risk_of(PaymentHistory(overdue_amount=Decimal("10"))).score == 20


def test_negative_history_is_rejected():
    with pytest.raises(InvalidHistoryError, match="billed"):
        PaymentHistory(billed=Decimal("-1"))


@given(
    st.decimals(0, 10**7, places=2),
    st.decimals(0, 1, places=2),
    st.integers(0, 400),
    st.decimals(0, 10**7, places=2),
    st.integers(0, 10),
)
def test_risk_score_is_bounded_and_monotonic_in_overdue(billed, late_share, worst, overdue, promises):
    base = PaymentHistory(
        billed=billed,
        paid_late_amount=billed * late_share,
        amount_days_late=billed * late_share * 10,
        worst_days_late=worst,
        overdue_amount=overdue,
        broken_promises=promises,
    )
    worse = PaymentHistory(**{**base.__dict__, "overdue_amount": overdue + 1000})
    assert 0 <= risk_of(base).score <= 100
    assert risk_of(worse).score >= risk_of(base).score
