import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collections_ruler.tools.business_days import (
    add_business_days,
    brazilian_holidays,
    easter_sunday,
    is_business_day,
    next_business_day,
)

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, D(2000, 4, 23)),
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter_matches_published_dates(year, easter):
    assert easter_sunday(year) == easter


def test_2026_bank_calendar_matches_febraban():
    holidays = brazilian_holidays(2026)
    assert sorted(holidays) == [
        D(2026, 1, 1),
        D(2026, 2, 16),
        D(2026, 2, 17),
        D(2026, 4, 3),
        D(2026, 4, 21),
        D(2026, 5, 1),
        D(2026, 6, 4),
        D(2026, 9, 7),
        D(2026, 10, 12),
        D(2026, 11, 2),
        D(2026, 11, 15),
        D(2026, 11, 20),
        D(2026, 12, 25),
    ]
    assert holidays[D(2026, 4, 3)] == "Paixão de Cristo"


def test_national_only_calendar_leaves_out_carnival_and_corpus_christi():
    national = brazilian_holidays(2025, banking=False)
    assert D(2025, 3, 3) not in national and D(2025, 3, 4) not in national
    assert D(2025, 6, 19) not in national
    assert D(2025, 4, 18) in national  # Good Friday stays


def test_consciencia_negra_is_national_only_from_2024():
    assert D(2023, 11, 20) not in brazilian_holidays(2023)
    assert D(2024, 11, 20) in brazilian_holidays(2024)


def test_next_business_day_skips_weekend_and_holidays():
    # Friday 2026-04-03 is Good Friday: the next business day is Monday 6 April.
    assert next_business_day(D(2026, 4, 3)) == D(2026, 4, 6)
    # Saturday 2026-02-14 -> Carnival Monday and Tuesday -> Wednesday 18.
    assert next_business_day(D(2026, 2, 14)) == D(2026, 2, 18)
    assert next_business_day(D(2026, 2, 14), banking=False) == D(2026, 2, 16)
    assert next_business_day(D(2026, 11, 23)) == D(2026, 11, 23)


def test_extra_holidays_are_respected():
    municipal = {D(2026, 1, 25)}  # São Paulo's anniversary, a Sunday in 2026
    assert next_business_day(D(2026, 1, 23), extra_holidays={D(2026, 1, 23)}) == D(2026, 1, 26)
    assert is_business_day(D(2026, 1, 26), extra_holidays=municipal)


def test_add_business_days_both_directions():
    assert add_business_days(D(2026, 12, 23), 2) == D(2026, 12, 28)
    assert add_business_days(D(2026, 12, 28), -2) == D(2026, 12, 23)
    assert add_business_days(D(2026, 12, 23), 0) == D(2026, 12, 23)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)), st.booleans())
def test_next_business_day_is_the_first_business_day_on_or_after(day, banking):
    result = next_business_day(day, banking=banking)
    assert result >= day
    assert is_business_day(result, banking=banking)
    assert (result - day).days <= 5
    probe = day
    while probe < result:
        assert not is_business_day(probe, banking=banking)
        probe += datetime.timedelta(days=1)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)), st.integers(-40, 40))
def test_add_business_days_counts_exactly(day, count):
    result = add_business_days(day, count)
    low, high = sorted((day, result))
    between = sum(is_business_day(low + datetime.timedelta(days=n)) for n in range(1, (high - low).days + 1))
    if count < 0:
        # walking back, the landing day counts and the start day does not
        between = between - is_business_day(day) + is_business_day(result)
    assert between == abs(count)
