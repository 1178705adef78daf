"""Migration 0009 on SQLite and PostgreSQL: masks of earlier versions shortened to the last two
characters, the client-address column and the unlock table added, and removed again on downgrade."""
import pytest
import sqlalchemy as sa
from alembic import command

from bot.db import migrate
from bot.db.engine import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, settings):
    return settings.resolved_database_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_0009_shortens_stored_masks_and_downgrades_cleanly(database_url):
    migrate.upgrade(database_url, "0008")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO cases (case_number, service_id, applicant_name, passport_hmac, passport_last4_hmac, "
                "passport_masked, status, submitted_on, updated_on, created_at, changed_at) VALUES "
                "('EZ2026-0042', 'work_permit', 'Lena Hoffmann', :h, :h, 'C\u2022\u2022\u2022\u2022\u2022\u202247', "
                "'received', '2026-11-16', '2026-11-16', '2026-11-16', '2026-11-16')"), {"h": "0" * 64})
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            mask = connection.execute(sa.text("SELECT passport_masked FROM cases")).scalar_one()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("verification_attempts")}
            tables = sa.inspect(connection).get_table_names()
        assert mask == "\u2022" * 7 + "47"
        assert "client_hash" in columns and "verification_unlocks" in tables
        command.downgrade(migrate.alembic_config(database_url), "0008")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("verification_attempts")}
            tables = sa.inspect(connection).get_table_names()
        assert "client_hash" not in columns and "verification_unlocks" not in tables
    finally:
        engine.dispose()
