"""Changing a SQLite table's declared schema in place (used by migrations).

SQLite's ALTER TABLE cannot change a CHECK or a column type. Its documentation ("ALTER TABLE",
"making other kinds of table schema changes") allows editing the table's CREATE statement in
sqlite_master when the change does not affect how stored rows are read. Rebuilding the table
instead would drop the old one, and with foreign keys on that deletes every row that references it
with ON DELETE CASCADE (a ticket's messages and ledger rows).
"""
from __future__ import annotations

import sqlalchemy as sa


def replace_in_table_sql(bind, table: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in ``table``'s CREATE statement; raises if ``new`` is not there after."""
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(sa.text("UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
                         "WHERE type = 'table' AND name = :table"), {"old": old, "new": new, "table": table})
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
                       {"table": table}).scalar()
    if new not in sql:
        raise RuntimeError(f"{table}: {old!r} was not where the earlier migrations put it")
