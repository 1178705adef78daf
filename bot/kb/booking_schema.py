"""The shape of policies_kb/booking.yml: which halls take bookings, for which services, when, how many.

Hours are "HH:MM-HH:MM" strings. A weekday left out of ``hours`` is a day the hall does not
open. Cross-references to the knowledge base are checked by bot.kb.booking.load_booking_config.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import List, Optional, Tuple

from pydantic import Field, root_validator, validator

from bot.kb.facts import Strict, check_id, check_unique_ids

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


class TimeRange(Strict):
    """From ``start`` (inclusive) to ``end`` (exclusive), written "09:00-17:00" in the file."""

    start: dt.time
    end: dt.time

    @classmethod
    def validate(cls, value):
        if isinstance(value, str):
            value = _parse_range(value)
        return super().validate(value)

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values):  # noqa: N805 - pydantic signature
        if values["start"] >= values["end"]:
            raise ValueError("the end must be after the start")
        return values

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def overlaps(self, other: "TimeRange") -> bool:
        return self.start < other.end and other.start < self.end


def _parse_range(text: str) -> dict:
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f'"{text}" must look like "09:00-17:00"')
    hours_a, minutes_a, hours_b, minutes_b = (int(g) for g in match.groups())
    try:
        return {"start": dt.time(hours_a, minutes_a), "end": dt.time(hours_b, minutes_b)}
    except ValueError:
        raise ValueError(f'"{text}" is not a time of day') from None


class WeekHours(Strict):
    """Opening hours per weekday; a day left out (or null) is closed."""

    monday: Optional[TimeRange] = None
    tuesday: Optional[TimeRange] = None
    wednesday: Optional[TimeRange] = None
    thursday: Optional[TimeRange] = None
    friday: Optional[TimeRange] = None
    saturday: Optional[TimeRange] = None
    sunday: Optional[TimeRange] = None

    def on(self, weekday: int) -> Optional[TimeRange]:
        """Hours for ``date.weekday()`` (0 = Monday)."""
        return getattr(self, WEEKDAYS[weekday])

    def open_days(self) -> List[str]:
        return [name for name in WEEKDAYS if getattr(self, name) is not None]


class HallBooking(Strict):
    """Booking rules of one hall (``id`` is the hall's id in halls.yml)."""

    id: str
    services: List[str] = Field(..., min_items=1)  # service ids that can be booked here
    slot_minutes: int = Field(..., ge=5, le=240)
    capacity: int = Field(..., ge=1, le=200)  # applicants per slot, all services together
    hours_published: bool  # false: the hours below are our operating configuration, the bot says so
    hours: WeekHours
    breaks: List[TimeRange] = []  # every open day, e.g. lunch
    opens_on_adjusted_working_days: bool  # weekend days made working days; their hours are Monday's
    note: Optional[str] = None

    _id = validator("id", allow_reuse=True)(check_id)

    @validator("services")
    def _unique_services(cls, services):  # noqa: N805
        for service_id in services:
            check_id(service_id)
            if services.count(service_id) > 1:
                raise ValueError(f"service '{service_id}' appears twice")
        return services

    @validator("hours")
    def _some_day(cls, hours):  # noqa: N805
        if not hours.open_days():
            raise ValueError("give the hours of at least one weekday")
        return hours

    @validator("breaks")
    def _separate_breaks(cls, breaks):  # noqa: N805
        for i, a in enumerate(breaks):
            for b in breaks[i + 1:]:
                if a.overlaps(b):
                    raise ValueError(f"breaks {a} and {b} overlap")
        return breaks

    @root_validator(skip_on_failure=True)
    def _fits(cls, values):  # noqa: N805
        hours: WeekHours = values["hours"]
        for name in hours.open_days():
            day_hours = getattr(hours, name)
            if not periods(day_hours, values["breaks"], values["slot_minutes"]):
                raise ValueError(f"{name} {day_hours} leaves no slot of {values['slot_minutes']} minutes")
        for pause in values["breaks"]:
            if not any(getattr(hours, name).overlaps(pause) for name in hours.open_days()):
                raise ValueError(f"break {pause} is outside the opening hours")
        if values["opens_on_adjusted_working_days"] and hours.monday is None:
            raise ValueError("opens_on_adjusted_working_days needs Monday hours (used on those days)")
        return values


class BookingConfig(Strict):
    """policies_kb/booking.yml"""

    booking_window_days: int = Field(..., ge=1, le=366)  # how far ahead a day can be booked
    halls: List[HallBooking] = Field(..., min_items=1)
    last_reviewed: dt.date

    @validator("halls")
    def _unique_halls(cls, halls):  # noqa: N805
        return check_unique_ids(halls, "hall")

    def hall(self, hall_id: str) -> Optional[HallBooking]:
        return next((h for h in self.halls if h.id == hall_id), None)

    def halls_for(self, service_id: str) -> List[HallBooking]:
        """Halls that take bookings for ``service_id``, in file order."""
        return [h for h in self.halls if service_id in h.services]

    def services(self) -> List[str]:
        """Every service that can be booked somewhere, in file order."""
        return list(dict.fromkeys(s for h in self.halls for s in h.services))


def periods(hours: TimeRange, breaks: List[TimeRange], slot_minutes: int) -> List[Tuple[dt.time, dt.time]]:
    """The stretches of ``hours`` outside ``breaks`` that hold at least one slot."""
    stretches = [(hours.start, hours.end)]
    for pause in sorted(breaks, key=lambda b: b.start):
        cut = []
        for start, end in stretches:
            if pause.end <= start or pause.start >= end:
                cut.append((start, end))
                continue
            if start < pause.start:
                cut.append((start, pause.start))
            if pause.end < end:
                cut.append((pause.end, end))
        stretches = cut
    return [(s, e) for s, e in stretches if _minutes(e) - _minutes(s) >= slot_minutes]


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute
