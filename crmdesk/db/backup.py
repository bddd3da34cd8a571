"""Consistent copies of the database file (SQLite online backup API)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from crmdesk.db.engine import Database


class BackupNotSupportedError(RuntimeError):
    pass


def _require_file(db: Database) -> Path:
    path = db.file_path
    if path is None:
        raise BackupNotSupportedError(
            f"backup works on a SQLite database file; back up {db.describe()} with the server's own tools"
        )
    return path


def backup_to(db: Database, dest: Path) -> Path:
    """Write a consistent copy of the database to ``dest`` while others may use it."""
    _require_file(db)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    raw = db.engine.raw_connection()
    try:
        target = sqlite3.connect(tmp)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    tmp.replace(dest)
    return dest


def backups_dir(db: Database) -> Path:
    return _require_file(db).parent / "backups"


def timestamped_backup(db: Database, reason: str, keep: int = 10) -> Path:
    """Back up into the ``backups`` folder beside the database, keeping the newest ``keep`` of this reason."""
    folder = backups_dir(db)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = backup_to(db, folder / f"{_require_file(db).stem}-{reason}-{stamp}.db")
    old = sorted(folder.glob(f"{_require_file(db).stem}-{reason}-*.db"))
    for stale in old[: max(0, len(old) - keep)]:
        stale.unlink(missing_ok=True)
    return path


def backup_before_upgrade(db: Database, from_revision: str) -> Path | None:
    if db.file_path is None:
        return None
    return timestamped_backup(db, f"pre-upgrade-{from_revision}", keep=5)


def restore_from(db: Database, source: Path) -> None:
    """Replace the database's content with a backup file's, in place."""
    target = _require_file(db)
    source = Path(source)
    with sqlite3.connect(source) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError(f"{source} is not an intact crmdesk backup")
    db.dispose()
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        # SQLite refuses to copy pages of another size into a database in WAL mode (a backup
        # from before the 16 KiB pages, say): the copy goes in with a rollback journal.
        dst.execute("PRAGMA journal_mode=DELETE")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        src.close()
        dst.close()
    for suffix in ("-shm",):
        side = target.with_name(target.name + suffix)
        if side.exists() and not target.exists():
            shutil.rmtree(side, ignore_errors=True)
