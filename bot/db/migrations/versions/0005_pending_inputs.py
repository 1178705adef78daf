"""pending inputs: personal data of booking conversations, encrypted, until the booking is made

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_inputs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("conversation_key", "field", name="uq_pending_inputs_conversation_field"),
    )
    op.create_index("ix_pending_inputs_expires_at", "pending_inputs", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_inputs_expires_at", table_name="pending_inputs")
    op.drop_table("pending_inputs")
