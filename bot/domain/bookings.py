"""Appointment rules at the service halls: open days, slots, availability and suggestions. Pure.

Times are Beijing wall-clock times (naive). ``now`` is passed in; aware datetimes are converted
to Beijing time first. Booked counts come in as a mapping (hall id, day, time) -> places taken.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator, List, Literal, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from bot.domain.wording import format_date
from bot.domain.workdays import WEEKDAY_NAMES, is_working_day, reason_closed, schedule_note
from bot.kb.booking_schema import BookingConfig, HallBooking, TimeRange, periods

BEIJING = ZoneInfo("Asia/Shanghai")
SUGGEST_DAYS_AHEAD = 14  # how many following days the suggestions look at, at the same hall
ClosedKind = Literal["past", "beyond_window", "holiday", "weekend", "hall_closed"]
Counts = Mapping[Tuple[str, dt.date, dt.time], int]


@dataclass(frozen=True)
class ClosedReason:
    """Why a day cannot be booked; ``text`` completes "closed: ..." ("Spring Festival holiday")."""

    kind: ClosedKind
    text: str


@dataclass(frozen=True)
class SlotState:
    time: dt.time
    booked: int
    capacity: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


@dataclass(frozen=True)
class DayAvailability:
    """One day at one hall for one service: closed with a reason, or its upcoming slots."""

    hall_id: str
    service_id: str
    day: dt.date
    closed: Optional[ClosedReason]
    hours: Optional[TimeRange]
    slots: Tuple[SlotState, ...]  # upcoming slots only (today's past times are left out)
    hours_published: bool  # False: the hours are our configuration, not published (say so)
    schedule_notice: Optional[str]  # the year's schedule is not published: its holidays are provisional
    earlier_open_day: Optional[dt.date] = None  # nearest open days, set when this day is closed
    later_open_day: Optional[dt.date] = None

    @property
    def is_open(self) -> bool:
        return self.closed is None

    @property
    def free_times(self) -> List[dt.time]:
        return [s.time for s in self.slots if s.free > 0]

    @property
    def is_full(self) -> bool:
        return self.is_open and not self.free_times


@dataclass(frozen=True)
class Suggestion:
    hall_id: str
    day: dt.date
    time: dt.time
    free: int
    load: float  # share of the day's places already taken at that hall (0 = empty)


@dataclass(frozen=True)
class Suggestions:
    """Alternatives to a full slot or a closed day: this hall first, then other halls the same day."""

    same_hall: Tuple[Suggestion, ...]
    other_halls: Tuple[Suggestion, ...]  # least busy first

    def __bool__(self) -> bool:
        return bool(self.same_hall or self.other_halls)


def local_now(now: dt.date) -> dt.datetime:
    """``now`` as naive Beijing time: an aware datetime is converted, a naive one is taken as Beijing's,
    a date alone is the start of that day (so none of its times has passed)."""
    if not isinstance(now, dt.datetime):
        return dt.datetime.combine(now, dt.time.min)
    return now.astimezone(BEIJING).replace(tzinfo=None) if now.tzinfo else now


def utc_naive(now: dt.date) -> dt.datetime:
    """``now`` as the naive UTC the database columns hold."""
    return local_now(now).replace(tzinfo=BEIJING).astimezone(dt.timezone.utc).replace(tzinfo=None)


def schedule_notice(day: dt.date) -> Optional[str]:
    """What to tell users about a day in a year whose official holiday schedule is not out yet
    (its holidays are provisional, by rule); None in a published year."""
    return schedule_note([day.year])


def hours_on(hall: HallBooking, day: dt.date) -> Optional[TimeRange]:
    """The hall's hours on ``day`` after the holiday calendar, or None when it is closed."""
    weekday_hours = hall.hours.on(day.weekday())
    if is_working_day(day):
        if day.weekday() < 5 or weekday_hours is not None:
            return weekday_hours
        return hall.hours.monday if hall.opens_on_adjusted_working_days else None  # adjusted working day
    if reason_closed(day) not in WEEKDAY_NAMES:
        return None  # a statutory holiday (its weekend days included)
    return weekday_hours  # an ordinary weekend day: open where the hall works Saturdays


def closed_reason(config: BookingConfig, hall: HallBooking, day: dt.date, now: dt.datetime) -> Optional[ClosedReason]:
    """Why ``day`` cannot be booked at ``hall`` (past, too far ahead, holiday, weekend, hall closed), or None."""
    now = local_now(now)
    today = now.date()
    if day < today:
        return ClosedReason("past", "that day has passed")
    last = today + dt.timedelta(days=config.booking_window_days)
    if day > last:
        return ClosedReason("beyond_window", f"bookings open {config.booking_window_days} days ahead "
                            f"(the latest day you can book now is {format_date(last)})")
    if hours_on(hall, day) is None:
        reason = reason_closed(day)
        if reason and reason not in WEEKDAY_NAMES:
            return ClosedReason("holiday", reason)
        weekday = WEEKDAY_NAMES[day.weekday()]
        if reason:
            return ClosedReason("weekend", weekday)
        if day.weekday() >= 5:
            return ClosedReason("hall_closed", f"{weekday} {format_date(day)} is an adjusted working day, "
                                "but this hall does not open on adjusted working days")
        return ClosedReason("hall_closed", f"this hall does not open on {weekday}s")
    if day == today and not upcoming_times(hall, day, now):
        return ClosedReason("past", "there are no times left today")
    return None


def slot_times(hall: HallBooking, day: dt.date) -> List[dt.time]:
    """Start times of the hall's slots on ``day`` (breaks left out); [] when it is closed."""
    hours = hours_on(hall, day)
    if hours is None:
        return []
    times = []
    for start, end in periods(hours, hall.breaks, hall.slot_minutes):
        at = _at(day, start)
        while at + dt.timedelta(minutes=hall.slot_minutes) <= _at(day, end):
            times.append(at.time())
            at += dt.timedelta(minutes=hall.slot_minutes)
    return times


def upcoming_times(hall: HallBooking, day: dt.date, now: dt.datetime) -> List[dt.time]:
    """Slot times on ``day`` that start after ``now``."""
    now = local_now(now)
    return [t for t in slot_times(hall, day) if _at(day, t) > now]


def nearest_open_days(config: BookingConfig, hall: HallBooking, day: dt.date,
                      now: dt.datetime) -> Tuple[Optional[dt.date], Optional[dt.date]]:
    """The closest bookable days before and after ``day``, within today and the booking window."""
    today = local_now(now).date()
    last = today + dt.timedelta(days=config.booking_window_days)
    backwards = _days(min(day - dt.timedelta(days=1), last), today, -1)
    forwards = _days(max(day + dt.timedelta(days=1), today), last, 1)
    earlier = next((d for d in backwards if closed_reason(config, hall, d, now) is None), None)
    later = next((d for d in forwards if closed_reason(config, hall, d, now) is None), None)
    return earlier, later


def _days(first: dt.date, last: dt.date, step: int) -> Iterator[dt.date]:
    day = first
    while (day <= last) if step > 0 else (day >= last):
        yield day
        day += dt.timedelta(days=step)


def day_availability(config: BookingConfig, hall: HallBooking, service_id: str, day: dt.date,
                     now: dt.datetime, counts: Counts) -> DayAvailability:
    """The day at ``hall``: closed (with the nearest open days) or its upcoming slots and free places."""
    closed = closed_reason(config, hall, day, now)
    notice = schedule_notice(day)
    if closed is not None:
        earlier, later = nearest_open_days(config, hall, day, now)
        return DayAvailability(hall.id, service_id, day, closed, None, (), hall.hours_published, notice,
                               earlier, later)
    slots = tuple(SlotState(t, counts.get((hall.id, day, t), 0), hall.capacity)
                  for t in upcoming_times(hall, day, now))
    return DayAvailability(hall.id, service_id, day, None, hours_on(hall, day), slots, hall.hours_published, notice)


def suggest_times(config: BookingConfig, service_id: str, hall_id: str, day: dt.date, time: Optional[dt.time],
                  now: dt.datetime, counts: Counts, limit: int = 3, other_limit: int = 3) -> Suggestions:
    """Free times instead of (hall, day, time): the nearest at this hall (same day first, then the
    following days), and the same day at other halls offering the service, least busy first."""
    hall = config.hall(hall_id)
    wanted = _minutes(time) if time else 0
    same: List[Suggestion] = []
    for offset in range(SUGGEST_DAYS_AHEAD + 1 if hall is not None else 0):
        probe = day + dt.timedelta(days=offset)
        if len(same) >= limit:
            break
        if closed_reason(config, hall, probe, now) is not None:
            continue
        free = _free(config, hall, probe, now, counts)
        if offset == 0:
            free = sorted((s for s in free if s.time != time), key=lambda s: (abs(_minutes(s.time) - wanted), s.time))
        same.extend(free[: limit - len(same)])
    others = []
    for other in config.halls_for(service_id):
        if other.id == hall_id or closed_reason(config, other, day, now) is not None:
            continue
        free = _free(config, other, day, now, counts)
        if free:
            others.append(min(free, key=lambda s: (abs(_minutes(s.time) - wanted), s.time)))
    others.sort(key=lambda s: s.load)  # stable: ties keep the file order
    return Suggestions(tuple(same), tuple(others[:other_limit]))


def _free(config: BookingConfig, hall: HallBooking, day: dt.date, now: dt.datetime,
          counts: Counts) -> List[Suggestion]:
    times = slot_times(hall, day)
    taken = sum(counts.get((hall.id, day, t), 0) for t in times)
    load = taken / (hall.capacity * len(times)) if times else 1.0
    result = []
    for t in upcoming_times(hall, day, now):
        free = hall.capacity - counts.get((hall.id, day, t), 0)
        if free > 0:
            result.append(Suggestion(hall.id, day, t, free, load))
    return result


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute
