"""The call-back contact at rest: sealed in handoff_tickets.contact on SQLite and PostgreSQL, plain
values of earlier versions sealed by migration 0008, and erased by the retention purge."""
import datetime as dt

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.db import migrate
from bot.db.engine import make_engine
from bot.services import handoff, handoff_console as console, vault
from bot.services.handoff_lifecycle import purge_old
from bot.services.staff_auth import StaffMember, add_staff

MONDAY_10 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing, a working day
SETTINGS = Settings(staff_hours="09:00-17:00", handoff_retention_days=90)
KEY = b"integration-secret-key-of-the-contact-tests-01"


def stored(url):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT conversation_id, contact FROM handoff_tickets")).all())
    finally:
        engine.dispose()


def call_back(uow_factory, conversation, contact):
    return handoff.open_ticket(uow_factory(), conversation_id=conversation, reason="outside_hours", transcript=[],
                               slots={}, now=MONDAY_10, contact=contact, question="Which hall?", settings=SETTINGS,
                               key=KEY).ticket_id


def test_the_stored_column_never_holds_the_contact_and_staff_read_it_back(uow_factory):
    ticket = call_back(uow_factory, "night", "Lena@Example.com")
    handoff.open_ticket(uow_factory(), conversation_id="night", reason="outside_hours", transcript=[], slots={},
                        now=MONDAY_10, contact="+86 138 1234 5678", question="And fees?", settings=SETTINGS, key=KEY)
    with uow_factory() as uow:
        raw = uow.session.execute(text("SELECT contact FROM handoff_tickets")).scalars().all()
    assert len(raw) == 1 and "8613812345678" not in raw[0] and "5678" not in raw[0] and vault.is_sealed(raw[0])
    add_staff(uow_factory(), "boss", "a long enough password", "supervisor")
    with uow_factory() as uow:
        boss_id = uow.staff.by_username("boss").id
    boss = StaffMember(boss_id, "boss", "supervisor", "csrf")
    assert console.detail(uow_factory(), ticket, boss, MONDAY_10, KEY).contact == "+8613812345678"
    assert console.queue(uow_factory(), boss, MONDAY_10, KEY).queued[0].contact_masked == "+86•••••5678"
    assert console.detail(uow_factory(), ticket, boss, MONDAY_10, b"x" * 40).contact == "unreadable"


def test_a_contact_is_never_stored_without_a_key(uow_factory):
    with pytest.raises(handoff.InvalidTicket):
        handoff.open_ticket(uow_factory(), conversation_id="night", reason="outside_hours", transcript=[], slots={},
                            now=MONDAY_10, contact="lena@example.com", question="Fees?", settings=SETTINGS)


def test_the_retention_purge_still_erases_the_sealed_contact(uow_factory):
    ticket = call_back(uow_factory, "old", "lena@example.com")
    with uow_factory() as uow:
        row = uow.tickets.get(ticket)
        row.status, row.updated_at = "closed", (MONDAY_10 - dt.timedelta(days=91)).replace(tzinfo=None)
        uow.commit()
    assert purge_old(uow_factory(), SETTINGS, MONDAY_10) == 1
    with uow_factory() as uow:
        assert uow.tickets.get(ticket).contact is None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, settings):
    return settings.resolved_database_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_migration_0008_seals_the_plain_contacts_of_earlier_versions_and_0007_opens_them(database_url, monkeypatch):
    monkeypatch.setenv("ETOWN_SECRET_KEY", KEY.decode())
    migrate.upgrade(database_url, "0007")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for conversation, contact in (("a", "lena@example.com"), ("b", "+8613812345678"), ("c", None)):
            conn.execute(text("INSERT INTO handoff_tickets (conversation_id, status, reason, in_hours, contact, slots,"
                              " resume_pending, created_at, updated_at) VALUES (:c, 'closed', 'outside_hours', false,"
                              " :contact, '{}', false, :at, :at)"),
                         {"c": conversation, "contact": contact, "at": MONDAY_10.replace(tzinfo=None)})
    engine.dispose()
    migrate.upgrade(database_url)
    sealed = stored(database_url)
    assert sealed["c"] is None and all(vault.is_sealed(sealed[c]) for c in "ab")
    assert vault.unseal(KEY, handoff.CONTACT_PURPOSE, sealed["a"]) == "lena@example.com"
    assert vault.unseal(KEY, handoff.CONTACT_PURPOSE, sealed["b"]) == "+8613812345678"
    migrate.upgrade(database_url)  # nothing left to convert: a second run changes nothing
    assert stored(database_url) == sealed

    from alembic import command

    command.downgrade(migrate.alembic_config(database_url), "0007")
    assert stored(database_url) == {"a": "lena@example.com", "b": "+8613812345678", "c": None}
