"""Queries for bookings and the slot counters that hold the capacity rule."""
from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, Optional, Tuple

from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import Booking, SlotCounter
from bot.domain.booking_details import ACTIVE_STATUSES

SlotKey = Tuple[str, dt.date, dt.time]


class BookingRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- bookings ---------------------------------------------------------------------
    def by_code(self, code: str) -> Optional[Booking]:
        return self.session.execute(select(Booking).where(Booking.code == code)).scalar_one_or_none()

    def active_for(self, passport_hmac: str, service_id: str, day: dt.date) -> Optional[Booking]:
        return self.session.execute(select(Booking).where(
            Booking.passport_hmac == passport_hmac, Booking.service_id == service_id, Booking.day == day,
            Booking.status.in_(ACTIVE_STATUSES),
        )).scalars().first()

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
