"""A worker's own session whose running SQL stops when its job is cancelled.

A report on a million lines spends seconds inside one SQL query, where
``Progress.check()`` is never reached. When a newer filter supersedes the
request, ``interrupt(progress)`` aborts that query through
``crmdesk.db.interrupt.query_interrupter`` (where the database allows it), so the
stale job frees its pool thread at once instead of finishing unwanted work.

The lock makes sure the interrupt only reaches the connection while this
worker still holds it, never after it went back to the pool for someone else.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from crmdesk.core.progress import Progress
from crmdesk.db.interrupt import query_interrupter

log = logging.getLogger(__name__)

_lock = threading.Lock()
_interrupts: dict[int, Callable[[], None]] = {}


@contextmanager
def worker_session(db: Any, progress: Progress | None) -> Iterator[Session]:
    """``db.sessions()`` for a worker thread, interruptible through ``interrupt(progress)``."""
    with db.sessions() as session:
        key = id(progress) if progress is not None else None
        if key is not None:
            stop = query_interrupter(session)
            if stop is not None:
                with _lock:
                    _interrupts[key] = stop
        try:
            yield session
        finally:
            if key is not None:
                with _lock:
                    _interrupts.pop(key, None)


def interrupt(progress: Progress) -> bool:
    """Abort the SQL the job owning ``progress`` is running; True if there was a connection to stop."""
    with _lock:
        stop = _interrupts.get(id(progress))
        if stop is None:
            return False
        try:
            stop()
        except Exception:  # noqa: BLE001 - best effort: the result is ignored anyway
            log.debug("interrupt failed", exc_info=True)
            return False
    return True
