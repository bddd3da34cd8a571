"""PostgreSQL's fast paths for bulk loads (used by ``crmdesk.db.bulk``): COPY instead of INSERT,
and foreign keys and plain indexes made once after a big load instead of kept row by row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table

KEYS_AFTER_FROM = 50_000  # rows of one COPY from which a table's foreign keys are checked afterwards


def copy_statement(conn: Connection, table: Table, keys: list[str]) -> str | None:
    """``COPY table (…) FROM STDIN`` on PostgreSQL through psycopg 3, None elsewhere. COPY streams
    rows in one statement: a third of the time of pipelined ``executemany`` INSERTs. Columns not
    given (the id, say) take their server defaults, as with INSERT."""
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return None
    prep = conn.dialect.identifier_preparer
    return f"COPY {prep.format_table(table)} ({', '.join(prep.quote(k) for k in keys)}) FROM STDIN"


def drop_own_keys(conn: Connection, table: Table, adding: int) -> list[tuple[str, str]]:
    """A COPY of at least KEYS_AFTER_FROM rows into a table holding fewer (a first history load)
    runs without the table's foreign keys, added back after it: PostgreSQL checks each key row by
    row (a lookup and a row lock per line and key, 45 µs a line for the four of sales_lines) but
    validates a new key in one join. Only for the table's owner (the least-rights daily role keeps
    its checks, and its lock footprint). Dropping them locks the referenced tables until commit —
    acceptable for a load that more than doubles a table, not for everyday imports."""
    if adding < KEYS_AFTER_FROM:
        return []
    name = conn.dialect.identifier_preparer.format_table(table)
    owner = conn.exec_driver_sql("SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class "
                                 "WHERE oid = %(t)s::regclass", {"t": name}).scalar()
    if not owner:
        return []
    held = [(row[0], row[1]) for row in conn.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
        "AND conrelid = %(t)s::regclass ORDER BY conname", {"t": name}).all()]
    if not held:
        return []
    existing = conn.exec_driver_sql(f"SELECT COUNT(*) FROM (SELECT 1 FROM {name} LIMIT {adding + 1}) AS s").scalar()
    if existing > adding:
        return []
    for key, _definition in held:
        conn.exec_driver_sql(f'ALTER TABLE {name} DROP CONSTRAINT "{key}"')
    return held


def add_keys(conn: Connection, table: Table, held: list[tuple[str, str]]) -> None:
    name = conn.dialect.identifier_preparer.format_table(table)
    for key, definition in held:
        conn.exec_driver_sql(f'ALTER TABLE {name} ADD CONSTRAINT "{key}" {definition}')


def copy_in(conn: Connection, sql: str, columns: list[list]) -> None:
    """Rows of ``columns`` through COPY on the connection's own psycopg cursor (inside the
    caller's transaction). Values go as text, each parsed by the server as its column's type."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            write = copy.write_row
            for row in zip(*columns, strict=True):
                write(row)
    finally:
        cursor.close()


@contextmanager
def checks_after_load(conn: Connection) -> Iterator[None]:
    """A load into empty tables inside one transaction (the demo, a copy into a new database)
    with PostgreSQL's foreign keys and secondary indexes dropped, then made again at the end,
    each in one pass over the loaded rows (pg_restore's order): checking each foreign key row by
    row took twice as long as the COPY itself. Primary keys and unique constraints and indexes
    stay. Needs the role that owns the tables (the one that runs the migrations); for another
    role, and on other databases, nothing changes. Not for a table that already holds many rows:
    the checks and indexes are rebuilt over every row."""
    if conn.dialect.name != "postgresql" or not _owns_tables(conn):
        yield
        return
    keys = [tuple(row) for row in conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conname").all()]
    indexes = [tuple(row) for row in conn.exec_driver_sql(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = current_schema()::regnamespace "
        "AND NOT i.indisunique AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
        "WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY 1").all()]
    for table, name, _definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _owns_tables(conn: Connection) -> bool:
    return bool(conn.exec_driver_sql(
        "SELECT COALESCE(bool_and(pg_has_role(current_user, c.relowner, 'USAGE')), false) FROM pg_class c "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'").scalar())
