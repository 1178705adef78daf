"""human handoff: staff accounts, sessions and login attempts, tickets, their messages, the demand ledger

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN_TICKET = "status IN ('queued', 'claimed')"


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=32), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('staff', 'supervisor')", name="ck_staff_accounts_role"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "staff_login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_login_attempts_username", "staff_login_attempts", ["username"])
    op.create_index("ix_staff_login_attempts_attempted_at", "staff_login_attempts", ["attempted_at"])
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("in_hours", sa.Boolean(), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_accounts.id"), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resume_pending", sa.Boolean(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'claimed', 'handed_back', 'closed')",
                           name="ck_handoff_tickets_status"),
    )
    op.create_index("ix_handoff_tickets_conversation_id", "handoff_tickets", ["conversation_id"])
    op.create_index("ix_handoff_tickets_staff_id", "handoff_tickets", ["staff_id"])
    op.create_index("ix_handoff_tickets_status_created", "handoff_tickets", ["status", "created_at"])
    op.create_index("uq_handoff_tickets_open_conversation", "handoff_tickets", ["conversation_id"], unique=True,
                    sqlite_where=sa.text(OPEN_TICKET), postgresql_where=sa.text(OPEN_TICKET))
    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("handoff_tickets.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("who", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_accounts.id"), nullable=True),
        sa.Column("delivery", sa.String(length=16), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("event_key", sa.String(length=64), nullable=True),
        sa.CheckConstraint("who IN ('user', 'bot', 'staff')", name="ck_ticket_messages_who"),
        sa.UniqueConstraint("ticket_id", "event_key", name="uq_ticket_messages_event"),
    )
    op.create_index("ix_ticket_messages_ticket_id", "ticket_messages", ["ticket_id"])
    op.create_table(
        "demand_ledger",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("handoff_tickets.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("requester", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("first_response_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
    )
    op.create_index("ix_demand_ledger_received_at", "demand_ledger", ["received_at"])


def downgrade() -> None:
    op.drop_table("demand_ledger")
    op.drop_table("ticket_messages")
    op.drop_table("handoff_tickets")
    op.drop_table("staff_login_attempts")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
