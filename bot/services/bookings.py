"""Use cases of appointment booking: availability, suggestions, booking, looking a booking up.
Verification, cancel and reschedule are in bot.services.booking_changes.

Capacity is enforced by the database, in the transaction that writes the booking: each slot of a
hall has a row in slot_counters, and a place is taken with one conditional statement,
``UPDATE slot_counters SET booked = booked + 1 WHERE <slot> AND booked < :capacity``, whose row
count decides (plus CHECK booked <= capacity as a backstop). This is the same on SQLite and
PostgreSQL: SQLite lets one writer in at a time (WAL, busy timeout), PostgreSQL locks the counter
row and re-checks the condition after a concurrent commit, so N requests for the last place give
exactly one booking. SELECT ... FOR UPDATE was not chosen: SQLite has no row locks (it would need
BEGIN IMMEDIATE on every connection) and the row must exist before it can be locked. One person
holding two active bookings for a service on a day is refused by a partial unique index (a hold
waiting for its e-mailed code counts: bot.services.booking_holds).

``now`` may be an aware datetime, a naive Beijing datetime, or a date (the start of that day).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, List, Optional

from sqlalchemy.exc import IntegrityError

from bot.db import models
from bot.db.uow import UnitOfWork
from bot.domain.booking_details import (  # noqa: F401 - re-exported for the chat and the web
    InvalidContact, Booking, check_email, check_name, check_passport, check_phone, new_code,
    normalize_code,
)
from bot.domain.bookings import (
    SUGGEST_DAYS_AHEAD, DayAvailability, Suggestions, closed_reason, day_availability, suggest_times, upcoming_times,
    utc_naive,
)
from bot.domain.identity import mask_passport
from bot.domain.verification import CaseHasher, VerificationLocked  # noqa: F401 - VerificationLocked re-exported
from bot.kb.booking_schema import BookingConfig, HallBooking
from bot.services.booking_calendar import calendar_file, what_to_bring  # noqa: F401 - re-exported

CODE_ATTEMPTS = 5


class NotBookable(Exception):
    """The hall takes no bookings for the service (or is unknown); ``halls`` are the ones that do."""

    def __init__(self, service_id: str, hall_id: str, halls: List[str]):
        self.service_id, self.hall_id, self.halls = service_id, hall_id, halls
        super().__init__(f"no bookings for {service_id!r} at {hall_id!r}")


class DayClosed(Exception):
    """The day cannot be booked; ``availability`` has the reason, the nearest open days and any notice."""

    def __init__(self, availability: DayAvailability):
        self.availability = availability
        self.reason = availability.closed
        super().__init__(f"{availability.day} is closed: {self.reason.text}")


class SlotNotOffered(Exception):
    """The time is not a slot of the hall that day (or has passed); ``times`` are the upcoming ones."""

    def __init__(self, hall_id: str, day: dt.date, time: dt.time, times: List[dt.time]):
        self.hall_id, self.day, self.time, self.times = hall_id, day, time, times
        super().__init__(f"{time:%H:%M} is not a slot on {day} at {hall_id}")


class SlotFull(Exception):
    """Every place of the slot is taken; ``suggestions`` were computed after the refusal."""

    def __init__(self, hall_id: str, day: dt.date, time: dt.time, suggestions: Suggestions):
        self.hall_id, self.day, self.time, self.suggestions = hall_id, day, time, suggestions
        super().__init__(f"{day} {time:%H:%M} at {hall_id} is full")


class DuplicateBooking(Exception):
    """This passport already holds a booking for the service on that day."""

    def __init__(self, service_id: str, day: dt.date):
        self.service_id, self.day = service_id, day
        super().__init__(f"already booked for {service_id} on {day}")


class BookingLookupFailed(Exception):
    """No booking matches the code and passport. One message for an unknown code and a wrong passport."""

    def __init__(self):
        super().__init__("No booking matches this confirmation code and passport number.")


class BookingNotFound(BookingLookupFailed):
    """No booking has this confirmation code (or the code is malformed)."""


class VerificationFailed(BookingLookupFailed):
    """The passport number (or last four) does not match the booking."""


class BookingNotChangeable(Exception):
    """The booking is verified but cannot be changed: cancelled, over, or changed a moment ago."""

    def __init__(self, booking: Booking, reason: str):
        self.booking, self.reason = booking, reason
        super().__init__(f"booking {booking.code} cannot be changed: {reason}")


@dataclass(frozen=True)
class BookingRequest:
    service_id: str
    hall_id: str
    day: dt.date
    time: dt.time  # Beijing time
    name: str
    passport: str
    email: str
    phone: str


def bookable_halls(config: BookingConfig, service_id: str) -> List[str]:
    """Ids of the halls that take bookings for ``service_id``, in file order."""
    return [h.id for h in config.halls_for(service_id)]


def availability(uow: UnitOfWork, config: BookingConfig, service_id: str, hall_id: str, day: dt.date,
                 now: dt.date) -> DayAvailability:
    """The day at the hall: closed with its reason and nearest open days, or the upcoming slots with free places.
    ``notices``: the year's holiday schedule not published, hours that are configuration."""
    hall = bookable_hall(config, service_id, hall_id)
    with uow:
        if free_expired_holds(uow, now):
            uow.commit()
        counts = uow.bookings.counts([hall.id], day, day)
    return day_availability(config, hall, service_id, day, now, counts)


def suggest(uow: UnitOfWork, config: BookingConfig, service_id: str, hall_id: str, day: dt.date,
            time: Optional[dt.time], now: dt.date) -> Suggestions:
    """Free times near (hall, day, time): this hall first (same day, then the following days), then the
    same day at other halls offering the service, least busy first."""
    bookable_hall(config, service_id, hall_id)
    with uow:
        if free_expired_holds(uow, now):
            uow.commit()
        return free_times(uow, config, service_id, hall_id, day, time, now)


def book(uow: UnitOfWork, config: BookingConfig, request: BookingRequest, now: dt.date,
         hasher: CaseHasher) -> Booking:
    """Book one place, confirmed at once (the chat holds it first: bot.services.booking_holds), or raise
    NotBookable, InvalidContact, DayClosed, SlotNotOffered, DuplicateBooking or SlotFull (with
    suggestions). The place and the booking are written in one transaction."""
    return booking_view(place(uow, config, request, now, hasher))


def place(uow: UnitOfWork, config: BookingConfig, request: BookingRequest, now: dt.date, hasher: CaseHasher,
          status: str = "booked", client_key: Optional[str] = None,
          before: Optional[Callable[[UnitOfWork, BookingRequest], None]] = None,
          after: Optional[Callable[[UnitOfWork, models.Booking], None]] = None) -> models.Booking:
    """Take a place and write the booking row with ``status`` in one transaction; raises what book() raises.
    ``before(uow, checked request)`` runs in the transaction before the place is taken (it may raise to
    refuse), ``after(uow, row)`` once the row has its id, before the commit."""
    hall = bookable_hall(config, request.service_id, request.hall_id)
    name, passport = check_name(request.name), check_passport(request.passport)
    email, phone = check_email(request.email), check_phone(request.phone)
    check_slot(config, hall, request.service_id, request.day, request.time, now)
    checked = replace(request, name=name, passport=passport, email=email, phone=phone)
    whole = hasher.passport(passport)
    slot = (hall.id, request.day, request.time)
    with uow:
        for _ in range(CODE_ATTEMPTS):
            free_expired_holds(uow, now)
            # The first write: on SQLite this transaction is the only writer from here on, so what
            # before() and active_for() read cannot change before the commit.
            uow.bookings.ensure_counter(slot, hall.capacity)
            if before is not None:
                before(uow, checked)
            if uow.bookings.active_for(whole, request.service_id, request.day):
                raise DuplicateBooking(request.service_id, request.day)
            code = new_code()
            if not uow.bookings.take_place(slot, hall.capacity):
                uow.session.rollback()
                raise SlotFull(*slot, free_times(uow, config, request.service_id, *slot, now))
            stamp = utc_naive(now)
            row = models.Booking(
                code=code, service_id=request.service_id, hall_id=hall.id, day=request.day,
                start_time=request.time, slot_minutes=hall.slot_minutes, applicant_name=name,
                passport_hmac=whole, passport_last4_hmac=hasher.last_four(code, passport[-4:]),
                passport_masked=mask_passport(passport), email=email, phone=phone, status=status,
                change_count=0, created_at=stamp, updated_at=stamp, client_key=client_key)
            uow.bookings.add(row)
            try:
                uow.session.flush()
                if after is not None:
                    after(uow, row)
                uow.commit()
                return row
            except IntegrityError:  # a concurrent booking by the same person, or (rarely) a code drawn twice
                uow.session.rollback()
                if uow.bookings.by_code(code) is None:
                    raise DuplicateBooking(request.service_id, request.day) from None
    raise RuntimeError("could not draw an unused confirmation code")


def free_expired_holds(uow: UnitOfWork, now: dt.date) -> int:
    """Release the holds whose time is up, inside an open unit of work (the caller commits): the held
    booking is deleted and its place freed. Returns how many. Every use case that reads or takes
    places calls it first, so an expired hold never blocks anyone."""
    released = 0
    for booking_id, slot in uow.bookings.expired_holds(utc_naive(now)):
        if uow.bookings.delete_held(booking_id):
            uow.bookings.release_place(slot)
            released += 1
    return released


def get_booking(uow: UnitOfWork, code: str) -> Booking:
    """The booking behind a code (the code alone is the secret of its calendar link); BookingNotFound
    for an unknown or malformed code, the latter without a query, and for a hold not yet confirmed."""
    written = normalize_code(code)
    if written is None:
        raise BookingNotFound()
    with uow:
        row = uow.bookings.by_code(written)
        if row is None or row.status == "held":
            raise BookingNotFound()
        return booking_view(row)


# -- shared with bot.services.booking_changes ---------------------------------------------

def bookable_hall(config: BookingConfig, service_id: str, hall_id: str) -> HallBooking:
    """The hall's booking settings; NotBookable when it takes no bookings for the service."""
    hall = config.hall(hall_id)
    if hall is None or service_id not in hall.services:
        raise NotBookable(service_id, hall_id, bookable_halls(config, service_id))
    return hall


def check_slot(config: BookingConfig, hall: HallBooking, service_id: str, day: dt.date, time: dt.time,
               now: dt.date) -> None:
    """DayClosed or SlotNotOffered unless ``time`` is an upcoming slot of the hall on an open day."""
    if closed_reason(config, hall, day, now) is not None:
        raise DayClosed(day_availability(config, hall, service_id, day, now, {}))
    times = upcoming_times(hall, day, now)
    if time not in times:
        raise SlotNotOffered(hall.id, day, time, times)


def free_times(uow: UnitOfWork, config: BookingConfig, service_id: str, hall_id: str, day: dt.date,
               time: Optional[dt.time], now: dt.date) -> Suggestions:
    """What suggest() returns, inside an open unit of work."""
    halls = {hall_id, *bookable_halls(config, service_id)}
    counts = uow.bookings.counts(halls, day, day + dt.timedelta(days=SUGGEST_DAYS_AHEAD))
    return suggest_times(config, service_id, hall_id, day, time, now, counts)


def booking_view(row: models.Booking) -> Booking:
    """The booking as the chat and the web show it."""
    return Booking(
        code=row.code, service_id=row.service_id, hall_id=row.hall_id, day=row.day, time=row.start_time,
        slot_minutes=row.slot_minutes, applicant_name=row.applicant_name, passport_masked=row.passport_masked,
        email=row.email, phone=row.phone, status=row.status, change_count=row.change_count,
        created_at=row.created_at, updated_at=row.updated_at)
