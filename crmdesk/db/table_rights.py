"""Whether this connection may change a table's indexes (DDL). SQLite: always. PostgreSQL: only
the table's owner (or a member of the owning role) — a shop's least-rights daily role may write
rows but not drop an index, so a fast path that rebuilds indexes must ask first."""

from __future__ import annotations

from sqlalchemy import Connection, text


def may_rebuild_indexes(conn: Connection, table_name: str) -> bool:
    if conn.dialect.name != "postgresql":
        return True
    owned = conn.scalar(text(
        "SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = :t AND n.nspname = current_schema()"), {"t": table_name})
    return bool(owned)
