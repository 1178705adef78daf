"""Unit of work: one session per use case, committed explicitly, rolled back otherwise."""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.db.repositories.bookings import BookingRepository
from bot.db.repositories.cases import AttemptRepository, CaseRepository, EnterpriseRepository
from bot.db.repositories.checklists import ChecklistRepository
from bot.db.repositories.handoff import LedgerRepository, TicketRepository
from bot.db.repositories.kb import KbRepository
from bot.db.repositories.staff import StaffRepository
from bot.db.repositories.vault import PendingInputRepository


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving the block without commit rolls back."""

    def __init__(self, session_factory: sessionmaker):
        self._session_factory = session_factory
        self.session: Session | None = None

    def __enter__(self) -> "UnitOfWork":
        self.session = self._session_factory()
        self.kb = KbRepository(self.session)
        self.checklists = ChecklistRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.enterprises = EnterpriseRepository(self.session)
        self.attempts = AttemptRepository(self.session)
        self.bookings = BookingRepository(self.session)
        self.pending_inputs = PendingInputRepository(self.session)
        self.tickets = TicketRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.staff = StaffRepository(self.session)
        return self

    def __exit__(self, *exc) -> None:
        assert self.session is not None
        self.session.rollback()
        self.session.close()
        self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()


UnitOfWorkFactory = Callable[[], UnitOfWork]
