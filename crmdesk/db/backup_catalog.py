"""The backups folder's catalog and rotation, kept beside the files (never only inside the live
database): each ``<stem>-<reason>-<stamp>.db`` has a JSON sidecar ``….db.json`` (date, size,
reason, schema revision); its attachments, when copied, are in ``….db.attachments``; the
folder's keep-N setting is in ``backups.json``.

Rotation keeps the newest N plus the newest of each month for a year; it removes what a killed
backup left (``*.part``) and attachment copies whose database copy is gone.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_KEEP = 10
MONTHS_KEPT = 12
SIDECAR = ".json"
ATTACHMENTS = ".attachments"
PART = ".part"
POLICY_FILE = "backups.json"
# A *.part file this old has no living writer: a backup writes its copy in steps, each of which
# touches the file, so a running one is never idle this long.
STALE_PART_SECONDS = 30 * 60
_STAMP = re.compile(r"-(\d{8}-\d{6}-\d{6})\.db$")


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    created: dt.datetime
    reason: str
    revision: str | None
    size: int  # bytes of the database copy
    database: str  # the stem of the database file it copies
    attachments: int = 0  # files copied beside it

    @property
    def attachments_path(self) -> Path:
        return self.path.with_name(self.path.name + ATTACHMENTS)


def backup_stem(db) -> str:
    path = db.file_path
    if path is not None:
        return path.stem
    from sqlalchemy.engine import make_url

    return make_url(db.url).database or "crmdesk"


def stamp_name(stem: str, reason: str, when: dt.datetime) -> str:
    return f"{stem}-{reason}-{when:%Y%m%d-%H%M%S-%f}.db"


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


def write_sidecar(entry: BackupEntry) -> None:
    data = {"created": entry.created.isoformat(timespec="seconds"), "reason": entry.reason,
            "revision": entry.revision, "size": entry.size, "database": entry.database,
            "attachments": entry.attachments}
    target = sidecar_of(entry.path)
    part = target.with_name(target.name + PART)
    part.write_text(json.dumps(data, indent=1), encoding="utf-8")
    part.replace(target)


def _from_name(path: Path) -> tuple[str, str, dt.datetime] | None:
    """(stem, reason, created) from a file name made by ``stamp_name``, when it is one."""
    match = _STAMP.search(path.name)
    if not match:
        return None
    created = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f")
    head = path.name[: match.start()]
    for reason in ("pre-upgrade", "pre-restore", "pre-import", "pre-sync", "manual", "daily", "undo"):
        marker = f"-{reason}"
        at = head.find(marker)
        if at > 0:
            return head[:at], head[at + 1:], created
    stem, _sep, reason = head.rpartition("-")
    return stem, reason, created


def read_entry(path: Path) -> BackupEntry | None:
    """The catalog entry of one backup file: its sidecar, else what its name says."""
    side = sidecar_of(path)
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        return BackupEntry(path=path, created=dt.datetime.fromisoformat(data["created"]),
                           reason=str(data["reason"]), revision=data.get("revision"),
                           size=int(data.get("size") or path.stat().st_size), database=str(data["database"]),
                           attachments=int(data.get("attachments") or 0))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    named = _from_name(path)
    if named is None:
        return None
    stem, reason, created = named
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return BackupEntry(path=path, created=created, reason=reason, revision=None, size=size, database=stem)


def list_backups(folder: Path, stem: str | None = None) -> list[BackupEntry]:
    """Complete backups in ``folder`` (of database ``stem``), newest first."""
    if not folder.is_dir():
        return []
    entries = []
    for path in folder.glob("*.db"):
        entry = read_entry(path)
        if entry is not None and (stem is None or entry.database == stem):
            entries.append(entry)
    return sorted(entries, key=lambda e: (e.created, e.path.name), reverse=True)


def keep_setting(folder: Path) -> int:
    try:
        value = int(json.loads((folder / POLICY_FILE).read_text(encoding="utf-8"))["keep"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_KEEP
    return max(1, value)


def set_keep_setting(folder: Path, keep: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / POLICY_FILE).write_text(json.dumps({"keep": max(1, int(keep))}), encoding="utf-8")


def to_keep(entries: list[BackupEntry], keep: int, today: dt.date) -> set[Path]:
    """The newest ``keep`` plus the newest of each of the last twelve months."""
    ordered = sorted(entries, key=lambda e: (e.created, e.path.name), reverse=True)
    kept = {e.path for e in ordered[:keep]}
    first_month = (today.year * 12 + today.month - 1) - (MONTHS_KEPT - 1)
    months: set[tuple[int, int]] = set()
    for entry in ordered:
        month = (entry.created.year, entry.created.month)
        if entry.created.year * 12 + entry.created.month - 1 >= first_month and month not in months:
            months.add(month)
            kept.add(entry.path)
    return kept


def remove_backup(path: Path) -> None:
    path.unlink(missing_ok=True)
    sidecar_of(path).unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ATTACHMENTS), ignore_errors=True)


def _stale(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > STALE_PART_SECONDS
    except OSError:
        return False


def sweep(folder: Path) -> list[Path]:
    """Remove what killed backups left: stale ``*.part`` files and folders, attachment copies
    and sidecars whose database copy is gone. Returns what was removed."""
    removed: list[Path] = []
    now = time.time()
    for path in folder.glob(f"*{PART}"):
        if _stale(path, now):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    for suffix in (ATTACHMENTS, SIDECAR):
        for path in folder.glob(f"*.db{suffix}"):
            if not path.with_name(path.name[: -len(suffix)]).exists() and path.name != POLICY_FILE:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def rotate(folder: Path, stem: str, keep: int | None = None, today: dt.date | None = None) -> list[Path]:
    """Apply the keep policy to ``stem``'s backups in ``folder`` and sweep; returns removed paths."""
    if not folder.is_dir():
        return []
    keep = keep_setting(folder) if keep is None else max(1, keep)
    entries = list_backups(folder, stem)
    kept = to_keep(entries, keep, today or dt.date.today())
    removed = []
    for entry in entries:
        if entry.path not in kept:
            remove_backup(entry.path)
            removed.append(entry.path)
    removed += sweep(folder)
    if removed:
        log.info("backup rotation in %s removed %d files", folder, len(removed))
    return removed
