"""Use cases of the chat side of the handoff: start it (inside or outside staff hours), take the
question and contact left outside hours, and greet the person back after staff.

The ticket itself is bot.services.handoff (open_ticket, staff_on_duty, active_ticket). A contact
typed in the chat waits encrypted in the vault (bot.services.vault) between the form's turn that
checked it and the ticket that stores it; the conversation keeps only its mask.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.db.uow import UnitOfWorkFactory
from bot.domain import handoff as rules
from bot.domain import handoff_chat as chat
from bot.domain.booking_details import InvalidContact
from bot.domain.wording import Answer
from bot.services import handoff, vault

CONTACT_FIELD = "handoff_contact"


@dataclass
class HandoffTurn:
    """What to say and which slots to set; ``pause`` asks Rasa to pause the conversation."""

    texts: List[str] = field(default_factory=list)
    answers: List[Answer] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    pause: bool = False


@dataclass(frozen=True)
class Conversation:
    """What the handoff needs to know about the conversation."""

    conversation_id: str
    events: Sequence[Dict[str, Any]]
    slots: Dict[str, Any]


def start(uow: UnitOfWorkFactory, settings: Settings, convo: Conversation, reason: str,
          flagged: Optional[chat.FlaggedCase], now: dt.datetime) -> HandoffTurn:
    """Hand the conversation to staff: inside staff hours a ticket in the queue (and pause), outside
    them the after-hours path (the form asks for the question and a contact next)."""
    current = handoff.active_ticket(uow(), convo.conversation_id)
    if current is not None:
        return _already_waiting(uow, settings, convo, current, now)
    lead = chat.lead(reason, flagged)
    if handoff.staff_on_duty(now, settings):
        receipt = handoff.open_ticket(uow(), conversation_id=convo.conversation_id, reason=reason,
                                      transcript=chat.transcript(convo.events), slots=convo.slots, now=now,
                                      settings=settings)
        return HandoffTurn([chat.queued_text(lead, receipt.ticket_id, receipt.position, receipt.wait_minutes)],
                           slots={"handoff_path": chat.QUEUED, "handoff_reason": reason}, pause=True)
    hours = handoff.staff_hours(settings)
    reply_by = rules.reply_by(hours, now.astimezone(ZoneInfo(settings.timezone)))
    return HandoffTurn([chat.after_hours_text(lead, hours.describe(), reply_by)],
                       slots={"handoff_path": chat.AFTER_HOURS, "handoff_reason": reason,
                              "handoff_question": None, "handoff_contact": None})


def expired(settings: Settings, now: dt.datetime) -> HandoffTurn:
    """The queued ticket was not claimed in time (bot.services.handoff_lifecycle expired it): say so and
    go on like the after-hours path (the form asks for the question and a contact next)."""
    hours = handoff.staff_hours(settings)
    reply_by = rules.next_working_day_after(hours, now.astimezone(ZoneInfo(settings.timezone)))
    return HandoffTurn([chat.expired_text(settings.handoff_queue_timeout_minutes, hours.describe(), reply_by)],
                       slots={"handoff_path": chat.AFTER_HOURS, "handoff_question": None, "handoff_contact": None})


def _already_waiting(uow: UnitOfWorkFactory, settings: Settings, convo: Conversation,
                     current: handoff.TicketView, now: dt.datetime) -> HandoffTurn:
    reply_by = None
    if not current.in_hours:
        reply_by = rules.reply_by(handoff.staff_hours(settings), now.astimezone(ZoneInfo(settings.timezone)))
    text = chat.already_waiting_text(current.ticket_id, current.in_hours, reply_by)
    # an in-hours ticket means staff will answer here: stay quiet again until they hand back
    return HandoffTurn([text], slots={"handoff_path": chat.QUEUED}, pause=current.in_hours)


def offer() -> HandoffTurn:
    """A personal situation the knowledge base does not flag: offer a person, the person decides."""
    return HandoffTurn(answers=[chat.offer_answer()], slots={"handoff_path": chat.OFFERED})


def keep_contact(uow: UnitOfWorkFactory, key: bytes, conversation_id: str, text: Optional[str],
                 now: dt.datetime) -> str:
    """Check the contact and keep it encrypted until the ticket is opened; returns its mask.
    Raises InvalidContact (its ``problem`` says what to write)."""
    contact = rules.check_contact(text)
    vault.stash(uow(), key, conversation_id, CONTACT_FIELD, contact.value, now)
    return rules.mask_contact(contact.value)


class ContactExpired(Exception):
    """The contact given in the form is no longer in the vault (it is kept for an hour)."""


def submit(uow: UnitOfWorkFactory, settings: Settings, key: bytes, convo: Conversation, reason: str,
           question: str, now: dt.datetime) -> HandoffTurn:
    """Open the call-back ticket with the question and the contact kept by keep_contact(), and promise
    the reply day of the path that offered the form: the day staff hours next begin outside hours, the
    next working day after a queued chat expired (as expired() said). Raises ContactExpired when the
    contact is gone."""
    contact = vault.take(uow(), key, convo.conversation_id, CONTACT_FIELD, now)
    if not contact:
        raise ContactExpired()
    if reason not in rules.REASONS:
        reason = chat.OUTSIDE_HOURS
    receipt = handoff.open_ticket(uow(), conversation_id=convo.conversation_id, reason=reason,
                                  transcript=chat.transcript(convo.events), slots=convo.slots, now=now,
                                  contact=contact, question=question, settings=settings, key=key)
    reply_by = receipt.reply_by
    if chat.after_expiry(convo.events):
        # the expiry promised the next working day (expired()); staff in now does not mean "today"
        reply_by = rules.next_working_day_after(handoff.staff_hours(settings),
                                                now.astimezone(ZoneInfo(settings.timezone)))
    return HandoffTurn([chat.submitted_text(receipt.ticket_id, rules.mask_contact(contact), reply_by)],
                       slots={"handoff_path": None, "handoff_reason": None})


__all__ = ["Conversation", "ContactExpired", "HandoffTurn", "InvalidContact", "expired", "keep_contact", "offer",
           "start", "submit"]
