"""Consistent copies of the database: SQLite's online backup API for a database file, and for a
server database a copy into a SQLite file (``crmdesk.db.portable``), so one backup list and one
restore path serve both engines.

Only SQLite opens the live database file here (its POSIX locks are per process and would be
dropped by any other descriptor of the file); backup files are ours to read.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from crmdesk.db.backup_catalog import (BackupEntry, backup_stem, rotate, stamp_name, write_sidecar)
from crmdesk.db.engine import Database
from crmdesk.i18n import _

log = logging.getLogger(__name__)

# Pages copied per step: small enough that writers of the live file get their turn (and the
# progress bar moves), large enough that a 400 MB file is not a million steps.
PAGES_PER_STEP = 4096

ProgressFn = Callable[[float | None, str], None]


class BackupNotSupportedError(RuntimeError):
    pass


class BackupCheckError(ValueError):
    """A file that must not be restored: damaged, not a crmdesk backup, or from a newer crmdesk."""


def _portable():
    """``crmdesk.db.portable`` (copies between engines), or None while it does not exist."""
    try:
        from crmdesk.db import portable
    except ImportError:
        return None
    return portable


def _require_file(db: Database) -> Path:
    path = db.file_path
    if path is None:
        raise BackupNotSupportedError(_("backup works on a SQLite database file; back up {database} with the "
                                        "server's own tools").format(database=db.describe()))
    return path


def can_back_up(db: Database) -> bool:
    return db.file_path is not None or (_is_server(db) and _portable() is not None)


def _is_server(db: Database) -> bool:
    return not db.url.startswith("sqlite")


def _sqlite_copy(db: Database, part: Path, progress: ProgressFn | None) -> None:
    raw = db.engine.raw_connection()
    try:
        target = sqlite3.connect(part)
        try:
            def step(_status: int, remaining: int, total: int) -> None:
                if progress and total:
                    progress((total - remaining) / total, "")
            raw.driver_connection.backup(target, pages=PAGES_PER_STEP, progress=step)
        finally:
            target.close()
    finally:
        raw.close()


def backup_to(db: Database, dest: Path, progress: ProgressFn | None = None) -> Path:
    """Write a consistent copy of the database to ``dest`` while others may use it: into
    ``dest.part`` first, renamed when complete, so a killed backup never looks like one."""
    dest = Path(dest)
    live = db.file_path
    if live is not None and dest.resolve() in {Path(f"{live.resolve()}{s}") for s in ("", "-wal", "-shm", "-journal")}:
        raise BackupNotSupportedError(_("{file} is the open database itself: choose another file for the backup")
                                      .format(file=dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    if db.file_path is not None:
        _sqlite_copy(db, part, progress)
    else:
        portable = _portable() if _is_server(db) else None
        if portable is None:
            _require_file(db)
        portable.copy_database(db.url, f"sqlite:///{part}", progress=progress)
    part.replace(dest)
    return dest


def backups_dir(db: Database) -> Path:
    """The ``backups`` folder beside the database file; for a server database (copied into
    SQLite files) one in this PC's data folder."""
    if db.file_path is None and _is_server(db) and _portable() is not None:
        from crmdesk import paths

        return paths.data_dir() / "backups"
    return _require_file(db).parent / "backups"


def stored_revision(path: Path) -> str | None:
    """The schema revision recorded in a SQLite file (a backup), None when it has none."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()
    return rows[0][0] if len(rows) == 1 else None


def timestamped_backup(db: Database, reason: str, keep: int | None = None,
                       progress: ProgressFn | None = None, attachments: int = 0) -> Path:
    """Back up into the backups folder (``<stem>-<reason>-<stamp>.db``, a JSON sidecar beside it
    for the catalog), then rotate the folder (``keep`` newest, or the folder's setting)."""
    folder = backups_dir(db)
    stem = backup_stem(db)
    now = dt.datetime.now()
    path = backup_to(db, folder / stamp_name(stem, reason, now), progress)
    write_sidecar(BackupEntry(path=path, created=now, reason=reason, revision=stored_revision(path),
                              size=path.stat().st_size, database=stem))
    rotate(folder, stem, keep=keep, today=now.date())
    return path


def backup_before_upgrade(db: Database, from_revision: str) -> Path | None:
    """The copy made before a migration; it goes into the same catalog and rotation."""
    if not can_back_up(db):
        return None
    if db.file_path is None:
        # A server database had no copy before an upgrade until portable copies existed: a copy
        # that fails says so in the log and does not keep the shop from opening.
        try:
            return timestamped_backup(db, f"pre-upgrade-{from_revision}")
        except Exception:  # noqa: BLE001 - logged with its traceback
            log.exception("no backup of %s before its upgrade from %s", db.describe(), from_revision)
            return None
    return timestamped_backup(db, f"pre-upgrade-{from_revision}")


def check_backup(source: Path, known_revision: Callable[[str], bool] | None = None) -> str | None:
    """Refuse (``BackupCheckError``) a file that is not an intact crmdesk backup or was written by
    a newer crmdesk; returns its schema revision. ``known_revision`` says whether this app knows
    a revision (the migrations do)."""
    source = Path(source)
    try:
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupCheckError(_("{file} is not a crmdesk backup ({error})").format(file=source, error=exc)) from exc
    if verdict != "ok":
        raise BackupCheckError(_("{file} is not an intact crmdesk backup: {verdict}").format(file=source, verdict=verdict))
    revision = stored_revision(source)
    if revision is None:
        raise BackupCheckError(_("{file} is not a crmdesk backup (no schema revision in it)").format(file=source))
    if known_revision is not None and not known_revision(revision):
        raise BackupCheckError(_("{file} was written by a newer crmdesk (schema {revision}); update crmdesk to "
                                 "restore it").format(file=source, revision=revision))
    return revision


def restore_from(db: Database, source: Path, progress: ProgressFn | None = None) -> None:
    """Replace the database's content with a backup file's, in place. The caller checks the
    file first (``check_backup``)."""
    source = Path(source)
    if db.file_path is None:
        portable = _portable() if _is_server(db) else None
        if portable is None:
            _require_file(db)
        portable.copy_database(f"sqlite:///{source}", db.url, progress=progress, replace=True)
        return
    target = db.file_path
    db.dispose()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        # SQLite refuses to copy pages of another size into a database in WAL mode (a backup
        # from before the 16 KiB pages, say): the copy goes in with a rollback journal.
        dst.execute("PRAGMA journal_mode=DELETE")

        def step(_status: int, remaining: int, total: int) -> None:
            if progress and total:
                progress((total - remaining) / total, "")
        src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()
    db.dispose()  # connections opened meanwhile (another thread) must not keep old pages
