"""Everything `make run` and `make test` need before a server starts: schema, knowledge base, spaCy."""
from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.db import migrate
from bot.db.engine import make_session_factory, make_engine
from bot.db.uow import UnitOfWork
from bot.kb.booking import load_booking_config
from bot.nlp import pipeline
from bot.services import knowledge


@dataclass
class SetupReport:
    kb_revision: int
    kb_changed: bool
    spacy_rebuilt: bool
    services: int
    halls: int


def build_spacy(settings: Settings, kb=None, force: bool = False) -> bool:
    """(Re)build the saved spaCy pipeline when the knowledge base changed; True if it was built."""
    kb = kb or knowledge.check(settings.path(settings.kb_dir))
    target = settings.path(settings.spacy_dir)
    if not force and pipeline.saved_checksum(target) == kb.checksum:
        return False
    pipeline.save(kb, target)
    return True


def prepare(settings: Settings) -> SetupReport:
    """Upgrade the schema, load policies_kb/ into the database, rebuild the spaCy pipeline."""
    kb = knowledge.check(settings.path(settings.kb_dir))
    load_booking_config(settings.path(settings.kb_dir), kb)  # fail before anything starts
    migrate.upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        result = knowledge.load(UnitOfWork(make_session_factory(engine)), kb)
    finally:
        engine.dispose()
    rebuilt = build_spacy(settings, kb)
    return SetupReport(result.revision_id, result.changed, rebuilt, result.services, result.halls)
