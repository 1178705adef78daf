"""Queries for the knowledge-base tables."""
from __future__ import annotations

from typing import Dict, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import KbAlias, KbEntry, KbRevision


class KbRepository:
    def __init__(self, session: Session):
        self.session = session

    def latest_revision(self) -> Optional[KbRevision]:
        return self.session.execute(
            select(KbRevision).order_by(KbRevision.id.desc()).limit(1)
        ).scalar_one_or_none()

    def latest_checksum(self) -> Optional[str]:
        return self.session.execute(
            select(KbRevision.checksum).order_by(KbRevision.id.desc()).limit(1)
        ).scalar_one_or_none()

    def entries(self, revision_id: int) -> List[KbEntry]:
        return list(
            self.session.execute(
                select(KbEntry).where(KbEntry.revision_id == revision_id).order_by(KbEntry.id)
            ).scalars()
        )

    def add_revision(self, revision: KbRevision) -> None:
        self.session.add(revision)

    def drop_revisions_except(self, keep_id: int) -> None:
        self.session.execute(delete(KbRevision).where(KbRevision.id != keep_id))

    def replace_aliases(self, aliases: Dict[str, Dict[str, str]]) -> None:
        """aliases: kind -> {normalised alias -> target id}."""
        self.session.execute(delete(KbAlias))
        self.session.add_all(
            KbAlias(kind=kind, alias=alias, target_id=target)
            for kind, index in aliases.items()
            for alias, target in index.items()
        )

    def alias_target(self, kind: str, alias: str) -> Optional[str]:
        return self.session.execute(
            select(KbAlias.target_id).where(KbAlias.kind == kind, KbAlias.alias == alias)
        ).scalar_one_or_none()
