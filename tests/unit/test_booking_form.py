"""The booking conversation's turn logic (bot.services.booking_form), against a fresh database.

Today is Sunday 22 November 2026, 10:00 in Beijing.
"""
import dataclasses
import datetime as dt

import pytest

from bot import wiring
from bot.services import bookings, vault
from bot.services.answers import QuestionContext
from bot.services.booking_form import BOOKING_SLOTS, booking_summary, booking_turn, finish_booking
from bot.services.booking_schedule import BookingTools
from bot.services.keys import secret_key

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 11, 22)
ETOWN, SHIJINGSHAN = "daxing_branch_etown_foreigners_hall", "shijingshan_branch_exit_entry"
CONVERSATION = "conv-unit"
RP = {"booking_service": "residence_permit"}


@pytest.fixture
def tools(loaded):
    return BookingTools(wiring.uow_factory(), wiring.booking_config(), wiring.knowledge_cache().get(),
                        secret_key(loaded), "https://permits.example")


def turn(tools, text, requested=None, slots=None, intent="inform", now=NOW):
    ctx = QuestionContext(intent=intent, text=text)
    return booking_turn(tools, ctx, dict(slots or {}), requested, CONVERSATION, now,
                        (now + dt.timedelta(hours=8)).date())


def said(result):
    return "\n".join(result.texts)


def test_the_opening_message_fills_everything_it_names(tools):
    result = turn(tools, "book me an appointment at the E-Town hall for the residence permit next Wednesday "
                         "afternoon", intent="book_appointment")
    assert result.slots["booking_service"] == "residence_permit" and result.slots["booking_hall"] == ETOWN
    assert result.slots["booking_date"] == "2026-11-25" and result.slots["booking_time"] == "12:00"
    assert "The first free time in the afternoon on Wednesday 25 November 2026 is 12:00" in said(result)
    assert set(result.slots) == set(BOOKING_SLOTS)  # what an earlier, stopped booking left is cleared


def test_a_time_wish_waits_for_the_hall(tools):
    opening = turn(tools, "can I book a time slot tomorrow afternoon", intent="book_appointment")
    assert opening.slots["booking_date"] == "2026-11-23" and opening.slots["booking_time"] == "afternoon"
    slots = {k: v for k, v in opening.slots.items() if v is not None}
    slots.update(turn(tools, "residence permit", "booking_service", slots).slots)
    result = turn(tools, "at Shijingshan branch", "booking_hall", slots)
    assert result.slots == {"booking_hall": SHIJINGSHAN, "booking_time": "13:30"}  # after the lunch break
    assert "first free time in the afternoon on Monday 23 November 2026 is 13:30" in said(result)


def test_a_hall_that_does_not_take_the_service_is_refused_with_the_halls_that_do(tools):
    result = turn(tools, "book the joint application at Andingmen", intent="book_appointment")
    assert result.slots["booking_service"] == "joint_application" and result.slots["booking_hall"] is None
    assert "Beijing PSB Exit-Entry Reception Hall does not take appointments" in said(result)
    assert "Tongzhou Branch" in said(result) and "Zhongguancun" not in said(result)


def test_a_service_that_cannot_be_booked_is_explained(tools):
    result = turn(tools, "i want book appointment for work permit", intent="book_appointment")
    assert result.slots["booking_service"] is None
    assert "Foreigner's Work Permit cannot be booked here" in said(result)
    assert "Two-permit joint application" in said(result) and "CBD International Talent" in said(result)


@pytest.mark.parametrize("answer, expected", [
    ("12:30", "12:30 is in the lunch break (12:00-13:30)."),
    ("18:00", "18:00 is outside the opening hours (09:00-17:30)."),
    ("10:15", "Appointments start every 30 minutes"),
])
def test_a_time_that_is_not_offered_lists_the_free_times(tools, answer, expected):
    slots = {**RP, "booking_hall": SHIJINGSHAN, "booking_date": "2026-12-02"}
    result = turn(tools, answer, "booking_time", slots)
    assert result.slots == {"booking_time": None}
    assert expected in said(result) and "Free times that day: 09:00, 09:30" in said(result)
    assert "11:30, 13:30" in said(result)


def test_morning_takes_the_first_free_morning_time(tools, loaded):
    request = bookings.BookingRequest("residence_permit", SHIJINGSHAN, dt.date(2026, 12, 2), dt.time(9), "Max Muster",
                                      "P0000000", "max@example.com", "13912345678")
    for i in range(3):
        bookings.book(wiring.uow_factory()(), wiring.booking_config(), dataclasses.replace(
            request, passport=f"P000000{i}"), NOW, tools.hasher)
    result = turn(tools, "in the morning", "booking_time", {**RP, "booking_hall": SHIJINGSHAN,
                                                            "booking_date": "2026-12-02"})
    assert result.slots == {"booking_time": "09:30"} and "09:30" in said(result)


@pytest.mark.parametrize("answer, expected", [
    ("yesterday", "Saturday 21 November 2026 has passed."),
    ("15 February", "too far ahead: bookings open 60 days ahead (the latest day you can book now is 21 January 2027)"),
    ("31 February", "31 February does not exist (February has 28 or 29 days)."),
    ("whenever", "I could not read a day there."),
])
def test_days_that_cannot_be_booked(tools, answer, expected):
    result = turn(tools, answer, "booking_date", {**RP, "booking_hall": ETOWN})
    assert result.slots["booking_date"] is None and expected in said(result)


def test_a_day_in_2027_carries_the_schedule_notice(tools):
    result = turn(tools, "5 January 2027", "booking_date", {**RP, "booking_hall": ETOWN})
    assert result.slots == {"booking_date": "2027-01-05"}
    assert "The official holiday schedule for 2027 has not been published yet" in said(result)


def test_personal_details_go_to_the_vault_and_the_slots_hold_masks(tools, loaded):
    result = turn(tools, "my name is Lena Hoffmann", "applicant_name")
    assert result.slots == {"applicant_name": "L. H."} and not result.texts
    assert turn(tools, "+86 138 0013 8000", "contact_phone").slots == {"contact_phone": "+86•••••8000"}
    stored = vault.peek_many(wiring.uow_factory()(), secret_key(loaded), CONVERSATION, ["name", "phone"], NOW)
    assert stored == {"name": "Lena Hoffmann", "phone": "+8613800138000"}


def test_a_name_is_taken_even_when_the_intent_looks_like_a_question(tools):
    assert turn(tools, "Lena Hoffmann", "applicant_name", intent="out_of_scope").slots == {"applicant_name": "L. H."}
    assert turn(tools, "help", "applicant_name", intent="help").slots == {}


def test_the_confirmation_can_change_the_time(tools):
    slots = {**RP, "booking_hall": ETOWN, "booking_date": "2026-12-02", "booking_time": "10:00"}
    result = turn(tools, "make it 11:00 instead", "booking_confirmed", slots)
    assert result.slots == {"booking_time": "11:00", "booking_confirmed": None}
    assert turn(tools, "hmm", "booking_confirmed", slots).slots == {"booking_confirmed": None}
    assert turn(tools, "yes", "booking_confirmed", slots, intent="affirm").slots == {"booking_confirmed": "yes"}


def test_the_summary_says_when_hours_are_not_published(tools):
    answer = booking_summary(tools, {**RP, "booking_hall": ETOWN, "booking_date": "2026-12-02",
                                     "booking_time": "10:00", "applicant_name": "L. H."})
    assert "address not published" in answer.text and "does not publish its opening hours" in answer.text
    assert [b.payload for b in answer.buttons] == ["/affirm", "/deny"]


def test_details_that_expired_are_asked_again(tools):
    for slot, answer in (("applicant_name", "Lena Hoffmann"), ("booking_passport", "E12345634"),
                         ("contact_email", "lena@example.com"), ("contact_phone", "13800138000")):
        turn(tools, answer, slot)
    slots = {**RP, "booking_hall": ETOWN, "booking_date": "2026-12-02", "booking_time": "10:00",
             "applicant_name": "L. H.", "booking_passport": "•••••••34", "contact_email": "l•••@example.com",
             "contact_phone": "+86•••••8000", "booking_confirmed": "yes"}
    result = finish_booking(tools, slots, CONVERSATION, NOW + dt.timedelta(hours=2))
    assert result.followup == "booking_form" and "deleted after an hour" in said(result)
    assert result.slots == {"applicant_name": None, "booking_passport": None, "contact_email": None,
                            "contact_phone": None, "booking_confirmed": None}


def test_answers_to_the_contact_and_change_questions_are_redacted():
    from bot.domain.privacy import REDACTED, redacted_texts

    events = []
    for slot, answer in (("contact_email", "lena@example.com"), ("contact_phone", "13800138000"),
                         ("change_passport", "5634"), ("booking_code", "K7MQ-2XHT")):
        events += [{"event": "slot", "name": "requested_slot", "value": slot},
                   {"event": "user", "text": answer, "parse_data": {"text": answer, "entities": []}}]
    assert redacted_texts(events) == [REDACTED, REDACTED, REDACTED, "K7MQ-2XHT"]


def test_the_booking_configuration_is_read_once_per_configuration(loaded):
    first = wiring.booking_config()
    assert wiring.booking_config() is first
    wiring.configure(loaded)
    assert wiring.booking_config() is not first
