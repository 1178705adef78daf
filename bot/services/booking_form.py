"""Use case: the booking conversation, turn by turn, and the booking at its end.

Slots hold ids and display-safe values only: the service and hall ids, the ISO day, "HH:MM" (or,
until the day and hall are known, a wish such as "afternoon"), and masked forms of the name,
passport, e-mail address and phone number. The real details wait encrypted in the vault
(bot.services.vault) and are deleted when the conversation ends, booked or not.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Dict, List, Optional, Tuple

from bot.domain import booking_chat as chat
from bot.domain.booking_details import Booking, InvalidContact, check_email, check_name, check_passport, check_phone
from bot.domain.booking_holds.rules import (
    HoldAbandoned, HoldExpired, NoHold, TooManyOpenBookings, WrongHoldCode, client_address,
)
from bot.domain.forms import DIGRESSION_INTENTS
from bot.domain.identity import mask_passport
from bot.domain.wording import Answer, Button
from bot.integrations.mail import MailNotSent
from bot.services import bookings, vault
from bot.services.answers import QuestionContext
from bot.services.booking_holds import chat as hold_chat
from bot.services.booking_holds import letters
from bot.services.booking_schedule import (
    DATE, HALL, NOT_A_DATE, NOT_A_TIME, SERVICE, TIME, BookingTools, Finish, check_schedule, hear_schedule,
    halls_for_service_text, not_bookable_service_text, not_offered_text, suggestions_text,
)
from bot.services.case_form import Turn

START_INTENTS = ("book_appointment",)
CONFIRMED = "booking_confirmed"
SCHEDULE = (SERVICE, HALL, DATE, TIME)
# slot -> (vault field, check, mask, lead of the refusal)
PERSONAL: Dict[str, Tuple[str, Callable[[str], str], Callable[[str], str], str]] = {
    "applicant_name": ("name", check_name, chat.mask_name, "Please check the name"),
    "booking_passport": ("passport", check_passport, mask_passport, "That doesn't look like a passport number"),
    "contact_email": ("email", check_email, chat.mask_email, "Please check the e-mail address"),
    "contact_phone": ("phone", check_phone, chat.mask_phone, "Please check the phone number"),
}
BOOKING_SLOTS = SCHEDULE + tuple(PERSONAL) + (CONFIRMED, hold_chat.HOLD, hold_chat.CODE)
MAX_NAME_WORDS = 8
YES_NO = [Button("Yes", "/affirm"), Button("No", "/deny")]
DETAILS_EXPIRED = ("For your protection, the personal details you typed are deleted after an hour, and some of "
                   "them have gone. Please give them again.")


def booking_turn(tools: BookingTools, ctx: QuestionContext, slots: Dict[str, object], requested: Optional[str],
                 conversation_id: str, now: dt.datetime, today: dt.date) -> Turn:
    """One message of the booking form: what it answers and, from the opening message on, whatever
    service, hall, day and time it names, each checked against the others as soon as they are known."""
    if requested is None:
        if ctx.intent not in START_INTENTS:
            return Turn()  # opened again after a refusal at the last moment: keep everything
        vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
        fresh = {name: None for name in BOOKING_SLOTS}
        heard = hear_schedule(tools, ctx, today)
        return _settle(tools, fresh, {**fresh, **heard.values}, list(heard.problems.values()), now)
    if requested in SCHEDULE:
        return _schedule_answer(tools, ctx, slots, requested, now, today)
    if requested in PERSONAL:
        return _personal_answer(tools, ctx, requested, conversation_id, now)
    if requested == hold_chat.CODE:
        return hold_chat.code_answer(tools, ctx, conversation_id, now)
    if requested == CONFIRMED:
        if ctx.intent in ("affirm", "deny"):
            return Turn({CONFIRMED: "yes" if ctx.intent == "affirm" else "no"})
        if ctx.intent in DIGRESSION_INTENTS:
            return Turn()
        heard = hear_schedule(tools, ctx, today)  # "make it 11:00 instead": change it, then ask again
        if heard.values:
            return _settle(tools, slots, {**heard.values, CONFIRMED: None}, list(heard.problems.values()), now)
        return Turn({CONFIRMED: None}, texts=["Please answer yes to book this appointment, or no."])
    return Turn()


def _schedule_answer(tools: BookingTools, ctx: QuestionContext, slots: Dict[str, object], requested: str,
                     now: dt.datetime, today: dt.date) -> Turn:
    heard = hear_schedule(tools, ctx, today, bare_hour=requested == TIME)
    digression = ctx.intent in DIGRESSION_INTENTS
    if requested not in heard.values and digression:
        return Turn()  # a question in the middle: it is answered, the form asks again
    changes = {} if digression else dict(heard.values)
    changes.setdefault(requested, heard.values.get(requested))
    texts = list(heard.problems.values())
    if changes[requested] is None and requested not in heard.problems:
        texts.append(_not_understood(tools, slots, requested, now))
    return _settle(tools, slots, changes, texts, now)


def _not_understood(tools: BookingTools, slots: Dict[str, object], requested: str, now: dt.datetime) -> str:
    if requested == SERVICE:
        return not_bookable_service_text(tools)
    if requested == HALL:
        service = slots.get(SERVICE)
        return halls_for_service_text(tools, service, None) if service else "I don't know that hall."
    if requested == DATE:
        return NOT_A_DATE
    day, service, hall = slots.get(DATE), slots.get(SERVICE), slots.get(HALL)
    if not (day and service and hall):
        return NOT_A_TIME
    free = bookings.availability(tools.uow_factory(), tools.config, service, hall, dt.date.fromisoformat(day),
                                 now).free_times
    return f"{NOT_A_TIME} Free times that day: {chat.times_text(free)}." if free else NOT_A_TIME


def _settle(tools: BookingTools, before: Dict[str, object], changes: Dict[str, object], texts: List[str],
            now: dt.datetime) -> Turn:
    """Apply ``changes`` and check what they affect, in the form's order: the service is bookable, the
    hall takes it, the day is open there, the time is free. What fails is emptied and explained."""
    values = {**before, **changes}
    changed = {k for k, v in changes.items() if v != before.get(k) or k in (DATE, TIME)}
    out = dict(changes)
    texts = list(texts)
    service, hall = values.get(SERVICE), values.get(HALL)
    if service and service not in tools.config.services():
        out[SERVICE] = service = None
        texts.append(not_bookable_service_text(tools, values.get(SERVICE)))
    if hall and tools.config.hall(hall) is None:
        out[HALL] = hall = None
        texts.append(halls_for_service_text(tools, service, values[HALL]) if service else
                     f"{tools.hall_name(values[HALL])} does not take appointments through me.")
    elif hall and service and hall not in bookings.bookable_halls(tools.config, service):
        out[HALL] = hall = None
        texts.append(halls_for_service_text(tools, service, values[HALL]))
    if service and hall:
        checked = check_schedule(tools, service, hall, values.get(DATE), values.get(TIME),
                                 day_changed=bool(changed & {SERVICE, HALL, DATE}), time_changed=TIME in changed,
                                 now=now)
        texts += checked.texts
        for name, value in ((DATE, checked.day), (TIME, checked.time)):
            if value != values.get(name):
                out[name] = value
    return Turn(out, texts=texts)


def _personal_answer(tools: BookingTools, ctx: QuestionContext, requested: str, conversation_id: str,
                     now: dt.datetime) -> Turn:
    field, check, mask, lead = PERSONAL[requested]
    typed = chat.answer_part(field, ctx.text)
    if ctx.intent in DIGRESSION_INTENTS and not _clearly_an_answer(field, check, typed):
        return Turn()  # a question in the middle: it is answered, the form asks again
    if field == "name" and len(typed.split()) > MAX_NAME_WORDS:
        return Turn({requested: None}, texts=["Please give just the applicant's name, as in the passport."])
    try:
        value = check(typed)
    except InvalidContact as exc:  # the problem never repeats the input
        return Turn({requested: None}, texts=[f"{lead}: {exc.problem}."])
    vault.stash(tools.uow_factory(), tools.secret, conversation_id, field, value, now)
    return Turn({requested: mask(value)})


def _clearly_an_answer(field: str, check: Callable[[str], str], typed: str) -> bool:
    if field == "name":  # almost any words pass check_name: ask for the shape of a name
        return chat.looks_like_name(typed)
    try:
        check(typed)
    except InvalidContact:
        return False
    return True


# -- the confirmation question and the booking ----------------------------------------------

def booking_summary(tools: BookingTools, slots: Dict[str, object]) -> Answer:
    """The appointment as it will be booked, masked details only, with Yes / No buttons."""
    service, hall = str(slots.get(SERVICE) or ""), str(slots.get(HALL) or "")
    config = tools.config.hall(hall)
    day = dt.date.fromisoformat(str(slots[DATE])) if slots.get(DATE) else None
    lines = [
        "Please check the appointment:",
        f"• Service: {tools.service_name(service)}",
        f"• Hall: {tools.hall_name(hall)} ({tools.hall_address(hall)})",
        f"• Day: {chat.day_text(day) if day else '-'}",
        f"• Time: {slots.get(TIME) or '-'}" + (f" ({config.slot_minutes} minutes)" if config else ""),
        f"• Applicant: {slots.get('applicant_name') or '-'}, passport {slots.get('booking_passport') or '-'}",
        f"• Contact: {slots.get('contact_email') or '-'}, {slots.get('contact_phone') or '-'}",
    ]
    if config is not None and not config.hours_published:
        lines.append("(This hall does not publish its opening hours; the times offered are our booking schedule.)")
    lines.append("Shall I book it?")
    return Answer("\n".join(lines), buttons=list(YES_NO))


def finish_booking(tools: BookingTools, slots: Dict[str, object], conversation_id: str,
                   now: dt.datetime, client_ip: object = None) -> Finish:
    """Hold what the form holds (the details from the vault) and e-mail the code, then re-open the form
    for the code; or, once the code is typed, confirm the booking. Or say why not. A place taken at the
    last moment re-opens the time question with suggestions; everything else ends the conversation and
    forgets the slots and the vault. ``client_ip``: the message metadata's, untrusted (None: unknown)."""
    cleared = {name: None for name in BOOKING_SLOTS}
    if slots.get(hold_chat.HOLD) == hold_chat.WAITING:
        return _finish_code(tools, conversation_id, now, cleared)
    if slots.get(CONFIRMED) != "yes":
        vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
        return Finish(cleared, responses=["utter_booking_not_confirmed"])
    fields = {slot: spec[0] for slot, spec in PERSONAL.items()}
    details = vault.peek_many(tools.uow_factory(), tools.secret, conversation_id, fields.values(), now)
    missing = [slot for slot, field in fields.items() if not details[field]]
    time = chat.parse_clock(str(slots.get(TIME) or ""))
    unset = [name for name in SCHEDULE if not slots.get(name)] + ([] if time else [TIME])
    if missing or unset:  # expired details (or a form completed in a way it should not be): ask again
        again = {slot: None for slot in missing + unset}
        return Finish({**again, CONFIRMED: None}, texts=[DETAILS_EXPIRED] if missing else [], followup="booking_form")
    service, hall, day = str(slots[SERVICE]), str(slots[HALL]), dt.date.fromisoformat(str(slots[DATE]))
    request = bookings.BookingRequest(service, hall, day, time, details["name"], details["passport"],
                                      details["email"], details["phone"])
    reopen = {CONFIRMED: None}
    try:
        placed = hold_chat.hold_and_send(tools, request, conversation_id, client_address(client_ip), now)
    except bookings.SlotFull as exc:
        return Finish({TIME: None, **reopen}, followup="booking_form", texts=[
            f"Sorry, {time:%H:%M} on {chat.day_text(day)} was booked up a moment ago.",
            suggestions_text(tools, exc.suggestions)])
    except bookings.SlotNotOffered as exc:
        return Finish({TIME: None, **reopen}, followup="booking_form", texts=[
            not_offered_text(tools, hall, day, time, now),
            f"Free times that day: {chat.times_text(exc.times)}." if exc.times else "No times are left that day."])
    except bookings.DayClosed as exc:
        reason = exc.reason
        return Finish({DATE: None, TIME: None, **reopen}, followup="booking_form", texts=[
            chat.closed_text(reason.kind, reason.text, day, tools.hall_name(hall)),
            chat.nearest_days_text(exc.availability.earlier_open_day, exc.availability.later_open_day)])
    except bookings.NotBookable:
        return Finish({HALL: None, DATE: None, TIME: None, **reopen}, followup="booking_form",
                      texts=[halls_for_service_text(tools, service, hall)])
    except InvalidContact as exc:
        slot = next(s for s, f in fields.items() if f == exc.field)
        return Finish({slot: None, **reopen}, followup="booking_form",
                      texts=[f"{PERSONAL[slot][3]}: {exc.problem}."])
    except bookings.DuplicateBooking:
        vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
        return Finish(cleared, texts=[
            f"This passport already holds an appointment for the {tools.service_name(service)} on "
            f"{chat.day_text(day)}, so I can't book a second one. To move that appointment instead, say "
            "“reschedule my appointment” and give its confirmation code."])
    except TooManyOpenBookings as exc:
        vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
        return Finish(cleared, texts=[letters.limit_text(exc.kind, exc.limit)])
    except MailNotSent:
        vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
        return Finish(cleared, texts=[letters.MAIL_FAILED])
    vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
    return Finish({hold_chat.HOLD: hold_chat.WAITING, hold_chat.CODE: None}, followup="booking_form",
                  texts=[letters.held_text(tools, placed)])


def _finish_code(tools: BookingTools, conversation_id: str, now: dt.datetime, cleared: Dict[str, None]) -> Finish:
    """The code step: the booking confirmed, the form asking again after a wrong code, or the hold gone."""
    try:
        booking, mailed = hold_chat.confirm_and_send(tools, conversation_id, now)
    except WrongHoldCode as exc:
        return Finish({hold_chat.CODE: None}, followup="booking_form", texts=[letters.wrong_code_text(exc.left)])
    except (HoldExpired, HoldAbandoned, NoHold) as exc:
        vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
        text = {HoldExpired: letters.EXPIRED, HoldAbandoned: letters.ABANDONED}.get(type(exc), letters.NO_HOLD)
        return Finish(cleared, texts=[text])
    vault.forget_all(tools.uow_factory(), tools.secret, conversation_id, now)
    return Finish(cleared, texts=[booked_text(tools, booking, mailed)])


def booked_text(tools: BookingTools, booking: Booking, mailed: bool = False) -> str:
    """The confirmation: code, when and where, what to bring, the calendar file, how to change it."""
    lines = [
        f"Booked! Your confirmation code is {booking.code}.",
        f"{tools.service_name(booking.service_id)}: {chat.day_text(booking.day)} at {booking.time:%H:%M}, "
        f"{tools.hall_name(booking.hall_id)} ({tools.hall_address(booking.hall_id)}).",
    ]
    documents = bookings.what_to_bring(tools.kb, booking.service_id, booking.day)
    if documents:
        lines += ["Please bring:", *(f"• {name}" for name in documents),
                  "Your full checklist may list more documents, depending on your situation."]
    lines += [f"Add it to your calendar: {tools.calendar_link(booking.code)}"
              + (f" (I've also e-mailed the calendar file to {chat.mask_email(booking.email)})." if mailed else ""),
              "Keep the confirmation code: with it and the passport number you can cancel or move the "
              "appointment here."]
    return "\n".join(lines)
