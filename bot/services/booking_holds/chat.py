"""The booking form's code step: after "yes" the booking is held and a code e-mailed; the form then asks
for the code (slot ``booking_email_code``), and the booking is confirmed when the right one is typed.

Slots: ``booking_hold`` is "waiting" while the conversation's hold waits for its code (the hold
itself is found by the conversation, never by a slot value); ``booking_email_code`` is "given" once
a code-shaped answer was typed. The typed code waits in the vault, not in a slot, until the booking
action reads it once.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Dict, List, Optional, Sequence, Tuple

from bot.domain.booking_details import Booking
from bot.domain.booking_holds.rules import read_hold_code
from bot.domain.forms import DIGRESSION_INTENTS
from bot.integrations.mail import MailNotSent
from bot.services import bookings, vault
from bot.services.answers import QuestionContext
from bot.services.booking_holds import holds, letters
from bot.services.booking_schedule import BookingTools
from bot.services.case_form import Turn

logger = logging.getLogger(__name__)

HOLD = "booking_hold"
CODE = "booking_email_code"
WAITING = "waiting"
GIVEN = "given"
VAULT_FIELD = "hold_code"


def required_slots(domain_slots: Sequence[str], slots: Dict[str, object]) -> List[str]:
    """The booking form's slots (the domain's), and the code once a hold waits for it."""
    found = [name for name in domain_slots if name != CODE]
    return found + [CODE] if slots.get(HOLD) == WAITING else found


def code_answer(tools: BookingTools, ctx: QuestionContext, conversation_id: str, now: dt.datetime) -> Turn:
    """The answer to "type the code": six digits are kept (in the vault) for the booking action."""
    code = read_hold_code(ctx.text)
    if code is not None:
        vault.stash(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD, code, now)
        return Turn({CODE: GIVEN})
    if ctx.intent in DIGRESSION_INTENTS:
        return Turn()  # a question in the middle: it is answered, the form asks again
    return Turn({CODE: None}, texts=[letters.NOT_A_CODE])


def hold_and_send(tools: BookingTools, request: bookings.BookingRequest, conversation_id: str,
                  client_address: Optional[str], now: dt.datetime) -> holds.PlacedHold:
    """Hold the place and e-mail the code. Raises what holds.place_hold() raises, or MailNotSent (then
    the hold is released at once: a code nobody received would only block the place)."""
    placed = holds.place_hold(tools.uow_factory(), tools.config, request, now, tools.hasher, tools.secret,
                              tools.holds, conversation_id, client_address)
    try:
        if tools.mailer is None:
            raise MailNotSent("no mailer configured")
        tools.mailer.send(letters.code_mail(tools, placed))
    except MailNotSent as exc:
        logger.error("booking hold released: the code e-mail was not sent (%s)", exc)
        holds.release_hold(tools.uow_factory(), tools.secret, conversation_id)
        raise
    return placed


def confirm_and_send(tools: BookingTools, conversation_id: str, now: dt.datetime) -> Tuple[Booking, bool]:
    """Confirm the hold with the code typed (read once from the vault) and e-mail the calendar file.
    Returns the booking and whether that e-mail went; raises what holds.confirm_hold() raises."""
    typed = vault.take(tools.uow_factory(), tools.secret, conversation_id, VAULT_FIELD, now)
    booking = holds.confirm_hold(tools.uow_factory(), tools.secret, tools.holds, conversation_id, typed, now)
    try:
        if tools.mailer is None:
            raise MailNotSent("no mailer configured")
        tools.mailer.send(letters.calendar_mail(tools, booking))
    except MailNotSent as exc:  # the booking stands; the chat gives the link instead
        logger.error("booking confirmed, but the calendar e-mail was not sent (%s)", exc)
        return booking, False
    return booking, True
