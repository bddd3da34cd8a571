"""Is the database intact? Checked when the app opens it.

A quick check (``PRAGMA quick_check``) at every open whose file changed since a crmdesk process
(the app, or a command such as the scheduled import) last closed it cleanly; a full
``integrity_check`` when the app's last session did not close cleanly. "Cleanly" is
told by a marker file in this PC's data folder (platformdirs), written when the app opens a
database and removed when it closes it — never beside the database, and never by opening the
database file itself (only SQLite may: see ``crmdesk.db.backup``). ``os.stat`` of the file is
fine: it opens no descriptor.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from crmdesk import paths
from crmdesk.db.engine import Database, connect, to_url

log = logging.getLogger(__name__)

QUICK, FULL, UNCHANGED = "quick", "full", "unchanged"


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    mode: str  # QUICK, FULL, or UNCHANGED (not read: same file as at the last clean close)
    detail: str  # "ok", or SQLite's first complaints
    seconds: float


def revision_known(revision: str) -> bool:
    """Whether this crmdesk's migrations know ``revision`` (a newer crmdesk's are unknown)."""
    from crmdesk.db.migrate import SCHEMA_HEAD, alembic_config

    if revision == SCHEMA_HEAD:
        return True
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises ResolutionError/CommandError for unknown ids
        return False


def _key(location: str | Path) -> str:
    return hashlib.sha256(to_url(location).encode("utf-8")).hexdigest()[:24]


def _markers() -> Path:
    folder = paths.data_dir() / "open-databases"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def marker_path(location: str | Path) -> Path:
    return _markers() / f"{_key(location)}.open"


def _clean_path(location: str | Path) -> Path:
    return _markers() / f"{_key(location)}.clean"


def _file_state(location: str | Path) -> dict | None:
    """Size and modification time of the database file and its -wal (stat only)."""
    from crmdesk.db.engine import sqlite_path

    path = sqlite_path(to_url(location))
    if path is None:
        return None
    state = {}
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{path}{suffix}")
        except OSError:
            continue
        state[suffix or "db"] = [st.st_size, st.st_mtime_ns]
    return state or None


def was_closed_uncleanly(location: str | Path) -> bool:
    return marker_path(location).exists()


def mark_open(location: str | Path) -> None:
    """Written when the app opens the database; its presence at the next start means a crash."""
    marker_path(location).write_text(json.dumps({"url": to_url(location), "pid": os.getpid(),
                                                 "opened": time.time()}), encoding="utf-8")


def mark_closed(location: str | Path) -> None:
    """After the app's last connection closed: remember the file as it is, drop the marker."""
    state = _file_state(location)
    clean = _clean_path(location)
    if state is not None:
        clean.write_text(json.dumps(state), encoding="utf-8")
    else:
        clean.unlink(missing_ok=True)
    marker_path(location).unlink(missing_ok=True)


def remember_clean_state(location: str | Path) -> None:
    """A crmdesk command that closed the database normally (``crmdesk import`` from the scheduler):
    the file as it left it is as trustworthy as after the app's own clean close. The app's marker
    is left alone — if the app is open and later crashes, its next start still checks in full."""
    state = _file_state(location)
    if state is not None:
        _clean_path(location).write_text(json.dumps(state), encoding="utf-8")


def check_needed(location: str | Path) -> str:
    """Which check a start needs: FULL after an unclean shutdown, UNCHANGED when the file is as a
    crmdesk process left it at a clean close, else QUICK."""
    if was_closed_uncleanly(location):
        return FULL
    return UNCHANGED if unchanged_since_clean_close(location) else QUICK


def unchanged_since_clean_close(location: str | Path) -> bool:
    try:
        remembered = json.loads(_clean_path(location).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return remembered == _file_state(location)


def run_check(db: Database, full: bool = False, max_errors: int = 10) -> IntegrityReport:
    """``PRAGMA quick_check`` (or ``integrity_check``) on an open SQLite database; a server
    database keeps its own integrity and reports ok."""
    started = time.perf_counter()
    if db.file_path is None:
        return IntegrityReport(True, FULL if full else QUICK, "ok", 0.0)
    pragma = "integrity_check" if full else "quick_check"
    try:
        with db.engine.connect() as conn:
            rows = [r[0] for r in conn.exec_driver_sql(f"PRAGMA {pragma}({int(max_errors)})")]
    except Exception as exc:  # noqa: BLE001 - "file is not a database" and friends: damaged too
        reason = getattr(exc, "orig", None) or exc
        return IntegrityReport(False, FULL if full else QUICK, str(reason), time.perf_counter() - started)
    ok = rows == ["ok"]
    return IntegrityReport(ok, FULL if full else QUICK, "ok" if ok else "\n".join(rows[:max_errors]),
                           time.perf_counter() - started)


def check_at_start(location: str | Path) -> IntegrityReport:
    """The check the app runs before it opens (and perhaps migrates) the database: full after an
    unclean shutdown, none when the file is exactly as the app left it, else the quick one."""
    return check_in_mode(location, check_needed(location))


def check_in_mode(location: str | Path, mode: str) -> IntegrityReport:
    """The check ``check_needed`` chose (decided before the app marks the file open)."""
    if mode == UNCHANGED:
        return IntegrityReport(True, UNCHANGED, "ok", 0.0)
    full = mode == FULL
    db = connect(location)
    try:
        return run_check(db, full=full)
    finally:
        db.dispose()


def stored_revision(db: Database) -> str | None:
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # noqa: BLE001 - no version table: a new database
        return None
    return rows[0][0] if len(rows) == 1 else None
