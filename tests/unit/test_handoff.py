"""Handoff rules: staff hours on the calendar, the queue estimate, the ticket lifecycle, contacts, ledger figures."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain import handoff as rules
from bot.domain import workdays
from bot.domain.booking_details import InvalidContact

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)  # a working day
SUNDAY = dt.date(2026, 11, 22)
NATIONAL_DAY = dt.date(2026, 10, 1)  # a Thursday, public holiday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


@pytest.fixture
def office():
    return rules.parse_staff_hours("09:00-12:00, 13:30-17:00")


def test_hours_follow_the_ranges_on_working_days(office):
    assert office.is_open(at(MONDAY, 9, 0))
    assert office.is_open(at(MONDAY, 11, 59))
    assert not office.is_open(at(MONDAY, 12, 0))  # lunch
    assert office.is_open(at(MONDAY, 13, 30))
    assert not office.is_open(at(MONDAY, 17, 0))  # the end is exclusive
    assert not office.is_open(at(MONDAY, 8, 59))


def test_weekends_and_public_holidays_are_closed_unless_staffed_every_day(office):
    assert not workdays.is_working_day(NATIONAL_DAY)
    assert not office.is_open(at(SUNDAY, 10))
    assert not office.is_open(at(NATIONAL_DAY, 10))
    every_day = rules.parse_staff_hours("09:00-17:00", every_day=True)
    assert every_day.is_open(at(SUNDAY, 10)) and every_day.is_open(at(NATIONAL_DAY, 10))


def test_adjusted_working_days_are_staffed(office):
    # A weekend day the State Council made a working day (found from the calendar, not hard-coded).
    swapped = next(d for d in (dt.date(2026, 1, 1) + dt.timedelta(n) for n in range(365))
                   if d.weekday() >= 5 and workdays.is_working_day(d))
    assert office.is_open(at(swapped, 10))


def test_round_the_clock_desk():
    always = rules.parse_staff_hours("00:00-24:00", every_day=True)
    assert always.is_open(at(SUNDAY, 0)) and always.is_open(at(SUNDAY, 23, 59))
    assert always.describe() == "00:00-24:00 every day"


def test_next_opening_skips_lunch_nights_weekends_and_holidays(office):
    assert office.next_opening(at(MONDAY, 8)) == at(MONDAY, 9)
    assert office.next_opening(at(MONDAY, 12, 15)) == at(MONDAY, 13, 30)
    assert office.next_opening(at(MONDAY, 18)) == at(MONDAY + dt.timedelta(1), 9)
    friday_evening = at(dt.date(2026, 11, 27), 18)
    assert office.next_opening(friday_evening) == at(workdays.next_working_day(dt.date(2026, 11, 27)), 9)
    assert rules.reply_by(office, at(dt.date(2026, 9, 30), 20)) == workdays.next_working_day(dt.date(2026, 9, 30))
    assert rules.reply_by(office, at(dt.date(2026, 9, 30), 20)) > dt.date(2026, 10, 3)  # after the holiday


def test_a_question_left_early_on_a_working_day_is_answered_that_day(office):
    assert rules.reply_by(office, at(MONDAY, 7)) == MONDAY


@pytest.mark.parametrize("text", ["", "9-17", "09:00", "17:00-09:00", "09:00-25:00", "09:00-12:00,11:00-17:00",
                                  "13:00-17:00,09:00-12:00", "00:00-24:00,01:00-02:00", "a:bc-de:fg"])
def test_unreadable_hours_are_refused_with_the_format(text):
    with pytest.raises(rules.InvalidStaffHours):
        rules.parse_staff_hours(text)


def test_settings_refuse_unreadable_hours():
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="09:00-17:00"):
        Settings(staff_hours="nine to five")


def test_wait_estimate_grows_with_the_position_and_shrinks_with_desks():
    assert rules.wait_estimate(1, 2, 10) == 10
    assert rules.wait_estimate(2, 2, 10) == 10
    assert rules.wait_estimate(3, 2, 10) == 20
    assert rules.wait_estimate(5, 1, 7.5) == 38
    assert rules.wait_estimate(1, 1, 0.2) == 1  # never "0 minutes"
    with pytest.raises(ValueError):
        rules.wait_estimate(0, 1, 10)


def test_typical_handling_uses_the_median_of_enough_tickets():
    minutes = [dt.timedelta(minutes=m) for m in (4, 6, 50)]
    assert rules.typical_handling_minutes(minutes, 10) == 6
    assert rules.typical_handling_minutes(minutes[:2], 10) == 10  # too few: the configured value
    assert rules.typical_handling_minutes([dt.timedelta(0)] * 5, 10) == 10


@pytest.mark.parametrize("status,step,allowed", [
    ("queued", "claimed", True), ("claimed", "claimed", False), ("closed", "claimed", False),
    ("claimed", "answered", True), ("queued", "answered", False), ("handed_back", "answered", False),
    ("claimed", "handed back", True), ("queued", "handed back", False),
    ("claimed", "closed", True), ("queued", "closed", True), ("closed", "closed", False),
    ("handed_back", "closed", False),
])
def test_ticket_lifecycle(status, step, allowed):
    if allowed:
        rules.check_transition(status, step)
    else:
        with pytest.raises(rules.InvalidTransition, match=step):
            rules.check_transition(status, step)


def test_contacts_are_validated_and_normalised():
    assert rules.check_contact(" Lena.H@Example.COM ") == rules.Contact("email", "Lena.H@example.com")
    assert rules.check_contact("138 1234 5678") == rules.Contact("phone", "+8613812345678")
    assert rules.check_contact("+49 30 1234567") == rules.Contact("phone", "+49301234567")
    for bad in ("", "call me", "lena@", "12345", "<script>@x.com", "x" * 300):
        with pytest.raises(InvalidContact) as raised:
            rules.check_contact(bad)
        assert raised.value.field in ("contact", "email")


def test_contacts_are_masked_for_lists():
    assert rules.mask_contact("lena@example.com") == "l•••@example.com"
    assert rules.mask_contact("+8613812345678") == "+86•••••5678"
    assert "12345678" not in rules.mask_contact("+8613812345678")
    assert rules.mask_contact(None) == ""


def test_ledger_figures():
    t0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
    minutes = lambda m: t0 + dt.timedelta(minutes=m)  # noqa: E731
    rows = [
        rules.LedgerTimes(t0, minutes(1), minutes(2), minutes(10)),
        rules.LedgerTimes(t0, minutes(3), minutes(6), None),
        rules.LedgerTimes(t0, minutes(5), None, None),
        rules.LedgerTimes(t0),
    ]
    figures = rules.ledger_figures(rows)
    assert (figures.received, figures.claimed, figures.responded, figures.resolved, figures.open) == (4, 3, 2, 1, 3)
    assert figures.response_rate == 0.5 and figures.completion_rate == 0.25
    assert figures.median_first_response == dt.timedelta(minutes=4)
    assert figures.mean_first_response == dt.timedelta(minutes=4)
    empty = rules.ledger_figures([])
    assert empty.response_rate is None and empty.median_first_response is None
    assert rules.format_rate(empty.response_rate) == "-" and rules.format_rate(0.5) == "50%"


def test_durations_read_naturally():
    assert rules.format_duration(dt.timedelta(minutes=4, seconds=20)) == "4 min"
    assert rules.format_duration(dt.timedelta(minutes=65)) == "1 h 05 min"
    assert rules.format_duration(dt.timedelta(days=3, hours=2)) == "3 d 2 h"
    assert rules.format_duration(None) == "-"


def test_a_call_back_asked_for_during_hours_is_answered_the_same_day(office):
    assert rules.reply_by(office, at(MONDAY, 10)) == MONDAY
    assert rules.reply_by(office, at(MONDAY, 12, 30)) == MONDAY  # lunch: the afternoon


def test_only_a_queued_ticket_expires():
    rules.check_transition(rules.QUEUED, "expired")
    for status in (rules.CLAIMED, rules.HANDED_BACK, rules.CLOSED, rules.EXPIRED):
        with pytest.raises(rules.InvalidTransition):
            rules.check_transition(status, "expired")
    for step in ("claimed", "answered", "handed back", "closed"):  # an expired ticket is finished
        with pytest.raises(rules.InvalidTransition):
            rules.check_transition(rules.EXPIRED, step)
    assert not rules.is_open(rules.EXPIRED) and rules.EXPIRED in rules.FINISHED_STATUSES


def test_a_live_ticket_expires_when_its_time_out_has_passed():
    opened = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    assert rules.queue_deadline(opened, 20) == opened + dt.timedelta(minutes=20)
    assert rules.queued_since_cutoff(opened + dt.timedelta(minutes=20), 20) == opened
    assert not rules.may_expire(rules.QUEUED, True, opened, opened + dt.timedelta(minutes=19, seconds=59), 20)
    assert rules.may_expire(rules.QUEUED, True, opened, opened + dt.timedelta(minutes=20), 20)
    assert not rules.may_expire(rules.QUEUED, False, opened, opened + dt.timedelta(days=3), 20)  # a call-back
    assert not rules.may_expire(rules.CLAIMED, True, opened, opened + dt.timedelta(days=3), 20)


def test_the_call_back_after_an_expiry_is_promised_for_the_next_working_day(office):
    assert rules.next_working_day_after(office, at(MONDAY, 10)) == MONDAY + dt.timedelta(days=1)
    friday = dt.date(2026, 11, 27)
    assert rules.next_working_day_after(office, at(friday, 16, 50)) == dt.date(2026, 11, 30)  # over the weekend
    assert rules.next_working_day_after(office, at(dt.date(2026, 9, 30), 10)) == dt.date(2026, 10, 8)  # National Day


def test_retention_cutoff():
    now = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
    assert rules.retention_cutoff(now, 90) == now - dt.timedelta(days=90)


def test_an_expired_demand_is_neither_responded_nor_resolved_nor_open():
    t0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
    rows = [rules.LedgerTimes(t0, None, None, None, rules.EXPIRED),
            rules.LedgerTimes(t0, t0, t0 + dt.timedelta(minutes=2), t0 + dt.timedelta(minutes=9), rules.CLOSED),
            rules.LedgerTimes(t0)]
    figures = rules.ledger_figures(rows)
    assert (figures.received, figures.responded, figures.resolved, figures.expired, figures.open) == (3, 1, 1, 1, 1)
    assert figures.completion_rate == pytest.approx(1 / 3) and figures.response_rate == pytest.approx(1 / 3)
