"""Use cases of the knowledge base: check the files, load them into the database, read them back."""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.db.models import KbEntry, KbRevision
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.kb.base import KnowledgeBase
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.kb.loader import load_files
from bot.kb.schema import KbFiles
from bot.nlp.pipeline import KbMatcher

FILE_ENTRIES = ("halls", "contacts", "apostille", "categories")
logger = logging.getLogger(__name__)


class ServiceUnavailable(Exception):
    """The database cannot be reached and there is no knowledge base in memory to fall back on."""


def check(kb_dir: Path) -> KnowledgeBase:
    """Validate every file and every cross-reference; raise PolicyFileInvalid on the first problem."""
    return KnowledgeBase(load_files(kb_dir))


@dataclass(frozen=True)
class LoadResult:
    revision_id: int
    checksum: str
    changed: bool
    services: int
    halls: int


def load(uow: UnitOfWork, kb: KnowledgeBase) -> LoadResult:
    """Store ``kb`` as the live revision in one transaction (nothing half-loaded)."""
    with uow:
        latest = uow.kb.latest_revision()
        if latest is not None and latest.checksum == kb.checksum:
            return LoadResult(latest.id, kb.checksum, False, latest.service_count, latest.hall_count)
        revision = KbRevision(checksum=kb.checksum, service_count=len(kb.services), hall_count=len(kb.halls))
        for service in kb.services.values():
            revision.entries.append(KbEntry(
                kind="service", entry_id=service.id, title=service.names.en, source_url=service.source_url,
                last_reviewed=service.last_reviewed, payload=_plain(service),
            ))
        for name in FILE_ENTRIES:
            model = getattr(kb.files, name)
            revision.entries.append(KbEntry(
                kind="file", entry_id=name, title=f"{name}.yml", source_url=getattr(model, "source_url", None),
                last_reviewed=model.last_reviewed, payload=_plain(model),
            ))
        uow.kb.add_revision(revision)
        uow.session.flush()
        uow.kb.drop_revisions_except(revision.id)
        uow.kb.replace_aliases({"service": kb.service_aliases, "hall": kb.hall_aliases,
                                "country": kb.country_aliases})
        uow.commit()
        return LoadResult(revision.id, kb.checksum, True, len(kb.services), len(kb.halls))


def read(uow: UnitOfWork) -> KnowledgeBase:
    """The live knowledge base from the database, validated again on the way out."""
    with uow:
        latest = uow.kb.latest_revision()
        if latest is None:
            raise KnowledgeBaseNotLoaded("the database holds no knowledge base; run `python -m bot kb load`")
        data: dict = {"services": {}}
        for entry in uow.kb.entries(latest.id):
            if entry.kind == "service":
                data["services"][entry.entry_id] = entry.payload
            else:
                data[entry.entry_id] = entry.payload
    return KnowledgeBase(KbFiles.parse_obj(data))


def _plain(model) -> dict:
    return json.loads(model.json())


@dataclass(frozen=True)
class LiveKnowledge:
    kb: KnowledgeBase
    matcher: KbMatcher


class KnowledgeCache:
    """The live knowledge base and its matcher, reloaded when a new revision is loaded.

    The database is asked for the newest checksum at most every ``refresh_seconds``,
    so a `python -m bot kb load` reaches a running action server without a restart.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, refresh_seconds: float = 5.0):
        self._uow_factory = uow_factory
        self._refresh_seconds = refresh_seconds
        self._live: Optional[LiveKnowledge] = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> LiveKnowledge:
        now = time.monotonic()
        if self._live is not None and now - self._checked_at < self._refresh_seconds:
            return self._live
        with self._lock:
            try:
                self._refresh()
            except SQLAlchemyError as exc:
                if self._live is None:
                    raise ServiceUnavailable("the database cannot be reached") from exc
                logger.warning("knowledge base refresh failed, serving the revision in memory: %s", exc)
            self._checked_at = now
            return self._live

    def _refresh(self) -> None:
        with self._uow_factory() as uow:
            checksum = uow.kb.latest_checksum()
        if checksum is None:
            raise KnowledgeBaseNotLoaded("the database holds no knowledge base; run `python -m bot kb load`")
        if self._live is None or self._live.kb.checksum != checksum:
            kb = read(self._uow_factory())
            self._live = LiveKnowledge(kb, KbMatcher(kb))
            logger.info("knowledge base revision %s loaded", checksum[:12])
