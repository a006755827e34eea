"""When a stage is due and when a customer may be contacted.

All moments are naive datetimes in the company's local time: the caller converts
from and to UTC, so these functions stay pure and easy to test.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .business_days import holiday_dates

WEEK = datetime.timedelta(days=7)

# The parts of the day a customer may ask to be contacted in: (from hour, to hour), local time.
CONTACT_TIME_HOURS = {"morning": (8.0, 12.0), "afternoon": (12.0, 18.0), "evening": (18.0, 21.0)}


class InvalidContactWindowError(ValueError):
    """The contact hours make no sense (start after end, outside 0-24)."""


@dataclass(frozen=True)
class ContactWindow:
    """Hours and days on which a customer may be contacted."""

    hour_from: float = 8.0
    hour_to: float = 20.0
    skip_weekends: bool = True
    skip_holidays: bool = True

    def __post_init__(self):
        if not 0 <= self.hour_from < self.hour_to <= 24:
            raise InvalidContactWindowError(
                f"Contact hours must go from an earlier to a later hour of the day "
                f"(got {self.hour_from:g} to {self.hour_to:g})."
            )


def _hour_of(moment: datetime.datetime) -> float:
    return moment.hour + moment.minute / 60 + moment.second / 3600


def _allowed_day(day: datetime.date, window: ContactWindow, extra_holidays) -> bool:
    if day in extra_holidays or (window.skip_weekends and day.weekday() >= 5):
        return False
    return not (window.skip_holidays and day in holiday_dates(day.year))


def is_contact_allowed(moment: datetime.datetime, window: ContactWindow, extra_holidays=()) -> bool:
    """True when ``moment`` falls inside the window on an allowed day."""
    return _allowed_day(moment.date(), window, extra_holidays) and (
        window.hour_from <= _hour_of(moment) < window.hour_to
    )


def next_contact_moment(moment: datetime.datetime, window: ContactWindow, extra_holidays=()) -> datetime.datetime:
    """``moment`` itself when contact is allowed then, else the start of the next allowed window."""
    if is_contact_allowed(moment, window, extra_holidays):
        return moment
    day = moment.date()
    if _hour_of(moment) >= window.hour_from or not _allowed_day(day, window, extra_holidays):
        day += datetime.timedelta(days=1)
    for _ in range(30):  # never more than a long holiday week plus weekends
        if _allowed_day(day, window, extra_holidays):
            start = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(hours=window.hour_from)
            return start.replace(microsecond=0)
        day += datetime.timedelta(days=1)
    raise InvalidContactWindowError("No day in the next 30 allows contact: check the holidays.")


def weekly_cap_release(sent: Sequence[datetime.datetime], cap: int, now: datetime.datetime) -> datetime.datetime | None:
    """None when one more contact fits in the last 7 days, else when the next one will.

    ``cap`` <= 0 means no cap.
    """
    if cap <= 0:
        return None
    recent = sorted(moment for moment in sent if now - WEEK < moment <= now)
    if len(recent) < cap:
        return None
    # The contact that must leave the window for one more to fit.
    return recent[len(recent) - cap] + WEEK
