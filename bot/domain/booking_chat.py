"""What the booking conversation reads from messages and how it masks what it shows. Pure.

Times: "10:30", "10.30", "2pm", "14h", "10 o'clock", "noon"; a bare hour ("10", "2") only when
the question was the time (hours 1-7 are afternoon hours: halls open 9:00-17:30). A part of the
day ("morning", "afternoon", "earliest") is kept as a wish until the day and the hall are known,
then becomes the first free time in it. Masks show enough to recognise one's own details and
no more: "L. H.", "•••••••34", "a•••@example.com", "+86•••••8000".
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Optional, Sequence, Tuple

from bot.domain.booking_details import normalize_code
from bot.domain.identity import MASK_CHAR

MORNING, AFTERNOON, EARLIEST = "morning", "afternoon", "earliest"
TIME_WISHES = (MORNING, AFTERNOON, EARLIEST)
NOON = dt.time(12, 0)

_AMPM = r"(?P<ampm>a\.?\s?m\.?|p\.?\s?m\.?)"
_NOT_AFTER = r"(?<![A-Za-z\d:./-])"  # "K2H3" (a code) and "2026-12-02" hold no time
_CLOCK = [
    re.compile(_NOT_AFTER + r"(?P<h>\d{1,2})[:.h](?P<m>[0-5]\d)(?![\d:./-]|\.\d)\s*" + _AMPM + r"?", re.I),
    re.compile(_NOT_AFTER + r"(?P<h>\d{1,2})\s*" + _AMPM + r"(?![a-z])", re.I),
    re.compile(_NOT_AFTER + r"(?P<h>\d{1,2})\s*(?:o'?\s?clock\b|h\b)", re.I),
]
_NOON = re.compile(r"\b(?:noon|midday)\b", re.I)
_BARE_HOUR = re.compile(r"^\s*(?:at\s+|around\s+|about\s+)?(?P<h>\d{1,2})\s*[.!]?\s*$", re.I)
_WISHES = [
    (EARLIEST, re.compile(r"\b(?:earliest|first\s+(?:free|available|possible)|as\s+(?:early|soon)\s+as\s+possible"
                          r"|asap|any\s?time|whenever)\b", re.I)),
    (MORNING, re.compile(r"\b(?:morning|forenoon|before\s+(?:noon|lunch))\b", re.I)),
    (AFTERNOON, re.compile(r"\b(?:afternoon|after\s+(?:noon|lunch))\b", re.I)),
]
# A code is 4 + 4 characters; without a hyphen it must hold a digit ("December" and
# "next week" are spelt with code letters only).
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{4})(\s?[-\u2010-\u2015]\s?|\s)?([A-Za-z0-9]{4})"
                           r"(?![A-Za-z0-9])")
_LEAD_INS = {
    "name": re.compile(r"^\s*(?:(?:my|the|his|her|their)\s+(?:full\s+)?name\s+is|name\s*:|i\s*am|i'm|it's|it\s+is"
                       r"|this\s+is|the\s+applicant\s+is)\s+", re.I),
    "passport": re.compile(r"^\s*(?:(?:my|the|his|her)\s+)?(?:passport(?:\s+(?:number|no\.?|#))?)\s*(?:is|:)?\s*"
                           r"|^\s*(?:it's|it\s+is)\s+", re.I),
    "email": re.compile(r"^\s*(?:(?:my|the|his|her)\s+)?(?:e-?mail(?:\s+address)?|address)\s*(?:is|:)?\s*"
                        r"|^\s*(?:it's|it\s+is)\s+", re.I),
    "phone": re.compile(r"^\s*(?:(?:my|the|his|her)\s+)?(?:(?:mobile|cell|tel|telephone|phone)(?:\s+number)?"
                        r"|number)\s*(?:is|:)?\s*|^\s*(?:call\s+me\s+(?:at|on)|it's|it\s+is)\s+", re.I),
}


# -- reading ----------------------------------------------------------------------------

def read_time(text: str, bare_hour: bool = False) -> Optional[str]:
    """The time asked for, as "HH:MM", or a wish ("morning", "afternoon", "earliest"); None when
    the message names neither. An impossible clock time ("25:00") counts as none."""
    text = text or ""
    for pattern in _CLOCK:
        match = pattern.search(text)
        if match:
            return _clock(int(match.group("h")), int(match.groupdict().get("m") or 0), match.groupdict().get("ampm"))
    if _NOON.search(text):
        return "12:00"
    if bare_hour:
        match = _BARE_HOUR.match(text)
        if match:
            hour = int(match.group("h"))
            return _clock(hour + 12 if 1 <= hour <= 7 else hour, 0, None)
    for wish, pattern in _WISHES:
        if pattern.search(text):
            return wish
    return None


def _clock(hour: int, minute: int, ampm: Optional[str]) -> Optional[str]:
    if ampm:
        if not 1 <= hour <= 12:
            return None
        pm = ampm.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_clock(value: Optional[str]) -> Optional[dt.time]:
    """A slot's "HH:MM" as a time; None for a wish or nothing."""
    if not value or value in TIME_WISHES:
        return None
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def pick_time(wish: str, free: Sequence[dt.time]) -> Optional[dt.time]:
    """The first free time in the wished part of the day."""
    if wish == MORNING:
        free = [t for t in free if t < NOON]
    elif wish == AFTERNOON:
        free = [t for t in free if t >= NOON]
    return free[0] if free else None


def find_code(text: str) -> Optional[str]:
    """A confirmation code written in a sentence ("move K7MQ-2XHT to Friday"), normalised."""
    for _, code in _codes(text or ""):
        return code
    return None


def _codes(text: str):
    """(match, code) for every code in ``text``; overlapping candidates are tried ("code K7MQ 2XHT")."""
    position = 0
    while True:
        match = _CODE_IN_TEXT.search(text, position)
        if match is None:
            return
        code = _code(match)
        if code:
            yield match, code
            position = match.end()
        else:
            position = match.start() + 1


def _code(match: re.Match) -> Optional[str]:
    code = normalize_code(match.group(1) + match.group(3))
    separator = (match.group(2) or "").strip()
    return code if code and (separator or any(c.isdigit() for c in code)) else None


def without_codes(text: str) -> str:
    """``text`` with anything shaped like a confirmation code blanked out (its digits are no time)."""
    text = text or ""
    for match, _ in list(_codes(text)):
        text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return text


def answer_part(kind: str, text: str) -> str:
    """The answer without a lead-in: "my name is Lena Hoffmann" -> "Lena Hoffmann"; for an e-mail
    address, the word holding the "@"."""
    text = (text or "").strip()
    stripped = _LEAD_INS[kind].sub("", text, count=1).strip() if kind in _LEAD_INS else text
    if kind == "email":
        words = [w.strip("<>()[],;:.!?\"'") for w in stripped.split() if "@" in w]
        return words[0] if len(words) == 1 else stripped
    return stripped.rstrip(".!") if kind != "name" else stripped.rstrip("!")


def looks_like_name(text: str) -> bool:
    """A name typed as such: at most six words, each starting with a capital (or written in a script
    without capitals), no question mark. Used when the intent says the message may be a question."""
    words = (text or "").split()
    if not 1 <= len(words) <= 6 or "?" in text:
        return False
    return all(not w[0].isalpha() or w[0].isupper() or not (w[0].isupper() or w[0].islower()) for w in words)


# -- masking ----------------------------------------------------------------------------

def mask_name(name: str) -> str:
    """Initials only: "Lena Hoffmann" -> "L. H."; "王小明" -> "王••"."""
    name = unicodedata.normalize("NFC", " ".join((name or "").split()))
    words = [w for w in re.split(r"[\s\-,]+", name) if any(c.isalpha() for c in w)]
    if len(words) == 1 and not _has_case(words[0]):
        return words[0][0] + MASK_CHAR * (len(words[0]) - 1)
    return " ".join(f"{next(c for c in w if c.isalpha()).upper()}." for w in words)


def _has_case(word: str) -> bool:
    return any(c.isupper() or c.islower() for c in word)


def mask_email(email: str) -> str:
    """"anna@example.com" -> "a•••@example.com"."""
    local, _, domain = (email or "").rpartition("@")
    return f"{local[:1]}{MASK_CHAR * 3}@{domain}"


def mask_phone(phone: str) -> str:
    """"+8613800138000" -> "+86•••••8000" (the first three characters and the last four)."""
    return f"{phone[:3]}{MASK_CHAR * 5}{phone[-4:]}"


# -- wording ----------------------------------------------------------------------------

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_text(day: dt.date) -> str:
    """"Wednesday 2 December 2026"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {day.strftime('%B %Y')}"


def short_day(day: dt.date) -> str:
    """"Wed 2 Dec"."""
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {day.strftime('%b')}"


def times_text(times: Sequence[dt.time]) -> str:
    return ", ".join(f"{t:%H:%M}" for t in times)


def join_names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def why_not_offered(time: dt.time, hours: Optional[Tuple[dt.time, dt.time]], breaks: Sequence[Tuple[dt.time, dt.time]],
                    slot_minutes: int, passed: bool) -> str:
    """Why ``time`` is not a slot: passed, in a break, outside the hours, or not a slot start."""
    shown = f"{time:%H:%M}"
    if passed:
        return f"{shown} has already passed today."
    for start, end in breaks:
        if start <= time < end:
            return f"{shown} is in the lunch break ({start:%H:%M}-{end:%H:%M})."
    if hours and not hours[0] <= time < hours[1]:
        return f"{shown} is outside the opening hours ({hours[0]:%H:%M}-{hours[1]:%H:%M})."
    return f"Appointments start every {slot_minutes} minutes, so {shown} is not one of the times."


def closed_text(kind: str, reason: str, day: dt.date, hall_name: str) -> str:
    """Why a day cannot be booked, in a sentence (kinds of bot.domain.bookings.ClosedReason)."""
    if kind == "past":
        return f"{day_text(day)} cannot be booked: {reason}."
    if kind == "beyond_window":
        return f"{day_text(day)} is too far ahead: {reason}."
    if kind == "holiday":
        return f"{hall_name} is closed on {day_text(day)}: it is a public holiday ({reason})."
    if kind == "weekend":
        return f"{day_text(day)} is a {reason}, and {hall_name} does not open on {reason}s."
    return f"{hall_name} is closed on {day_text(day)}: {reason}."


def nearest_days_text(earlier: Optional[dt.date], later: Optional[dt.date]) -> str:
    days = [day_text(d) for d in (earlier, later) if d is not None]
    if not days:
        return "No other day can be booked there within the booking window."
    return f"The nearest days you can book there: {' or '.join(days)}."
