"""Live refresh, the core side: learn quickly that another process (another PC) committed changes
and which tables they touched. No Qt here: ``crmdesk.ui.live_refresh`` drives it.

- ``FeedWatch.poll()`` reads the change feed's one row; only when it moved, the log entries
  since, and returns the tables other processes wrote (this process's own commits are left out:
  its screens were told already). A log that cannot tell gives ``{"*"}`` (refresh everything).
- ``Listener`` (PostgreSQL): a thread on its own connection doing ``LISTEN crmdesk_changes`` and
  calling back on each notification (sent by the writing transaction's bump, delivered at its
  commit), so the poll runs at once instead of at the next tick. SQLite has no such thing: the
  caller polls (every 2 s: one row of one table).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from crmdesk.db import change_feed
from crmdesk.db.engine import Database

log = logging.getLogger(__name__)
EVERYTHING = "*"


class FeedWatch:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.point: change_feed.Point | None = None

    def poll(self) -> set[str]:
        """Tables other processes wrote since the last poll (empty at the first one)."""
        with self.db.sessions() as session:
            now = change_feed.current(session)
            before, self.point = self.point, now
            if before is None or now == before:
                return set()
            found = change_feed.entries(session, before, now)
        if found is None:
            return {EVERYTHING}
        mine = set(change_feed.own_tags)
        tables: set[str] = set()
        for _serial, tag, written in found:
            if tag not in mine:
                tables |= written
        return tables


def listens(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


class Listener(threading.Thread):
    """PostgreSQL LISTEN on its own connection; ``on_notify()`` is called from this thread."""

    def __init__(self, db: Database, on_notify: Callable[[], None]) -> None:
        super().__init__(name="crmdesk-listen", daemon=True)
        self.db = db
        self.on_notify = on_notify
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql")
        try:
            conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        except Exception as exc:  # noqa: BLE001 - live refresh falls back to polling
            log.warning("live refresh: cannot listen (%s); polling only", exc)
            return
        with conn:
            conn.execute(f"LISTEN {change_feed.CHANNEL}")
            while not self._stop.is_set():
                try:
                    for _note in conn.notifies(timeout=1.0, stop_after=1):
                        self.on_notify()
                except Exception as exc:  # noqa: BLE001 - a dropped connection: polling still works
                    log.warning("live refresh: listening stopped (%s); polling only", exc)
                    return
