"""handoff lifecycle: expired tickets, erased transcripts, login attempts by client address

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WITH_EXPIRED = "status IN ('queued', 'claimed', 'handed_back', 'closed', 'expired')"
WITHOUT_EXPIRED = "status IN ('queued', 'claimed', 'handed_back', 'closed')"


def _ticket_status(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_check(old, new)
        return
    op.drop_constraint("ck_handoff_tickets_status", "handoff_tickets", type_="check")
    op.create_check_constraint("ck_handoff_tickets_status", "handoff_tickets", new)


def _sqlite_check(old: str, new: str) -> None:
    """Change the CHECK in place, SQLite's documented procedure for it (ALTER TABLE, "making other
    kinds of table schema changes"). Rebuilding the table instead would drop the old one, and with
    foreign keys on that deletes every ticket's messages and ledger row (ON DELETE CASCADE)."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(sa.text("UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
                         "WHERE type = 'table' AND name = 'handoff_tickets'"), {"old": old, "new": new})
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'handoff_tickets'")
                       ).scalar()
    if new not in sql:
        raise RuntimeError("handoff_tickets: the status CHECK was not where revision 0006 put it")


def upgrade() -> None:
    _ticket_status(WITHOUT_EXPIRED, WITH_EXPIRED)
    op.add_column("handoff_tickets", sa.Column("purged_at", sa.DateTime(), nullable=True))
    op.add_column("staff_login_attempts", sa.Column("client_address", sa.String(length=64), nullable=True))
    op.create_index("ix_staff_login_attempts_client_address", "staff_login_attempts", ["client_address"])


def downgrade() -> None:
    # DROP COLUMN is plain SQL on PostgreSQL and on SQLite 3.35 and later.
    op.drop_index("ix_staff_login_attempts_client_address", table_name="staff_login_attempts")
    op.drop_column("staff_login_attempts", "client_address")
    op.drop_column("handoff_tickets", "purged_at")
    op.execute("UPDATE handoff_tickets SET status = 'closed' WHERE status = 'expired'")
    _ticket_status(WITH_EXPIRED, WITHOUT_EXPIRED)
