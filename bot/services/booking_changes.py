"""Use cases of changing a booking: verify the passport against the confirmation code, then cancel or
reschedule. Every change verifies the passport (the whole number, or the last four with the family
name) first; failed checks count towards the same guessing limits as case checks
(bot.domain.verification), in their own scope.

Reschedule takes the new place and frees the old one in one transaction, like bot.services.bookings.book.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy.exc import IntegrityError

from bot.db import models
from bot.db.uow import UnitOfWork
from bot.domain.booking_details import Booking, InvalidContact, normalize_code
from bot.domain.bookings import local_now, utc_naive
from bot.domain.personal_data.extraction import IdentityAnswer
from bot.domain.personal_data.identity_check import NotAnAnswer, identity_answer, identity_matches
from bot.domain.verification import GUESSING_LOOKBACK, CaseHasher, guessing_lockout
from bot.kb.booking_schema import BookingConfig
from bot.services import bookings

_NO_DIGEST = "0" * 64
# Booking checks share the verification-attempt table with case checks, in their own scope.
ATTEMPT_SCOPE = "B:"


def attempt_scope(code: str) -> str:
    """The scope a booking code's identity checks are counted (and unlocked) under."""
    return ATTEMPT_SCOPE + (normalize_code(code) or "?")


def find_for_change(uow: UnitOfWork, code: str, passport_input, now: dt.date, hasher: CaseHasher,
                    conversation_id: str = "", client_address: Optional[str] = None) -> Booking:
    """The booking, once the passport (whole, or the last four with the family name) matches;
    BookingNotFound / VerificationFailed (same message); InvalidContact for input that is no answer
    (with ``answer``: see bot.services.case_status.NotAnAnswer), not counted; BookingNotChangeable.

    Failed checks count like case verifications (bot.domain.verification.guessing_lockout): by code,
    by conversation and by client address, with back-off, across restarts (VerificationLocked).
    """
    moment = utc_naive(now).replace(tzinfo=dt.timezone.utc)
    scope = attempt_scope(code)
    conversation = hasher.conversation(conversation_id)
    client = hasher.client(client_address) if client_address else None
    answer = _answer(passport_input)
    with uow:
        history = uow.attempts.guessing_history(scope, conversation, client, moment - GUESSING_LOOKBACK)
        guessing_lockout(history, moment)
        try:
            row = _verified(uow, code, answer, hasher)
        except bookings.BookingLookupFailed:
            uow.attempts.add_verification(scope, conversation, False, moment, client)
            uow.commit()
            raise
        _check_changeable(row, now)
        return bookings.booking_view(row)


def cancel(uow: UnitOfWork, code: str, passport_input: str, now: dt.date, hasher: CaseHasher) -> Booking:
    """Cancel a verified, upcoming booking and free its place."""
    with uow:
        row = _verified(uow, code, passport_input, hasher)
        _check_changeable(row, now)
        slot = (row.hall_id, row.day, row.start_time)
        if not uow.bookings.change_if_active(row.id, slot, {"status": "cancelled", "updated_at": utc_naive(now)}):
            raise bookings.BookingNotChangeable(bookings.booking_view(row), "it was changed a moment ago")
        uow.bookings.release_place(slot)
        uow.commit()
        uow.session.refresh(row)
        return bookings.booking_view(row)


def reschedule(uow: UnitOfWork, config: BookingConfig, code: str, passport_input: str, new_day: dt.date,
               new_time: dt.time, now: dt.date, hasher: CaseHasher, new_hall_id: Optional[str] = None) -> Booking:
    """Move a verified, upcoming booking (same code) to another time, day or hall, atomically: the new
    place is taken and the old one freed in one transaction, or nothing changes. Raises what bookings.book() raises."""
    with uow:
        row = _verified(uow, code, passport_input, hasher)
        _check_changeable(row, now)
        hall = bookings.bookable_hall(config, row.service_id, new_hall_id or row.hall_id)
        bookings.check_slot(config, hall, row.service_id, new_day, new_time, now)
        old, new = (row.hall_id, row.day, row.start_time), (hall.id, new_day, new_time)
        if old == new:
            return bookings.booking_view(row)
        bookings.free_expired_holds(uow, now)
        service_id = row.service_id
        other = uow.bookings.active_for(row.passport_hmac, service_id, new_day)
        if other is not None and other.id != row.id:
            raise bookings.DuplicateBooking(service_id, new_day)
        changes = {"hall_id": hall.id, "day": new_day, "start_time": new_time, "slot_minutes": hall.slot_minutes,
                   "status": "rescheduled", "change_count": row.change_count + 1, "updated_at": utc_naive(now)}
        try:
            if not uow.bookings.change_if_active(row.id, old, changes):
                raise bookings.BookingNotChangeable(bookings.booking_view(row), "it was changed a moment ago")
            uow.bookings.ensure_counter(new, hall.capacity)
            for slot in sorted([old, new]):  # one lock order for every transaction: no deadlock on PostgreSQL
                if slot == old:
                    uow.bookings.release_place(old)
                elif not uow.bookings.take_place(new, hall.capacity):
                    uow.session.rollback()
                    raise bookings.SlotFull(*new, bookings.free_times(uow, config, service_id, *new, now))
            uow.commit()
        except IntegrityError:  # the partial unique index: a concurrent booking of the service that day
            uow.session.rollback()
            raise bookings.DuplicateBooking(service_id, new_day) from None
        uow.session.refresh(row)
        return bookings.booking_view(row)


# -- helpers ------------------------------------------------------------------------------

def _answer(passport_input) -> IdentityAnswer:
    try:
        return identity_answer(passport_input)
    except NotAnAnswer as exc:
        error = InvalidContact("passport", "that is not a passport number")
        error.answer = exc.answer
        raise error from None


def _verified(uow: UnitOfWork, code: str, passport_input, hasher: CaseHasher) -> models.Booking:
    answer = _answer(passport_input)
    written = normalize_code(code)
    row = uow.bookings.by_code(written) if written else None
    if row is None or row.status == "held":  # a hold is nobody's booking until its e-mail code confirms it
        identity_matches(hasher, written or "", _NO_DIGEST, _NO_DIGEST, "", answer)  # same work as a real check
        raise bookings.BookingNotFound()
    if not identity_matches(hasher, row.code, row.passport_hmac, row.passport_last4_hmac, row.applicant_name, answer):
        raise bookings.VerificationFailed()
    return row


def _check_changeable(row: models.Booking, now: dt.date) -> None:
    booking = bookings.booking_view(row)
    if not booking.is_active:
        raise bookings.BookingNotChangeable(booking, f"it is {booking.status.replace('_', ' ')}")
    if booking.starts_at <= local_now(now):
        raise bookings.BookingNotChangeable(booking, "its time has passed")
