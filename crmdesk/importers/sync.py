"""Periodic sync: import new or changed export files from an inbox folder (Qt-free).

Settings live in the ``settings`` table so the GUI timer and ``crmdesk sync`` (Windows Task
Scheduler) share them. A file counts as imported when a finished batch has the same path, size
and mtime (checked without reading it) or the same sha256 (checked by ``import_file``). With
``sync.move_done`` on, imported files move to the done folder instead. Nobody watches a sync,
so nothing is guessed: a file whose columns are mapped only by a guess, or that does not look
like the kind detected, is held (status ``held`` in the history, with the reason; nothing
written) until it changes or is imported by hand. Files in a sub-folder of the inbox named after a
branch code come from that branch; the inbox's own files from ``sync.branch`` (else the profile's).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.core.progress import Progress, ensure
from crmdesk.db.backup import BackupNotSupportedError
from crmdesk.services.backups import back_up
from crmdesk.db.engine import Database
from crmdesk.db.models import ImportBatch
from crmdesk.i18n import _
from crmdesk.importers.detect import resolve_layout
from crmdesk.importers.fields import KINDS
from crmdesk.importers.reading import EXCEL_SUFFIXES, TEXT_SUFFIXES, ReadError
from crmdesk.importers.rules_after import run_import_rules
from crmdesk.importers.run import DONE, HELD, SKIPPED, ImportResult, import_file
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require
from crmdesk.services.settings_store import read_setting, write_setting

log = logging.getLogger(__name__)

INBOX, INTERVAL, DONE_FOLDER, MOVE_DONE, BACKUP_KEEP, PROFILE = (
    "sync.inbox", "sync.interval_minutes", "sync.done_folder", "sync.move_done", "sync.backup_keep", "sync.profile")
DEFAULTS = {INBOX: "", INTERVAL: "60", DONE_FOLDER: "", MOVE_DONE: "0", BACKUP_KEEP: "10", PROFILE: ""}
# The branch the inbox's own files come from (a code; "" = the profile's, else none). Files in a
# sub-folder of the inbox named after a branch code come from that branch (``branch_folders``).
# Set in Settings → Branches, not part of ``SyncSettings`` (whose editor saves every field of it).
BRANCH = "sync.branch"
DEFAULTS[BRANCH] = ""


class SyncError(Exception):
    """Sync cannot start (no inbox set, inbox missing)."""


def get_setting(session: Session, key: str, default: str | None = None) -> str:
    return read_setting(session, key, default if default is not None else DEFAULTS.get(key, ""))


def set_setting(session: Session, actor: Actor, key: str, value: object) -> None:
    """Store a shop-wide setting (audited). Booleans are stored as 1/0."""
    require(actor, "settings.edit")
    write_setting(session, actor, key, value)


@dataclass
class SyncSettings:
    inbox: str = ""
    interval_minutes: int = 60
    done_folder: str = ""  # default: <inbox>/done
    move_done: bool = False
    backup_keep: int = 10
    profile: str = ""  # import profile for every file ("" = detect per file)

    def done_path(self) -> Path:
        return Path(self.done_folder) if self.done_folder else Path(self.inbox) / "done"


def load_sync_settings(session: Session) -> SyncSettings:
    def num(key: str, fallback: int) -> int:
        try:
            return int(get_setting(session, key))
        except ValueError:
            return fallback
    return SyncSettings(inbox=get_setting(session, INBOX), interval_minutes=num(INTERVAL, 60),
                        done_folder=get_setting(session, DONE_FOLDER),
                        move_done=get_setting(session, MOVE_DONE).strip().lower() in {"1", "true", "yes", "on"},
                        backup_keep=num(BACKUP_KEEP, 10), profile=get_setting(session, PROFILE))


def save_sync_settings(session: Session, actor: Actor, settings: SyncSettings) -> None:
    for key, value in ((INBOX, settings.inbox), (INTERVAL, settings.interval_minutes),
                       (DONE_FOLDER, settings.done_folder), (MOVE_DONE, settings.move_done),
                       (BACKUP_KEEP, settings.backup_keep), (PROFILE, settings.profile)):
        set_setting(session, actor, key, value)


@dataclass
class SyncResult:
    folder: Path
    files: list[ImportResult] = field(default_factory=list)
    already_imported: int = 0  # files skipped by path+size+mtime without reading
    backup: Path | None = None
    moved: list[Path] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # what the "import" process rules did after the sync

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.files)

    @property
    def held(self) -> list[ImportResult]:
        return [r for r in self.files if r.status == HELD]


def pending_files(session: Session, folder: Path) -> tuple[list[Path], int]:
    """Export files in ``folder`` not yet imported as they are now; (files, already imported).
    A held file counts as seen: it is not held again at every sync, only when it changes."""
    known = {(p, size, mtime) for p, size, mtime in session.execute(
        select(ImportBatch.file_path, ImportBatch.file_size, ImportBatch.file_mtime).where(
            ImportBatch.status.in_([DONE, SKIPPED, HELD])))}
    files, seen = [], 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES | EXCEL_SUFFIXES:
            continue
        st = path.stat()
        if (str(path.resolve()), st.st_size, st.st_mtime) in known:
            seen += 1
            continue
        files.append(path)
    return files, seen


def branch_folders(session: Session, inbox: Path) -> dict[Path, str]:
    """Sub-folders of the inbox named after a branch code (case-insensitive) → that code."""
    from crmdesk.services.branches import list_branches

    codes = {b.code.lower(): b.code for b in list_branches(session)}
    if not codes:
        return {}
    return {p: codes[p.name.lower()] for p in sorted(inbox.iterdir()) if p.is_dir() and p.name.lower() in codes}


def _kind_order(path: Path, profile: str | None) -> tuple[int, float, str]:
    """Customers and products before documents, so sales find them instead of making stubs."""
    try:
        kind = resolve_layout(path, profile=profile or None).kind
    except (ReadError, ValueError):
        kind = "sales"
    return KINDS.index(kind), path.stat().st_mtime, path.name


def run_sync(db: Database, actor: Actor, folder: str | Path | None = None,
             progress: Progress | None = None) -> SyncResult:
    """Import every new or changed file of the inbox (or ``folder``), after a backup.
    Cancelling rolls back the file being imported and stops; earlier files stay imported."""
    require(actor, "import.run")
    progress = ensure(progress)
    with db.sessions() as s:
        settings = load_sync_settings(s)
        inbox = Path(folder) if folder else (Path(settings.inbox) if settings.inbox else None)
        if inbox is None:
            raise SyncError(_("no inbox folder set (setting {key}); give --folder").format(key=INBOX))
        if not inbox.is_dir():
            raise SyncError(_("inbox folder {folder} does not exist").format(folder=inbox))
        files, seen = pending_files(s, inbox)
        branch_of = dict.fromkeys(files, get_setting(s, BRANCH).strip())
        for sub_folder, code in branch_folders(s, inbox).items():
            more, more_seen = pending_files(s, sub_folder)
            files, seen = files + more, seen + more_seen
            branch_of.update(dict.fromkeys(more, code))
    result = SyncResult(folder=inbox, already_imported=seen)
    if not files:
        return result
    files.sort(key=lambda p: _kind_order(p, settings.profile))
    try:
        result.backup = back_up(db, reason="pre-sync", keep=max(1, settings.backup_keep)).path
    except BackupNotSupportedError:
        log.info("no file backup before sync: %s is not a SQLite file", db.describe())
    for i, path in enumerate(files):
        progress.update(i / len(files), _("importing {file}").format(file=path.name), force=True)
        sub = Progress(lambda f, m, i=i: progress.update((i + (f or 0)) / len(files), m))
        progress_link(progress, sub)
        # Unattended: a column mapped by a guess holds the file (nobody is there to check it).
        res = import_file(db, actor, path, profile=settings.profile or None, progress=sub, hold_unsure=True,
                          run_rules=False, backup=False, branch=branch_of.get(path) or None)
        result.files.append(res)
        if settings.move_done and res.status in (DONE, SKIPPED):
            result.moved.append(_move(path, settings.done_path()))
    if any(r.status == DONE for r in result.files):  # once after all files, not after each
        result.rules = run_import_rules(db, actor)
    progress.update(1.0, _("sync finished"), force=True)
    return result


def progress_link(parent: Progress, child: Progress) -> None:
    """Cancelling ``parent`` cancels ``child`` at its next check."""
    original = child.check

    def check() -> None:
        if parent.cancelled:
            child.cancel()
        original()
    child.check = check  # type: ignore[method-assign]


def _move(path: Path, done: Path) -> Path:
    done.mkdir(parents=True, exist_ok=True)
    target = done / path.name
    n = 1
    while target.exists():
        target = done / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target
