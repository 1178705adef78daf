"""The staff console's use cases: queue, claim, read, reply, hand back, close, and the live messages.

What a staff member writes is stored before anything is sent to Rasa: a reply that Rasa did not
take stays "pending" and can be sent again; a hand-back or close is recorded at once and the
bot's resumption is retried until Rasa confirms it. ``conversations`` is the Rasa HTTP API client
(bot.integrations.rasa_api.RasaConversations, or any object with its methods).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional

from bot.db.models import HandoffTicket, TicketMessage
from bot.db.repositories.cases import from_db_time, to_db_time
from bot.db.uow import UnitOfWork
from bot.domain import handoff as rules
from bot.domain.handoff_chat import is_external
from bot.domain.privacy import redact_events
from bot.integrations.rasa_api import RasaUnavailable
from bot.services.handoff import TEXT_MAX
from bot.services.handoff_views import (DELIVERED, PENDING, RECORDED, MessageLine, Poll, QueueView,  # noqa: F401
                                         TicketDetail, line_view, open_contact, summary_view)
from bot.services.staff_auth import StaffMember

logger = logging.getLogger(__name__)
NOTE_MAX = 2000
ID_MAX = 2**31 - 1
SERVICE_SLOTS = ("service", "booking_service")  # shown with the service's name in the live knowledge base


class TicketNotFound(Exception):
    """No ticket with this id, or none this staff member may see (the same answer)."""


class NotYourTicket(Exception):
    """Another staff member holds the ticket; only they or a supervisor may act on it."""


class EmptyText(ValueError):
    """A reply or resolution note that is empty or too long; the message says which."""


def queue(uow: UnitOfWork, member: StaffMember, now: dt.datetime, key: bytes) -> QueueView:
    """The queue (oldest first), the member's own tickets, and for supervisors everyone else's
    (contacts masked; ``key`` is the secret key they are sealed with)."""
    with uow:
        names = uow.cases.service_names()
        queued = [summary_view(t, now, names, key) for t in uow.tickets.listing([rules.QUEUED])]
        held = uow.tickets.listing([rules.CLAIMED])
        mine = [summary_view(t, now, names, key) for t in held if t.staff_id == member.id]
        boss = member.supervisor
        others = [summary_view(t, now, names, key) for t in held if t.staff_id != member.id] if boss else []
        finished = [summary_view(t, now, names, key) for t in uow.tickets.recent_finished()] if boss else []
        return QueueView(queued, mine, others, finished)


def detail(uow: UnitOfWork, ticket_id: int, member: StaffMember, now: dt.datetime, key: bytes) -> TicketDetail:
    """The ticket as the member may see it: the contact whole only for whoever may act on it (or a
    supervisor), masked otherwise, "unreadable" when it does not open with ``key``."""
    with uow:
        ticket = _visible(uow, ticket_id, member)
        act = _may_act(ticket, member)
        names = uow.cases.service_names()
        slots = {name: names.get(value, value) if name in SERVICE_SLOTS and isinstance(value, str) else value
                 for name, value in (ticket.slots or {}).items()}
        return TicketDetail(
            summary_view(ticket, now, names, key), ticket.conversation_id,
            open_contact(key, ticket.contact, whole=act or member.supervisor),
            ticket.question, slots, [line_view(m) for m in ticket.messages],
            ticket.resolution_note, ticket.resume_pending, ticket.status == rules.QUEUED, act,
            ticket.purged_at is not None)


def claim(uow: UnitOfWork, ticket_id: int, member: StaffMember, now: dt.datetime) -> None:
    """Take a queued ticket. Raises TicketNotFound, InvalidTransition (someone was quicker, or it ended)."""
    with uow:
        ticket = uow.tickets.get(ticket_id) if _valid_id(ticket_id) else None
        if ticket is None:
            raise TicketNotFound(f"no ticket {ticket_id}")
        if not uow.tickets.take(ticket.id, member.id, to_db_time(now)):
            uow.session.refresh(ticket)
            raise rules.InvalidTransition(ticket.status, "claimed")
        ledger = uow.ledger.for_ticket(ticket.id)
        ledger.claimed_at = to_db_time(now)
        uow.commit()
    logger.info("ticket %d claimed by %s", ticket_id, member.username)


def reply(uow: UnitOfWork, ticket_id: int, member: StaffMember, text: str, now: dt.datetime,
          conversations) -> MessageLine:
    """Store the reply, then send it to the person's chat (live tickets) or record it as answered by
    e-mail or phone (tickets left outside hours). Returns the line; delivery "pending" when Rasa did
    not take it (nothing is lost: retry_delivery sends it again)."""
    text = _checked_text(text, "reply", TEXT_MAX)
    with uow:
        ticket = _actionable(uow, ticket_id, member, "answered")
        live = ticket.in_hours
        message = TicketMessage(who="staff", text=text, at=to_db_time(now), staff_id=member.id,
                                delivery=PENDING if live else RECORDED)
        ticket.messages.append(message)
        ticket.updated_at = to_db_time(now)
        if not live:
            _first_response(uow, ticket.id, now)
        uow.commit()
        message_id, conversation_id = message.id, ticket.conversation_id
    if live:
        _deliver(uow, ticket_id, message_id, conversation_id, text, now, conversations)
    return _message(uow, ticket_id, message_id)


def retry_delivery(uow: UnitOfWork, ticket_id: int, message_id: int, member: StaffMember, now: dt.datetime,
                   conversations) -> MessageLine:
    """Send a pending reply again, also after the ticket ended (it stays pending while Rasa is unreachable)."""
    with uow:
        ticket = _visible(uow, ticket_id, member)
        message = uow.tickets.message(ticket.id, message_id) if _valid_id(message_id) else None
        if message is None or message.who != "staff":
            raise TicketNotFound("no such reply")
        if message.staff_id != member.id and not member.supervisor:
            raise NotYourTicket("only its author or a supervisor may send a reply again")
        pending, text, conversation_id = message.delivery == PENDING, message.text, ticket.conversation_id
    if pending:
        _deliver(uow, ticket_id, message_id, conversation_id, text, now, conversations)
    return _message(uow, ticket_id, message_id)


def hand_back(uow: UnitOfWork, ticket_id: int, member: StaffMember, now: dt.datetime, conversations) -> bool:
    """Give the conversation back to the bot. Recorded at once; True when Rasa resumed the bot,
    False when it could not be reached (the ticket shows it; retry_resume tries again)."""
    with uow:
        ticket = _actionable(uow, ticket_id, member, "handed back")
        _finish(uow, ticket, rules.HANDED_BACK, None, now)
        uow.commit()
    logger.info("ticket %d handed back by %s", ticket_id, member.username)
    return retry_resume(uow, ticket_id, member, conversations)


def close(uow: UnitOfWork, ticket_id: int, member: StaffMember, note: str, now: dt.datetime,
          conversations) -> bool:
    """Close the ticket with a resolution note; a live conversation is given back to the bot.
    Returns whether the bot runs again (always True for tickets left outside hours)."""
    note = _checked_text(note, "resolution note", NOTE_MAX)
    with uow:
        ticket = _visible(uow, ticket_id, member)
        if ticket.status == rules.QUEUED and not member.supervisor:
            raise NotYourTicket("claim the ticket before closing it")
        if ticket.status == rules.CLAIMED and not _may_act(ticket, member):
            raise NotYourTicket("another staff member holds this ticket")
        rules.check_transition(ticket.status, "closed")
        _finish(uow, ticket, rules.CLOSED, note, now)
        uow.commit()
    logger.info("ticket %d closed by %s", ticket_id, member.username)
    return retry_resume(uow, ticket_id, member, conversations)


def resume_bot(uow: UnitOfWork, ticket_id: int, conversation_id: str, expired: bool, conversations) -> None:
    """Give the conversation back to the bot. After an expiry (nobody claimed the ticket) what the
    person wrote meanwhile is kept first, then the bot offers the call-back form; otherwise the bot
    takes over where staff left it. Raises RasaUnavailable."""
    if expired:
        copy_user_messages(uow, ticket_id, conversations.events(conversation_id))
        conversations.expire_handoff(conversation_id)
    else:
        conversations.hand_back(conversation_id)


def retry_resume(uow: UnitOfWork, ticket_id: int, member: StaffMember, conversations) -> bool:
    """Ask Rasa to resume the bot where a hand-back, close or expiry still waits for it."""
    with uow:
        ticket = _visible(uow, ticket_id, member)
        if not ticket.resume_pending:
            return True
        conversation_id, expired = ticket.conversation_id, ticket.status == rules.EXPIRED
    try:
        resume_bot(uow, ticket_id, conversation_id, expired, conversations)
    except RasaUnavailable as exc:
        logger.warning("ticket %d: the bot could not be resumed yet: %s", ticket_id, exc)
        return False
    with uow:
        ticket = uow.tickets.get(ticket_id)
        ticket.resume_pending = False
        uow.commit()
    return True


def poll(uow: UnitOfWork, ticket_id: int, member: StaffMember, after_id: int, now: dt.datetime,
         conversations) -> Poll:
    """Lines after ``after_id``, first copying the person's new chat messages from Rasa while the
    ticket is open (``live`` is False when Rasa could not be asked)."""
    with uow:
        ticket = _visible(uow, ticket_id, member)
        sync = ticket.in_hours and rules.is_open(ticket.status)
        conversation_id = ticket.conversation_id
    live = True
    if sync:
        try:
            events = conversations.events(conversation_id)
        except RasaUnavailable:
            live = False
        else:
            copy_user_messages(uow, ticket_id, events)
    with uow:
        ticket = uow.tickets.get(ticket_id)
        lines = [line_view(m) for m in uow.tickets.messages_after(ticket_id, min(max(0, after_id), ID_MAX))]
        return Poll(ticket.status, lines, live, ticket.resume_pending)


def copy_user_messages(uow: UnitOfWork, ticket_id: int, events: List[Dict[str, Any]]) -> None:
    """Copy the person's messages written since the ticket opened from Rasa's ``events`` (once each)."""
    with uow:
        ticket = uow.tickets.get(ticket_id)
        since = from_db_time(ticket.created_at).timestamp()
        known = uow.tickets.event_keys(ticket_id)
        newest = ticket.last_event_at
        for event in redact_events(e for e in events if isinstance(e, dict)):
            stamp = event.get("timestamp")
            text = event.get("text")
            if event.get("event") != "user" or not isinstance(stamp, (int, float)) or stamp <= since \
                    or not isinstance(text, str) or not text.strip() or is_external(event):
                continue
            key = f"event:{stamp:.6f}"
            if key in known:
                continue
            at = dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
            ticket.messages.append(TicketMessage(who="user", text=text.replace("\x00", "")[:TEXT_MAX],
                                                 at=to_db_time(at), event_key=key))
            known.add(key)
            newest = max(newest, to_db_time(at)) if newest else to_db_time(at)
        ticket.last_event_at = newest
        uow.commit()


def _deliver(uow: UnitOfWork, ticket_id: int, message_id: int, conversation_id: str, text: str,
             now: dt.datetime, conversations) -> None:
    try:
        conversations.send_staff_message(conversation_id, text)
    except RasaUnavailable as exc:
        logger.warning("ticket %d: reply %d kept for a retry: %s", ticket_id, message_id, exc)
        return
    with uow:
        message = uow.tickets.message(ticket_id, message_id)
        message.delivery, message.delivered_at = DELIVERED, to_db_time(now)
        _first_response(uow, ticket_id, now)
        uow.commit()


def _first_response(uow: UnitOfWork, ticket_id: int, now: dt.datetime) -> None:
    ledger = uow.ledger.for_ticket(ticket_id)
    if ledger.first_response_at is None:
        ledger.first_response_at = to_db_time(now)


def _finish(uow: UnitOfWork, ticket: HandoffTicket, status: str, note: Optional[str], now: dt.datetime) -> None:
    ticket.status = status
    ticket.resolution_note = note
    ticket.updated_at = to_db_time(now)
    # Only a conversation the bot was paused in must be resumed (tickets left outside hours never paused it).
    ticket.resume_pending = ticket.in_hours
    ledger = uow.ledger.for_ticket(ticket.id)
    ledger.resolved_at, ledger.outcome = to_db_time(now), status


def _visible(uow: UnitOfWork, ticket_id: int, member: StaffMember) -> HandoffTicket:
    ticket = uow.tickets.get(ticket_id) if _valid_id(ticket_id) else None
    if ticket is None or not (member.supervisor or ticket.status == rules.QUEUED or ticket.staff_id == member.id):
        raise TicketNotFound(f"no ticket {ticket_id}")
    return ticket


def _valid_id(value: int) -> bool:
    return 0 < value <= ID_MAX  # larger numbers overflow PostgreSQL's integer columns


def _may_act(ticket: HandoffTicket, member: StaffMember) -> bool:
    return ticket.status == rules.CLAIMED and (ticket.staff_id == member.id or member.supervisor)


def _actionable(uow: UnitOfWork, ticket_id: int, member: StaffMember, step: str) -> HandoffTicket:
    ticket = _visible(uow, ticket_id, member)
    rules.check_transition(ticket.status, step)
    if not _may_act(ticket, member):
        raise NotYourTicket("another staff member holds this ticket")
    return ticket


def _checked_text(text: Optional[str], what: str, limit: int) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise EmptyText(f"the {what} is empty")
    if len(text) > limit:
        raise EmptyText(f"the {what} is longer than {limit} characters")
    return text


def _message(uow: UnitOfWork, ticket_id: int, message_id: int) -> MessageLine:
    with uow:
        return line_view(uow.tickets.message(ticket_id, message_id))
