"""appointment bookings and the slot counters that enforce capacity

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACTIVE_BOOKING = "status IN ('booked', 'rescheduled')"


def upgrade() -> None:
    op.create_table(
        "slot_counters",
        sa.Column("hall_id", sa.String(length=64), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("start_time", sa.Time(), primary_key=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_counters_within_capacity"),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=9), nullable=False, unique=True),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("hall_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("passport_hmac", sa.String(length=64), nullable=False),
        sa.Column("passport_last4_hmac", sa.String(length=64), nullable=False),
        sa.Column("passport_masked", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("change_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('booked', 'cancelled', 'rescheduled', 'attended', 'no_show')",
                           name="ck_bookings_status"),
    )
    op.create_index("uq_bookings_active_per_person", "bookings", ["passport_hmac", "service_id", "day"],
                    unique=True, sqlite_where=sa.text(ACTIVE_BOOKING), postgresql_where=sa.text(ACTIVE_BOOKING))
    op.create_index("ix_bookings_slot", "bookings", ["hall_id", "day", "start_time"])


def downgrade() -> None:
    op.drop_index("ix_bookings_slot", table_name="bookings")
    op.drop_index("uq_bookings_active_per_person", table_name="bookings")
    op.drop_table("bookings")
    op.drop_table("slot_counters")
