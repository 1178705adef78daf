"""Queries for bookings and the slot counters that hold the capacity rule."""
from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, List, Optional, Tuple

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import Booking, BookingHold, SlotCounter
from bot.domain.booking_details import ACTIVE_STATUSES, PLACE_TAKING_STATUSES

SlotKey = Tuple[str, dt.date, dt.time]


class BookingRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- bookings ---------------------------------------------------------------------
    def by_code(self, code: str) -> Optional[Booking]:
        return self.session.execute(select(Booking).where(Booking.code == code)).scalar_one_or_none()

    def active_for(self, passport_hmac: str, service_id: str, day: dt.date) -> Optional[Booking]:
        """The person's booking or hold for the service that day, if one takes a place."""
        return self.session.execute(select(Booking).where(
            Booking.passport_hmac == passport_hmac, Booking.service_id == service_id, Booking.day == day,
            Booking.status.in_(PLACE_TAKING_STATUSES),
        )).scalars().first()

    def open_counts(self, first_day: dt.date, client_key: Optional[str], email: str, phone: str) -> Dict[str, int]:
        """Holds and bookings taking a place on ``first_day`` or later, per client key, e-mail and phone
        ("client" is left out when the client is unknown)."""
        kinds = {"email": Booking.email == email, "phone": Booking.phone == phone}
        if client_key is not None:
            kinds["client"] = Booking.client_key == client_key
        columns = [func.count().filter(condition).label(kind) for kind, condition in kinds.items()]
        row = self.session.execute(select(*columns).where(
            Booking.status.in_(PLACE_TAKING_STATUSES), Booking.day >= first_day, or_(*kinds.values()),
        )).one()
        return dict(row._mapping)

    def add(self, booking: Booking) -> None:
        self.session.add(booking)

    def change_if_active(self, booking_id: int, expected: SlotKey, values: dict) -> bool:
        """Update an active booking still at ``expected`` (hall, day, time); False when a concurrent
        change got there first."""
        hall_id, day, start_time = expected
        result = self.session.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.status.in_(ACTIVE_STATUSES), Booking.hall_id == hall_id,
                   Booking.day == day, Booking.start_time == start_time)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    def lock_contacts(self, keys: Iterable[str]) -> None:
        """Serialise the transactions that count and add open bookings for the same client or contact
        until they commit: PostgreSQL advisory locks, taken in one order (no deadlock). SQLite needs
        none: a transaction that has written is the only writer until it ends."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for key in sorted(set(keys)):
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("booking-open:" + key))))

    # -- holds --------------------------------------------------------------------------
    def add_hold(self, hold: BookingHold) -> None:
        self.session.add(hold)

    def hold_for(self, conversation_key: str) -> Optional[Tuple[BookingHold, Booking]]:
        """The conversation's hold and its held booking, or None."""
        row = self.session.execute(
            select(BookingHold, Booking).join(Booking, Booking.id == BookingHold.booking_id)
            .where(BookingHold.conversation_key == conversation_key, Booking.status == "held")
        ).first()
        return (row[0], row[1]) if row else None

    def expired_holds(self, now: dt.datetime) -> List[Tuple[int, SlotKey]]:
        """(booking id, slot) of the holds whose time is up at ``now`` (naive UTC)."""
        rows = self.session.execute(
            select(Booking.id, Booking.hall_id, Booking.day, Booking.start_time)
            .join(BookingHold, BookingHold.booking_id == Booking.id)
            .where(BookingHold.expires_at <= now, Booking.status == "held")
        ).all()
        return [(r.id, (r.hall_id, r.day, r.start_time)) for r in rows]

    def count_failure(self, booking_id: int) -> int:
        """One more wrong code for the hold, counted atomically; the new total."""
        self.session.execute(
            update(BookingHold).where(BookingHold.booking_id == booking_id)
            .values(failures=BookingHold.failures + 1).execution_options(synchronize_session=False))
        return self.session.execute(
            select(BookingHold.failures).where(BookingHold.booking_id == booking_id)).scalar_one_or_none() or 0

    def confirm_held(self, booking_id: int, stamp: dt.datetime) -> bool:
        """Turn the held booking into a booking; False when it is no longer held (released meanwhile)."""
        result = self.session.execute(
            update(Booking).where(Booking.id == booking_id, Booking.status == "held")
            .values(status="booked", updated_at=stamp).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return False
        self.session.execute(delete(BookingHold).where(BookingHold.booking_id == booking_id))
        return True

    def delete_held(self, booking_id: int) -> bool:
        """Remove a hold and its held booking (nothing of an unconfirmed booking is kept); False when
        it is no longer held (confirmed or released meanwhile). The caller frees the place."""
        self.session.execute(delete(BookingHold).where(BookingHold.booking_id == booking_id))
        result = self.session.execute(
            delete(Booking).where(Booking.id == booking_id, Booking.status == "held")
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    # -- slot counters ----------------------------------------------------------------
    def counts(self, hall_ids: Iterable[str], first: dt.date, last: dt.date) -> Dict[SlotKey, int]:
        """(hall, day, time) -> places taken, for the slots that have a counter."""
        rows = self.session.execute(select(SlotCounter).where(
            SlotCounter.hall_id.in_(list(hall_ids)), SlotCounter.day >= first, SlotCounter.day <= last,
        )).scalars()
        return {(r.hall_id, r.day, r.start_time): r.booked for r in rows}

    def ensure_counter(self, key: SlotKey, capacity: int) -> None:
        """Create the slot's counter at 0 unless it exists; safe against a concurrent creation."""
        hall_id, day, start_time = key
        dialect = self.session.get_bind().dialect.name
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        self.session.execute(
            insert(SlotCounter)
            .values(hall_id=hall_id, day=day, start_time=start_time, capacity=capacity, booked=0)
            .on_conflict_do_nothing(index_elements=["hall_id", "day", "start_time"])
        )

    def take_place(self, key: SlotKey, capacity: int) -> bool:
        """Take one place if fewer than ``capacity`` are taken: one atomic UPDATE whose row count
        decides. The capacity is refreshed from the configuration at the same time."""
        result = self.session.execute(
            update(SlotCounter)
            .where(_slot(key), SlotCounter.booked < capacity)
            .values(booked=SlotCounter.booked + 1, capacity=capacity)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    def release_place(self, key: SlotKey) -> None:
        self.session.execute(
            update(SlotCounter)
            .where(_slot(key), SlotCounter.booked > 0)
            .values(booked=SlotCounter.booked - 1)
            .execution_options(synchronize_session=False)
        )


def _slot(key: SlotKey):
    hall_id, day, start_time = key
    return and_(SlotCounter.hall_id == hall_id, SlotCounter.day == day, SlotCounter.start_time == start_time)
