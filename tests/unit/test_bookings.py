"""Booking rules: open days by the holiday calendar and each hall's hours, slots, availability, suggestions."""
import datetime as dt

import pytest

from bot.domain.bookings import (
    closed_reason, day_availability, hours_on, local_now, nearest_open_days, slot_times, suggest_times,
    upcoming_times,
)
from bot.kb.booking import load_booking_config
from tests.conftest import KB_DIR

PSB = "psb_exit_entry_reception_hall"  # Monday to Saturday, hours published
ETOWN = "daxing_branch_etown_foreigners_hall"  # hours not published: Monday to Friday configured
SHIJINGSHAN = "shijingshan_branch_exit_entry"  # published lunch break 12:00-13:30
RP = "residence_permit"
D = dt.date
T = dt.time


@pytest.fixture(scope="module")
def config(kb):
    return load_booking_config(KB_DIR, kb)


def reason(config, hall_id, day, now):
    return closed_reason(config, config.hall(hall_id), day, now)


def times(values):
    return [T(*map(int, v.split(":"))) for v in values]


# -- holidays, weekends and adjusted working days ----------------------------------------

def test_spring_festival_2026_is_closed_with_its_name(config):
    now = D(2026, 2, 1)
    for day in (D(2026, 2, 16), D(2026, 2, 20), D(2026, 2, 23)):
        closed = reason(config, PSB, day, now)
        assert (closed.kind, closed.text) == ("holiday", "Spring Festival holiday")
    # A Saturday inside the holiday is a holiday even at a hall that works Saturdays.
    assert reason(config, PSB, D(2026, 2, 21), now).text == "Spring Festival holiday"
    assert reason(config, PSB, D(2026, 2, 24), now) is None


def test_nearest_open_days_around_spring_festival(config):
    earlier, later = nearest_open_days(config, config.hall(ETOWN), D(2026, 2, 18), D(2026, 2, 1))
    assert earlier == D(2026, 2, 14)  # the adjusted working Saturday before the holiday
    assert later == D(2026, 2, 24)
    availability = day_availability(config, config.hall(ETOWN), RP, D(2026, 2, 18), D(2026, 2, 1), {})
    assert not availability.is_open and availability.slots == ()
    assert (availability.earlier_open_day, availability.later_open_day) == (D(2026, 2, 14), D(2026, 2, 24))


def test_adjusted_working_saturday_14_february_2026(config):
    now = D(2026, 2, 1)
    etown = config.hall(ETOWN)
    assert reason(config, ETOWN, D(2026, 2, 14), now) is None
    assert hours_on(etown, D(2026, 2, 14)) == etown.hours.monday
    assert reason(config, ETOWN, D(2026, 2, 7), now).kind == "weekend"  # an ordinary Saturday
    closed_on_swaps = config.copy(update={"halls": [etown.copy(update={"opens_on_adjusted_working_days": False})]})
    closed = reason(closed_on_swaps, ETOWN, D(2026, 2, 14), now)
    assert closed.kind == "hall_closed" and "adjusted working day" in closed.text


def test_saturdays_follow_the_hall_and_sundays_stay_closed(config):
    now = D(2026, 11, 22)
    saturday, sunday = D(2026, 11, 28), D(2026, 11, 29)
    assert reason(config, PSB, saturday, now) is None
    closed = reason(config, ETOWN, saturday, now)
    assert (closed.kind, closed.text) == ("weekend", "Saturday")
    assert reason(config, PSB, sunday, now).text == "Sunday"


def test_national_day_2026_and_its_adjusted_working_days(config):
    now = D(2026, 9, 15)
    assert reason(config, PSB, D(2026, 10, 1), now).text == "National Day holiday"
    assert reason(config, PSB, D(2026, 10, 3), now).text == "National Day holiday"  # a Saturday
    assert reason(config, ETOWN, D(2026, 10, 7), now).kind == "holiday"
    assert reason(config, ETOWN, D(2026, 10, 8), now) is None
    assert reason(config, ETOWN, D(2026, 10, 10), now) is None  # adjusted working Saturday
    assert reason(config, ETOWN, D(2026, 9, 20), now) is None  # adjusted working Sunday
    assert reason(config, PSB, D(2026, 9, 20), now) is None  # open on its Monday hours
    assert slot_times(config.hall(PSB), D(2026, 9, 20)) == slot_times(config.hall(PSB), D(2026, 9, 21))


def test_uncovered_year_2027_closes_its_holidays_and_says_they_are_provisional(config):
    now = D(2026, 11, 22)
    new_year = day_availability(config, config.hall(PSB), RP, D(2027, 1, 1), now, {})
    assert new_year.closed.text == "New Year's Day holiday"
    assert "2027" in new_year.schedule_notice and "not been published" in new_year.schedule_notice
    assert "provisional" in new_year.schedule_notice and "Spring Festival 5–10 February" in new_year.schedule_notice
    monday = day_availability(config, config.hall(ETOWN), RP, D(2027, 1, 4), now, {})
    assert monday.is_open and monday.free_times and monday.schedule_notice
    assert reason(config, PSB, D(2027, 1, 2), now) is None  # a Saturday at a Monday-to-Saturday hall
    assert day_availability(config, config.hall(PSB), RP, D(2026, 12, 31), now, {}).schedule_notice is None


def test_spring_festival_2027_is_closed_as_a_provisional_holiday(config):
    now = D(2027, 1, 10)
    for day in (D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 10)):
        closed = reason(config, PSB, day, now)
        assert (closed.kind, closed.text) == ("holiday", "Spring Festival holiday, provisional")
    saturday = day_availability(config, config.hall(PSB), RP, D(2027, 2, 6), now, {})
    assert saturday.closed.text == "Spring Festival holiday, provisional" and "provisional" in saturday.schedule_notice
    assert saturday.later_open_day == D(2027, 2, 11)
    assert reason(config, ETOWN, D(2027, 2, 11), now) is None


def test_uncovered_year_labour_and_national_day_dates_are_closed(config):
    assert reason(config, PSB, D(2027, 5, 1), D(2027, 4, 20)).text == "Labour Day holiday"  # Saturday, fixed date
    # Monday 3 and Tuesday 4 May: the days off for 1-2 May on the weekend, by rule until published.
    assert reason(config, PSB, D(2027, 5, 3), D(2027, 4, 20)).text == "Labour Day holiday, provisional"
    assert reason(config, PSB, D(2027, 5, 4), D(2027, 4, 20)).kind == "holiday"
    assert reason(config, PSB, D(2027, 5, 5), D(2027, 4, 20)) is None
    for day in (D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)):
        assert reason(config, PSB, day, D(2027, 9, 20)).kind in ("holiday", "weekend")
    assert reason(config, PSB, D(2027, 10, 2), D(2027, 9, 20)).text == "National Day holiday"


def test_a_hall_closed_on_a_weekday(config):
    psb = config.hall(PSB)
    no_wednesday = psb.copy(update={"hours": psb.hours.copy(update={"wednesday": None})})
    edited = config.copy(update={"halls": [no_wednesday]})
    closed = reason(edited, PSB, D(2026, 11, 25), D(2026, 11, 22))
    assert (closed.kind, closed.text) == ("hall_closed", "this hall does not open on Wednesdays")


# -- past days, today and the booking window ---------------------------------------------

def test_past_days_and_the_times_left_today(config):
    psb = config.hall(PSB)
    assert reason(config, PSB, D(2026, 11, 20), dt.datetime(2026, 11, 22, 10, 0)).kind == "past"
    assert upcoming_times(psb, D(2026, 11, 23), dt.datetime(2026, 11, 23, 10, 10))[0] == T(10, 30)
    late = reason(config, PSB, D(2026, 11, 23), dt.datetime(2026, 11, 23, 16, 45))
    assert (late.kind, late.text) == ("past", "there are no times left today")


def test_now_may_be_aware_utc(config):
    # 02:10 UTC is 10:10 in Beijing
    aware = dt.datetime(2026, 11, 23, 2, 10, tzinfo=dt.timezone.utc)
    assert local_now(aware) == dt.datetime(2026, 11, 23, 10, 10)
    assert upcoming_times(config.hall(PSB), D(2026, 11, 23), aware)[0] == T(10, 30)


def test_days_beyond_the_booking_window(config):
    now = D(2026, 11, 22)
    last = now + dt.timedelta(days=config.booking_window_days)
    assert reason(config, ETOWN, last + dt.timedelta(days=1), now).kind == "beyond_window"
    assert nearest_open_days(config, config.hall(ETOWN), last + dt.timedelta(days=30), now)[1] is None


# -- slots ---------------------------------------------------------------------------------

def test_slots_leave_out_the_published_lunch_break(config):
    slots = slot_times(config.hall(SHIJINGSHAN), D(2026, 11, 23))
    assert slots == times(["9:00", "9:30", "10:00", "10:30", "11:00", "11:30",
                           "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"])


def test_slots_fill_the_opening_hours(config):
    slots = slot_times(config.hall(PSB), D(2026, 11, 23))
    assert slots[0] == T(9, 0) and slots[-1] == T(16, 30) and len(slots) == 16
    assert slot_times(config.hall(PSB), D(2026, 11, 29)) == []  # Sunday


def test_hours_not_published_are_flagged(config):
    etown = day_availability(config, config.hall(ETOWN), RP, D(2026, 11, 23), D(2026, 11, 22), {})
    psb = day_availability(config, config.hall(PSB), RP, D(2026, 11, 23), D(2026, 11, 22), {})
    assert etown.hours_published is False and psb.hours_published is True


def test_availability_counts_free_places(config):
    hall = config.hall(SHIJINGSHAN)
    day = D(2026, 11, 23)
    counts = {(SHIJINGSHAN, day, T(9, 0)): hall.capacity, (SHIJINGSHAN, day, T(9, 30)): 1}
    availability = day_availability(config, hall, RP, day, D(2026, 11, 22), counts)
    assert T(9, 0) not in availability.free_times and T(9, 30) in availability.free_times
    assert availability.slots[1].free == hall.capacity - 1
    assert not availability.is_full


# -- suggestions -----------------------------------------------------------------------------

def full_day(config, hall_id, day):
    hall = config.hall(hall_id)
    return {(hall_id, day, t): hall.capacity for t in slot_times(hall, day)}


def test_full_slot_suggests_the_nearest_free_times_the_same_day(config):
    day = D(2026, 11, 23)
    capacity = config.hall(SHIJINGSHAN).capacity
    counts = {(SHIJINGSHAN, day, t): capacity for t in times(["10:00", "10:30", "11:30"])}
    found = suggest_times(config, RP, SHIJINGSHAN, day, T(10, 30), D(2026, 11, 22), counts)
    assert [(s.day, s.time) for s in found.same_hall] == [(day, T(11, 0)), (day, T(9, 30)), (day, T(9, 0))]


def test_a_full_day_moves_suggestions_to_the_following_open_days(config):
    friday, saturday, monday = D(2026, 11, 27), D(2026, 11, 28), D(2026, 11, 30)
    counts = full_day(config, ETOWN, friday)
    found = suggest_times(config, RP, ETOWN, friday, T(9, 0), D(2026, 11, 22), counts)
    assert all(s.day == monday for s in found.same_hall)  # the weekend is skipped at a Monday-to-Friday hall
    assert [s.time for s in found.same_hall] == times(["9:00", "9:30", "10:00"])
    assert saturday not in {s.day for s in found.same_hall}


def test_other_halls_the_same_day_least_busy_first(config):
    day = D(2026, 11, 23)
    counts = dict(full_day(config, ETOWN, day))
    busy, quiet = "beijing_government_service_center", "tongzhou_branch_foreigners_hall"
    for t in slot_times(config.hall(busy), day)[:8]:
        counts[(busy, day, t)] = 3
    counts[(quiet, day, T(9, 0))] = 1
    found = suggest_times(config, "joint_application", ETOWN, day, T(10, 0), D(2026, 11, 22), counts)
    others = [s.hall_id for s in found.other_halls]
    # the CBD centre is empty, Tongzhou has one booking, the Government Service Center many
    assert others == ["cbd_international_talent_one_stop_center", quiet, busy]
    assert all(s.day == day and s.time == T(10, 0) for s in found.other_halls)
    assert [s.load for s in found.other_halls] == sorted(s.load for s in found.other_halls)


def test_other_halls_only_offer_the_same_service(config):
    found = suggest_times(config, "joint_application", ETOWN, D(2026, 11, 23), T(10, 0), D(2026, 11, 22), {})
    assert PSB not in {s.hall_id for s in found.other_halls}  # no joint-application window there
    assert ETOWN not in {s.hall_id for s in found.other_halls}


def test_suggestions_skip_past_times_and_closed_halls(config):
    saturday = D(2026, 11, 28)
    found = suggest_times(config, RP, PSB, saturday, T(16, 0), dt.datetime(2026, 11, 28, 15, 50), {})
    assert found.same_hall[0].time == T(16, 30)  # 16:00 is asked for and 15:30 has passed
    assert ETOWN not in {s.hall_id for s in found.other_halls}  # closed on Saturdays
