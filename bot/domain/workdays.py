"""Mainland China's working-day calendar: weekends, public holidays and adjusted working days.

Years covered by the official State Council schedule (as packaged in ``chinese_calendar``)
are answered exactly. Other years fall back to what is fixed by law: weekends and the
fixed-date statutory holidays are closed, every other day is a working day. Callers
must tell users about that fallback; ``uncovered_years`` says when it applies.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import List, Optional, Tuple

from chinese_calendar import constants

# Holidays fixed by calendar date since the 2025 revision of the holiday rules
# (Labour Day became 1-2 May). Lunar holidays (Spring Festival, Qingming, Dragon
# Boat, Mid-Autumn) and the weekend swaps around them are only known once published.
FIXED_HOLIDAYS = {
    (1, 1): "New Year's Day",
    (5, 1): "Labour Day",
    (5, 2): "Labour Day",
    (10, 1): "National Day",
    (10, 2): "National Day",
    (10, 3): "National Day",
}

# chinese_calendar's holiday names -> the words users read.
HOLIDAY_NAMES = {
    "New Year's Day": "New Year's Day holiday",
    "Spring Festival": "Spring Festival holiday",
    "Tomb-sweeping Day": "Qingming Festival (Tomb-sweeping Day) holiday",
    "Labour Day": "Labour Day holiday",
    "Dragon Boat Festival": "Dragon Boat Festival holiday",
    "Mid-autumn Festival": "Mid-Autumn Festival holiday",
    "National Day": "National Day holiday",
    "Anti-Fascist 70th Day": "Victory Day holiday (70th anniversary of the end of World War II)",
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=1)
def covered_range() -> Tuple[int, int]:
    """First and last year of the official schedule, as read from the library's data."""
    # The same bounds chinese_calendar itself validates against (its holiday table).
    return min(constants.holidays).year, max(constants.holidays).year


def is_covered(year: int) -> bool:
    """True when the official holiday schedule for ``year`` is known."""
    first, last = covered_range()
    return first <= year <= last


def uncovered_years(start: dt.date, end: dt.date) -> List[int]:
    """Years between ``start`` and ``end`` (either order, inclusive) that the official schedule does not cover."""
    low, high = sorted((_as_date(start), _as_date(end)))
    return [year for year in range(low.year, high.year + 1) if not is_covered(year)]


def is_working_day(day: dt.date) -> bool:
    """True when government halls work on ``day`` (adjusted weekend working days included)."""
    day = _as_date(day)
    if is_covered(day.year):
        # chinese_calendar.is_workday's own rule, read from its tables directly: the library
        # re-derives its year bounds on every call, which dominates long counts.
        return day in constants.workdays or (day.weekday() < 5 and day not in constants.holidays)
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def reason_closed(day: dt.date) -> Optional[str]:
    """Why ``day`` is not a working day ("Saturday", "Spring Festival holiday", ...); None on a working day."""
    day = _as_date(day)
    if is_working_day(day):
        return None
    if is_covered(day.year):
        name = constants.holidays.get(day)  # the names get_holiday_detail gives
    else:
        name = FIXED_HOLIDAYS.get((day.month, day.day))
    if name:
        return HOLIDAY_NAMES.get(name, f"{name} holiday")
    return WEEKDAY_NAMES[day.weekday()]


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    day = _as_date(day) + dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_working_day(day: dt.date) -> dt.date:
    """The last working day strictly before ``day``."""
    day = _as_date(day) - dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start``; ``start`` itself is day 0 and never counted.

    ``n == 0`` gives ``start`` when it is a working day, else the next working day.
    A negative ``n`` counts back: the ``|n|``-th working day before ``start``.
    """
    day = _as_date(start)
    if n == 0:
        return day if is_working_day(day) else next_working_day(day)
    step = next_working_day if n > 0 else previous_working_day
    for _ in range(abs(n)):
        day = step(day)
    return day


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    So ``working_days_between(d, add_working_days(d, n)) == n`` for every working day ``d``.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a)
    return sum(1 for offset in range(1, (b - a).days + 1) if is_working_day(a + dt.timedelta(days=offset)))


def closed_days(a: dt.date, b: dt.date) -> List[Tuple[dt.date, str]]:
    """Non-working days after ``a`` up to and including ``b``, each with the reason it is closed."""
    a, b = _as_date(a), _as_date(b)
    days = (a + dt.timedelta(days=offset) for offset in range(1, (b - a).days + 1))
    return [(day, reason) for day in days if (reason := reason_closed(day))]


def _as_date(day: dt.date) -> dt.date:
    # datetime is a subclass of date; comparing the two raises, so strip the time.
    return day.date() if isinstance(day, dt.datetime) else day
