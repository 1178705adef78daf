"""knowledge base tables

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("service_count", sa.Integer(), nullable=False),
        sa.Column("hall_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_kb_revisions_checksum", "kb_revisions", ["checksum"])
    op.create_table(
        "kb_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("kb_revisions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.UniqueConstraint("revision_id", "kind", "entry_id"),
    )
    op.create_index("ix_kb_entries_revision_id", "kb_entries", ["revision_id"])
    op.create_table(
        "kb_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("kind", "alias"),
    )
    op.create_index("ix_kb_aliases_alias", "kb_aliases", ["alias"])


def downgrade() -> None:
    op.drop_table("kb_aliases")
    op.drop_table("kb_entries")
    op.drop_table("kb_revisions")
