"""Use case: cancelling or moving an appointment in the chat, turn by turn, and the change at its end.

The confirmation code and the passport (whole or last four) prove the booking is the asker's. The
passport is checked when typed, then waits in the vault for the change itself; the slot says only
"verified" (or "unchangeable" when the booking can no longer be changed, which ends the form).
The booking is looked up again whenever it is needed, so no booking detail sits in the slots.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Optional

from bot.domain import booking_chat as chat
from bot.domain.booking_details import Booking, InvalidContact
from bot.domain.forms import DIGRESSION_INTENTS
from bot.domain.personal_data.extraction import read_identity_answer
from bot.domain.wording import Answer
from bot.services import booking_changes, bookings, vault
from bot.services.answers import QuestionContext
from bot.services.booking_form import YES_NO
from bot.services.booking_schedule import (
    DATE, NOT_A_DATE, NOT_A_TIME, TIME, BookingTools, Finish, check_schedule, free_times_text, hear_schedule,
    not_offered_text, suggestions_text,
)
from bot.services.case_form import Turn, locked_text, not_an_answer_turn

START_INTENTS = {"cancel_appointment": "cancel", "reschedule_appointment": "reschedule"}
KIND, CODE, PASSPORT, NEW_DATE, NEW_TIME, CONFIRMED = (
    "change_kind", "booking_code", "change_passport", "new_date", "new_time", "change_confirmed")
CHANGE_SLOTS = (KIND, CODE, PASSPORT, NEW_DATE, NEW_TIME, CONFIRMED)
VERIFIED, UNCHANGEABLE = "verified", "unchangeable"
VAULT_FIELD = "change_passport"
NOT_A_CODE = "That is not a confirmation code. A code looks like K7MQ-2XHT: eight letters and digits."
PASSPORT_GONE = ("For your protection, the passport number you typed is deleted after an hour. "
                 "Please give it again.")


def required_slots(slots: Dict[str, object]) -> List[str]:
    """What the form asks, by the kind of change; nothing more once the booking proved unchangeable."""
    if slots.get(PASSPORT) == UNCHANGEABLE:
        return []
    middle = [NEW_DATE, NEW_TIME] if slots.get(KIND) == "reschedule" else []
    return [CODE, PASSPORT, *middle, CONFIRMED]


def change_turn(tools: BookingTools, ctx: QuestionContext, slots: Dict[str, object], requested: Optional[str],
                conversation_id: str, now: dt.datetime, today: dt.date) -> Turn:
    """One message of the cancel / reschedule form."""
    if requested is None:
        if ctx.intent not in START_INTENTS:
            return Turn()  # opened again after a refusal at the last moment: keep everything
        return _opening(tools, ctx, conversation_id, now, today)
    if requested == CODE:
        code = _code_from(ctx)
        if code:
            return Turn({CODE: code})
        return Turn() if ctx.intent in DIGRESSION_INTENTS else Turn({CODE: None}, texts=[NOT_A_CODE])
    if requested == PASSPORT:
        return _verify(tools, ctx, slots, conversation_id, now)
    if requested in (NEW_DATE, NEW_TIME):
        return _new_time(tools, ctx, slots, requested, conversation_id, now, today)
    if requested == CONFIRMED:
        if ctx.intent in ("affirm", "deny"):
            return Turn({CONFIRMED: "yes" if ctx.intent == "affirm" else "no"})
        if ctx.intent in DIGRESSION_INTENTS:
            return Turn()
        if slots.get(KIND) == "reschedule":
            turn = _new_time(tools, ctx, slots, None, conversation_id, now, today)
            if turn.slots:
                turn.slots[CONFIRMED] = None
                return turn
        return Turn({CONFIRMED: None}, texts=["Please answer yes or no."])
    return Turn()


def _opening(tools: BookingTools, ctx: QuestionContext, conversation_id: str, now: dt.datetime,
             today: dt.date) -> Turn:
    vault.forget(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD)
    kind = START_INTENTS[ctx.intent]
    values: Dict[str, object] = {name: None for name in CHANGE_SLOTS}
    values.update({KIND: kind, CODE: _code_from(ctx)})
    texts: List[str] = []
    if kind == "reschedule":  # "move K7MQ-2XHT to Friday afternoon": checked once the booking is known
        heard = hear_schedule(tools, ctx, today, last_date=True)
        values.update({NEW_DATE: heard.values.get(DATE), NEW_TIME: heard.values.get(TIME)})
        texts += [heard.problems[DATE]] if DATE in heard.problems else []
    return Turn(values, texts=texts)


def _code_from(ctx: QuestionContext) -> Optional[str]:
    for entity in ctx.entities:
        if entity.get("entity") == "booking_code" and entity.get("value"):
            code = bookings.normalize_code(str(entity["value"]))
            if code:
                return code
    return chat.find_code(ctx.text)


def _verify(tools: BookingTools, ctx: QuestionContext, slots: Dict[str, object], conversation_id: str,
            now: dt.datetime) -> Turn:
    answer = read_identity_answer(ctx.text, ctx.intent)
    if not answer.is_answer:  # "stop", a question, the wrong shape: answered, never counted
        return not_an_answer_turn(answer, ctx.intent, PASSPORT, UNCHANGEABLE)
    try:
        booking = booking_changes.find_for_change(tools.uow_factory(), str(slots.get(CODE) or ""), answer, now,
                                                  tools.hasher, conversation_id, ctx.client_address)
    except InvalidContact as exc:  # the message never repeats the input
        return Turn({PASSPORT: None}, texts=[exc.problem])
    except bookings.VerificationLocked as exc:  # too many failed checks: the form ends here
        return Turn({PASSPORT: UNCHANGEABLE}, texts=[locked_text(exc.until, exc.scope)])
    except bookings.BookingLookupFailed:
        return Turn({CODE: None, PASSPORT: None}, responses=["utter_booking_not_verified"])
    except bookings.BookingNotChangeable as exc:
        return Turn({PASSPORT: UNCHANGEABLE}, texts=[_unchangeable_text(tools, exc)])
    typed = f"{answer.value} {answer.family_name}".strip()  # read again, the same way, for the change itself
    vault.stash(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD, typed, now)
    turn = Turn({PASSPORT: VERIFIED}, texts=[f"Found it: {_when_where(tools, booking)}."])
    if slots.get(KIND) == "reschedule" and (slots.get(NEW_DATE) or slots.get(NEW_TIME)):
        checked = _check(tools, booking, slots.get(NEW_DATE), slots.get(NEW_TIME), True, True, now)
        turn.slots.update({NEW_DATE: checked.day, NEW_TIME: checked.time})
        turn.texts += checked.texts
    return turn


def _new_time(tools: BookingTools, ctx: QuestionContext, slots: Dict[str, object], requested: Optional[str],
              conversation_id: str, now: dt.datetime, today: dt.date) -> Turn:
    """An answer naming the new day and/or time, checked at the booking's hall for its service."""
    heard = hear_schedule(tools, ctx, today, bare_hour=requested == NEW_TIME, last_date=True)
    day, time = heard.values.get(DATE), heard.values.get(TIME)
    if ctx.intent in DIGRESSION_INTENTS and {NEW_DATE: day, NEW_TIME: time}.get(requested) is None:
        return Turn()  # a question in the middle: it is answered, the form asks again
    if not (day or time):
        if requested is None:
            return Turn()
        problem = heard.problems.get(DATE) if requested == NEW_DATE else None
        return Turn({requested: None}, texts=[problem or (NOT_A_DATE if requested == NEW_DATE else NOT_A_TIME)])
    booking = _booking(tools, slots, conversation_id, now)
    if isinstance(booking, Turn):
        return booking
    # A new day keeps the time asked for earlier, checked again on that day.
    checked = _check(tools, booking, day or slots.get(NEW_DATE), time or slots.get(NEW_TIME), bool(day),
                     bool(time), now)
    return Turn({NEW_DATE: checked.day, NEW_TIME: checked.time}, texts=list(checked.texts))


def _check(tools: BookingTools, booking: Booking, day: Optional[str], time: Optional[str], day_changed: bool,
           time_changed: bool, now: dt.datetime):
    checked = check_schedule(tools, booking.service_id, booking.hall_id, day, time, day_changed, time_changed, now,
                             other_halls=False)
    if checked.day == booking.day.isoformat() and checked.time == f"{booking.time:%H:%M}":
        checked.time = None
        checked.texts.append("That is the time you already have. Which other time would you like?")
    return checked


def _booking(tools: BookingTools, slots: Dict[str, object], conversation_id: str, now: dt.datetime):
    """The verified booking, looked up again with the passport from the vault; or the Turn that asks again."""
    passport = vault.peek(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD, now)
    if passport is None:
        return Turn({PASSPORT: None}, texts=[PASSPORT_GONE])
    try:
        return booking_changes.find_for_change(tools.uow_factory(), str(slots.get(CODE) or ""), passport, now,
                                               tools.hasher)
    except (bookings.BookingLookupFailed, InvalidContact):
        return Turn({CODE: None, PASSPORT: None}, responses=["utter_booking_not_verified"])
    except bookings.BookingNotChangeable as exc:
        return Turn({PASSPORT: UNCHANGEABLE}, texts=[_unchangeable_text(tools, exc)])


# -- the confirmation question and the change ------------------------------------------------

def change_summary(tools: BookingTools, slots: Dict[str, object], conversation_id: str,
                   now: dt.datetime) -> Answer:
    """"Cancel your appointment on ...?" or "Move your appointment from ... to ...?", with Yes / No."""
    booking = _booking(tools, slots, conversation_id, now)
    if isinstance(booking, Turn):
        current = f"appointment {slots.get(CODE) or ''}".strip()
    else:
        current = f"appointment on {chat.day_text(booking.day)} at {booking.time:%H:%M} at " \
                  f"{tools.hall_name(booking.hall_id)}"
    if slots.get(KIND) == "reschedule" and slots.get(NEW_DATE):
        new_day = dt.date.fromisoformat(str(slots[NEW_DATE]))
        text = f"Move your {current.replace('appointment on', 'appointment from', 1)} to " \
               f"{chat.day_text(new_day)} at {slots.get(NEW_TIME)}?"
    else:
        text = f"Cancel your {current}?"
    return Answer(text, buttons=list(YES_NO))


def finish_change(tools: BookingTools, slots: Dict[str, object], conversation_id: str, now: dt.datetime) -> Finish:
    """Cancel or move the booking with the passport from the vault, or say why not; a place taken at the
    last moment re-opens the time question. Otherwise the slots and the vault are forgotten."""
    cleared = {name: None for name in CHANGE_SLOTS}
    passport = vault.peek(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD, now)
    done = Finish(cleared)
    if slots.get(PASSPORT) != VERIFIED:
        pass  # the form ended on an unchangeable booking: that was explained
    elif slots.get(CONFIRMED) != "yes":
        done.responses.append("utter_change_not_confirmed")
    elif passport is None:
        return Finish({PASSPORT: None, CONFIRMED: None}, texts=[PASSPORT_GONE], followup="booking_change_form")
    else:
        result = _change(tools, slots, passport, now)
        if result.followup:
            return result
        done.texts += result.texts
        done.responses += result.responses
    vault.forget(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD)
    return done


def _change(tools: BookingTools, slots: Dict[str, object], passport: str, now: dt.datetime) -> Finish:
    code = str(slots.get(CODE) or "")
    try:
        if slots.get(KIND) != "reschedule":
            booking = booking_changes.cancel(tools.uow_factory(), code, passport, now, tools.hasher)
            return Finish(texts=[f"Your appointment {booking.code} on {chat.day_text(booking.day)} at "
                                 f"{booking.time:%H:%M} at {tools.hall_name(booking.hall_id)} is cancelled. "
                                 "Its place is free for others again."])
        day = dt.date.fromisoformat(str(slots.get(NEW_DATE)))
        time = chat.parse_clock(str(slots.get(NEW_TIME)))
        booking = booking_changes.reschedule(tools.uow_factory(), tools.config, code, passport, day, time, now,
                                             tools.hasher)
    except (bookings.BookingLookupFailed, InvalidContact):
        return Finish(responses=["utter_booking_not_verified"])
    except bookings.BookingNotChangeable as exc:
        return Finish(texts=[_unchangeable_text(tools, exc)])
    except bookings.SlotFull as exc:
        return Finish({NEW_TIME: None, CONFIRMED: None}, followup="booking_change_form", texts=[
            f"Sorry, {time:%H:%M} on {chat.day_text(day)} was booked up a moment ago. Your appointment is unchanged.",
            suggestions_text(tools, exc.suggestions, other_halls=False)])
    except bookings.SlotNotOffered as exc:
        return Finish({NEW_TIME: None, CONFIRMED: None}, followup="booking_change_form", texts=[
            not_offered_text(tools, exc.hall_id, day, time, now), free_times_text(exc.times)])
    except bookings.DayClosed as exc:
        return Finish({NEW_DATE: None, NEW_TIME: None, CONFIRMED: None}, followup="booking_change_form", texts=[
            chat.closed_text(exc.reason.kind, exc.reason.text, day, tools.hall_name(exc.availability.hall_id)),
            chat.nearest_days_text(exc.availability.earlier_open_day, exc.availability.later_open_day)])
    except bookings.DuplicateBooking:
        return Finish({NEW_DATE: None, NEW_TIME: None, CONFIRMED: None}, followup="booking_change_form", texts=[
            f"This passport already holds another appointment for that service on {chat.day_text(day)}. "
            "Please choose another day."])
    return Finish(texts=[
        f"Done: your appointment {booking.code} is now on {chat.day_text(booking.day)} at {booking.time:%H:%M}, "
        f"{tools.hall_name(booking.hall_id)} ({tools.hall_address(booking.hall_id)}). The confirmation code "
        "stays the same.",
        f"Updated calendar file: {tools.calendar_link(booking.code)}"])


def _when_where(tools: BookingTools, booking: Booking) -> str:
    return (f"{tools.service_name(booking.service_id)} on {chat.day_text(booking.day)} at {booking.time:%H:%M}, "
            f"{tools.hall_name(booking.hall_id)}")


def _unchangeable_text(tools: BookingTools, exc: bookings.BookingNotChangeable) -> str:
    return (f"That appointment ({_when_where(tools, exc.booking)}) can no longer be changed: {exc.reason}. "
            "For anything else about it, please contact the hall.")
