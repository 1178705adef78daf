"""Queries for saved checklist profiles."""
from __future__ import annotations

from typing import Dict, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SavedChecklist


class ChecklistRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, checklist_id: str) -> Optional[SavedChecklist]:
        return self.session.get(SavedChecklist, checklist_id)

    def get_many(self, checklist_ids: Iterable[str]) -> Dict[str, SavedChecklist]:
        """id -> row for the ids that exist."""
        ids = list(checklist_ids)
        if not ids:
            return {}
        rows = self.session.execute(select(SavedChecklist).where(SavedChecklist.id.in_(ids))).scalars()
        return {row.id: row for row in rows}

    def by_profile_key(self, key: str) -> Optional[SavedChecklist]:
        return self.session.execute(
            select(SavedChecklist).where(SavedChecklist.profile_key == key)
        ).scalar_one_or_none()

    def add(self, checklist: SavedChecklist) -> None:
        self.session.add(checklist)
