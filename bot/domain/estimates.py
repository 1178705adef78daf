"""Date estimates from the knowledge base's rules. Pure: ``today`` is always a parameter.

Three kinds: when an accepted application concludes (working days), when a deadline counted
from an event falls (entry, end of contract, a change), and the window to apply for an
extension or renewal before an expiry date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Literal, Optional, Tuple

from bot.domain import workdays
from bot.domain.wording import format_day
from bot.kb.schema import Deadline, Service

Kind = Literal["conclusion", "entry_deadline", "extension_window"]
KINDS: Tuple[str, ...] = ("conclusion", "entry_deadline", "extension_window")
WindowStatus = Literal["not_open_yet", "open", "missed", "expired"]

WORKING_COUNT = ("working days: weekends and public holidays skipped, adjusted working days counted; "
                 "the day of acceptance is not counted")
CALENDAR_AFTER = ("calendar days: every day counts, weekends and holidays included; "
                  "the day of {event} is not counted")
CALENDAR_BEFORE = "calendar days: every day counts, weekends and holidays included; counted back from the expiry date"
WORKING_BEFORE = ("working days: weekends and public holidays skipped, adjusted working days counted; "
                  "counted back from the expiry date")

EVENT_WORDS = {
    "entry": "entry into China",
    "arrival": "arrival",
    "contract_end": "the end of the employment contract",
    "change": "the change",
    "notification_letter_issue": "the issue of the Notification Letter",
    "expiry": "expiry",
}
# Entering China and arriving at one's lodging are the same day for nearly everyone.
SAME_EVENT = {"entry": {"entry", "arrival"}, "arrival": {"entry", "arrival"}}


@dataclass(frozen=True)
class Rule:
    """The published rule a date was computed from."""

    text: str  # "Beijing E-Town: conclusion within 3 working days"
    source: str
    uncertain: Optional[str] = None


@dataclass(frozen=True)
class ProcessingFigure:
    """A service's processing time in working days and where it comes from."""

    min_days: int
    max_days: int
    rule: Rule
    caveat: Optional[str] = None  # e.g. E-Town was asked about but only a standard figure exists


@dataclass(frozen=True)
class Conclusion:
    accepted_on: dt.date  # the date the user gave
    counted_from: dt.date  # the working day acceptance can really happen
    earliest: dt.date
    latest: dt.date
    rule: Rule
    counting: str
    closed: Tuple[Tuple[dt.date, str], ...]  # non-working days skipped up to ``latest``
    adjusted: Tuple[dt.date, ...]  # weekend days up to ``latest`` that are working days and count
    caveats: Tuple[str, ...]

    @property
    def is_range(self) -> bool:
        return self.earliest != self.latest


@dataclass(frozen=True)
class EventDeadline:
    event: str  # the deadline's relative_to: "entry", "contract_end", ...
    event_day: dt.date
    last_day: dt.date
    apply_by: dt.date  # last_day, or the working day before it when the hall is closed then
    closed_reason: Optional[str]  # why last_day is closed, None when it is a working day
    passed: bool  # last_day is before today
    rule: Rule
    deadline_text: str
    counting: str
    caveats: Tuple[str, ...]


@dataclass(frozen=True)
class ExtensionWindow:
    expiry: dt.date
    first_day: Optional[dt.date]  # None: no earliest day published
    opens_on: Optional[dt.date]  # first working day on or after first_day
    first_rule: Optional[Rule]
    last_day: Optional[dt.date]  # None: no latest day published
    apply_by: Optional[dt.date]  # last working day on or before last_day
    last_closed_reason: Optional[str]
    last_rule: Optional[Rule]
    status: WindowStatus
    counting: str
    caveats: Tuple[str, ...]


# -- conclusion -----------------------------------------------------------------------

def processing_rule(service: Service, etown_asked: bool = False) -> Optional[ProcessingFigure]:
    """The service's processing time in working days, or None when none is published.

    The E-Town figure is used whenever the service has one; the standard figure otherwise.
    """
    pt = service.processing_time
    if pt.etown_working_days:
        wd, fact = pt.etown_working_days, pt.etown
        label, caveat = "Beijing E-Town: conclusion within", None
    elif pt.standard_working_days:
        wd, fact = pt.standard_working_days, pt.standard
        label = "standard processing: up to"
        caveat = (f"My sources publish no separate Beijing E-Town processing time for the {service.names.en}; "
                  "this uses the standard figure.") if etown_asked else None
    else:
        return None
    text = f"{label} {_days(wd.max, 'working')}" + (f" (as early as {_days(wd.min, 'working')})"
                                                  if wd.min != wd.max else "")
    source = fact.source if fact else service.source_url
    return ProcessingFigure(wd.min, wd.max, Rule(text, source, fact.uncertain if fact else None), caveat)


def conclusion_date(service: Service, accepted_on: dt.date, today: dt.date,
                    etown_asked: bool = False) -> Optional[Conclusion]:
    """When an application accepted on ``accepted_on`` should conclude; None when no time is published."""
    figure = processing_rule(service, etown_asked)
    if figure is None:
        return None
    caveats = [figure.caveat] if figure.caveat else []
    start = accepted_on
    if not workdays.is_working_day(accepted_on):
        start = workdays.next_working_day(accepted_on)
        caveats.append(f"{format_day(accepted_on)} is not a working day ({workdays.reason_closed(accepted_on)}), "
                       f"so the earliest the case can be accepted is {format_day(start)}; I counted from there.")
    earliest = workdays.add_working_days(start, figure.min_days)
    latest = workdays.add_working_days(start, figure.max_days)
    caveats += _calendar_caveats(accepted_on, latest)
    if accepted_on < today:
        caveats.append(past_caveat(accepted_on, today))
        if latest < today:
            caveats.append(f"By this count the result was due by {format_day(latest)}. If you have not heard yet, "
                           "please ask the hall or call the hotline 12367.")
    span = [start + dt.timedelta(days=i) for i in range(1, (latest - start).days + 1)]
    adjusted = tuple(d for d in span if d.weekday() >= 5 and workdays.is_working_day(d))
    return Conclusion(accepted_on, start, earliest, latest, figure.rule, WORKING_COUNT,
                      tuple(workdays.closed_days(start, latest)), adjusted, tuple(caveats))


# -- deadlines counted from an event ----------------------------------------------------

def event_deadlines(service: Service, event_day: dt.date, today: dt.date,
                    event: Optional[str] = None) -> List[EventDeadline]:
    """Every countable deadline of ``service`` that runs after an event (only ``event``'s, when given)."""
    wanted = SAME_EVENT.get(event, {event}) if event else None
    return [_event_deadline(d, event_day, today) for d in service.deadlines
            if d.days is not None and d.before_or_after == "after"
            and (wanted is None or d.relative_to in wanted)]


def _event_deadline(deadline: Deadline, event_day: dt.date, today: dt.date) -> EventDeadline:
    event = deadline.relative_to or "the event"
    working = deadline.day_kind == "working"
    last = workdays.add_working_days(event_day, deadline.days) if working \
        else event_day + dt.timedelta(days=deadline.days)
    closed = workdays.reason_closed(last)
    apply_by = workdays.previous_working_day(last) if closed else last
    caveats = [] if deadline.day_kind else [
        "The source does not say whether these are calendar or working days; I counted calendar days, "
        "which gives the earlier (safer) date."]
    caveats += _calendar_caveats(last, apply_by)
    event_words = EVENT_WORDS.get(event, event.replace("_", " "))
    rule = Rule(f"deadline: {_days(deadline.days, 'working' if working else 'calendar')} after {event_words}",
                deadline.source, deadline.uncertain)
    counting = (WORKING_COUNT.replace("acceptance", event_words) if working
                else CALENDAR_AFTER.format(event=event_words))
    return EventDeadline(event, event_day, last, apply_by, closed, last < today, rule, deadline.text,
                         counting, tuple(caveats))


# -- extension / renewal window before expiry -----------------------------------------

def extension_window(service: Service, expiry: dt.date, today: dt.date) -> Optional[ExtensionWindow]:
    """First and last day to apply before ``expiry``; None when the service publishes no such window."""
    first_rule = last_rule = None
    first_day = last_day = None
    working = False
    for deadline in service.deadlines:
        if deadline.relative_to != "expiry" or deadline.days is None:
            continue
        day = _before(expiry, deadline)
        working = working or deadline.day_kind == "working"
        rule = Rule(deadline.text.rstrip("."), deadline.source, deadline.uncertain)
        if deadline.before_or_after == "within_before" and first_day is None:
            first_day, first_rule = day, rule
        elif deadline.before_or_after == "before" and last_day is None:
            last_day, last_rule = day, rule
    if first_day is None and last_day is None:
        return None
    opens_on = first_day if first_day is None or workdays.is_working_day(first_day) \
        else workdays.next_working_day(first_day)
    closed = workdays.reason_closed(last_day) if last_day else None
    apply_by = workdays.previous_working_day(last_day) if closed else last_day
    caveats = _calendar_caveats(first_day or last_day, apply_by or last_day)
    return ExtensionWindow(expiry, first_day, opens_on, first_rule, last_day, apply_by, closed, last_rule,
                           _status(expiry, first_day, last_day, today),
                           WORKING_BEFORE if working else CALENDAR_BEFORE, tuple(caveats))


def _before(expiry: dt.date, deadline: Deadline) -> dt.date:
    if deadline.day_kind == "working":
        return workdays.add_working_days(expiry, -deadline.days)
    return expiry - dt.timedelta(days=deadline.days)


def _status(expiry: dt.date, first: Optional[dt.date], last: Optional[dt.date], today: dt.date) -> WindowStatus:
    if expiry < today:
        return "expired"
    if last is not None and today > last:
        return "missed"
    if first is not None and today < first:
        return "not_open_yet"
    return "open"


# -- wording shared by the three kinds ------------------------------------------------

def uncovered_caveat(years: List[int]) -> Optional[str]:
    """What the estimate rests on when it reaches years the official schedule does not cover:
    provisional holidays by rule, and no adjusted working days."""
    note = workdays.schedule_note(years)
    return f"{note} Please check again once the schedule is out." if note else None


def past_caveat(day: dt.date, today: dt.date) -> str:
    return f"{format_day(day)} is already in the past (today is {format_day(today)})."


def _calendar_caveats(start: Optional[dt.date], end: Optional[dt.date]) -> List[str]:
    if start is None or end is None:
        return []
    caveat = uncovered_caveat(workdays.uncovered_years(start, end))
    return [caveat] if caveat else []


def _days(n: int, kind: str) -> str:
    return f"{n} {kind} day" + ("" if n == 1 else "s")
