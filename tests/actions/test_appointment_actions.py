"""The booking and change forms, turn by turn through the actions, against a fresh database.

The clock is fixed at Sunday 22 November 2026, 10:00 in Beijing; the appointments are on
Wednesday 2 December 2026 at the E-Town hall (Monday to Friday 9:00-17:00, 4 places a slot).
"""
import dataclasses
import datetime as dt
import json

import pytest
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.appointments import (
    ActionAskBookingConfirmed, ActionAskChangeConfirmed, ActionBookAppointment, ActionChangeBooking,
    ValidateBookingChangeForm, ValidateBookingForm,
)
from bot import wiring
from bot.services import booking_changes, bookings, clock, vault
from bot.services.booking_holds import holds
from bot.services.bookings import BookingRequest
from bot.services.keys import case_hasher, secret_key
from tests.conftest import make_tracker
from tests.mail_fakes import install

DOMAIN = {"forms": {}, "slots": {}}
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing
WEDNESDAY = dt.date(2026, 12, 2)
ETOWN = "daxing_branch_etown_foreigners_hall"
SENDER = "conv-booking"
NAME, PASSPORT, EMAIL, PHONE = "Lena Hoffmann", "E12345634", "lena.hoffmann@example.com", "+86 138 0013 8000"
RAW = ("Lena", "Hoffmann", "12345634", "lena.hoffmann", "13800138000", "138 0013 8000", "0013")
OTHER = BookingRequest("residence_permit", ETOWN, WEDNESDAY, dt.time(9, 0), "Max Muster", "P7654321",
                       "max@example.com", "+86 139 1111 2222")


@pytest.fixture(autouse=True)
def mailbox(monkeypatch):
    return install(monkeypatch, wiring)


@pytest.fixture
def fixed_clock(loaded, monkeypatch):
    set_clock(monkeypatch, NOW)
    return loaded


def set_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda settings=None: now)
    monkeypatch.setattr(clock, "today", lambda settings=None: (now + dt.timedelta(hours=8)).date())


class Chat:
    """One conversation: the slots as Rasa would keep them, and everything the bot said."""

    def __init__(self, slots=None, sender=SENDER):
        self.slots = dict(slots or {})
        self.sender = sender
        self.said = []
        self.events = []

    async def run(self, action, text="", intent="inform", entities=None, requested=None, metadata=None):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, intent, entities, slots={**self.slots, "requested_slot": requested},
                               sender=self.sender)
        if metadata is not None:
            tracker.latest_message["metadata"] = metadata
        events = await action.run(dispatcher, tracker, DOMAIN)
        self.events += events
        for event in events:
            if event["event"] == "slot" and event["name"] != "requested_slot":
                self.slots[event["name"]] = event["value"]
        said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
        self.said.append(said)
        self.buttons = [b for m in dispatcher.messages for b in (m.get("buttons") or [])]
        return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, said

    async def book_until_confirmation(self, opening="book me an appointment at the E-Town hall for the residence "
                                               "permit on 2 December at 10:30", passport=PASSPORT):
        await self.run(ValidateBookingForm(), opening, "book_appointment")
        for slot, answer in (("applicant_name", NAME), ("booking_passport", passport), ("contact_email", EMAIL),
                             ("contact_phone", PHONE)):
            await self.run(ValidateBookingForm(), answer, requested=slot)
        await self.run(ActionAskBookingConfirmed())

    def followups(self):
        return [e["name"] for e in self.events if e["event"] == "followup"]


def fill(settings, time, places, day=WEDNESDAY, hall=ETOWN):
    config = wiring.booking_config()
    for i in range(places):
        bookings.book(wiring.uow_factory()(), config, dataclasses.replace(
            OTHER, hall_id=hall, day=day, time=time, passport=f"P{i:07d}"), NOW, case_hasher(settings))


def book_lena(settings, time=dt.time(10, 30)):
    return bookings.book(wiring.uow_factory()(), wiring.booking_config(), BookingRequest(
        "residence_permit", ETOWN, WEDNESDAY, time, NAME, PASSPORT, EMAIL, PHONE), NOW, case_hasher(settings))


def assert_nothing_personal(chat):
    shown = json.dumps({"said": chat.said, "slots": chat.slots, "events": chat.events}, ensure_ascii=False)
    for raw in RAW:
        assert raw not in shown


def test_the_action_server_registers_every_appointment_action():
    executor = ActionExecutor()
    executor.register_package("actions")
    for name in ("validate_booking_form", "action_ask_booking_confirmed", "action_book_appointment",
                 "validate_booking_change_form", "action_ask_change_confirmed", "action_change_booking",
                 "validate_case_status_form"):
        assert name in executor.actions


# -- booking ----------------------------------------------------------------------------------

async def test_happy_path_turn_by_turn(fixed_clock, mailbox):
    chat = Chat()
    slots, said = await chat.run(ValidateBookingForm(), "book me an appointment at the E-Town hall for the residence "
                                 "permit on 2 December afternoon", "book_appointment")
    assert slots["booking_service"] == "residence_permit" and slots["booking_hall"] == ETOWN
    assert slots["booking_date"] == "2026-12-02" and slots["booking_time"] == "12:00"
    assert "first free time in the afternoon" in said and "12:00" in said
    assert all(slots[name] is None for name in ("applicant_name", "booking_passport", "booking_confirmed"))

    slots, said = await chat.run(ValidateBookingForm(), "my name is Lena Hoffmann", requested="applicant_name")
    assert slots == {"applicant_name": "L. H."} and said == ""
    slots, _ = await chat.run(ValidateBookingForm(), "e1234 5634", requested="booking_passport")
    assert slots == {"booking_passport": "•••••••34"}
    slots, _ = await chat.run(ValidateBookingForm(), EMAIL, requested="contact_email")
    assert slots == {"contact_email": "l•••@example.com"}
    slots, _ = await chat.run(ValidateBookingForm(), PHONE, requested="contact_phone")
    assert slots == {"contact_phone": "+86•••••8000"}

    _, summary = await chat.run(ActionAskBookingConfirmed())
    assert "Work-type residence permit" in summary and "E-Town" in summary and "address not published" in summary
    assert "Wednesday 2 December 2026" in summary and "12:00" in summary
    assert "L. H." in summary and "•••••••34" in summary and "l•••@example.com" in summary and "+86•••••8000" in summary
    assert chat.buttons == [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]

    slots, _ = await chat.run(ValidateBookingForm(), "yes", "affirm", requested="booking_confirmed")
    assert slots == {"booking_confirmed": "yes"}
    # "yes" holds the place and e-mails a code; the form opens again and asks for it
    slots, said = await chat.run(ActionBookAppointment())
    assert slots == {"booking_hold": "waiting", "booking_email_code": None} and chat.followups() == ["booking_form"]
    assert "I'm holding 12:00 on Wednesday 2 December 2026" in said and "l•••@example.com" in said
    assert "confirmation code" not in said and ".ics" not in said  # nothing booked yet
    [letter] = mailbox.sent
    assert letter.to == EMAIL and not letter.attachments and "12:00" in letter.text
    slots, _ = await chat.run(ValidateBookingForm(), "yes", "affirm")
    assert slots == {"requested_slot": "booking_email_code"}
    slots, _ = await chat.run(ValidateBookingForm(), f"the code is {mailbox.last_code()}", requested="booking_email_code")
    assert slots == {"booking_email_code": "given", "requested_slot": None}
    slots, said = await chat.run(ActionBookAppointment())
    code = said.split("confirmation code is ")[1][:9]
    assert f"http://localhost:{fixed_clock.web_port}/bookings/{code}.ics" in said
    assert "e-mailed the calendar file to l•••@example.com" in said
    assert mailbox.sent[1].attachments[0].filename == f"appointment-{code}.ics" and code in mailbox.sent[1].text
    assert "Wednesday 2 December 2026 at 12:00" in said and "Please bring" in said and "passport" in said.lower()
    assert all(value is None for value in slots.values()) and "booking_time" in slots
    booking = bookings.get_booking(wiring.uow_factory()(), code)
    assert (booking.applicant_name, booking.email, booking.phone) == (NAME, EMAIL, "+8613800138000")
    assert vault.peek(wiring.uow_factory()(), secret_key(fixed_clock), SENDER, "name", NOW) is None
    assert_nothing_personal(chat)


async def test_a_sunday_is_refused_with_the_nearest_open_days(fixed_clock):
    chat = Chat({"booking_service": "residence_permit", "booking_hall": ETOWN})
    slots, said = await chat.run(ValidateBookingForm(), "6 December", requested="booking_date")
    assert slots["booking_date"] is None
    assert "Sunday 6 December 2026 is a Sunday" in said and "does not open on Sundays" in said
    assert "Friday 4 December 2026 or Monday 7 December 2026" in said


async def test_a_public_holiday_is_named(loaded, monkeypatch):
    set_clock(monkeypatch, dt.datetime(2026, 9, 20, 2, 0, tzinfo=dt.timezone.utc))
    chat = Chat({"booking_service": "residence_permit", "booking_hall": ETOWN})
    slots, said = await chat.run(ValidateBookingForm(), "1 October", requested="booking_date")
    assert slots["booking_date"] is None
    assert "closed on Thursday 1 October 2026: it is a public holiday (National Day holiday)" in said
    assert "Wednesday 30 September 2026 or Thursday 8 October 2026" in said


async def test_a_full_slot_offers_the_nearest_times_and_other_halls(fixed_clock):
    fill(fixed_clock, dt.time(10, 0), 4)
    chat = Chat({"booking_service": "residence_permit", "booking_hall": ETOWN, "booking_date": "2026-12-02"})
    slots, said = await chat.run(ValidateBookingForm(), "10:00", requested="booking_time")
    assert slots["booking_time"] is None
    assert "10:00 on Wednesday 2 December 2026 is fully booked" in said
    assert "Nearest free times at Daxing Branch foreigners' exit-entry hall in Beijing E-Town: Wed 2 Dec at " \
           "09:30, 10:30, 09:00" in said
    assert "The same day at other halls (least busy first): Beijing PSB Exit-Entry Reception Hall at 10:00" in said


async def test_an_unknown_hall_lists_the_halls_for_the_service(fixed_clock):
    chat = Chat({"booking_service": "joint_application"})
    slots, said = await chat.run(ValidateBookingForm(), "the hall on the moon", requested="booking_hall")
    assert slots["booking_hall"] is None
    assert said.startswith("I don't know that hall. Appointments for the Two-permit joint application")
    assert "CBD International Talent One-Stop Service Center" in said and "Andingmen" not in said
    slots, said = await chat.run(ValidateBookingForm(), "Andingmen", requested="booking_hall")
    assert slots["booking_hall"] is None
    assert "Beijing PSB Exit-Entry Reception Hall does not take appointments for the Two-permit joint" in said


async def test_confirmation_no_books_nothing_and_forgets_everything(fixed_clock):
    chat = Chat()
    await chat.book_until_confirmation()
    slots, _ = await chat.run(ValidateBookingForm(), "no", "deny", requested="booking_confirmed")
    assert slots == {"booking_confirmed": "no"}
    slots, said = await chat.run(ActionBookAppointment())
    assert said == "utter_booking_not_confirmed" and all(v is None for v in slots.values())
    assert vault.peek(wiring.uow_factory()(), secret_key(fixed_clock), SENDER, "passport", NOW) is None
    assert bookings.availability(wiring.uow_factory()(), wiring.booking_config(), "residence_permit", ETOWN,
                                 WEDNESDAY, NOW).free_times.count(dt.time(10, 30)) == 1
    assert_nothing_personal(chat)


async def test_a_second_booking_the_same_day_is_refused(fixed_clock):
    book_lena(fixed_clock, dt.time(9, 0))
    chat = Chat()
    await chat.book_until_confirmation(passport="E 1234 5634")
    await chat.run(ValidateBookingForm(), "yes", "affirm", requested="booking_confirmed")
    slots, said = await chat.run(ActionBookAppointment())
    assert "already holds an appointment for the Work-type residence permit" in said and "reschedule" in said
    assert all(v is None for v in slots.values()) and chat.followups() == []
    assert_nothing_personal(chat)


async def test_a_place_taken_at_the_last_moment_reopens_the_time_question(fixed_clock, mailbox):
    chat = Chat()
    await chat.book_until_confirmation()
    await chat.run(ValidateBookingForm(), "yes", "affirm", requested="booking_confirmed")
    fill(fixed_clock, dt.time(10, 30), 4)
    slots, said = await chat.run(ActionBookAppointment())
    assert slots == {"booking_time": None, "booking_confirmed": None} and chat.followups() == ["booking_form"]
    assert "was booked up a moment ago" in said and "Wed 2 Dec at 10:00" in said
    # the form opens again on the "yes": nothing is reset, only the time is asked
    slots, _ = await chat.run(ValidateBookingForm(), "yes", "affirm")
    assert slots == {}
    await chat.run(ValidateBookingForm(), "11:00", requested="booking_time")
    await chat.run(ValidateBookingForm(), "yes", "affirm", requested="booking_confirmed")
    _, said = await chat.run(ActionBookAppointment())
    assert "I'm holding 11:00" in said
    await chat.run(ValidateBookingForm(), mailbox.last_code(), requested="booking_email_code")
    _, said = await chat.run(ActionBookAppointment())
    assert "Booked!" in said and "at 11:00" in said
    assert_nothing_personal(chat)


async def test_bad_details_are_explained_without_echoing_them(fixed_clock):
    chat = Chat()
    for slot, answer in (("booking_passport", "<b>E1234!</b>"), ("contact_email", "lena.hoffmann@"),
                         ("contact_phone", "0013 8000"), ("applicant_name", "L3na Hoffmann")):
        slots, said = await chat.run(ValidateBookingForm(), answer, requested=slot)
        assert slots == {slot: None} and said and answer not in said and "<b>" not in said
    assert "e-mail address" in chat.said[1] and "Chinese mobile number" in chat.said[2]


async def test_a_question_in_the_middle_fills_nothing(fixed_clock):
    chat = Chat({"booking_service": "residence_permit", "booking_hall": ETOWN})
    for slot, text in (("booking_date", "what documents do I need?"), ("applicant_name", "how much does it cost"),
                       ("contact_email", "what is the fee?")):
        slots, said = await chat.run(ValidateBookingForm(), text, "ask_fees", requested=slot)
        assert slots == {} and said == ""


# -- cancel and reschedule --------------------------------------------------------------------

async def test_cancel_with_the_last_four(fixed_clock):
    booking = book_lena(fixed_clock)
    chat = Chat(sender="conv-cancel")
    slots, _ = await chat.run(ValidateBookingChangeForm(), f"cancel my appointment {booking.code.lower()}",
                              "cancel_appointment", [{"entity": "booking_code", "value": booking.code.lower()}])
    assert slots["change_kind"] == "cancel" and slots["booking_code"] == booking.code
    assert slots["requested_slot"] == "change_passport"
    slots, said = await chat.run(ValidateBookingChangeForm(), "5634", requested="change_passport")
    assert slots["change_passport"] is None and "family name" in said  # the last four alone: not counted
    slots, said = await chat.run(ValidateBookingChangeForm(), "it's 5634, family name Hoffmann",
                                 requested="change_passport")
    assert slots["change_passport"] == "verified" and slots["requested_slot"] == "change_confirmed"
    assert "Found it" in said and "Wednesday 2 December 2026 at 10:30" in said
    _, question = await chat.run(ActionAskChangeConfirmed())
    assert question.startswith("Cancel your appointment on Wednesday 2 December 2026 at 10:30 at Daxing Branch")
    assert chat.buttons[0]["payload"] == "/affirm"
    await chat.run(ValidateBookingChangeForm(), "yes", "affirm", requested="change_confirmed")
    slots, said = await chat.run(ActionChangeBooking())
    assert f"Your appointment {booking.code}" in said and "is cancelled" in said
    assert all(v is None for v in slots.values())
    assert bookings.get_booking(wiring.uow_factory()(), booking.code).status == "cancelled"
    assert vault.peek(wiring.uow_factory()(), secret_key(fixed_clock), "conv-cancel", "change_passport", NOW) is None
    assert_nothing_personal(chat)


async def test_cancel_with_a_wrong_passport_asks_again(fixed_clock):
    booking = book_lena(fixed_clock)
    chat = Chat({"change_kind": "cancel", "booking_code": booking.code})
    slots, said = await chat.run(ValidateBookingChangeForm(), "9999 Hoffmann", requested="change_passport")
    assert said == "utter_booking_not_verified"
    assert slots["booking_code"] is None and slots["change_passport"] is None
    assert slots["requested_slot"] == "booking_code"
    assert bookings.get_booking(wiring.uow_factory()(), booking.code).status == "booked"


async def test_stop_at_the_passport_question_ends_the_change_without_counting(fixed_clock):
    booking = book_lena(fixed_clock)
    chat = Chat({"change_kind": "cancel", "booking_code": booking.code})
    slots, said = await chat.run(ValidateBookingChangeForm(), "stop", requested="change_passport")
    assert slots["change_passport"] == "unchangeable" and slots["requested_slot"] is None
    assert said == "utter_form_abandoned"
    slots, said = await chat.run(ActionChangeBooking())
    assert said == "" and all(v is None for v in slots.values())
    assert bookings.get_booking(wiring.uow_factory()(), booking.code).status == "booked"
    with wiring.uow_factory()() as uow:
        assert uow.attempts.guessing_history("B:" + booking.code, "", None, NOW - dt.timedelta(days=1)).by_case == []


async def test_reschedule_to_a_free_time(fixed_clock):
    booking = book_lena(fixed_clock)
    chat = Chat(sender="conv-move")
    slots, _ = await chat.run(ValidateBookingChangeForm(), f"move my appointment {booking.code} to 3 December",
                              "reschedule_appointment")
    assert slots["change_kind"] == "reschedule" and slots["booking_code"] == booking.code
    assert slots["new_date"] == "2026-12-03" and slots["requested_slot"] == "change_passport"
    slots, said = await chat.run(ValidateBookingChangeForm(), PASSPORT, requested="change_passport")
    assert slots["change_passport"] == "verified" and slots["requested_slot"] == "new_time"
    slots, said = await chat.run(ValidateBookingChangeForm(), "2pm", requested="new_time")
    assert slots["new_time"] == "14:00" and slots["requested_slot"] == "change_confirmed"
    _, question = await chat.run(ActionAskChangeConfirmed())
    assert question.startswith("Move your appointment from Wednesday 2 December 2026 at 10:30 at Daxing Branch")
    assert question.endswith("to Thursday 3 December 2026 at 14:00?")
    await chat.run(ValidateBookingChangeForm(), "yes", "affirm", requested="change_confirmed")
    slots, said = await chat.run(ActionChangeBooking())
    assert "now on Thursday 3 December 2026 at 14:00" in said and f"/bookings/{booking.code}.ics" in said
    assert all(v is None for v in slots.values())
    moved = bookings.get_booking(wiring.uow_factory()(), booking.code)
    assert (moved.day, moved.time, moved.status) == (dt.date(2026, 12, 3), dt.time(14, 0), "rescheduled")
    assert_nothing_personal(chat)


async def test_reschedule_to_a_full_slot_or_a_closed_day_is_explained(fixed_clock):
    booking = book_lena(fixed_clock)
    fill(fixed_clock, dt.time(11, 0), 4)
    chat = Chat({"change_kind": "reschedule", "booking_code": booking.code}, sender="conv-move")
    await chat.run(ValidateBookingChangeForm(), "3634 Hoffmann", requested="change_passport")  # wrong last four
    assert chat.said[-1] == "utter_booking_not_verified"
    chat.slots["booking_code"] = booking.code
    await chat.run(ValidateBookingChangeForm(), "5634 Hoffmann", requested="change_passport")
    slots, said = await chat.run(ValidateBookingChangeForm(), "Saturday", requested="new_date")
    assert slots["new_date"] is None and "does not open on Saturdays" in said
    await chat.run(ValidateBookingChangeForm(), "2 December", requested="new_date")
    slots, said = await chat.run(ValidateBookingChangeForm(), "11:00", requested="new_time")
    assert slots["new_time"] is None and "fully booked" in said and "other halls" not in said
    slots, said = await chat.run(ValidateBookingChangeForm(), "10:30", requested="new_time")
    assert slots["new_time"] is None and "the time you already have" in said


async def test_a_cancelled_booking_ends_the_form(fixed_clock):
    booking = book_lena(fixed_clock)
    booking_changes.cancel(wiring.uow_factory()(), booking.code, "5634 Hoffmann", NOW, case_hasher(fixed_clock))
    chat = Chat({"change_kind": "cancel", "booking_code": booking.code})
    slots, said = await chat.run(ValidateBookingChangeForm(), "5634 Hoffmann", requested="change_passport")
    assert slots["change_passport"] == "unchangeable" and slots["requested_slot"] is None
    assert "can no longer be changed: it is cancelled" in said
    slots, said = await chat.run(ActionChangeBooking())
    assert said == "" and all(v is None for v in slots.values())


# -- the e-mailed code ------------------------------------------------------------------------

async def hold_lena(chat, mailbox, metadata=None):
    await chat.book_until_confirmation()
    await chat.run(ValidateBookingForm(), "yes", "affirm", requested="booking_confirmed")
    slots, said = await chat.run(ActionBookAppointment(), metadata=metadata)
    return slots, said


async def type_code(chat, text):
    await chat.run(ValidateBookingForm(), text, requested="booking_email_code")
    return await chat.run(ActionBookAppointment())


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def free_at_1030(now=NOW):
    return dt.time(10, 30) in bookings.availability(wiring.uow_factory()(), wiring.booking_config(),
                                                    "residence_permit", ETOWN, WEDNESDAY, now).free_times


async def test_a_wrong_code_asks_again_and_the_right_one_books(fixed_clock, mailbox):
    chat = Chat()
    await hold_lena(chat, mailbox)
    slots, said = await type_code(chat, wrong(mailbox.last_code()))
    assert slots == {"booking_email_code": None} and "4 tries left" in said
    assert chat.followups() == ["booking_form", "booking_form"]
    slots, said = await type_code(chat, mailbox.last_code())
    assert "Booked!" in said and all(v is None for v in slots.values())
    assert len(mailbox.sent) == 2 and mailbox.sent[1].attachments
    assert_nothing_personal(chat)


async def test_five_wrong_codes_release_the_place(fixed_clock, mailbox):
    chat = Chat()
    await hold_lena(chat, mailbox)
    assert next(s for s in bookings.availability(wiring.uow_factory()(), wiring.booking_config(), "residence_permit",
                                                 ETOWN, WEDNESDAY, NOW).slots if s.time == dt.time(10, 30)).booked == 1
    for _ in range(4):
        await type_code(chat, wrong(mailbox.last_code()))
    slots, said = await type_code(chat, wrong(mailbox.last_code()))
    assert "wrong too many times" in said and "nothing was booked" in said
    assert all(v is None for v in slots.values()) and chat.followups().count("booking_form") == 5
    counts = bookings.availability(wiring.uow_factory()(), wiring.booking_config(), "residence_permit", ETOWN,
                                   WEDNESDAY, NOW).slots
    assert next(s for s in counts if s.time == dt.time(10, 30)).booked == 0


async def test_a_code_after_the_hold_ran_out_books_nothing(fixed_clock, mailbox, monkeypatch):
    chat = Chat()
    _, said = await hold_lena(chat, mailbox)
    assert "released at 10:15 (in 15 minutes)" in said
    set_clock(monkeypatch, NOW + dt.timedelta(minutes=16))
    slots, said = await type_code(chat, mailbox.last_code())
    assert "time to confirm has run out" in said and all(v is None for v in slots.values())
    assert len(mailbox.sent) == 1


async def test_text_that_is_not_a_code_is_explained(fixed_clock, mailbox):
    chat = Chat({"booking_hold": "waiting"})
    slots, said = await chat.run(ValidateBookingForm(), "I did not get any mail", requested="booking_email_code")
    assert slots == {"booking_email_code": None, "requested_slot": "booking_email_code"}
    assert "6-digit code" in said
    slots, said = await chat.run(ValidateBookingForm(), "how much does it cost", "ask_fees",
                                 requested="booking_email_code")
    assert slots == {"requested_slot": "booking_email_code"} and said == ""  # answered by the digression


async def test_no_mail_no_booking(fixed_clock, mailbox):
    mailbox.down = True
    chat = Chat()
    slots, said = await hold_lena(chat, mailbox)
    assert "could not send the e-mail" in said and all(v is None for v in slots.values())
    assert chat.followups() == [] and free_at_1030()


async def test_the_client_address_limits_open_bookings(fixed_clock, mailbox):
    client = {"client_ip": "198.51.100.23"}
    fill_for = [("Max Muster", "P0000001", "a@example.com", "+86 139 0000 0001", dt.time(9, 0)),
                ("Eva Berg", "P0000002", "b@example.com", "+86 139 0000 0002", dt.time(9, 30))]
    for name, passport, mail, phone, time in fill_for:
        chat = Chat(sender=f"conv-{passport}")
        await chat.run(ValidateBookingForm(), f"book me an appointment at the E-Town hall for the residence "
                       f"permit on 2 December at {time:%H:%M}", "book_appointment")
        for slot, answer in (("applicant_name", name), ("booking_passport", passport), ("contact_email", mail),
                             ("contact_phone", phone)):
            await chat.run(ValidateBookingForm(), answer, requested=slot)
        await chat.run(ValidateBookingForm(), "yes", "affirm", requested="booking_confirmed")
        _, said = await chat.run(ActionBookAppointment(), metadata=client)
        assert "I'm holding" in said
    chat = Chat()
    slots, said = await hold_lena(chat, mailbox, metadata=client)
    assert "already 2 appointments" in said and "from this connection" in said
    assert all(v is None for v in slots.values()) and free_at_1030()
    # absent or malformed metadata is an unknown client: not limited by address
    for metadata in ({}, {"client_ip": ["x"]}, "junk"):
        chat = Chat(sender=f"conv-{metadata!r}")
        _, said = await hold_lena(chat, mailbox, metadata=metadata)
        assert "I'm holding" in said
        holds.release_hold(wiring.uow_factory()(), secret_key(fixed_clock), chat.sender)  # Lena again, next time
