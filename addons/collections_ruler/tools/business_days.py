"""Brazilian business days: national holidays, bank holidays, next business day.

Sources: Lei 662/1949 and 6.802/1980 (fixed national holidays), Lei 9.093/1995
(Good Friday), Lei 14.759/2023 (Consciência Negra on 20 November from 2024) and
the FEBRABAN calendar, where banks also close on Carnival Monday and Tuesday and
on Corpus Christi. A ruler that moves a send or a due date to "the next business
day" follows the bank calendar, because that is when a payment can settle.
"""

import datetime
from functools import lru_cache

FIXED_NATIONAL_HOLIDAYS = {
    (1, 1): "Confraternização Universal",
    (4, 21): "Tiradentes",
    (5, 1): "Dia do Trabalho",
    (9, 7): "Independência do Brasil",
    (10, 12): "Nossa Senhora Aparecida",
    (11, 2): "Finados",
    (11, 15): "Proclamação da República",
    (12, 25): "Natal",
}
CONSCIENCIA_NEGRA_FIRST_YEAR = 2024


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    week_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * week_offset) // 451
    month, day = divmod(h + week_offset - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int, banking: bool) -> tuple:
    days = {datetime.date(year, m, d): name for (m, d), name in FIXED_NATIONAL_HOLIDAYS.items()}
    if year >= CONSCIENCIA_NEGRA_FIRST_YEAR:
        days[datetime.date(year, 11, 20)] = "Dia Nacional de Zumbi e da Consciência Negra"
    easter = easter_sunday(year)
    days[easter - datetime.timedelta(days=2)] = "Paixão de Cristo"
    if banking:
        days[easter - datetime.timedelta(days=48)] = "Carnaval (segunda-feira)"
        days[easter - datetime.timedelta(days=47)] = "Carnaval (terça-feira)"
        days[easter + datetime.timedelta(days=60)] = "Corpus Christi"
    return tuple(sorted(days.items()))


def brazilian_holidays(year: int, *, banking: bool = True) -> dict:
    """Holidays of ``year`` as ``{date: name}``.

    With ``banking`` (the default) the days banks are closed are included too
    (Carnival Monday and Tuesday, Corpus Christi).
    """
    return dict(_holidays(year, banking))


@lru_cache(maxsize=64)
def holiday_dates(year: int, *, banking: bool = True) -> frozenset:
    """The holidays of ``year`` as a set, for fast membership tests."""
    return frozenset(day for day, _name in _holidays(year, banking))


def is_business_day(day: datetime.date, *, banking: bool = True, extra_holidays=()) -> bool:
    """True on Monday to Friday when the day is no holiday (nor in ``extra_holidays``)."""
    if day.weekday() >= 5 or day in extra_holidays:
        return False
    return day not in holiday_dates(day.year, banking=banking)


def next_business_day(day: datetime.date, *, banking: bool = True, extra_holidays=()) -> datetime.date:
    """``day`` itself when it is a business day, else the first business day after it."""
    while not is_business_day(day, banking=banking, extra_holidays=extra_holidays):
        day += datetime.timedelta(days=1)
    return day


def add_business_days(day: datetime.date, count: int, *, banking: bool = True) -> datetime.date:
    """The date ``count`` business days after ``day`` (before it when negative)."""
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, banking=banking):
            remaining -= 1
    return day
