"""A database that another import, sync or backup is writing to: wait, say so, then one clear line.

SQLite lets one writer at a time; the second waits ``BUSY_TIMEOUT_MS`` (crmdesk.db.engine) and
then fails with "database is locked" — nothing of the file was written (its transaction rolled
back). The import is then tried again a few times, the progress saying that it is waiting for
another import (the GUI's Cancel works meanwhile), and if the database stays busy it is reported
as failed in one line that says what to do.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import OperationalError

from crmdesk.core.progress import ensure
from crmdesk.db import engine
from crmdesk.i18n import _

log = logging.getLogger(__name__)
ATTEMPTS = 3  # each one waits the busy timeout: 30 s in all with the default 10 s


def is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def busy_message(path: Path, seconds: float) -> str:
    return _("{file}: the database is busy: another import, sync or backup is writing to it (waited {seconds} s); "
             "nothing was written, import the file again when it has finished").format(
        file=path.name, seconds=round(seconds))


def reported_when_busy(failed: Callable[[Path, str], object]):
    """Decorates ``import_file(db, actor, path, …, progress=…)``: a busy database is waited for
    (``ATTEMPTS`` busy timeouts, with a progress message), then becomes ``failed(path, message)``."""
    def wrap(func):
        @functools.wraps(func)
        def run(db, actor, path, *args, **kwargs):
            progress = ensure(kwargs.get("progress"))
            kwargs["progress"] = progress
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    return func(db, actor, path, *args, **kwargs)
                except OperationalError as exc:
                    if not is_busy(exc):
                        raise
                    log.info("%s: database busy (attempt %d of %d)", path, attempt, ATTEMPTS)
                    progress.check()  # Cancel while waiting
                    progress.update(None, _("the database is busy with another import; waiting…"), force=True)
            waited = ATTEMPTS * engine.BUSY_TIMEOUT_MS / 1000
            return failed(Path(path), busy_message(Path(path), waited))
        return run
    return wrap
