"""Queries for the pending inputs of booking conversations (encrypted elsewhere: bot.services.vault)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import PendingInput


class PendingInputRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, conversation_key: str, field: str) -> Optional[PendingInput]:
        return self.session.execute(select(PendingInput).where(
            PendingInput.conversation_key == conversation_key, PendingInput.field == field,
        )).scalar_one_or_none()

    def add(self, row: PendingInput) -> None:
        self.session.add(row)

    def remove(self, conversation_key: str, field: str) -> None:
        self.session.execute(delete(PendingInput).where(
            PendingInput.conversation_key == conversation_key, PendingInput.field == field,
        ).execution_options(synchronize_session=False))

    def remove_conversation(self, conversation_key: str) -> None:
        self.session.execute(delete(PendingInput).where(PendingInput.conversation_key == conversation_key)
                             .execution_options(synchronize_session=False))

    def remove_expired(self, now: dt.datetime) -> int:
        """Delete every entry that expired at or before ``now`` (naive UTC); how many went."""
        result = self.session.execute(delete(PendingInput).where(PendingInput.expires_at <= now)
                                      .execution_options(synchronize_session=False))
        return result.rowcount or 0
