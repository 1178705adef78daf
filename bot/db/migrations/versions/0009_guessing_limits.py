"""guessing limits: identity checks by client address, staff unlocks, masks with the last two characters only

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Masks already stored ("E•••••34") are rewritten to show the last two characters only ("••••••34").
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MASK_CHAR = "\u2022"


def upgrade() -> None:
    op.add_column("verification_attempts", sa.Column("client_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_verification_attempts_client_hash", "verification_attempts", ["client_hash"])
    op.create_table(
        "verification_unlocks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_accounts.id"), nullable=False),
        sa.Column("unlocked_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_verification_unlocks_case_number", "verification_unlocks", ["case_number"])
    op.create_index("ix_verification_unlocks_staff_id", "verification_unlocks", ["staff_id"])
    bind = op.get_bind()
    for table in ("cases", "bookings"):
        rows = bind.execute(sa.text(f"SELECT id, passport_masked FROM {table}")).all()
        for row_id, mask in rows:
            shorter = MASK_CHAR * max(len(mask) - 2, 0) + mask[-2:] if len(mask) > 4 else MASK_CHAR * len(mask)
            if shorter != mask:
                bind.execute(sa.text(f"UPDATE {table} SET passport_masked = :mask WHERE id = :id"),
                             {"mask": shorter, "id": row_id})


def downgrade() -> None:
    # The masks stay short: the first character they showed is not kept anywhere.
    op.drop_index("ix_verification_unlocks_staff_id", table_name="verification_unlocks")
    op.drop_index("ix_verification_unlocks_case_number", table_name="verification_unlocks")
    op.drop_table("verification_unlocks")
    op.drop_index("ix_verification_attempts_client_hash", table_name="verification_attempts")
    op.drop_column("verification_attempts", "client_hash")
