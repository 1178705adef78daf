"""Queries for handoff tickets, their messages and the demand ledger (naive UTC in, see cases.to_db_time)."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import HandoffTicket, LedgerEntry, TicketMessage


class TicketRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, ticket: HandoffTicket) -> None:
        self.session.add(ticket)

    def get(self, ticket_id: int) -> Optional[HandoffTicket]:
        return self.session.get(HandoffTicket, ticket_id)

    def open_for(self, conversation_id: str) -> Optional[HandoffTicket]:
        """The conversation's queued or claimed ticket, if any."""
        return self.session.execute(
            select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id,
                                        HandoffTicket.status.in_(("queued", "claimed")))
        ).scalar_one_or_none()

    def queue_position(self, ticket: HandoffTicket) -> int:
        """1 + the in-hours tickets queued before this one."""
        ahead = self.session.execute(
            select(func.count()).select_from(HandoffTicket).where(
                HandoffTicket.status == "queued", HandoffTicket.in_hours.is_(True),
                HandoffTicket.id < ticket.id)
        ).scalar_one()
        return ahead + 1

    def listing(self, statuses: Sequence[str], staff_id: Optional[int] = None, limit: int = 200
                ) -> List[HandoffTicket]:
        """Tickets in ``statuses`` (of one staff member when given), oldest first."""
        query = select(HandoffTicket).where(HandoffTicket.status.in_(tuple(statuses)))
        if staff_id is not None:
            query = query.where(HandoffTicket.staff_id == staff_id)
        return list(self.session.execute(query.order_by(HandoffTicket.id).limit(limit)).scalars())

    def recent_finished(self, limit: int = 50) -> List[HandoffTicket]:
        return list(self.session.execute(
            select(HandoffTicket).where(HandoffTicket.status.in_(("handed_back", "closed", "expired")))
            .order_by(HandoffTicket.updated_at.desc()).limit(limit)
        ).scalars())

    def take(self, ticket_id: int, staff_id: int, at: dt.datetime) -> bool:
        """Claim a queued ticket in one conditional UPDATE: of two staff claiming at once, one wins."""
        result = self.session.execute(
            update(HandoffTicket).where(HandoffTicket.id == ticket_id, HandoffTicket.status == "queued")
            .values(status="claimed", staff_id=staff_id, updated_at=at)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    def overdue(self, queued_before: dt.datetime, limit: int = 100) -> List[int]:
        """Ids of live (in-hours) tickets still queued that were opened at or before ``queued_before``."""
        return list(self.session.execute(
            select(HandoffTicket.id).where(HandoffTicket.status == "queued", HandoffTicket.in_hours.is_(True),
                                           HandoffTicket.created_at <= queued_before)
            .order_by(HandoffTicket.id).limit(limit)
        ).scalars())

    def expire(self, ticket_id: int, queued_before: dt.datetime, at: dt.datetime) -> bool:
        """Expire a live ticket still queued since ``queued_before`` in one conditional UPDATE: a claim
        at the same moment (take()) and this cannot both win. Marks the bot's resumption as pending."""
        result = self.session.execute(
            update(HandoffTicket).where(HandoffTicket.id == ticket_id, HandoffTicket.status == "queued",
                                        HandoffTicket.in_hours.is_(True), HandoffTicket.created_at <= queued_before)
            .values(status="expired", resume_pending=True, updated_at=at)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    def awaiting_resume(self, limit: int = 100) -> List[HandoffTicket]:
        """Finished tickets whose conversation the bot has not taken back yet (Rasa was unreachable)."""
        return list(self.session.execute(
            select(HandoffTicket).where(HandoffTicket.resume_pending.is_(True),
                                        HandoffTicket.status.in_(("handed_back", "closed", "expired")))
            .order_by(HandoffTicket.id).limit(limit)
        ).scalars())

    def purgeable(self, finished_before: dt.datetime, limit: int = 500) -> List[HandoffTicket]:
        """Finished tickets not changed since ``finished_before`` whose content is not erased yet."""
        return list(self.session.execute(
            select(HandoffTicket).where(HandoffTicket.status.in_(("handed_back", "closed", "expired")),
                                        HandoffTicket.updated_at < finished_before,
                                        HandoffTicket.purged_at.is_(None))
            .order_by(HandoffTicket.id).limit(limit)
        ).scalars())

    def delete_messages(self, ticket_ids: Sequence[int]) -> int:
        result = self.session.execute(
            delete(TicketMessage).where(TicketMessage.ticket_id.in_(tuple(ticket_ids)))
            .execution_options(synchronize_session=False))
        return result.rowcount

    def messages_after(self, ticket_id: int, after_id: int) -> List[TicketMessage]:
        return list(self.session.execute(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket_id, TicketMessage.id > after_id)
            .order_by(TicketMessage.id)
        ).scalars())

    def message(self, ticket_id: int, message_id: int) -> Optional[TicketMessage]:
        return self.session.execute(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket_id, TicketMessage.id == message_id)
        ).scalar_one_or_none()

    def event_keys(self, ticket_id: int) -> set:
        return set(self.session.execute(
            select(TicketMessage.event_key).where(TicketMessage.ticket_id == ticket_id,
                                                  TicketMessage.event_key.is_not(None))
        ).scalars())

    def add_message(self, message: TicketMessage) -> None:
        self.session.add(message)

    def handling_durations(self, since: dt.datetime, limit: int = 20) -> List[dt.timedelta]:
        """How long staff held recent live tickets (claimed -> resolved), newest first."""
        rows = self.session.execute(
            select(LedgerEntry.claimed_at, LedgerEntry.resolved_at)
            .join(HandoffTicket, HandoffTicket.id == LedgerEntry.ticket_id)
            .where(HandoffTicket.in_hours.is_(True), LedgerEntry.claimed_at.is_not(None),
                   LedgerEntry.resolved_at.is_not(None), LedgerEntry.resolved_at > since)
            .order_by(LedgerEntry.resolved_at.desc()).limit(limit)
        ).all()
        return [resolved - claimed for claimed, resolved in rows]


class LedgerRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_ticket(self, ticket_id: int) -> Optional[LedgerEntry]:
        return self.session.execute(
            select(LedgerEntry).where(LedgerEntry.ticket_id == ticket_id)).scalar_one_or_none()

    def received_between(self, start: dt.datetime, end: dt.datetime) -> List[LedgerEntry]:
        return list(self.session.execute(
            select(LedgerEntry).where(LedgerEntry.received_at >= start, LedgerEntry.received_at < end)
            .order_by(LedgerEntry.received_at)
        ).scalars())
