"""Queries for cases, enterprises and the attempts that lockouts are computed from.

Times are stored as naive UTC (like the rest of the schema) and handed out as aware UTC.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, List, Optional

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import (AccessAttempt, Case, Enterprise, KbEntry, KbRevision, VerificationAttempt,
                           VerificationUnlock)
from bot.domain.verification import GuessingHistory


def to_db_time(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as the naive UTC the columns hold."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def from_db_time(stored: dt.datetime) -> dt.datetime:
    return stored.replace(tzinfo=dt.timezone.utc)


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_number(self, case_number: str) -> Optional[Case]:
        return self.session.execute(select(Case).where(Case.case_number == case_number)).scalar_one_or_none()

    def by_numbers(self, case_numbers: Iterable[str]) -> Dict[str, Case]:
        numbers = list(case_numbers)
        found: Dict[str, Case] = {}
        for start in range(0, len(numbers), 500):  # stay below the databases' bound-parameter limits
            rows = self.session.execute(select(Case).where(Case.case_number.in_(numbers[start:start + 500])))
            found.update((row.case_number, row) for row in rows.scalars())
        return found

    def of_enterprise(self, enterprise_id: int) -> List[Case]:
        """An enterprise's cases, most recently updated first."""
        return list(self.session.execute(
            select(Case).where(Case.enterprise_id == enterprise_id)
            .order_by(Case.updated_on.desc(), Case.case_number)
        ).scalars())

    def add(self, case: Case) -> None:
        self.session.add(case)

    # Names come from the live knowledge-base revision, so a renamed service shows its new name.
    def service_names(self) -> Dict[str, str]:
        """service id -> English name in the live knowledge base."""
        rows = self.session.execute(
            select(KbEntry.entry_id, KbEntry.title).where(KbEntry.kind == "service", KbEntry.revision_id == _live())
        )
        return {entry_id: title for entry_id, title in rows}

    def hall_names(self) -> Dict[str, str]:
        """hall id -> name in the live knowledge base."""
        payload = self.session.execute(
            select(KbEntry.payload).where(KbEntry.kind == "file", KbEntry.entry_id == "halls",
                                          KbEntry.revision_id == _live())
        ).scalar_one_or_none()
        return {hall["id"]: hall["name"] for hall in (payload or {}).get("halls", [])}


def _live():
    return select(KbRevision.id).order_by(KbRevision.id.desc()).limit(1).scalar_subquery()


class EnterpriseRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_credit_code(self, credit_code: str) -> Optional[Enterprise]:
        return self.session.execute(
            select(Enterprise).where(Enterprise.credit_code == credit_code)
        ).scalar_one_or_none()

    def add(self, enterprise: Enterprise) -> None:
        self.session.add(enterprise)


class AttemptRepository:
    """Identity checks (case verification) and HR access-code checks, newest relevant ones only."""

    def __init__(self, session: Session):
        self.session = session

    def add_verification(self, case_number: str, conversation_hash: str, succeeded: bool, at: dt.datetime,
                         client_hash: Optional[str] = None) -> None:
        self.session.add(VerificationAttempt(case_number=case_number, conversation_hash=conversation_hash,
                                             client_hash=client_hash, succeeded=succeeded,
                                             attempted_at=to_db_time(at)))

    def guessing_history(self, case_number: str, conversation_hash: str, client_hash: Optional[str],
                         since: dt.datetime) -> GuessingHistory:
        """Failure times after ``since`` for this case number (or booking scope), this conversation and
        this client address (None: not known), and the case's latest staff unlock."""
        scopes = [VerificationAttempt.case_number == case_number,
                  VerificationAttempt.conversation_hash == conversation_hash]
        if client_hash:
            scopes.append(VerificationAttempt.client_hash == client_hash)
        rows = self.session.execute(
            select(VerificationAttempt.case_number, VerificationAttempt.conversation_hash,
                   VerificationAttempt.client_hash, VerificationAttempt.attempted_at)
            .where(VerificationAttempt.succeeded.is_(False), VerificationAttempt.attempted_at > to_db_time(since),
                   or_(*scopes))
        ).all()
        unlocked = self.latest_unlock(case_number)
        return GuessingHistory(
            by_case=[from_db_time(at) for number, _, _, at in rows if number == case_number],
            by_conversation=[from_db_time(at) for _, conv, _, at in rows if conv == conversation_hash],
            by_client=[from_db_time(at) for _, _, client, at in rows if client == client_hash] if client_hash else None,
            case_unlocked_at=unlocked)

    def add_unlock(self, case_number: str, staff_id: int, at: dt.datetime) -> None:
        self.session.add(VerificationUnlock(case_number=case_number, staff_id=staff_id, unlocked_at=to_db_time(at)))

    def latest_unlock(self, case_number: str) -> Optional[dt.datetime]:
        at = self.session.execute(select(func.max(VerificationUnlock.unlocked_at))
                                  .where(VerificationUnlock.case_number == case_number)).scalar()
        return from_db_time(at) if at else None

    def recent_unlocks(self, limit: int = 50) -> List[VerificationUnlock]:
        """The latest unlocks, newest first (the console's audit list)."""
        return list(self.session.execute(select(VerificationUnlock).order_by(VerificationUnlock.id.desc())
                                         .limit(limit)).scalars())

    def add_access(self, credit_code: str, succeeded: bool, at: dt.datetime) -> None:
        self.session.add(AccessAttempt(credit_code=credit_code, succeeded=succeeded, attempted_at=to_db_time(at)))

    def access_failures(self, credit_code: str, since: dt.datetime) -> List[dt.datetime]:
        rows = self.session.execute(
            select(AccessAttempt.attempted_at)
            .where(AccessAttempt.credit_code == credit_code, AccessAttempt.succeeded.is_(False),
                   AccessAttempt.attempted_at > to_db_time(since))
        ).scalars()
        return [from_db_time(at) for at in rows]
