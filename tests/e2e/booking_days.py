"""Days the end-to-end tests can book, derived from the servers' own clock and booking rules.

A booking test that names a fixed date breaks the day that date passes; these helpers ask the same
rules the servers use (bot.domain.bookings, policies_kb/booking.yml, bot.services.clock) for the next
days on which a given time can be booked, so the tests keep working as the calendar moves on.
"""
from __future__ import annotations

import datetime as dt
from typing import List

from bot.config import Settings
from bot.domain.bookings import closed_reason, slot_times
from bot.domain.wording import format_date
from bot.kb.booking import load_booking_config
from bot.services import clock, knowledge

ETOWN_HALL = "daxing_branch_etown_foreigners_hall"


def bookable_days(settings: Settings, time: str, count: int, hall_id: str = ETOWN_HALL) -> List[dt.date]:
    """The next ``count`` days after today (Beijing) on which ``time`` ("10:30") is a bookable slot at the hall.

    Today itself is left out, so the slot cannot pass while a test runs.
    """
    kb_dir = settings.path(settings.kb_dir)
    config = load_booking_config(kb_dir, knowledge.check(kb_dir))
    hall = config.hall(hall_id)
    assert hall is not None, f"{hall_id} is not bookable in booking.yml"
    wanted = dt.time.fromisoformat(time)
    now = clock.now(settings)
    day, found = clock.today(settings), []
    while len(found) < count:
        day += dt.timedelta(days=1)
        assert day <= clock.today(settings) + dt.timedelta(days=config.booking_window_days), \
            f"no day in the booking window offers {time} at {hall_id}"
        if closed_reason(config, hall, day, now) is None and wanted in slot_times(hall, day):
            found.append(day)
    return found


def bookable_day(settings: Settings, time: str, nth: int = 1, hall_id: str = ETOWN_HALL) -> str:
    """The ``nth`` bookable day for ``time``, written as the bot writes dates (day, month name, year)."""
    return format_date(bookable_days(settings, time, nth, hall_id)[-1])
