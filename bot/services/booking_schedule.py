"""What the two booking conversations share: the tools they work with, reading a service, hall, day
and time from a message, and checking a day and time at a hall with a helpful refusal."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from typing import Dict, List, Optional

from bot.db.uow import UnitOfWorkFactory
from bot.domain import booking_chat as chat
from bot.domain.booking_holds.rules import HoldPolicy
from bot.domain.bookings import DayAvailability, Suggestions, hours_on, local_now
from bot.domain.dates import find_dates_in_text
from bot.domain.verification import CaseHasher
from bot.integrations.mail import Mailer
from bot.kb.base import KnowledgeBase
from bot.kb.booking_schema import BookingConfig
from bot.services import bookings
from bot.services.answers import QuestionContext, mentions
from bot.services.case_form import Turn
from bot.services.knowledge import LiveKnowledge

SERVICE, HALL, DATE, TIME = "booking_service", "booking_hall", "booking_date", "booking_time"
NOT_A_DATE = "I could not read a day there. Please give one such as “next Wednesday” or “3 December”."
NOT_A_TIME = "I could not read a time there. Please give one such as “10:30” or “afternoon”."


@dataclass(frozen=True)
class BookingTools:
    """The long-lived things a booking turn works with; the action builds them from the wiring."""

    uow_factory: UnitOfWorkFactory
    config: BookingConfig
    live: LiveKnowledge
    secret: bytes  # bot.services.keys.secret_key(settings): the passport HMACs and the vault
    base_url: str  # settings.resolved_public_base_url
    mailer: Optional[Mailer] = None  # bot.wiring.mailer(): the hold code and the calendar file go by e-mail
    holds: HoldPolicy = HoldPolicy()  # from settings.booking_hold_minutes and booking_max_open

    @property
    def kb(self) -> KnowledgeBase:
        return self.live.kb

    @cached_property
    def hasher(self) -> CaseHasher:
        return CaseHasher(self.secret)

    def service_name(self, service_id: str) -> str:
        service = self.kb.services.get(service_id)
        return service.names.en if service else service_id.replace("_", " ")

    def hall_name(self, hall_id: str) -> str:
        hall = self.kb.halls.get(hall_id)
        return hall.name if hall else hall_id.replace("_", " ")

    def hall_address(self, hall_id: str) -> str:
        hall = self.kb.halls.get(hall_id)
        return hall.address if hall and hall.address else "address not published"

    def calendar_link(self, code: str) -> str:
        return f"{self.base_url}/bookings/{code}.ics"


@dataclass
class Finish(Turn):
    """The end of a form: what to set and say, and the form to open again (a last-moment refusal)."""

    followup: Optional[str] = None


@dataclass
class Heard:
    """Scheduling details named in one message (slot -> value) and what could not be taken."""

    values: Dict[str, str] = field(default_factory=dict)
    problems: Dict[str, str] = field(default_factory=dict)


def hear_schedule(tools: BookingTools, ctx: QuestionContext, today: dt.date, bare_hour: bool = False,
                  last_date: bool = False) -> Heard:
    """The bookable service, hall, day and time a message names. A day in the past is refused at
    once; other checks need the hall (check_schedule). ``last_date``: "from Monday to Friday" -> Friday."""
    heard = Heard()
    found = mentions(tools.live, ctx)
    bookable = tools.config.services()
    services = [s for s in found.services if s in bookable]
    if services:
        heard.values[SERVICE] = services[0]
    elif found.services:
        heard.problems[SERVICE] = not_bookable_service_text(tools, found.services[0])
    if found.halls:
        heard.values[HALL] = found.halls[0]
    text = chat.without_codes(ctx.text or "")
    dates = find_dates_in_text(text, today)
    for parsed in dates:
        text = text[:parsed.start] + " " * (parsed.end - parsed.start) + text[parsed.end:]
    if dates:
        parsed = dates[-1] if last_date else dates[0]
        if parsed.ok and parsed.in_past:
            heard.problems[DATE] = f"{chat.day_text(parsed.day)} has passed. Which day would you like?"
        elif parsed.ok:
            heard.values[DATE] = parsed.day.isoformat()
        elif parsed.status != "not_a_date":
            heard.problems[DATE] = _sentence(parsed.problem or NOT_A_DATE)
    wanted = chat.read_time(text, bare_hour=bare_hour)
    if wanted:
        heard.values[TIME] = wanted
    return heard


@dataclass
class Checked:
    day: Optional[str]  # ISO date, None when the day was refused
    time: Optional[str]  # "HH:MM" (or a wish while there is no day), None when refused
    texts: List[str] = field(default_factory=list)


def check_schedule(tools: BookingTools, service_id: str, hall_id: str, day_iso: Optional[str],
                   time_value: Optional[str], day_changed: bool, time_changed: bool, now: dt.datetime,
                   other_halls: bool = True) -> Checked:
    """The day and time at the hall for the service: kept, or refused with the reason and the nearest
    alternatives. A wish ("afternoon") becomes the first free time in it. Only what changed is checked
    (the booking itself checks again). A refused day keeps the time: it is tried on the next day given."""
    if not day_iso:
        return Checked(None, time_value)
    day = dt.date.fromisoformat(day_iso)
    texts: List[str] = []
    avail: Optional[DayAvailability] = None
    if day_changed:
        avail = bookings.availability(tools.uow_factory(), tools.config, service_id, hall_id, day, now)
        if not avail.is_open:
            reason = avail.closed
            texts += [chat.closed_text(reason.kind, reason.text, day, tools.hall_name(hall_id)),
                      chat.nearest_days_text(avail.earlier_open_day, avail.later_open_day)]
            texts += [avail.schedule_notice] if avail.schedule_notice else []
            return Checked(None, time_value, texts)
        if avail.is_full:
            found = bookings.suggest(tools.uow_factory(), tools.config, service_id, hall_id, day, None, now)
            texts += [f"{tools.hall_name(hall_id)} is fully booked on {chat.day_text(day)}.",
                      suggestions_text(tools, found, other_halls)]
            return Checked(None, time_value, texts)
        if avail.schedule_notice:
            texts.append(avail.schedule_notice)
    if time_value is None or not (day_changed or time_changed):
        return Checked(day_iso, time_value, texts)
    avail = avail or bookings.availability(tools.uow_factory(), tools.config, service_id, hall_id, day, now)
    free = avail.free_times
    if time_value in chat.TIME_WISHES:
        picked = chat.pick_time(time_value, free)
        if picked is None:
            part = "that day" if time_value == chat.EARLIEST else f"in the {time_value}"
            return Checked(day_iso, None, texts + [f"No time is free {part} at {tools.hall_name(hall_id)} on "
                                                   f"{chat.day_text(day)}. {free_times_text(free)}"])
        which = "The earliest free time" if time_value == chat.EARLIEST else f"The first free time in the {time_value}"
        return Checked(day_iso, f"{picked:%H:%M}", texts + [f"{which} on {chat.day_text(day)} is {picked:%H:%M}: "
                                                            "I have taken that."])
    wanted = chat.parse_clock(time_value)
    if wanted in free:
        return Checked(day_iso, time_value, texts)
    if wanted in [s.time for s in avail.slots]:
        found = bookings.suggest(tools.uow_factory(), tools.config, service_id, hall_id, day, wanted, now)
        return Checked(day_iso, None, texts + [
            f"{time_value} on {chat.day_text(day)} is fully booked at {tools.hall_name(hall_id)}.",
            suggestions_text(tools, found, other_halls)])
    return Checked(day_iso, None, texts + [not_offered_text(tools, hall_id, day, wanted, now), free_times_text(free)])


def not_offered_text(tools: BookingTools, hall_id: str, day: dt.date, time: dt.time, now: dt.datetime) -> str:
    hall = tools.config.hall(hall_id)
    hours = hours_on(hall, day)
    passed = dt.datetime.combine(day, time) <= local_now(now)
    return chat.why_not_offered(time, (hours.start, hours.end) if hours else None,
                                [(b.start, b.end) for b in hall.breaks], hall.slot_minutes, passed)


def free_times_text(free: List[dt.time]) -> str:
    return f"Free times that day: {chat.times_text(free)}." if free else "No free times are left that day."


def suggestions_text(tools: BookingTools, found: Suggestions, other_halls: bool = True) -> str:
    """Alternatives: this hall first (nearest days), then the same day at other halls, least busy first."""
    parts = []
    if found.same_hall:
        hall = tools.hall_name(found.same_hall[0].hall_id)
        days = [f"{chat.short_day(day)} at {chat.times_text([s.time for s in group])}"
                for day, group in groupby(found.same_hall, key=lambda s: s.day)]
        parts.append(f"Nearest free times at {hall}: {'; '.join(days)}.")
    if other_halls and found.other_halls:
        others = [f"{tools.hall_name(s.hall_id)} at {s.time:%H:%M}" for s in found.other_halls]
        parts.append(f"The same day at other halls (least busy first): {'; '.join(others)}.")
    return " ".join(parts) or "I found no free time nearby; please try another day."


def not_bookable_service_text(tools: BookingTools, service_id: Optional[str] = None) -> str:
    """Which services can be booked, and where (services with the same halls grouped)."""
    lead = (f"Appointments for the {tools.service_name(service_id)} cannot be booked here. "
            if service_id else "")
    groups: Dict[tuple, List[str]] = {}
    for service in tools.config.services():
        groups.setdefault(tuple(bookings.bookable_halls(tools.config, service)), []).append(service)
    lines = [f"• {chat.join_names([tools.service_name(s) for s in services])}: at "
             f"{chat.join_names([tools.hall_name(h) for h in halls])}" for halls, services in groups.items()]
    return lead + "Appointments can be booked for:\n" + "\n".join(lines)


def halls_for_service_text(tools: BookingTools, service_id: str, hall_id: Optional[str]) -> str:
    """The halls taking bookings for the service, after why the named hall (if any) cannot be used."""
    names = [tools.hall_name(h) for h in bookings.bookable_halls(tools.config, service_id)]
    service = tools.service_name(service_id)
    if hall_id and hall_id in tools.kb.halls:
        lead = f"{tools.hall_name(hall_id)} does not take appointments for the {service}. "
    else:
        lead = "I don't know that hall. "
    return f"{lead}Appointments for the {service} can be booked at: {chat.join_names(names)}."


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
