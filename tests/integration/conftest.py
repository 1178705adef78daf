"""Fixtures shared by the integration tests."""
from __future__ import annotations

import pytest

from bot.db import migrate
from bot.db.engine import make_engine, make_session_factory
from bot.db.uow import UnitOfWork


@pytest.fixture(params=["sqlite", "postgresql"])
def uow_factory(request, settings):
    """Units of work on a migrated database, each test run once on SQLite and once on PostgreSQL.
    (Modules that define their own ``uow_factory`` use theirs.)"""
    url = settings.resolved_database_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    yield lambda: UnitOfWork(factory)
    engine.dispose()
