"""Who is writing a SQLite file right now: a small note per database in the user data folder
(``writers/<hash>.json``: what, process id, since), written by a long writer (an import, a
sync) for as long as it runs. Another writer reads it *before* it asks for the write lock and
waits, saying "waiting for the import of X to finish", instead of failing after the busy
timeout. The note is not the lock (SQLite's is): a stale note of a process that died is
ignored. The database file itself is never opened for this (another handle of it in this
process could drop SQLite's own locks). A server database needs none: its writers wait for
row locks, not for the whole database.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crmdesk.db.engine import sqlite_path, to_url

POLL_SECONDS = 0.5


def _note_file(db: str) -> Path | None:
    path = sqlite_path(to_url(db))
    if path is None:
        return None
    from crmdesk.paths import data_dir

    digest = hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]
    return data_dir() / "writers" / f"{digest}.json"


@contextmanager
def writing(db: str, what: str) -> Iterator[None]:
    """Announce a long write of ``what`` (a file name) to ``db`` while the block runs."""
    note = _note_file(db)
    if note is None:
        yield
        return
    note.parent.mkdir(parents=True, exist_ok=True)
    tmp = note.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"what": what, "pid": os.getpid(), "since": time.time()}), encoding="utf-8")
    os.replace(tmp, note)
    try:
        yield
    finally:
        try:
            if json.loads(note.read_text(encoding="utf-8")).get("pid") == os.getpid():
                note.unlink()
        except (OSError, ValueError):
            pass


def holder(db: str) -> dict | None:
    """The long writer of ``db`` other than this process ({"what", "pid", "since"}), or None."""
    note = _note_file(db)
    if note is None or not note.exists():
        return None
    try:
        info = json.loads(note.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = int(info.get("pid") or 0)
    if pid == os.getpid() or not _alive(pid):
        return None
    return info


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours (or a platform without signals): assume alive
        return True
    return True


def wait_until_free(db: str, on_wait: Callable[[str, float], None], cancelled: Callable[[], bool] = lambda: False,
                    poll: float = POLL_SECONDS) -> bool:
    """Wait while another process writes ``db`` at length; ``on_wait(what, seconds)`` is told each
    poll. True when free (at once if nobody writes), False when ``cancelled()`` said stop."""
    started = time.monotonic()
    while True:
        info = holder(db)
        if info is None:
            return True
        if cancelled():
            return False
        on_wait(str(info.get("what", "")), time.monotonic() - started)
        time.sleep(poll)
