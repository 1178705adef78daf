"""Handing a conversation to staff: opening a ticket, the queue position and wait, who holds it.

The chat side (actions/handoff.py) calls staff_on_duty() to choose a path, open_ticket() to
hand over, and active_ticket() to know whether a staff member holds the conversation. The
staff console's steps are in bot.services.handoff_console.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.db.models import HandoffTicket, LedgerEntry, TicketMessage
from bot.db.repositories.cases import from_db_time, to_db_time
from bot.db.uow import UnitOfWork
from bot.domain import handoff as rules
from bot.domain.personal_data.redaction import redact_text
from bot.domain.privacy import SENSITIVE_SLOTS
from bot.services import vault

# What the bot collected that helps staff (never personal data: see bot.domain.privacy).
TICKET_SLOTS = ("service", "topic", "booking_service", "booking_hall", "booking_date", "booking_code",
                "case_number", "credit_code", "location", "category", "employer_change", "checklist_services")
TRANSCRIPT_LINES = 200  # the newest lines are kept
TEXT_MAX = 4000  # characters of one line, of a question and of a staff reply
CONVERSATION_ID_MAX = 255
CONTACT_PURPOSE = "handoff_tickets.contact"  # what a sealed contact is bound to (bot.services.vault.seal)
HANDLING_LOOKBACK = dt.timedelta(days=14)
DESK_ACTIVITY = dt.timedelta(minutes=10)


class InvalidTicket(ValueError):
    """open_ticket() was given something it cannot store; the message names the field."""


@dataclass(frozen=True)
class TicketReceipt:
    ticket_id: int
    in_hours: bool
    position: Optional[int]  # in the queue, 1 = next; None outside hours
    wait_minutes: Optional[int]  # estimate; None outside hours
    reply_by: Optional[dt.date]  # outside hours: the day staff will answer


@dataclass(frozen=True)
class TicketView:
    ticket_id: int
    conversation_id: str
    status: str
    reason: str
    in_hours: bool
    held: bool  # a staff member holds the conversation (the bot must stay silent)
    staff_username: Optional[str]
    created_at: dt.datetime  # aware UTC


def staff_hours(settings: Settings) -> rules.StaffHours:
    return rules.parse_staff_hours(settings.staff_hours, settings.staff_every_day)


def _settings(settings: Optional[Settings]) -> Settings:
    if settings is not None:
        return settings
    from bot import wiring  # the process's settings, read when called (never at import)

    return wiring.settings()


def staff_on_duty(now: dt.datetime, settings: Optional[Settings] = None) -> bool:
    """True when ``now`` (aware) falls in staff hours on the desk's calendar."""
    current = _settings(settings)
    return staff_hours(current).is_open(now.astimezone(ZoneInfo(current.timezone)))


def open_ticket(uow: UnitOfWork, *, conversation_id: str, reason: str, transcript: List[Dict[str, Any]],
                slots: Dict[str, Any], now: dt.datetime, contact: Optional[str] = None,
                question: Optional[str] = None, settings: Optional[Settings] = None,
                key: Optional[bytes] = None) -> TicketReceipt:
    """Open a ticket for the conversation (or return the one already open) with its transcript,
    the useful slots, the reason and, outside hours, the contact (sealed with ``key``, the secret
    key: it is never stored in plain text) and question.

    Raises InvalidTicket for an empty or too long conversation id, an unknown reason or a contact
    without a key, and
    bot.domain.booking_details.InvalidContact for a contact that is not an e-mail or phone.
    """
    current = _settings(settings)
    conversation_id = (conversation_id or "").strip()
    if not conversation_id or len(conversation_id) > CONVERSATION_ID_MAX:
        raise InvalidTicket("conversation_id: 1 to 255 characters")
    if reason not in rules.REASONS:
        raise InvalidTicket(f"reason: one of {', '.join(rules.REASONS)}")
    checked_contact = rules.check_contact(contact).value if contact else None
    if checked_contact and not key:
        raise InvalidTicket("key: a contact is stored only encrypted")
    hours = staff_hours(current)
    local = now.astimezone(ZoneInfo(current.timezone))
    # A contact left with the question (the after-hours form) asks for a call-back, even when the form
    # is finished just after staff hours began: that conversation was never paused for a live chat.
    in_hours = hours.is_open(local) and not checked_contact
    kept_slots = clean_slots(slots)
    sealed = vault.seal(key, CONTACT_PURPOSE, checked_contact) if checked_contact else None
    with uow:
        ticket = uow.tickets.open_for(conversation_id)
        if ticket is None:
            ticket = _new_ticket(conversation_id, reason, in_hours, sealed, question, kept_slots, now)
            for index, line in enumerate(clean_transcript(transcript, now)):
                ticket.messages.append(TicketMessage(event_key=f"transcript:{index}", **line))
            uow.tickets.add(ticket)
            try:
                uow.session.flush()
            except IntegrityError:  # the same conversation handed over twice at once: one ticket
                uow.session.rollback()
                ticket = uow.tickets.open_for(conversation_id)
                if ticket is None:
                    raise
        elif checked_contact or question:
            ticket.contact = sealed or ticket.contact
            ticket.question = _clip(_redacted(question)) or ticket.question
            ticket.updated_at = to_db_time(now)
        receipt = _receipt(uow, ticket, hours, local, current)
        uow.commit()
        return receipt


def active_ticket(uow: UnitOfWork, conversation_id: str) -> Optional[TicketView]:
    """The conversation's queued or claimed ticket, or None."""
    with uow:
        ticket = uow.tickets.open_for(conversation_id)
        return None if ticket is None else ticket_view(ticket)


def ticket_view(ticket: HandoffTicket) -> TicketView:
    return TicketView(ticket.id, ticket.conversation_id, ticket.status, ticket.reason, ticket.in_hours,
                      ticket.status == rules.CLAIMED, ticket.staff.username if ticket.staff else None,
                      from_db_time(ticket.created_at))


def _new_ticket(conversation_id: str, reason: str, in_hours: bool, contact: Optional[str],
                question: Optional[str], slots: Dict[str, Any], now: dt.datetime) -> HandoffTicket:
    at = to_db_time(now)
    ticket = HandoffTicket(conversation_id=conversation_id, status=rules.QUEUED, reason=reason, in_hours=in_hours,
                           contact=contact, question=_clip(_redacted(question)), slots=slots, resume_pending=False,
                           created_at=at, updated_at=at)
    ticket.ledger = LedgerEntry(requester="enterprise" if slots.get("credit_code") else "applicant",
                                reason=reason, received_at=at)
    return ticket


def _receipt(uow: UnitOfWork, ticket: HandoffTicket, hours: rules.StaffHours, local: dt.datetime,
             settings: Settings) -> TicketReceipt:
    if not ticket.in_hours:
        return TicketReceipt(ticket.id, False, None, None, rules.reply_by(hours, local))
    if ticket.status != rules.QUEUED:
        return TicketReceipt(ticket.id, True, None, None, None)
    now = local.astimezone(dt.timezone.utc)
    position = uow.tickets.queue_position(ticket)
    durations = uow.tickets.handling_durations(to_db_time(now - HANDLING_LOOKBACK))
    minutes = rules.typical_handling_minutes(durations, settings.handoff_minutes_per_ticket)
    desks = uow.staff.active_staff_count(to_db_time(now - DESK_ACTIVITY)) or settings.handoff_desks
    return TicketReceipt(ticket.id, True, position, rules.wait_estimate(position, desks, minutes), None)


def clean_slots(slots: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots staff may see: the known useful ones, short values, never personal data."""
    kept: Dict[str, Any] = {}
    for name in TICKET_SLOTS:
        value = (slots or {}).get(name)
        if name in SENSITIVE_SLOTS or value in (None, "", []):
            continue
        if isinstance(value, (list, tuple)):
            value = [str(v)[:100] for v in value][:20]
        elif isinstance(value, (bool, int, float)):
            pass
        else:
            value = str(value)[:200]
        kept[name] = value
    return kept


def clean_transcript(lines: Optional[List[Dict[str, Any]]], now: dt.datetime) -> List[Dict[str, Any]]:
    """Transcript lines as message columns: known speakers only, the person's personal data replaced by
    markers (bot.domain.personal_data), text clipped, bad times replaced by now."""
    cleaned = []
    for line in (lines or [])[-TRANSCRIPT_LINES:]:
        if not isinstance(line, dict) or line.get("who") not in ("user", "bot", "staff"):
            continue
        text = line.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        if line["who"] == "user":  # whoever built the lines: what the person typed is stored redacted
            text = redact_text(text)
        cleaned.append({"who": line["who"], "text": _clip(text), "at": to_db_time(_parse_time(line.get("at"), now))})
    return cleaned


def _parse_time(value: Any, default: dt.datetime) -> dt.datetime:
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _redacted(question: Optional[str]) -> Optional[str]:
    """The person's question as it may be stored: personal data replaced by markers."""
    return redact_text(question) if isinstance(question, str) else question


def _clip(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    return text[:TEXT_MAX] if text else None
