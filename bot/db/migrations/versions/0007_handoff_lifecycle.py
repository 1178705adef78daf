"""handoff lifecycle: expired tickets, erased transcripts, login attempts by client address

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from bot.db.sqlite_schema import replace_in_table_sql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WITH_EXPIRED = "status IN ('queued', 'claimed', 'handed_back', 'closed', 'expired')"
WITHOUT_EXPIRED = "status IN ('queued', 'claimed', 'handed_back', 'closed')"


def _ticket_status(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":  # in place: a rebuild would cascade-delete messages
        replace_in_table_sql(op.get_bind(), "handoff_tickets", old, new)
        return
    op.drop_constraint("ck_handoff_tickets_status", "handoff_tickets", type_="check")
    op.create_check_constraint("ck_handoff_tickets_status", "handoff_tickets", new)


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
