"""Human handoff rules: staff hours on the working-day calendar, the queue and its wait estimate,
the ticket lifecycle, and the contact left outside hours. Pure: callers pass the clock in.

Staff hours are ranges of local time ("09:00-12:00,13:30-17:00"; "24:00" ends at midnight) on
working days of mainland China's calendar (adjusted weekend working days included, public
holidays closed), or on every day when the desk is staffed every day.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Tuple

from bot.domain import workdays
from bot.domain.booking_details import InvalidContact, check_email, check_phone

# --- ticket lifecycle -------------------------------------------------------------------------

QUEUED = "queued"  # waiting for a staff member (inside hours: the bot is paused and says so)
CLAIMED = "claimed"  # a staff member holds the conversation
HANDED_BACK = "handed_back"  # the staff member gave the conversation back to the bot
CLOSED = "closed"  # resolved with a note
EXPIRED = "expired"  # queued inside hours and not claimed in time: the bot took the conversation back
STATUSES = (QUEUED, CLAIMED, HANDED_BACK, CLOSED, EXPIRED)
OPEN_STATUSES = (QUEUED, CLAIMED)
FINISHED_STATUSES = (HANDED_BACK, CLOSED, EXPIRED)

REASONS = ("asked_for_human", "repeated_fallback", "complex_case", "outside_hours")
REASON_LABELS = {
    "asked_for_human": "asked for a person",
    "repeated_fallback": "the assistant did not understand twice",
    "complex_case": "a complex case",
    "outside_hours": "left a question outside staff hours",
}


class InvalidTransition(Exception):
    """The ticket is not in a state that allows this step (e.g. claiming a ticket someone holds)."""

    def __init__(self, status: str, step: str):
        self.status = status
        self.step = step
        super().__init__(f"a {status.replace('_', ' ')} ticket cannot be {step}")


_ALLOWED = {
    "claimed": (QUEUED,),
    "answered": (CLAIMED,),
    "handed back": (CLAIMED,),
    "closed": (QUEUED, CLAIMED),
    "expired": (QUEUED,),
}


def check_transition(status: str, step: str) -> None:
    """Raises InvalidTransition unless a ticket in ``status`` may be ``step`` (claimed, answered,
    handed back, closed, expired)."""
    if status not in _ALLOWED[step]:
        raise InvalidTransition(status, step)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def queue_deadline(created_at: dt.datetime, timeout_minutes: int) -> dt.datetime:
    """When a live ticket queued at ``created_at`` expires if nobody has claimed it."""
    return created_at + dt.timedelta(minutes=timeout_minutes)


def queued_since_cutoff(now: dt.datetime, timeout_minutes: int) -> dt.datetime:
    """Live tickets queued at or before this moment have waited the whole time-out at ``now``."""
    return now - dt.timedelta(minutes=timeout_minutes)


def may_expire(status: str, in_hours: bool, created_at: dt.datetime, now: dt.datetime, timeout_minutes: int) -> bool:
    """True for a live (in-hours) ticket still queued when its time-out has passed. Call-backs left
    outside hours never expire: staff answer them by e-mail or phone."""
    return status == QUEUED and in_hours and now >= queue_deadline(created_at, timeout_minutes)


def next_working_day_after(hours: "StaffHours", local: dt.datetime) -> dt.date:
    """The first day after ``local``'s day on which staff hours begin (the call-back promise)."""
    tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), MIDNIGHT, tzinfo=local.tzinfo)
    return hours.next_opening(tomorrow).date()


def retention_cutoff(now: dt.datetime, retention_days: int) -> dt.datetime:
    """Finished tickets last changed before this moment have their personal content erased."""
    return now - dt.timedelta(days=retention_days)


# --- staff hours ------------------------------------------------------------------------------

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
MIDNIGHT = dt.time(0, 0)


class InvalidStaffHours(ValueError):
    """The staff-hours setting cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class StaffHours:
    """When staff answer: ``ranges`` of local time (end None = midnight), on working days or every day."""

    ranges: Tuple[Tuple[dt.time, Optional[dt.time]], ...]
    every_day: bool = False

    def day_open(self, day: dt.date) -> bool:
        return bool(self.ranges) and (self.every_day or workdays.is_working_day(day))

    def is_open(self, local: dt.datetime) -> bool:
        """True when ``local`` (a naive or aware time in the desk's time zone) falls in staff hours."""
        if not self.day_open(local.date()):
            return False
        now = local.time().replace(tzinfo=None)
        return any(start <= now and (end is None or now < end) for start, end in self.ranges)

    def next_opening(self, local: dt.datetime) -> dt.datetime:
        """The next moment staff hours begin at or after ``local`` (same tzinfo as ``local``)."""
        if not self.ranges:
            raise InvalidStaffHours("no staff hours are configured")
        now = local.time().replace(tzinfo=None)
        day = local.date()
        for offset in range(0, 400):
            candidate = day + dt.timedelta(days=offset)
            if not self.day_open(candidate):
                continue
            for start, _end in self.ranges:
                if offset > 0 or start >= now:
                    return dt.datetime.combine(candidate, start, tzinfo=local.tzinfo)
        raise InvalidStaffHours("staff hours never open within a year")  # pragma: no cover - calendar guard

    def describe(self) -> str:
        """"09:00-12:00 and 13:30-17:00 on working days"."""
        times = " and ".join(f"{s:%H:%M}-{'24:00' if e is None else format(e, '%H:%M')}" for s, e in self.ranges)
        return f"{times} {'every day' if self.every_day else 'on working days'}"


def parse_staff_hours(text: str, every_day: bool = False) -> StaffHours:
    """StaffHours from "09:00-12:00,13:30-17:00" (ranges in order, not overlapping), or InvalidStaffHours."""
    ranges = []
    for part in (p.strip().replace(" ", "") for p in (text or "").split(",")):
        match = _RANGE.match(part)
        if not match:
            raise InvalidStaffHours(f'"{part}" must look like "09:00-17:00" (several ranges separated by commas)')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start = dt.time(h1, m1)
            end = None if (h2, m2) == (24, 0) else dt.time(h2, m2)
        except ValueError:
            raise InvalidStaffHours(f'"{part}" is not a time range of one day') from None
        if end is not None and end <= start:
            raise InvalidStaffHours(f'"{part}": the end must be after the start')
        if ranges and (ranges[-1][1] is None or start < ranges[-1][1]):
            raise InvalidStaffHours(f'"{part}" overlaps or comes before the previous range')
        ranges.append((start, end))
    return StaffHours(tuple(ranges), every_day)


def reply_by(hours: StaffHours, local: dt.datetime) -> dt.date:
    """The day a question left for a call-back gets its reply: today while staff are in, else the
    day staff hours next begin."""
    return local.date() if hours.is_open(local) else hours.next_opening(local).date()


# --- queue ------------------------------------------------------------------------------------

SAMPLE_MIN = 3  # fewer handled tickets than this: use the configured minutes per ticket


def typical_handling_minutes(durations: Iterable[dt.timedelta], default: float) -> float:
    """Median minutes a staff member held a ticket, from recent ones; ``default`` without enough data."""
    minutes = [d.total_seconds() / 60 for d in durations if d.total_seconds() > 0]
    if len(minutes) < SAMPLE_MIN:
        return default
    return statistics.median(minutes)


def wait_estimate(position: int, desks: int, handling_minutes: float) -> int:
    """Whole minutes until a staff member is likely free for the ``position``-th ticket in the queue
    when ``desks`` people answer in parallel, each taking ``handling_minutes`` a ticket. At least 1."""
    if position < 1:
        raise ValueError("queue positions start at 1")
    rounds = math.ceil(position / max(1, desks))
    return max(1, math.ceil(rounds * handling_minutes))


# --- contact left outside hours ---------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    kind: str  # "email" or "phone"
    value: str  # normalised: lower-case domain, or +86... international phone


def check_contact(text: Optional[str]) -> Contact:
    """An e-mail address or a phone number, normalised; InvalidContact (field "contact") otherwise."""
    raw = (text or "").strip()
    if len(raw) > 254:
        raise InvalidContact("contact", "give an e-mail address or a phone number")
    if "@" in raw:
        return Contact("email", check_email(raw))
    try:
        return Contact("phone", check_phone(raw))
    except InvalidContact:
        raise InvalidContact("contact", "give an e-mail address (name@example.com) or a phone number "
                             "(a Chinese mobile, or with its country code, e.g. +49 30 1234567)") from None


def mask_contact(contact: Optional[str]) -> str:
    """"l•••@example.com" / "+86•••••5678": enough for staff lists and logs, never the whole value."""
    if not contact:
        return ""
    if "@" in contact:
        local, _, domain = contact.rpartition("@")
        return f"{local[:1]}•••@{domain}"
    return f"{contact[:3]}•••••{contact[-4:]}" if len(contact) > 7 else "•••"


# --- ledger -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerTimes:
    """One demand in the ledger: when it was received, claimed, first answered and resolved."""

    received_at: dt.datetime
    claimed_at: Optional[dt.datetime] = None
    first_response_at: Optional[dt.datetime] = None
    resolved_at: Optional[dt.datetime] = None
    outcome: Optional[str] = None  # handed_back, closed, expired; None while open


@dataclass(frozen=True)
class LedgerFigures:
    received: int
    claimed: int
    responded: int
    resolved: int
    open: int
    expired: int  # queued live and not claimed in time: not responded, not resolved, not open
    response_rate: Optional[float]  # responded / received; None when nothing was received
    completion_rate: Optional[float]  # resolved / received
    median_first_response: Optional[dt.timedelta]  # received -> first response, answered demands only
    mean_first_response: Optional[dt.timedelta]


def ledger_figures(rows: Sequence[LedgerTimes]) -> LedgerFigures:
    """Counts, rates and time to first response over ``rows`` (demands received in a period). An
    expired demand counts as received but neither responded to nor resolved."""
    received = len(rows)
    responded = [r for r in rows if r.first_response_at is not None]
    resolved = sum(1 for r in rows if r.resolved_at is not None and r.outcome != EXPIRED)
    expired = sum(1 for r in rows if r.outcome == EXPIRED)
    waits = sorted(r.first_response_at - r.received_at for r in responded)
    seconds = [w.total_seconds() for w in waits]
    return LedgerFigures(
        received=received,
        claimed=sum(1 for r in rows if r.claimed_at is not None),
        responded=len(responded),
        resolved=resolved,
        open=received - resolved - expired,
        expired=expired,
        response_rate=len(responded) / received if received else None,
        completion_rate=resolved / received if received else None,
        median_first_response=dt.timedelta(seconds=statistics.median(seconds)) if seconds else None,
        mean_first_response=dt.timedelta(seconds=statistics.fmean(seconds)) if seconds else None,
    )


def format_duration(value: Optional[dt.timedelta]) -> str:
    """"4 min", "1 h 05 min", "2 d 3 h"; "-" for None."""
    if value is None:
        return "-"
    minutes = max(0, round(value.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def format_rate(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0%}"
