"""Mainland China's working-day calendar: weekends, public holidays and adjusted working days.

Years covered by the official State Council schedule (as packaged in ``chinese_calendar``)
are answered exactly. Other years (2027 until the State Council publishes it) use provisional
holidays computed by the statutory rules (``holidays``, python-holidays): the lunar holidays
from the Chinese calendar, and a working day off for a holiday that falls on a weekend. The
weekend days that become working days are only known from the official notice, so none are
assumed. Callers must tell users the dates are provisional; ``uncovered_years`` says when
and ``schedule_note`` says what.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from chinese_calendar import constants

# Holidays fixed by calendar date since the 2025 revision of the holiday rules
# (Labour Day became 1-2 May): certain in any year. Lunar holidays (Spring Festival,
# Qingming, Dragon Boat, Mid-Autumn), the days off for holidays on a weekend and the
# weekend swaps are only official once the State Council publishes the year.
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
# python-holidays' English names (without " (observed)") -> the same words.
RULE_NAMES = {
    "New Year's Day": "New Year's Day holiday",
    "Chinese New Year's Eve": "Spring Festival holiday",
    "Chinese New Year (Spring Festival)": "Spring Festival holiday",
    "Tomb-Sweeping Day": "Qingming Festival (Tomb-sweeping Day) holiday",
    "Labor Day": "Labour Day holiday",
    "Dragon Boat Festival": "Dragon Boat Festival holiday",
    "Mid-Autumn Festival": "Mid-Autumn Festival holiday",
    "National Day": "National Day holiday",
}
MOVED_DAY_OFF = "public holiday (a weekend day off moved here)"  # the library's "Day off (substituted ...)"
PROVISIONAL = ", provisional"  # reads inside the parentheses callers put reasons in
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
    """True when government halls work on ``day`` (adjusted weekend working days included).

    In a year the official schedule does not cover, the holidays are the provisional ones by rule."""
    day = _as_date(day)
    if is_covered(day.year):
        # chinese_calendar.is_workday's own rule, read from its tables directly: the library
        # re-derives its year bounds on every call, which dominates long counts.
        return day in constants.workdays or (day.weekday() < 5 and day not in constants.holidays)
    closed, weekend_workdays = rule_calendar(day.year)
    return day in weekend_workdays or (day.weekday() < 5 and day not in closed)


def is_provisional(day: dt.date) -> bool:
    """True when ``day`` is a holiday only by the rules, not yet by a published schedule."""
    day = _as_date(day)
    return (day.year > covered_range()[1] and day in rule_calendar(day.year)[0]
            and (day.month, day.day) not in FIXED_HOLIDAYS)


@lru_cache(maxsize=None)
def rule_calendar(year: int) -> Tuple[Dict[dt.date, str], FrozenSet[dt.date]]:
    """``year``'s holidays computed by rule (day -> the words users read) and the weekend days
    the library knows to be working days (none for a year not yet published)."""
    # Imported here: the library loads every country's rules, nothing of which is needed at import time.
    from holidays.countries.china import China

    calendar = China(years=year, language="en_US")
    closed = {day: _rule_words(name, HOLIDAY_NAMES.get(FIXED_HOLIDAYS.get((day.month, day.day), "")))
              for day, name in calendar.items()}
    workdays = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return closed, workdays


def provisional_holidays(year: int) -> List[Tuple[str, dt.date, dt.date]]:
    """``year``'s rule-computed holidays as (words, first day, last day) runs of consecutive days."""
    closed, _ = rule_calendar(year)
    runs: List[Tuple[str, dt.date, dt.date]] = []
    for day in sorted(closed):
        if runs and runs[-1][0] == closed[day] and _only_weekend_between(runs[-1][2], day):
            runs[-1] = (runs[-1][0], runs[-1][1], day)
        else:
            runs.append((closed[day], day, day))
    return runs


def schedule_note(years: Sequence[int]) -> Optional[str]:
    """What users must be told about ``years`` outside the official schedule; None when all are covered."""
    first, last = covered_range()
    later = sorted({year for year in years if year > last})
    earlier = sorted({year for year in years if year < first})
    notes = []
    if later:
        named = " and ".join(str(year) for year in later)
        verb = "have" if len(later) > 1 else "has"
        dates = "; ".join(f"{year}: " + ", ".join(f"{_short(words)} {_span(start, end)}"
                                                  for words, start, end in provisional_holidays(year))
                          for year in later)
        notes.append(
            f"The official holiday schedule for {named} {verb} not been published yet. Until the State Council "
            f"publishes it, I use provisional holiday dates computed by the statutory rules ({dates}); only 1 January, "
            "1–2 May and 1–3 October are fixed by law. The weekend days that will become working days are not "
            "known yet, so dates in that period may still change.")
    if earlier:
        notes.append(f"For {', '.join(str(year) for year in earlier)} I count the holidays by the general rules, "
                     "not from the official schedule.")
    return " ".join(notes) or None


def reason_closed(day: dt.date) -> Optional[str]:
    """Why ``day`` is not a working day ("Saturday", "Spring Festival holiday", ...); None on a working day."""
    day = _as_date(day)
    if is_working_day(day):
        return None
    if is_covered(day.year):
        name = constants.holidays.get(day)  # the names get_holiday_detail gives
        if name:
            return HOLIDAY_NAMES.get(name, f"{name} holiday")
        return WEEKDAY_NAMES[day.weekday()]
    words = rule_calendar(day.year)[0].get(day)
    if words:
        return words + (PROVISIONAL if is_provisional(day) else "")
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


def _rule_words(name: str, fixed: Optional[str]) -> str:
    # Two holidays on one day come joined by "; ": the fixed-date one names the day, else the first.
    # "(observed)" marks the working day off for a holiday on a weekend, part of the same break.
    words = [_one_name(part.replace(" (observed)", "")) for part in name.split("; ")]
    return fixed if fixed in words else words[0]


def _one_name(name: str) -> str:
    if name.startswith("Day off"):
        return MOVED_DAY_OFF
    return RULE_NAMES.get(name, f"{name} holiday")


def _only_weekend_between(a: dt.date, b: dt.date) -> bool:
    return all((a + dt.timedelta(days=i)).weekday() >= 5 for i in range(1, (b - a).days))


def _short(words: str) -> str:
    return words.replace(" holiday", "").replace(" (Tomb-sweeping Day)", "")


def _span(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first.day} {first:%B}"
    if first.month == last.month:
        return f"{first.day}–{last.day} {first:%B}"
    return f"{first.day} {first:%B} – {last.day} {last:%B}"


def _as_date(day: dt.date) -> dt.date:
    # datetime is a subclass of date; comparing the two raises, so strip the time.
    return day.date() if isinstance(day, dt.datetime) else day
