"""cases with status history, enterprises for the HR view, verification and access attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False, unique=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("access_code_hash", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", sa.String(length=16), nullable=False, unique=True),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("passport_hmac", sa.String(length=64), nullable=False),
        sa.Column("passport_last4_hmac", sa.String(length=64), nullable=False),
        sa.Column("passport_masked", sa.String(length=40), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprises.id"), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("hall_id", sa.String(length=64), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("expected_rule", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_cases_enterprise_id", "cases", ["enterprise_id"])
    op.create_table(
        "case_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
    )
    op.create_index("ix_case_history_case_id", "case_history", ["case_id"])
    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", sa.String(length=16), nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_verification_attempts_case_number", "verification_attempts", ["case_number"])
    op.create_index("ix_verification_attempts_conversation_hash", "verification_attempts", ["conversation_hash"])
    op.create_index("ix_verification_attempts_attempted_at", "verification_attempts", ["attempted_at"])
    op.create_table(
        "access_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_access_attempts_credit_code", "access_attempts", ["credit_code"])
    op.create_index("ix_access_attempts_attempted_at", "access_attempts", ["attempted_at"])


def downgrade() -> None:
    op.drop_table("access_attempts")
    op.drop_table("verification_attempts")
    op.drop_table("case_history")
    op.drop_table("cases")
    op.drop_table("enterprises")
