"""Queries for staff accounts, their console sessions and login attempts (naive UTC in)."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import StaffAccount, StaffLoginAttempt, StaffSession


class StaffRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_username(self, username: str) -> Optional[StaffAccount]:
        return self.session.execute(
            select(StaffAccount).where(StaffAccount.username == username)).scalar_one_or_none()

    def get(self, staff_id: int) -> Optional[StaffAccount]:
        return self.session.get(StaffAccount, staff_id)

    def all(self) -> List[StaffAccount]:
        return list(self.session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars())

    def add(self, account: StaffAccount) -> None:
        self.session.add(account)

    def session_by_token_hash(self, token_hash: str) -> Optional[StaffSession]:
        return self.session.execute(
            select(StaffSession).where(StaffSession.token_hash == token_hash)).scalar_one_or_none()

    def add_session(self, row: StaffSession) -> None:
        self.session.add(row)

    def remove_session(self, row: StaffSession) -> None:
        self.session.delete(row)

    def remove_sessions_of(self, staff_id: int) -> None:
        self.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id)
                             .execution_options(synchronize_session=False))

    def remove_stale_sessions(self, seen_before: dt.datetime, created_before: dt.datetime) -> None:
        self.session.execute(delete(StaffSession).where(
            (StaffSession.last_seen_at < seen_before) | (StaffSession.created_at < created_before))
            .execution_options(synchronize_session=False))

    def active_staff_count(self, seen_since: dt.datetime) -> int:
        """Staff members with a console session used since ``seen_since`` (who is at the desk)."""
        return self.session.execute(
            select(func.count(func.distinct(StaffSession.staff_id))).where(StaffSession.last_seen_at >= seen_since)
        ).scalar_one()

    def add_attempt(self, username: str, succeeded: bool, at: dt.datetime,
                    client_address: Optional[str] = None) -> None:
        self.session.add(StaffLoginAttempt(username=username, succeeded=succeeded, attempted_at=at,
                                           client_address=client_address))

    def login_failures_from(self, client_address: str, since: dt.datetime) -> List[dt.datetime]:
        """Failed logins from one client address after ``since``, whatever the usernames."""
        return list(self.session.execute(
            select(StaffLoginAttempt.attempted_at).where(
                StaffLoginAttempt.client_address == client_address, StaffLoginAttempt.succeeded.is_(False),
                StaffLoginAttempt.attempted_at > since)
        ).scalars())

    def login_failures(self, username: str, since: dt.datetime) -> List[dt.datetime]:
        return list(self.session.execute(
            select(StaffLoginAttempt.attempted_at).where(
                StaffLoginAttempt.username == username, StaffLoginAttempt.succeeded.is_(False),
                StaffLoginAttempt.attempted_at > since)
        ).scalars())
