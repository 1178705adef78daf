"""A booking's details: confirmation codes, passport and contact checks, the booking as callers see it. Pure.

Codes use a Crockford-like alphabet without 0/O, 1/I/L (and U), drawn with ``secrets``:
8 characters (30**8, about 6.6e11 codes), written "ABCD-EFGH".
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Literal, Optional

from bot.domain.identity import InvalidPassport, parse_passport, parse_passport_input

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
STATUSES = ("held", "booked", "cancelled", "rescheduled", "attended", "no_show")
ACTIVE_STATUSES = ("booked", "rescheduled")  # confirmed, and the place taken; "rescheduled" = moved, still on
# A place is taken: also by a hold waiting for its e-mail code (bot.domain.booking_holds)
PLACE_TAKING_STATUSES = ("held",) + ACTIVE_STATUSES
Status = Literal["held", "booked", "cancelled", "rescheduled", "attended", "no_show"]
ContactField = Literal["name", "passport", "email", "phone"]

_CODE_SEPARATORS = re.compile(r"[\s\-_.]")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_EMAIL_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_PHONE_FORMATTING = re.compile(r"[\s\-().]")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CN_LANDLINE = re.compile(r"^(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")  # area code without its 0, then the number
_NAME_MARKS = set(" -'.,·’")


class InvalidContact(ValueError):
    """A name, passport number, e-mail address or phone number that cannot be right."""

    def __init__(self, field: ContactField, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class Booking:
    """A booking as callers see it: no passport number, only its mask."""

    code: str  # "ABCD-EFGH"
    service_id: str
    hall_id: str
    day: dt.date
    time: dt.time  # Beijing time
    slot_minutes: int
    applicant_name: str
    passport_masked: str  # "•••••••34": the last two characters only
    email: str
    phone: str
    status: Status
    change_count: int  # 0 when never moved; the calendar file's SEQUENCE
    created_at: dt.datetime  # UTC, naive
    updated_at: dt.datetime  # UTC, naive

    @property
    def starts_at(self) -> dt.datetime:
        """Naive Beijing time."""
        return dt.datetime.combine(self.day, self.time)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.slot_minutes)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


# -- confirmation codes -------------------------------------------------------------------

def new_code() -> str:
    """A fresh random confirmation code, "ABCD-EFGH"."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    half = CODE_LENGTH // 2
    return f"{raw[:half]}-{raw[half:]}"


def normalize_code(text: Optional[str]) -> Optional[str]:
    """The code in its written form ("abcd efgh" -> "ABCD-EFGH"), or None when it cannot be one."""
    raw = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return format_code(raw)


# -- passport numbers (parsed, masked and hashed as for cases: bot.domain.identity, verification) --

def check_passport(text: Optional[str]) -> str:
    """The normalised whole passport number, or InvalidContact."""
    try:
        return parse_passport(text)
    except InvalidPassport as exc:
        raise InvalidContact("passport", str(exc)) from None


def check_passport_input(text: Optional[str]) -> str:
    """What an applicant typed to prove a booking is theirs: the whole number or its last four."""
    try:
        return parse_passport_input(text)
    except InvalidPassport as exc:
        raise InvalidContact("passport", str(exc)) from None


# -- contact details ----------------------------------------------------------------------

def check_name(text: Optional[str]) -> str:
    """The name with its spaces tidied; letters (any script), spaces, hyphens, apostrophes, dots."""
    name = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not 2 <= len(name) <= 100:
        raise InvalidContact("name", "give the applicant's name as in the passport (2 to 100 characters)")
    if not all(c.isalpha() or c in _NAME_MARKS or unicodedata.category(c) == "Mn" for c in name) \
            or not any(c.isalpha() for c in name):
        raise InvalidContact("name", "a name has letters, spaces, hyphens and apostrophes only")
    return name


def check_email(text: Optional[str]) -> str:
    """The address with its domain in lower case, or InvalidContact."""
    email = (text or "").strip()
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    top = labels[-1]
    if (not at or len(email) > 254 or len(local) > 64 or not _EMAIL_LOCAL.match(local) or len(labels) < 2
            or not all(_EMAIL_LABEL.match(label) for label in labels) or not (top.isalpha() and len(top) >= 2)):
        raise InvalidContact("email", "that does not look like an e-mail address (name@example.com)")
    return f"{local}@{domain.lower()}"


def check_phone(text: Optional[str]) -> str:
    """The number in international form ("+8613812345678"): a Chinese mobile or landline, or any
    number given with its country code (+ or 00)."""
    raw = _PHONE_FORMATTING.sub("", unicodedata.normalize("NFKC", text or ""))  # full-width digits too
    international = raw.startswith(("+", "00"))
    digits = raw[1:] if raw.startswith("+") else raw[2:] if raw.startswith("00") else raw
    problem = "give a Chinese mobile number (11 digits) or a number with its country code, e.g. +49 30 1234567"
    if not digits.isdigit() or not digits.isascii():
        raise InvalidContact("phone", problem)
    if international and digits.startswith("86"):
        national = digits[2:].removeprefix("0")  # "+86 (0)10 ..."
    elif international:
        if not 8 <= len(digits) <= 15 or digits.startswith("0"):
            raise InvalidContact("phone", problem)
        return "+" + digits
    else:
        national = digits[1:] if digits.startswith("0") else digits
        if digits.startswith("0") == bool(_CN_MOBILE.match(national)):
            raise InvalidContact("phone", problem)  # a mobile has no leading 0, a landline needs its area code
    if not (_CN_MOBILE.match(national) or _CN_LANDLINE.match(national)):
        raise InvalidContact("phone", problem)
    return "+86" + national
