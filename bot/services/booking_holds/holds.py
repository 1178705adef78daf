"""Use cases of a booking hold: place it, confirm it with the e-mailed code, release it.

A hold is a booking row with status "held" (it takes its place in slot_counters like any booking,
so capacity stays a database rule) plus a booking_holds row with the code's keyed hash, the expiry,
the wrong-code count and the conversation (an HMAC of the sender id, as in the vault). One
conversation has at most one hold: placing a new one releases the earlier one. Releasing deletes
the held booking (nothing of an unconfirmed booking is kept) and frees its place.

``now`` may be an aware datetime, a naive Beijing datetime, or a date (as in bot.services.bookings).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from bot.db import models
from bot.db.uow import UnitOfWork
from bot.domain.booking_details import Booking
from bot.domain.booking_holds.rules import (
    HoldAbandoned, HoldExpired, HoldPolicy, NoHold, WrongHoldCode, check_open_limits, client_key, code_matches,
    hash_hold_code, is_expired, new_hold_code, tries_left,
)
from bot.domain.bookings import local_now, utc_naive
from bot.domain.verification import CaseHasher
from bot.kb.booking_schema import BookingConfig
from bot.services import bookings, vault


@dataclass(frozen=True)
class PlacedHold:
    """A hold just placed. ``code`` is the one-time code, for the e-mail only (it is stored as a hash);
    ``booking.code`` is not shown to anyone before the hold is confirmed."""

    booking: Booking
    code: str
    expires_at: dt.datetime  # UTC, naive


def place_hold(uow: UnitOfWork, config: BookingConfig, request: bookings.BookingRequest, now: dt.date,
               hasher: CaseHasher, secret: bytes, policy: HoldPolicy, conversation_id: str,
               client_address: Optional[str] = None) -> PlacedHold:
    """Hold one place for ``policy.minutes``, or raise what bookings.book() raises, or
    TooManyOpenBookings when the client address, e-mail address or phone number has ``policy.max_open``
    holds and bookings open. The conversation's earlier hold, if any, is released first."""
    conversation = vault.conversation_key(secret, conversation_id)
    client = client_key(secret, client_address)
    code = new_hold_code()
    stamp = utc_naive(now)
    expires_at = policy.expires_at(stamp)

    def before(uow: UnitOfWork, checked: bookings.BookingRequest) -> None:
        _release(uow, conversation)
        uow.bookings.lock_contacts([k for k in (client, checked.email, checked.phone) if k])  # count, then add
        counts = uow.bookings.open_counts(local_now(now).date(), client, checked.email, checked.phone)
        check_open_limits(counts, policy)

    def after(uow: UnitOfWork, row: models.Booking) -> None:
        uow.bookings.add_hold(models.BookingHold(
            booking_id=row.id, conversation_key=conversation, code_hash=hash_hold_code(secret, row.code, code),
            expires_at=expires_at, failures=0, created_at=stamp))

    row = bookings.place(uow, config, request, now, hasher, status="held", client_key=client,
                         before=before, after=after)
    return PlacedHold(bookings.booking_view(row), code, expires_at)


def confirm_hold(uow: UnitOfWork, secret: bytes, policy: HoldPolicy, conversation_id: str,
                 typed: Optional[str], now: dt.date) -> Booking:
    """Confirm the conversation's hold with the code the person typed: the booking, now "booked".
    Raises NoHold, HoldExpired (the place is freed), WrongHoldCode (with the tries left) or
    HoldAbandoned (the last wrong code: the place is freed)."""
    conversation = vault.conversation_key(secret, conversation_id)
    stamp = utc_naive(now)
    with uow:
        found = uow.bookings.hold_for(conversation)
        if found is None:
            raise NoHold()
        hold, row = found
        if is_expired(hold.expires_at, stamp):
            _release(uow, conversation)
            uow.commit()
            raise HoldExpired()
        if not code_matches(secret, row.code, typed, hold.code_hash):
            left = tries_left(uow.bookings.count_failure(row.id), policy)
            if left == 0:
                _release(uow, conversation)
                uow.commit()
                raise HoldAbandoned()
            uow.commit()
            raise WrongHoldCode(left)
        if not uow.bookings.confirm_held(row.id, stamp):
            raise NoHold()  # released a moment ago
        uow.commit()
        uow.session.refresh(row)
        return bookings.booking_view(row)


def release_hold(uow: UnitOfWork, secret: bytes, conversation_id: str) -> bool:
    """Release the conversation's hold now (the person said no, or the e-mail could not be sent);
    False when there was none."""
    with uow:
        released = _release(uow, vault.conversation_key(secret, conversation_id))
        uow.commit()
        return released


def _release(uow: UnitOfWork, conversation: str) -> bool:
    found = uow.bookings.hold_for(conversation)
    if found is None:
        return False
    _, row = found
    slot = (row.hall_id, row.day, row.start_time)
    if not uow.bookings.delete_held(row.id):
        return False
    uow.bookings.release_place(slot)
    return True
