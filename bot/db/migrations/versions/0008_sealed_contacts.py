"""handoff tickets: the call-back contact is stored encrypted (bot.services.vault.seal)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

The plain-text contacts already stored are sealed here with the application's secret key, read as
the application reads it (ETOWN_SECRET_KEY, or in development the key file next to the SQLite
database being migrated). The key is needed only when there are plain contacts to convert.
"""
import sqlalchemy as sa
from alembic import context, op

from bot.db.sqlite_schema import replace_in_table_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SELECT = sa.text("SELECT id, contact FROM handoff_tickets WHERE contact IS NOT NULL")
UPDATE = sa.text("UPDATE handoff_tickets SET contact = :contact WHERE id = :id")


def _key() -> bytes:
    from bot.config import Settings
    from bot.services.keys import secret_key

    return secret_key(Settings(database_url=context.config.get_main_option("sqlalchemy.url")))


def _contact_length(old: int, new: int) -> None:
    if op.get_bind().dialect.name == "sqlite":  # in place: a rebuild would cascade-delete the messages
        replace_in_table_sql(op.get_bind(), "handoff_tickets", f"contact VARCHAR({old})", f"contact VARCHAR({new})")
    else:
        op.alter_column("handoff_tickets", "contact", type_=sa.String(length=new), existing_nullable=True)


def upgrade() -> None:
    from bot.services import vault
    from bot.services.handoff import CONTACT_PURPOSE

    _contact_length(254, 512)  # a sealed 254-character contact is about 460 characters
    bind = op.get_bind()
    plain = [(row.id, row.contact) for row in bind.execute(SELECT) if not vault.is_sealed(row.contact)]
    if not plain:
        return
    key = _key()
    for ticket_id, contact in plain:
        bind.execute(UPDATE, {"id": ticket_id, "contact": vault.seal(key, CONTACT_PURPOSE, contact)})


def downgrade() -> None:
    from bot.services import vault
    from bot.services.handoff import CONTACT_PURPOSE

    bind = op.get_bind()
    sealed = [(row.id, row.contact) for row in bind.execute(SELECT) if vault.is_sealed(row.contact)]
    key = _key() if sealed else b""
    for ticket_id, token in sealed:
        try:
            contact = vault.unseal(key, CONTACT_PURPOSE, token)
        except vault.Unreadable:
            contact = None  # sealed under another key: nothing readable to give back
        bind.execute(UPDATE, {"id": ticket_id, "contact": contact[:254] if contact else None})
    _contact_length(512, 254)
