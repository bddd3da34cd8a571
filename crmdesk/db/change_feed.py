"""The committed change feed: one counter every writing transaction bumps as it commits, and a
log row per bump saying what that transaction wrote.

Why: caches (the report line cache, a persisted copy of the lines, the open lists of other PCs)
must learn what changed since they last read. "The newest id went up" is no such signal on a
server database: ids are taken at insert time, not at commit, so an import that commits first
can hold higher ids than one still running (issue 13 measured a GUI 75,477 lines short).

Design:
- ``change_feed`` holds one row (id 1): ``serial`` and a random ``tag`` of the last bump, and
  ``epoch`` (random, set when the table was made: another database at the same URL).
- ``change_log`` holds one row per bump: ``serial``, ``tag``, ``at``, the tables written
  (``tables``, comma-separated), ``lines`` ("" none, "added" only new sales lines, "rewritten"
  anything else: updates, deletes, merges, an undo) and ``lines_after`` (every line the
  transaction added has an id above it).
- Every connection of ``make_engine`` is watched (``watch``): each INSERT/UPDATE/DELETE the
  transaction runs names its table; at COMMIT — after the data, inside the same transaction —
  the counter row is updated (``UPDATE change_feed SET serial = serial + 1``), which takes its
  row lock: a second writer's bump waits until the first committed, so serials are in commit
  order on PostgreSQL too, and SQLite has one writer anyway. The lock is held only from the bump
  to the commit. On PostgreSQL the bump also sends ``NOTIFY crmdesk_changes`` (delivered at
  commit: live refresh on the other PCs).
- New sales lines: at a transaction's first INSERT into ``sales_lines`` the newest line id it
  can see is noted (``lines_after``); ids come from the sequence (or max + 1 on SQLite) after
  that, so everything it adds lies above. A reader that held serial S re-reads the lines above
  the smallest ``lines_after`` of the entries after S and keeps its own lines at or below it:
  lines of other transactions in that range are read again, never assumed.
- A write the watcher cannot see (PostgreSQL COPY through the driver's cursor) calls
  ``note(conn, table, ...)`` in its transaction before writing.
- A reader (``since``) trusts only a contiguous log from its own serial with the same tag; a
  gap (pruned log), a lower serial or a different tag (a restored backup) means "read it all".
"""

from __future__ import annotations

import logging
import re
import secrets
import weakref
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy import Engine, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow

log = logging.getLogger(__name__)

CHANNEL = "crmdesk_changes"  # PostgreSQL NOTIFY channel
KEEP_ENTRIES = 20_000  # log rows kept; a reader further behind reads everything again
PRUNE_EVERY = 500
LINES_TABLE = "sales_lines"
ORDERS_TABLE = "sales_orders"
_FEED_TABLES = {"change_feed", "change_log"}
# Deleting these cascades to (or rewrites) sales lines.
_LINE_PARENTS = {ORDERS_TABLE, "customers", "products"}
_STATE = "crmdesk.change_feed"
_WRITE = re.compile(r"^\s*(?:(INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|(UPDATE)(?:\s+OR\s+\w+)?|(DELETE)\s+FROM)"
                    r"\s+(?:\w+\.)?\"?(\w+)\"?", re.I)
_ANY_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.I)
_READ_ONLY = re.compile(r"^\s*(SELECT|PRAGMA|CREATE|DROP|ALTER|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW"
                        r"|ANALYZE|VACUUM|LISTEN|UNLISTEN|NOTIFY|EXPLAIN|REINDEX)\b", re.I)
_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine → True once the table exists
# Tags of the bumps this process made: live refresh announces only the other PCs' changes.
own_tags: deque[str] = deque(maxlen=2000)


@dataclass
class _Pending:
    """What the current transaction of one connection wrote."""

    tables: set[str] = field(default_factory=set)
    lines: str = ""  # "", "added", "rewritten"
    lines_after: int | None = None
    orders_updated: bool = False


@dataclass(frozen=True)
class Point:
    """A position in the feed: what a cache read was current at."""

    epoch: str
    serial: int
    tag: str


@dataclass
class Changes:
    """Everything written after one ``Point`` up to another."""

    tables: set[str]
    lines: str  # "", "added", "rewritten"
    lines_after: int | None
    orders_updated: bool


# ---- writing side ---------------------------------------------------------------------------

def watch(engine: Engine) -> None:
    """Bump the feed in every transaction of ``engine`` that writes."""
    event.listen(engine, "before_cursor_execute", _seen_statement)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _forget)


def note(conn: Connection, table: str, kind: str = "insert") -> None:
    """Record a write the watcher cannot see (COPY): call it in the writing transaction *before*
    writing. ``kind``: "insert", "update" or "delete"."""
    _record(conn, table.lower(), kind.lower())


def _state(conn: Connection) -> _Pending:
    pending = conn.info.get(_STATE)
    if pending is None:
        pending = conn.info[_STATE] = _Pending()
    return pending


def _seen_statement(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    match = _WRITE.match(statement)
    if match:
        kind = (match.group(1) or match.group(2) or match.group(3)).lower()
        _record(conn, match.group(4).lower(), "insert" if kind == "replace" else kind)
    elif not _READ_ONLY.match(statement) and _ANY_WRITE.search(statement):
        _record(conn, "*", "update")  # a statement we cannot parse: trust nothing about the lines


def _record(conn: Connection, table: str, kind: str) -> None:
    if table in _FEED_TABLES:
        return
    pending = _state(conn)
    pending.tables.add(table)
    if table == LINES_TABLE:
        if kind == "insert":
            if pending.lines == "":
                pending.lines = "added"
            if pending.lines_after is None:
                pending.lines_after = _newest_line_id(conn)
        else:
            pending.lines = "rewritten"
    elif table == "*" or (kind == "delete" and table in _LINE_PARENTS):
        pending.lines = "rewritten"
    elif table == ORDERS_TABLE and kind == "update":
        pending.orders_updated = True  # a salesperson may have changed: the lines' copy of it


def _newest_line_id(conn: Connection) -> int:
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(f"SELECT MAX(id) FROM {LINES_TABLE}")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return int(row[0] or 0)


def _forget(conn) -> None:
    conn.info.pop(_STATE, None)


def _on_commit(conn) -> None:
    pending = conn.info.pop(_STATE, None)
    if pending is None or not pending.tables or not _has_feed(conn):
        return
    raw = conn.connection.driver_connection
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    tag = secrets.token_hex(6)
    cursor = raw.cursor()
    try:
        # The row lock taken here orders the serials as the commits (see the module docstring).
        cursor.execute(f"UPDATE change_feed SET serial = serial + 1, tag = {mark} WHERE id = 1", (tag,))
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO change_feed (id, serial, tag, epoch) VALUES (1, 1, {mark}, {mark})",
                           (tag, secrets.token_hex(8)))
        cursor.execute("SELECT serial FROM change_feed WHERE id = 1")
        serial = int(cursor.fetchone()[0])
        own_tags.append(tag)
        cursor.execute(f"INSERT INTO change_log (serial, tag, at, tables, lines, lines_after, orders_updated) "
                       f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
                       (serial, tag, utcnow(), ",".join(sorted(pending.tables))[:1000], pending.lines,
                        pending.lines_after, bool(pending.orders_updated)))
        if serial % PRUNE_EVERY == 0:
            cursor.execute(f"DELETE FROM change_log WHERE serial <= {mark}", (serial - KEEP_ENTRIES,))
        if conn.dialect.name == "postgresql":
            cursor.execute(f"SELECT pg_notify('{CHANNEL}', {mark})", (str(serial),))
    finally:
        cursor.close()


def _has_feed(conn: Connection) -> bool:
    """False while the schema predates migration 0013 (migrations, an old file being upgraded)."""
    engine = conn.engine
    if _known.get(engine):
        return True
    cursor = conn.connection.driver_connection.cursor()
    try:
        if conn.dialect.name == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'change_log'")
            found = cursor.fetchone() is not None
        elif conn.dialect.name == "postgresql":
            cursor.execute("SELECT to_regclass('change_log') IS NOT NULL")
            found = bool(cursor.fetchone()[0])
        else:
            found = True
    finally:
        cursor.close()
    if found:
        _known[engine] = True
    return found


# ---- reading side ---------------------------------------------------------------------------

def current(session: Session) -> Point:
    """Where the feed is (one row)."""
    from crmdesk.db.models.system import ChangeFeed

    row = session.execute(select(ChangeFeed.epoch, ChangeFeed.serial, ChangeFeed.tag)
                          .where(ChangeFeed.id == 1)).first()
    return Point("", 0, "") if row is None else Point(row.epoch or "", int(row.serial), row.tag or "")


def since(session: Session, old: Point, new: Point) -> Changes | None:
    """What was written after ``old`` up to ``new``; None when the log cannot tell (another
    database or history, entries pruned): the caller reads everything again."""
    from crmdesk.db.models.system import ChangeLog

    if old.epoch != new.epoch or new.serial < old.serial:
        return None
    rows = session.execute(select(ChangeLog.serial, ChangeLog.tag, ChangeLog.tables, ChangeLog.lines,
                                  ChangeLog.lines_after, ChangeLog.orders_updated)
                           .where(ChangeLog.serial >= old.serial, ChangeLog.serial <= new.serial)
                           .order_by(ChangeLog.serial)).all()
    if old.serial > 0:
        if not rows or rows[0].serial != old.serial or rows[0].tag != old.tag:
            return None
        rows = rows[1:]
    if [r.serial for r in rows] != list(range(old.serial + 1, new.serial + 1)):
        return None
    if rows and rows[-1].tag != new.tag:
        return None
    changes = Changes(tables=set(), lines="", lines_after=None, orders_updated=False)
    for r in rows:
        changes.tables.update(t for t in (r.tables or "").split(",") if t)
        if r.lines == "rewritten" or (r.lines == "added" and r.lines_after is None):
            changes.lines = "rewritten"
        elif r.lines == "added" and changes.lines != "rewritten":
            changes.lines = "added"
            bound = int(r.lines_after)
            changes.lines_after = bound if changes.lines_after is None else min(changes.lines_after, bound)
        changes.orders_updated = changes.orders_updated or bool(r.orders_updated)
    return changes


def entries(session: Session, old: Point, new: Point) -> list[tuple[int, str, set[str]]] | None:
    """(serial, tag, tables) of each entry after ``old`` up to ``new``; None when the log cannot
    tell (another database, entries pruned)."""
    from crmdesk.db.models.system import ChangeLog

    if old.epoch != new.epoch or new.serial < old.serial:
        return None
    rows = session.execute(select(ChangeLog.serial, ChangeLog.tag, ChangeLog.tables)
                           .where(ChangeLog.serial > old.serial, ChangeLog.serial <= new.serial)
                           .order_by(ChangeLog.serial)).all()
    if [r.serial for r in rows] != list(range(old.serial + 1, new.serial + 1)):
        return None
    return [(int(r.serial), r.tag, {t for t in (r.tables or "").split(",") if t}) for r in rows]


def database_key(session: Session) -> str | None:
    """Which database this is, for caches kept between runs: the URL without its password
    (None: an in-memory database, gone with the process)."""
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=True)
