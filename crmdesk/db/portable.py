"""A whole database copied to another engine, table by table, ids kept.

One function serves backup and restore of a server database (PostgreSQL → a SQLite file and
back) and moving a shop between one PC and a server (``migrate-to`` / ``migrate-from``):
``copy_database(src_url, dst_url)``.

The destination gets the source's schema revision first:

- a database without a schema (a new file, or a server database just created) is migrated to
  the source's revision here;
- a database already at that revision is accepted when it holds no shop data (see
  ``is_empty``: a freshly migrated one holds only the reference rows migrations seed) or when
  ``replace=True``. Its rows are cleared, then the source's copied.

A SQLite source older than the destination (an old backup restored into a server at a newer
revision) is upgraded first — a temporary copy, never the file itself. Every table the source
and destination share is copied in foreign-key order inside one destination transaction, ids
included; PostgreSQL sequences are moved past the copied ids afterwards. The SQLite search
index (FTS) is not copied: its triggers rebuild it from the customers copied.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect, select, text
from sqlalchemy.exc import SAWarning

from crmdesk.db import bulk
from crmdesk.db.engine import Database, connect, sqlite_path

# (share of all rows copied so far, 0–1; the table being copied) — the GUI's job progress shape.
Progress = Callable[[float | None, str], None]
READ_CHUNK = 20_000
# Tables a crmdesk database holds no rows in until it is used: a database where all of these
# are empty holds only what migrations seed (customer types, stages, rule templates …).
SHOP_DATA_TABLES = ("users", "customers", "products", "sales_lines", "import_batches", "audit_log")
# Kept by SQLite's triggers and FTS module, rebuilt from the customers copied.
_DERIVED_PREFIXES = ("customers_search", "sqlite_")
VERSION_TABLE = "alembic_version"
# Each database's own committed change feed (crmdesk.db.change_feed): never copied, so a restore
# moves the destination's feed forward (the copy's commit bumps it) and no PC's cache takes the
# restored rows for the ones it holds.
FEED_TABLES = ("change_feed", "change_log")
BLOB_TABLE = "attachment_blobs"
ATTACHMENTS_FOLDER = "attachments"  # a SQLite shop file's managed attachments, beside it


class PortableCopyError(RuntimeError):
    """The copy cannot be made (revisions differ, destination not empty, not a crmdesk database)."""


def revision_of(db: Database) -> str | None:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    return rows[0][0] if len(rows) == 1 else None


def is_empty(db: Database) -> bool:
    """No schema at all, or no rows in any of SHOP_DATA_TABLES."""
    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        for name in SHOP_DATA_TABLES:
            if name in names and conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first():
                return False
    return True


def copy_database(src_url: str, dst_url: str, progress: Progress | None = None, *,
                  replace: bool = False) -> dict[str, int]:
    """Copy every row of ``src_url`` into ``dst_url`` (see the module doc); returns rows per table."""
    src = connect(src_url)
    dst = connect(dst_url)
    scratch: tempfile.TemporaryDirectory | None = None
    try:
        src_rev = revision_of(src)
        if src_rev is None:
            raise PortableCopyError(f"{src.describe()} is not a crmdesk database (no schema revision)")
        dst_rev = revision_of(dst)
        if dst_rev is not None and not replace and not is_empty(dst):
            raise PortableCopyError(f"{dst.describe()} already holds data; copy into an empty database")
        if dst_rev is None:
            _upgrade(dst, src_rev)
        elif dst_rev != src_rev:
            if src.file_path is None or not _is_ancestor(src_rev, dst_rev):
                raise PortableCopyError(
                    f"{src.describe()} is at schema {src_rev}, {dst.describe()} at {dst_rev}: "
                    "bring both to the same crmdesk version first")
            scratch = tempfile.TemporaryDirectory(prefix="crmdesk-portable-")
            src.dispose()
            src = _upgraded_copy(src, Path(scratch.name) / "source.db", dst_rev)
        return _copy_rows(src, dst, progress)
    finally:
        src.dispose()
        dst.dispose()
        if scratch is not None:
            scratch.cleanup()


def _upgrade(db: Database, revision: str) -> None:
    from crmdesk.db.migrate import upgrade

    upgrade(db, revision)


def _is_ancestor(old: str, new: str) -> bool:
    from alembic.script import ScriptDirectory

    from crmdesk.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return any(rev.revision == old for rev in script.iterate_revisions(new, "base"))
    except Exception:  # noqa: BLE001 - alembic raises several kinds for unknown revisions
        return False


def _upgraded_copy(src: Database, path: Path, revision: str) -> Database:
    """A copy of the SQLite source at ``path``, upgraded to ``revision``."""
    source = sqlite3.connect(src.file_path)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    copy = connect(path)
    _upgrade(copy, revision)
    return copy


def copied_tables(src: Database, dst: Database) -> list[str]:
    """The tables both hold, parents before children (the destination's foreign keys)."""
    with src.engine.connect() as conn:
        src_names = set(inspect(conn).get_table_names())
    meta = MetaData()
    with dst.engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # expression indexes; a users ↔ territories cycle
        meta.reflect(conn)
        names = [t.name for t in meta.sorted_tables]
    return [n for n in names if n in src_names and _copied(n)]


def _copied(name: str) -> bool:
    return name != VERSION_TABLE and name not in FEED_TABLES and not name.startswith(_DERIVED_PREFIXES)


def _typed_table(name: str, conn: Connection) -> Table:
    """The model's table (its types read and write every engine alike), else the reflected one."""
    import crmdesk.db.models  # noqa: F401 - registers every model table
    from crmdesk.db.base import Base

    table = Base.metadata.tables.get(name)
    if table is not None:
        present = {c["name"] for c in inspect(conn).get_columns(name)}
        if present >= {c.name for c in table.columns}:
            return table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # expression-based indexes are not reflected
        return Table(name, MetaData(), autoload_with=conn)


def _copy_rows(src: Database, dst: Database, progress: Progress | None) -> dict[str, int]:
    names = copied_tables(src, dst)
    counts: dict[str, int] = {}
    with src.engine.connect() as read, bulk.bulk_load_connection(dst.engine) as write:
        sizes = {name: read.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"').scalar_one() for name in names}
        meter = _Meter(progress, sum(sizes.values()))
        with write.begin():
            _clear(write, names)
            # Foreign keys checked once at the end also let users ↔ territories (a cycle) load in any order.
            with bulk.checks_after_load(write):
                for name in names:
                    source = _typed_table(name, read)
                    target = _typed_table(name, write)
                    columns = [c.name for c in target.columns if c.name in source.c]
                    counts[name] = _copy_table(read, write, source, target, columns, sizes[name], meter)
                if write.dialect.name == "postgresql":
                    for name in names:
                        reset_sequences(write, _typed_table(name, write))
                if src.file_path is not None and write.dialect.name != "sqlite":
                    counts[BLOB_TABLE] = counts.get(BLOB_TABLE, 0) + _folder_into_blobs(read, write, src.file_path)
    return counts


def _folder_into_blobs(read: Connection, write: Connection, db_file: Path) -> int:
    """A shop file's managed attachments (the folder beside it) become blobs on the server, where
    every PC reads them. Files already missing stay missing (listed as such, as before)."""
    if BLOB_TABLE not in inspect(write).get_table_names():
        return 0
    folder = (db_file.parent / ATTACHMENTS_FOLDER).resolve()
    have = set(write.exec_driver_sql(f"SELECT attachment_id FROM {BLOB_TABLE}").scalars())
    rows = read.exec_driver_sql("SELECT id, stored_path FROM attachments WHERE is_link = 0").all()
    blobs = _typed_table(BLOB_TABLE, write)
    added = 0
    for attachment_id, stored in rows:
        path = (folder / stored).resolve()
        if attachment_id in have or not path.is_relative_to(folder) or not path.is_file():
            continue
        write.execute(blobs.insert().values(attachment_id=attachment_id, data=path.read_bytes()))
        added += 1
    return added


def _clear(conn: Connection, names: list[str]) -> None:
    if not names:
        return
    from crmdesk.db import change_feed

    for name in names:
        change_feed.note(conn, name, "delete")  # every cached row of these tables is stale
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
        return
    for name in reversed(names):
        conn.exec_driver_sql(f'DELETE FROM "{name}"')


class _Meter:
    """Progress over all tables: rows copied so far out of every table's rows."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def add(self, rows: int, table: str) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(self.done / self.total if self.total else None, table)


def _copy_table(read: Connection, write: Connection, source: Table, target: Table, columns: list[str],
                total: int, meter: _Meter) -> int:
    if total == 0:
        return 0
    order = [source.c[c.name] for c in target.primary_key.columns if c.name in source.c]
    stmt = select(*[source.c[c] for c in columns]).order_by(*order)
    done = 0
    context = bulk.set_based_triggers(write, target) if "id" in target.c else _nothing()
    with context:
        result = read.execution_options(stream_results=True, yield_per=READ_CHUNK).execute(stmt)
        for part in result.partitions(READ_CHUNK):
            data = {c: [row[i] for row in part] for i, c in enumerate(columns)}
            bulk.insert_columns(write, target, data, chunk_rows=max(len(part), 1))
            done += len(part)
            meter.add(len(part), target.name)
    return done


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def reset_sequences(conn: Connection, table: Table) -> None:
    """Move each serial/identity sequence of ``table`` past its highest value (PostgreSQL)."""
    for column in table.primary_key.columns:
        seq = conn.exec_driver_sql(
            "SELECT pg_get_serial_sequence(%(t)s, %(c)s)", {"t": f'"{table.name}"', "c": column.name}).scalar()
        if seq:
            conn.exec_driver_sql(
                f'SELECT setval(%(s)s, (SELECT COALESCE(MAX("{column.name}"), 0) + 1 FROM "{table.name}"), false)',
                {"s": seq})


def table_checksums(url: str) -> dict[str, str]:
    """Per copied table, a hash of its rows (values normalised across engines, rows sorted):
    two databases with equal checksums hold the same data whatever engine each runs on."""
    db = connect(url)
    try:
        with db.engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if _copied(n)]
            out = {}
            for name in sorted(names):
                table = _typed_table(name, conn)
                cols = sorted(c.name for c in table.columns)
                rows = sorted(json.dumps([_plain(v) for v in row], ensure_ascii=False)
                              for row in conn.execute(select(*[table.c[c] for c in cols])))
                digest = hashlib.sha256()
                for row in rows:
                    digest.update(row.encode())
                    digest.update(b"\n")
                out[name] = f"{len(rows)}:{digest.hexdigest()}"
        return out
    finally:
        db.dispose()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, memoryview)):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def sqlite_file_url(path: str | Path) -> str:
    """The URL of a SQLite file, for callers that hold a path."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


__all__ = ["PortableCopyError", "copy_database", "copied_tables", "is_empty", "revision_of",
           "reset_sequences", "sqlite_file_url", "sqlite_path", "table_checksums"]
