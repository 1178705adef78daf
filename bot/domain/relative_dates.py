"""Dates given relative to today: "next Tuesday", "the day after tomorrow", "3 weeks from now",
"in 3 weeks", "3 days ago". Pure: ``today`` is always a parameter.

Weekday phrases and "the day after tomorrow" are read by our own patterns: dateparser misses or
misreads them. Other relative phrases are found with dateparser.search.search_dates and kept only
when they match a known relative shape, since it also reads noise ("may", "12", "30 days of") as dates.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import List, Literal, Optional, Tuple

from dateparser import parse as dateparser_parse
from dateparser.search import search_dates

Prefer = Literal["future", "past"]

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

WEEKDAY_PHRASE = re.compile(r"\b(?:(?P<which>next|this|coming|last|past)\s+)?(?P<wd>" + "|".join(WEEKDAYS) + r")\b",
                            re.I)
TWO_DAYS = re.compile(r"\b(?:the\s+)?day\s+(?P<dir>after\s+tomorrow|before\s+yesterday)\b", re.I)
_COUNT = r"(?P<n>\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
FROM_NOW = re.compile(r"\b" + _COUNT + r"\s+" + _UNIT + r"\s+from\s+(?:now|today)\b", re.I)
# The relative shapes a dateparser hit must have to be believed.
RELATIVE = re.compile(r"^(?:today|tomorrow|yesterday|(?P<in>in\s+)?" + _COUNT + r"\s+" + _UNIT
                      + r"(?P<ago>\s+ago)?)$", re.I)


def weekday_date(match: re.Match, today: dt.date, prefer: Prefer) -> dt.date:
    """A WEEKDAY_PHRASE match. "next Tuesday": the first Tuesday after today; "last Tuesday": the latest
    before today; "this Tuesday": today or the next one; a bare weekday follows ``prefer``."""
    which = (match.group("which") or "").lower()
    target = WEEKDAYS[match.group("wd").lower()]
    ahead = (target - today.weekday()) % 7
    if which in ("last", "past") or (not which and prefer == "past"):
        return today - dt.timedelta(days=(today.weekday() - target) % 7 or 7)
    if which == "this":
        return today + dt.timedelta(days=ahead)
    return today + dt.timedelta(days=ahead or 7)


def two_days_date(match: re.Match, today: dt.date) -> dt.date:
    """A TWO_DAYS match: the day after tomorrow or the day before yesterday."""
    return today + dt.timedelta(days=2 if match.group("dir").lower().startswith("after") else -2)


def from_now_date(match: re.Match, today: dt.date, prefer: Prefer) -> Optional[dt.date]:
    """A FROM_NOW match ("3 weeks from now"), read as "in 3 weeks"."""
    return _dateparser(f"in {_count(match.group('n'))} {match.group('unit')}s", today, prefer)


def search_relative(text: str, today: dt.date, prefer: Prefer) -> List[Tuple[str, dt.date, int]]:
    """The other relative phrases in ``text`` ("tomorrow", "in 3 weeks", "3 days ago"): each as its
    words, its date and where the words begin."""
    hits = search_dates(text, languages=["en"], settings=_settings(today, prefer)) if text.strip() else None
    found: List[Tuple[str, dt.date, int]] = []
    cursor = 0
    for words, value in hits or []:
        start = text.find(words, cursor)
        if start < 0:
            continue
        cursor = start + len(words)
        core = re.sub(r"^(?:on|by|from|since|until)\s+|[\s,.;:!?']+$", "", words.strip(), flags=re.I)
        match = RELATIVE.match(core)
        if not match or (match.group("n") and bool(match.group("in")) == bool(match.group("ago"))):
            continue  # "30 days" alone is a length of time, not a date
        exact = _dateparser(_with_digits(core, match), today, prefer) or value.date()
        found.append((core, exact, start + words.find(core)))
    return found


def _with_digits(core: str, match: re.Match) -> str:
    # dateparser is surer of "in 2 weeks" than of "in two weeks"; give it digits.
    n = match.groupdict().get("n")
    return core if not n else re.sub(r"\b" + n + r"\b", str(_count(n)), core, count=1, flags=re.I)


def _count(n: str) -> int:
    return int(n) if n.isdigit() else NUMBER_WORDS[n.lower()]


def _dateparser(text: str, today: dt.date, prefer: Prefer) -> Optional[dt.date]:
    value = dateparser_parse(text, languages=["en"], settings=_settings(today, prefer))
    return value.date() if value else None


def _settings(today: dt.date, prefer: Prefer) -> dict:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": prefer,
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
