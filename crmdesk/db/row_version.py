"""Claiming a row for a form's save: a conditional update on its ``version`` column, run as the
save's first statement.

``UPDATE t SET version = version + 1 WHERE id = ? [AND version = ?]`` before the save reads or
writes anything else. On PostgreSQL it takes the row lock: a second save of the same row waits
for the first to commit and then reads the first one's result (its stamp or version no longer
match: the caller refuses). On SQLite a transaction whose first statement writes waits for the
write lock (the busy timeout) instead of failing: a transaction that *read* first and then
writes would be refused at once ("database is locked") — the raw error issue 13 saw. When the
caller's transaction did read first and another writer committed since, SQLite refuses this
snapshot (busy snapshot): that is a lost claim too. Exactly one of two simultaneous saves wins.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

WON, LOST, MISSING = "won", "lost", "missing"


def claim(session: Session, model: type, row_id: int, version: int | None = None) -> str:
    """WON: this transaction now holds the row (its version + 1); LOST: the row's version is not
    ``version`` or another writer got in first; MISSING: no such row (with ``version`` None)."""
    table = model.__table__
    stmt = update(table).where(table.c.id == row_id)
    if version is not None:
        stmt = stmt.where(table.c.version == int(version))
    try:
        # updated_at stays: the claim is no edit (the column's onupdate would stamp it).
        keep = {"updated_at": table.c.updated_at} if "updated_at" in table.c else {}
        result = session.execute(stmt.values(version=table.c.version + 1, **keep))
    except OperationalError as exc:
        if lost_to_another_writer(exc):
            return LOST
        raise
    if result.rowcount == 1:
        row = session.identity_map.get(session.identity_key(model, row_id)) if hasattr(session, "identity_map") \
            else None
        if row is not None:
            session.expire(row)  # the next read takes the committed values (and the new version)
        return WON
    return MISSING if version is None else LOST


def lost_to_another_writer(exc: BaseException) -> bool:
    """SQLite's answer when this transaction read first and another writer holds or has committed
    the write lock since: the write cannot go on from this snapshot."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlite_errorname", "") in ("SQLITE_BUSY_SNAPSHOT",)

