"""Stopping a query that is running on another thread's connection.

A report on a million lines can spend seconds inside one SQL statement, where no progress
check is reached. SQLite's driver can abort it from any thread
(``sqlite3.Connection.interrupt``: the statement fails with "interrupted"). Other drivers are
left to finish their statement: cancelling a server query needs more care than this
best-effort use deserves.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

__all__ = ["query_interrupter"]


def query_interrupter(session: Session) -> Callable[[], None] | None:
    """A callable that aborts whatever SQL the session's current connection is running (safe
    to call from another thread), or None when the database cannot be interrupted this way.

    Valid only while the session holds that connection: once it returns to the pool, the
    callable would reach whoever uses the connection next, so callers drop it before then.
    """
    driver = session.connection().connection.driver_connection
    method = getattr(driver, "interrupt", None)  # sqlite3 has it; other drivers are left to finish
    return method if callable(method) else None
