"""booking holds: a booking holds its place until the e-mail code confirms it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

Bookings get the status "held" (counted as taking a place, also by the one-active-booking-per-person
index), the client address they came from (an HMAC), indexes for the open-booking limits, and the
table of hold codes (hashes only).
"""
import sqlalchemy as sa
from alembic import op

from bot.db.sqlite_schema import replace_in_table_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_ACTIVE = "status IN ('booked', 'rescheduled')"
NEW_ACTIVE = "status IN ('held', 'booked', 'rescheduled')"
OLD_STATUSES = "status IN ('booked', 'cancelled', 'rescheduled', 'attended', 'no_show')"
NEW_STATUSES = "status IN ('held', 'booked', 'cancelled', 'rescheduled', 'attended', 'no_show')"


def _statuses(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":  # in place: SQLite cannot alter a CHECK
        replace_in_table_sql(op.get_bind(), "bookings", old, new)
    else:
        op.drop_constraint("ck_bookings_status", "bookings", type_="check")
        op.create_check_constraint("ck_bookings_status", "bookings", new)


def _active_index(where: str) -> None:
    op.drop_index("uq_bookings_active_per_person", table_name="bookings")
    op.create_index("uq_bookings_active_per_person", "bookings", ["passport_hmac", "service_id", "day"],
                    unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    _statuses(OLD_STATUSES, NEW_STATUSES)
    _active_index(NEW_ACTIVE)
    op.add_column("bookings", sa.Column("client_key", sa.String(length=64), nullable=True))
    op.create_index("ix_bookings_email", "bookings", ["email"])
    op.create_index("ix_bookings_phone", "bookings", ["phone"])
    op.create_index("ix_bookings_client_key", "bookings", ["client_key"])
    op.create_table(
        "booking_holds",
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("conversation_key", sa.String(length=64), nullable=False, unique=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_booking_holds_expires_at", "booking_holds", ["expires_at"])


def downgrade() -> None:
    # Holds never confirmed are not bookings: they go, and so do their places.
    op.execute("UPDATE slot_counters SET booked = booked - (SELECT COUNT(*) FROM bookings b WHERE b.status = 'held' "
               "AND b.hall_id = slot_counters.hall_id AND b.day = slot_counters.day "
               "AND b.start_time = slot_counters.start_time)")
    op.execute("DELETE FROM bookings WHERE status = 'held'")
    op.drop_index("ix_booking_holds_expires_at", table_name="booking_holds")
    op.drop_table("booking_holds")
    op.drop_index("ix_bookings_client_key", table_name="bookings")
    op.drop_index("ix_bookings_phone", table_name="bookings")
    op.drop_index("ix_bookings_email", table_name="bookings")
    op.drop_column("bookings", "client_key")  # SQLite 3.35+ drops a plain column in place
    _active_index(OLD_ACTIVE)
    _statuses(NEW_STATUSES, OLD_STATUSES)
