"""What the staff console shows of tickets: lines, summaries, the queue, a ticket, a poll."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from bot.db.models import HandoffTicket, TicketMessage
from bot.db.repositories.cases import from_db_time
from bot.domain import handoff as rules
from bot.services import vault
from bot.services.handoff import CONTACT_PURPOSE

PENDING, DELIVERED, RECORDED = "pending", "delivered", "recorded"
UNREADABLE = "unreadable"  # a contact sealed under another key, or damaged: staff see this, never an error


@dataclass(frozen=True)
class MessageLine:
    id: int
    who: str  # user, bot, staff
    text: str
    at: dt.datetime  # aware UTC
    staff_username: Optional[str]
    delivery: Optional[str]  # staff lines: pending, delivered, recorded

    def as_json(self) -> Dict[str, Any]:
        return {"id": self.id, "who": self.who, "text": self.text, "at": self.at.isoformat(),
                "staff": self.staff_username, "delivery": self.delivery}


@dataclass(frozen=True)
class TicketSummary:
    id: int
    status: str
    reason: str
    reason_label: str
    in_hours: bool
    created_at: dt.datetime
    waiting: dt.timedelta  # since it was received
    staff_username: Optional[str]
    contact_masked: str
    service: Optional[str]


@dataclass(frozen=True)
class QueueView:
    queued: List[TicketSummary]
    mine: List[TicketSummary]
    others: List[TicketSummary]  # held by someone else (supervisors only)
    finished: List[TicketSummary]  # recently handed back, closed or expired (supervisors only)


@dataclass(frozen=True)
class TicketDetail:
    summary: TicketSummary
    conversation_id: str
    contact: Optional[str]  # whole only for whoever may act on the ticket
    question: Optional[str]
    slots: Dict[str, Any]
    messages: List[MessageLine]
    resolution_note: Optional[str]
    resume_pending: bool
    can_claim: bool
    can_act: bool  # reply, hand back, close
    purged: bool = False  # transcript, question, contact and slots erased after the retention period

    @property
    def pending_messages(self) -> List[MessageLine]:
        return [m for m in self.messages if m.delivery == PENDING]


@dataclass(frozen=True)
class Poll:
    status: str
    messages: List[MessageLine]
    live: bool  # False: Rasa could not be asked for new messages just now
    resume_pending: bool
    extra: Dict[str, Any] = field(default_factory=dict)



def line_view(message: TicketMessage) -> MessageLine:
    return MessageLine(message.id, message.who, message.text, from_db_time(message.at),
                       message.staff.username if message.staff else None, message.delivery)


def open_contact(key: bytes, stored: Optional[str], whole: bool) -> Optional[str]:
    """The ticket's contact, whole or masked; None when there is none, UNREADABLE when it cannot be opened."""
    if not stored:
        return None
    try:
        contact = vault.unseal(key, CONTACT_PURPOSE, stored)
    except vault.Unreadable:
        return UNREADABLE
    return contact if whole else rules.mask_contact(contact)


def summary_view(ticket: HandoffTicket, now: dt.datetime, names: Dict[str, str], key: bytes) -> TicketSummary:
    created = from_db_time(ticket.created_at)
    slots = ticket.slots or {}
    service = slots.get("service") or slots.get("booking_service")
    return TicketSummary(ticket.id, ticket.status, ticket.reason, rules.REASON_LABELS.get(ticket.reason, ticket.reason),
                         ticket.in_hours, created, now - created, ticket.staff.username if ticket.staff else None,
                         open_contact(key, ticket.contact, whole=False) or "",
                         names.get(service, service) if isinstance(service, str) else None)
