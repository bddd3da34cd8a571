"""A database that another import, sync or backup is writing to: wait, say so, then one clear line.

Before it asks for the write lock an import waits while another process's import of the same
SQLite file runs (``crmdesk.db.writers``: a note in the user data folder), saying "waiting for
the import of X to finish" through its progress (the CLI prints it, the GUI shows it with its
Cancel), and announces its own run the same way.

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
from crmdesk.db import engine, writers
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
            wait_for_other_writer(db.url, progress)
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    with writers.writing(db.url, Path(path).name):
                        return func(db, actor, path, *args, **kwargs)
                except OperationalError as exc:
                    if not is_busy(exc):
                        raise
                    log.info("%s: database busy (attempt %d of %d)", path, attempt, ATTEMPTS)
                    progress.check()  # Cancel while waiting
                    progress.update(None, _("the database is busy with another import; waiting…"), force=True)
                    wait_for_other_writer(db.url, progress)
            waited = ATTEMPTS * engine.BUSY_TIMEOUT_MS / 1000
            return failed(Path(path), busy_message(Path(path), waited))
        return run
    return wrap


def waiting_message(what: str) -> str:
    return _("waiting for the import of {file} to finish…").format(file=what)


def wait_for_other_writer(db_url: str, progress) -> None:
    """While another process imports into this (SQLite) database, wait and say so; the
    progress's Cancel stops the wait (``Cancelled``)."""
    def told(what: str, _seconds: float) -> None:
        progress.update(None, waiting_message(what), force=True)
        progress.check()

    writers.wait_until_free(db_url, told)
