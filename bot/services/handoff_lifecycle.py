"""The handoff's housekeeping, run by the web app every minute and by `python -m bot handoff sweep`:

- a live ticket nobody claimed within ``handoff_queue_timeout_minutes`` expires, and the bot takes the
  conversation back (it tells the person no one was free and offers the call-back form);
- a finished ticket whose conversation Rasa could not resume yet is resumed (hand-back, close, expiry);
- ``purge``: tickets finished more than ``handoff_retention_days`` ago lose their transcript, question,
  contact, slots and resolution note; the row keeps reason, status and times for the ledger.

``conversations`` is the Rasa HTTP API client (bot.integrations.rasa_api.RasaConversations).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import List

from bot.config import Settings
from bot.db.repositories.cases import to_db_time
from bot.db.uow import UnitOfWork
from bot.domain import handoff as rules
from bot.integrations.rasa_api import RasaUnavailable
from bot.services.handoff_console import resume_bot

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    expired: List[int] = field(default_factory=list)  # tickets expired by this sweep
    resumed: List[int] = field(default_factory=list)  # conversations the bot took back
    waiting: List[int] = field(default_factory=list)  # still to resume: Rasa could not be reached
    purged: int = 0  # tickets whose content was erased


def expire_overdue(uow: UnitOfWork, settings: Settings, now: dt.datetime) -> List[int]:
    """Expire the live tickets queued longer than the time-out; returns their ids. A ticket claimed
    meanwhile is left alone (the UPDATE is conditional on it still being queued)."""
    cutoff = to_db_time(rules.queued_since_cutoff(now, settings.handoff_queue_timeout_minutes))
    expired = []
    with uow:
        for ticket_id in uow.tickets.overdue(cutoff):
            if not uow.tickets.expire(ticket_id, cutoff, to_db_time(now)):
                continue  # claimed between the query and the update
            ledger = uow.ledger.for_ticket(ticket_id)
            if ledger is not None:
                ledger.outcome = rules.EXPIRED  # not responded, not resolved
            expired.append(ticket_id)
        uow.commit()
    for ticket_id in expired:
        logger.info("ticket %d expired: nobody claimed it within %d minutes", ticket_id,
                    settings.handoff_queue_timeout_minutes)
    return expired


def resume_waiting(uow: UnitOfWork, conversations) -> SweepReport:
    """Give the bot back every finished conversation still waiting for it. For an expired ticket the
    person's messages since it was opened are copied into it first, so nothing they wrote is lost."""
    report = SweepReport()
    with uow:
        waiting = [(t.id, t.conversation_id, t.status) for t in uow.tickets.awaiting_resume()]
    for ticket_id, conversation_id, status in waiting:
        try:
            resume_bot(uow, ticket_id, conversation_id, status == rules.EXPIRED, conversations)
        except RasaUnavailable as exc:
            logger.warning("ticket %d: the bot could not be resumed yet: %s", ticket_id, exc)
            report.waiting.append(ticket_id)
            continue
        with uow:
            uow.tickets.get(ticket_id).resume_pending = False
            uow.commit()
        report.resumed.append(ticket_id)
    return report


def purge_old(uow: UnitOfWork, settings: Settings, now: dt.datetime) -> int:
    """Erase the content of tickets finished before the retention period; returns how many."""
    cutoff = to_db_time(rules.retention_cutoff(now, settings.handoff_retention_days))
    with uow:
        tickets = uow.tickets.purgeable(cutoff)
        if not tickets:
            return 0
        uow.tickets.delete_messages([t.id for t in tickets])
        for ticket in tickets:
            ticket.question = ticket.contact = ticket.resolution_note = None
            ticket.slots = {}
            ticket.purged_at = to_db_time(now)
        uow.commit()
    logger.info("erased the transcripts of %d tickets finished over %d days ago", len(tickets),
                settings.handoff_retention_days)
    return len(tickets)


def sweep(uow: UnitOfWork, settings: Settings, conversations, now: dt.datetime, purge: bool = False) -> SweepReport:
    """Expire overdue tickets, resume what waits for the bot, and (``purge``) erase old transcripts."""
    expired = expire_overdue(uow, settings, now)
    report = resume_waiting(uow, conversations)
    report.expired = expired
    if purge:
        report.purged = purge_old(uow, settings, now)
    return report
