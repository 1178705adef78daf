"""Loading the knowledge base into a real database, reading it back, and picking up edits live."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select

from bot.db import migrate
from bot.db.engine import make_engine, make_session_factory
from bot.db.models import Base, KbAlias, KbRevision
from bot.db.uow import UnitOfWork
from bot.kb.errors import PolicyFileInvalid
from bot.services import knowledge


def uow_for(url):
    return lambda: UnitOfWork(make_session_factory(make_engine(url)))


def test_load_then_read_back_gives_the_same_knowledge_base(settings, kb):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    result = knowledge.load(uow_for(url)(), kb)
    assert result.changed and result.services == len(kb.services)
    again = knowledge.read(uow_for(url)())
    assert again.checksum == kb.checksum
    assert again.service("residence_permit") == kb.service("residence_permit")


def test_loading_the_same_files_twice_changes_nothing(settings, kb):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    first = knowledge.load(uow_for(url)(), kb)
    second = knowledge.load(uow_for(url)(), kb)
    assert not second.changed and second.revision_id == first.revision_id


def test_aliases_are_stored_for_sql_look_ups(settings, kb):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    knowledge.load(uow_for(url)(), kb)
    with uow_for(url)() as uow:
        assert uow.kb.alias_target("service", "residence permit") == "residence_permit"
        assert uow.kb.alias_target("country", "germany") == "de"
        assert uow.session.execute(select(KbAlias)).first() is not None


def test_a_broken_edit_leaves_the_live_revision_untouched(settings, kb_copy):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    knowledge.load(uow_for(url)(), knowledge.check(kb_copy))
    (kb_copy / "halls.yml").write_text("halls: [oops\n")
    with pytest.raises(PolicyFileInvalid):
        knowledge.load(uow_for(url)(), knowledge.check(kb_copy))
    with uow_for(url)() as uow:
        assert len(uow.session.execute(select(KbRevision)).all()) == 1
    assert knowledge.read(uow_for(url)()).halls


def test_running_action_server_sees_an_edit_without_restart_or_retraining(settings, kb_copy):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    knowledge.load(uow_for(url)(), knowledge.check(kb_copy))
    cache = knowledge.KnowledgeCache(uow_for(url), refresh_seconds=0)
    before = cache.get()
    assert before.matcher.find("Where is the Moonbase hall?").halls == []

    halls = kb_copy / "halls.yml"
    halls.write_text(halls.read_text().replace("halls:\n", "halls:\n"
        "  - id: moonbase_hall\n    name: Moonbase Service Hall\n    aliases: [Moonbase]\n"
        "    district: Daxing\n    source: https://example.org/moonbase\n    last_reviewed: 2026-11-22\n", 1))
    knowledge.load(uow_for(url)(), knowledge.check(kb_copy))

    after = cache.get()
    assert after.kb.checksum != before.kb.checksum
    assert after.matcher.find("Where is the Moonbase hall?").halls == ["moonbase_hall"]


def test_migrations_match_the_models(settings):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_knowledge_base_on_postgresql(postgres_url, kb):
    migrate.upgrade(postgres_url)
    assert migrate.current(postgres_url) is not None
    assert knowledge.load(uow_for(postgres_url)(), kb).changed
    assert knowledge.read(uow_for(postgres_url)()).checksum == kb.checksum
