"""The vault of pending personal data (bot.services.vault) in a real database."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db import migrate
from bot.db.engine import make_engine, make_session_factory
from bot.db.models import PendingInput
from bot.db.uow import UnitOfWork
from bot.services import vault

KEY = b"test-key-for-the-vault-0123456789abcdef"
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)
PASSPORT = "E12345634"


@pytest.fixture
def uow_factory(settings):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    yield lambda: UnitOfWork(sessions)
    engine.dispose()


def rows(uow_factory):
    """The stored rows, as plain dicts (read before the unit of work ends)."""
    columns = [c.key for c in PendingInput.__table__.columns]
    with uow_factory() as uow:
        return [{c: getattr(row, c) for c in columns} for row in uow.session.execute(select(PendingInput)).scalars()]


def test_round_trip_and_replace(uow_factory):
    vault.stash(uow_factory(), KEY, "conv-1", "passport", "E00000000", NOW)
    vault.stash(uow_factory(), KEY, "conv-1", "passport", PASSPORT, NOW)  # a corrected answer replaces the first
    vault.stash(uow_factory(), KEY, "conv-1", "email", "lena@example.com", NOW)
    assert vault.peek(uow_factory(), KEY, "conv-1", "passport", NOW) == PASSPORT
    assert vault.peek_many(uow_factory(), KEY, "conv-1", ["passport", "email", "phone"], NOW) == {
        "passport": PASSPORT, "email": "lena@example.com", "phone": None}
    assert vault.peek(uow_factory(), KEY, "conv-2", "passport", NOW) is None  # another conversation
    assert len(rows(uow_factory)) == 2


def test_take_reads_once(uow_factory):
    vault.stash(uow_factory(), KEY, "conv-1", "passport", PASSPORT, NOW)
    assert vault.take(uow_factory(), KEY, "conv-1", "passport", NOW) == PASSPORT
    assert vault.take(uow_factory(), KEY, "conv-1", "passport", NOW) is None
    assert rows(uow_factory) == []


def test_expired_entries_are_ignored_and_cleaned(uow_factory):
    vault.stash(uow_factory(), KEY, "conv-1", "passport", PASSPORT, NOW)
    vault.stash(uow_factory(), KEY, "conv-2", "name", "Lena Hoffmann", NOW, ttl=dt.timedelta(minutes=5))
    later = NOW + dt.timedelta(minutes=61)
    assert vault.peek(uow_factory(), KEY, "conv-1", "passport", NOW + dt.timedelta(minutes=59)) == PASSPORT
    assert vault.peek(uow_factory(), KEY, "conv-1", "passport", later) is None
    assert vault.take(uow_factory(), KEY, "conv-1", "passport", later) is None
    assert [r["field"] for r in rows(uow_factory)] == ["name"]
    vault.stash(uow_factory(), KEY, "conv-3", "email", "x@example.com", later)  # writing cleans what expired
    assert [r["field"] for r in rows(uow_factory)] == ["email"]


def test_forget_all_removes_one_conversation(uow_factory):
    for field in ("name", "passport"):
        vault.stash(uow_factory(), KEY, "conv-1", field, "value", NOW)
    vault.stash(uow_factory(), KEY, "conv-2", "name", "other", NOW)
    vault.forget_all(uow_factory(), KEY, "conv-1", NOW)
    assert vault.peek(uow_factory(), KEY, "conv-2", "name", NOW) == "other"
    assert len(rows(uow_factory)) == 1


def test_the_table_holds_neither_the_value_nor_the_sender(uow_factory):
    vault.stash(uow_factory(), KEY, "sender-4711", "passport", PASSPORT, NOW)
    (row,) = rows(uow_factory)
    stored = " ".join(str(value) for value in row.values())
    assert PASSPORT not in stored and "12345634" not in stored and "sender-4711" not in stored
    assert row["conversation_key"] == vault.conversation_key(KEY, "sender-4711")
    assert len(row["conversation_key"]) == 64
    assert row["expires_at"] == dt.datetime(2026, 11, 22, 3, 0)  # naive UTC, an hour on


def test_another_key_or_a_copied_row_reads_nothing(uow_factory):
    vault.stash(uow_factory(), KEY, "conv-1", "passport", PASSPORT, NOW)
    other = b"another-key-for-the-vault-0123456789abc"
    assert vault.peek(uow_factory(), other, "conv-1", "passport", NOW) is None
    with uow_factory() as uow:  # the ciphertext moved to another conversation and field
        uow.session.add(PendingInput(conversation_key=vault.conversation_key(KEY, "conv-2"), field="name",
                                     ciphertext=uow.session.execute(select(PendingInput.ciphertext)).scalar_one(),
                                     expires_at=dt.datetime(2026, 11, 22, 3, 0)))
        uow.commit()
    assert vault.peek(uow_factory(), KEY, "conv-2", "name", NOW) is None
    with uow_factory() as uow:
        assert uow.session.execute(select(func.count()).select_from(PendingInput)).scalar_one() == 2


def test_vault_on_postgresql(postgres_url):
    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    factory = make_session_factory(engine)
    try:
        vault.stash(UnitOfWork(factory), KEY, "conv-1", "passport", "E00000000", NOW)
        vault.stash(UnitOfWork(factory), KEY, "conv-1", "passport", PASSPORT, NOW)
        assert vault.take(UnitOfWork(factory), KEY, "conv-1", "passport", NOW) == PASSPORT
        assert vault.peek(UnitOfWork(factory), KEY, "conv-1", "passport", NOW) is None
    finally:
        engine.dispose()
