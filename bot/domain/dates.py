"""Reading the dates users type: "30/9", "Sept 30th", "2026-09-30", "next Tuesday", "in 3 weeks".

Day-month order is day first. ``today`` is always passed in; nothing here reads the clock.

Explicit dates (numbers or a month name with a day) are read by our own patterns, because
dateparser silently repairs impossible ones ("2026-13-01" becomes 13 January, "31 February"
vanishes) and cannot read ISO dates when told the order is day first. Dates relative to today
("next Tuesday", "in 3 weeks") are read by bot.domain.relative_dates.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import List, Literal, Optional, Tuple

from bot.domain.relative_dates import (
    FROM_NOW, TWO_DAYS, WEEKDAY_PHRASE, WEEKDAYS, Prefer, from_now_date, search_relative, two_days_date, weekday_date,
)
Status = Literal["ok", "impossible", "conflict", "no_day", "not_a_date"]

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WD = r"(?:(?P<wd>" + "|".join(WEEKDAYS) + r"),?\s+(?:the\s+)?)?"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<y>\d{4}))?"
# Explicit dates, most specific first. Numbers glued to other digits or slashes are not dates.
EXPLICIT = [
    re.compile(_WD + r"(?<![\d/.-])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d/]|[.-]\d)", re.I),
    re.compile(_WD + r"(?<![\d/.-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
               r"(?![\d/]|[.-]\d)", re.I),
    # day/month without a year: slash only ("10.30" is a time, "5-7 days" a range)
    re.compile(_WD + r"(?<![\d/.-])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d/]|[.-]\d)", re.I),
    re.compile(_WD + r"\b(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"(?:\s+of)?\s+" + _MON + _YEAR + r"\b", re.I),
    re.compile(_WD + r"\b" + _MON + r"\s+(?:the\s+)?(?P<d>\d{1,2})" + _ORD + _YEAR + r"\b", re.I),
]
# A month without a day: understood, but not a date we can count from. Bare "may" is a verb.
MONTH_ONLY = [
    re.compile(r"\b" + _MON + r"\s+(?P<y>\d{4})\b", re.I),
    re.compile(r"\b(?:in|by|until|till|during|of|early|late|mid)\s+" + _MON + r"(?!\s*\d)\b", re.I),
]
VAGUE = re.compile(r"\b(?:next|this|last|coming)\s+(?P<unit>week|month|year)\b", re.I)
NOT_DATES = re.compile(r"(?<![\d/.-])24/7(?![\d/]|[.-]\d)")  # "open 24/7", not 24 July


@dataclass(frozen=True)
class ParsedDate:
    """A date read from user text, or why none could be read."""

    text: str  # the words that were read
    status: Status
    day: Optional[dt.date] = None  # set only when status == "ok"
    problem: Optional[str] = None  # for the user, e.g. "31 February does not exist"
    year_assumed: bool = False  # no year was given; the preferred direction chose it
    in_past: bool = False  # day is before today
    start: int = 0  # where the words are in the message
    end: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def parse_user_date(text: str, today: dt.date, prefer: Prefer = "future") -> ParsedDate:
    """Read ``text`` as one date. Never raises: unreadable or impossible input gives a ``problem``.

    ``prefer`` decides the year when none is given ("30/9" on 22 Nov 2026 is 30 Sep 2027 with
    "future", 30 Sep 2026 with "past") and whether a bare weekday is the next or the last one.
    """
    found = find_date_in_text(text or "", today, prefer)
    if found is not None:
        return found
    shown = (text or "").strip()
    return ParsedDate(shown, "not_a_date", problem=f"I could not read a date in “{shown}”", end=len(text or ""))


def find_date_in_text(message: str, today: dt.date, prefer: Prefer = "future") -> Optional[ParsedDate]:
    """The first date mentioned in a sentence (possibly impossible or vague), or None when there is none."""
    found = find_dates_in_text(message, today, prefer)
    return found[0] if found else None


def find_dates_in_text(message: str, today: dt.date, prefer: Prefer = "future") -> List[ParsedDate]:
    """Every date mentioned in ``message``, in the order they appear, without overlaps."""
    _check_prefer(prefer)
    text = NOT_DATES.sub(lambda m: " " * len(m.group()), message or "")
    found: List[ParsedDate] = []
    for pattern in EXPLICIT:
        text = _collect(pattern, text, found, lambda m: _explicit(m, today, prefer))
    text = _collect(TWO_DAYS, text, found, lambda m: _matched(m, two_days_date(m, today), today))
    text = _collect(FROM_NOW, text, found, lambda m: _matched(m, from_now_date(m, today, prefer), today))
    text = _collect(WEEKDAY_PHRASE, text, found, lambda m: _matched(m, weekday_date(m, today, prefer), today))
    for pattern in MONTH_ONLY:
        text = _collect(pattern, text, found, _month_only)
    text = _collect(VAGUE, text, found, _vague)
    found.extend(_ok(words, value, today, start, start + len(words))
                 for words, value, start in search_relative(text, today, prefer))
    return sorted(found, key=lambda p: p.start)


# -- explicit dates -------------------------------------------------------------------

def _explicit(match: re.Match, today: dt.date, prefer: Prefer) -> ParsedDate:
    groups = match.groupdict()
    words = match.group()
    span = (match.start(), match.end())
    day = int(groups["d"])
    month = MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
    year = _full_year(groups.get("y"))
    if not 1 <= month <= 12:
        hint = "" if match.re is EXPLICIT[0] else _day_first_hint(day, month, groups)
        return _impossible(words, f"{words.strip()} does not exist: there is no month {month}" + hint, span)
    problem = _missing_day(day, month, year)
    if problem:
        return _impossible(words, problem, span)
    said = WEEKDAYS[groups["wd"].lower()] if groups.get("wd") else None
    assumed = year is None
    if assumed:
        year = _pick_year(day, month, today, prefer)
        other = _pick_year(day, month, today, "past" if prefer == "future" else "future")
        if said is not None and dt.date(year, month, day).weekday() != said \
                and dt.date(other, month, day).weekday() == said:
            year = other  # "Monday 7 December": the weekday names the year
    value = dt.date(year, month, day)
    if said is not None and said != value.weekday():
        said = groups["wd"].capitalize()
        return ParsedDate(words, "conflict", problem=f"{_long(value)} is a {calendar.day_name[value.weekday()]}, "
                          f"not a {said}: which did you mean?", start=span[0], end=span[1])
    return replace(_ok(words, value, today, *span), year_assumed=assumed)


def _missing_day(day: int, month: int, year: Optional[int]) -> Optional[str]:
    """Why ``day month [year]`` is not a real date, or None when it is."""
    name = calendar.month_name[month]
    longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    if not 1 <= day <= 31:
        return f"{day} {name} does not exist"
    if day > longest:
        days = "28 or 29 days" if month == 2 else f"{longest} days"
        return f"{day} {name} does not exist ({name} has {days})"
    if month == 2 and day == 29 and year is not None and not calendar.isleap(year):
        return f"29 February {year} does not exist ({year} is not a leap year)"
    return None


def _day_first_hint(day: int, month: int, groups: dict) -> str:
    if groups.get("mon") or not 1 <= day <= 12 or month > 31:
        return ""
    return f" (dates are read day first: did you mean {month} {calendar.month_name[day]}?)"


def _pick_year(day: int, month: int, today: dt.date, prefer: Prefer) -> int:
    """The nearest year in the preferred direction in which ``day month`` exists."""
    step = 1 if prefer == "future" else -1
    year = today.year
    while True:
        if not (month == 2 and day == 29 and not calendar.isleap(year)):
            candidate = dt.date(year, month, day)
            if (candidate >= today) if prefer == "future" else (candidate <= today):
                return year
        year += step


def _full_year(text: Optional[str]) -> Optional[int]:
    if not text:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


# -- helpers --------------------------------------------------------------------------

def _month_only(match: re.Match) -> ParsedDate:
    month = calendar.month_name[MONTHS[match.group("mon").lower()]]
    year = match.groupdict().get("y")
    example = f"15 {month}" + (f" {year}" if year else "")
    return ParsedDate(match.group(), "no_day", problem=f"which day in {month}" + (f" {year}" if year else "")
                      + f"? Please give the full date, e.g. {example}", start=match.start(), end=match.end())


def _vague(match: re.Match) -> ParsedDate:
    return ParsedDate(match.group(), "no_day", start=match.start(), end=match.end(),
                      problem=f"which day {match.group().lower()}? Please give the day, e.g. “Tuesday” or “3 December”")


def _collect(pattern: re.Pattern, text: str, found: List[ParsedDate], read) -> str:
    """Append what ``read`` makes of each match and blank the matched words out of ``text``."""
    for match in list(pattern.finditer(text)):
        result = read(match)
        if result is not None:
            found.append(result)
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return text


def _ok(words: str, value: dt.date, today: dt.date, start: int, end: int) -> ParsedDate:
    return ParsedDate(words.strip(), "ok", value, in_past=value < today, start=start, end=end)


def _matched(match: re.Match, value: Optional[dt.date], today: dt.date) -> Optional[ParsedDate]:
    return _ok(match.group(), value, today, match.start(), match.end()) if value else None


def _impossible(words: str, problem: str, span: Tuple[int, int]) -> ParsedDate:
    return ParsedDate(words.strip(), "impossible", problem=problem, start=span[0], end=span[1])


def _long(day: dt.date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def _check_prefer(prefer: str) -> None:
    if prefer not in ("future", "past"):
        raise ValueError(f"prefer must be 'future' or 'past', not {prefer!r}")


def describe(parsed: ParsedDate) -> str:
    """How the date was understood, for echoing back: "30 September 2027 (year assumed)"."""
    if not parsed.ok or parsed.day is None:
        return parsed.problem or parsed.text
    return _long(parsed.day) + (" (year assumed)" if parsed.year_assumed else "")

