"""Backups that keep a customer's files with the data: the database copy plus, beside it, a copy
of the managed attachment folder (``<backup>.attachments``), listed in the backups folder's
catalog (``crmdesk.db.backup_catalog``).

The db layer copies the database; attachments are a service concern, so the pairing lives here
and the CLI, the GUI, imports and the daily start all call it.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from crmdesk.core.progress import Progress, ensure
from crmdesk.db import Database
from crmdesk.db import backup_catalog as catalog
from crmdesk.db.backup import (BackupNotSupportedError, backup_to, backups_dir, can_back_up, check_backup,
                               restore_from, timestamped_backup)
from crmdesk.db.backup_catalog import BackupEntry
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import attachments_root_for_url, copy_attachment_folder, list_attachment_files
from crmdesk.services.backup_attachments import finish_interrupted_swap, swap_in_attachments
from crmdesk.services.permissions import require

log = logging.getLogger(__name__)
SUFFIX = catalog.ATTACHMENTS


@dataclass(frozen=True)
class BackupResult:
    path: Path
    attachments: int  # files copied beside it


def attachments_beside(backup: Path) -> Path:
    return backup.with_name(backup.name + SUFFIX)


def _copy_attachments(db: Database, backup: Path) -> int:
    """Into ``<backup>.attachments.part`` first, renamed when complete."""
    target = attachments_beside(backup)
    part = target.with_name(target.name + catalog.PART)
    for old in (target, part):
        if old.exists():
            shutil.rmtree(old)
    if not list_attachment_files(db.url):
        return 0
    copied = copy_attachment_folder(db.url, part)
    part.replace(target)
    return copied


def _audit(db: Database, actor: Actor, action: str, path: Path) -> None:
    """Backups and restores are sensitive: who and when go to the audit log (its own transaction;
    after a restore, into the restored data so the record stays)."""
    from crmdesk.db.models import User

    with db.sessions.begin() as session:
        if actor.user_id is not None and session.get(User, actor.user_id) is None:
            actor = replace(actor, user_id=None)  # a restored backup older than this account
        audit.record(session, actor, "database", 0, action, "file", f"{actor.username}", str(path))


def _step(progress: Progress, start: float, end: float, message: str):
    def report(fraction: float | None, _message: str) -> None:
        progress.update(start + (end - start) * (fraction or 0.0), message)
    return report


def back_up(db: Database, dest: Path | None = None, reason: str = "manual", keep: int | None = None,
            actor: Actor | None = None, progress: Progress | None = None) -> BackupResult:
    """Copy the database (to ``dest``, or into the backups folder's catalog, then rotate it) and its
    attachments. With ``actor`` (a person or the scheduler asking for it) the right is checked and
    it is audited; the automatic copies before an import, a sync, an upgrade or a restore pass none."""
    if actor is not None:
        require(actor, "database.backup")
    progress = ensure(progress)
    message = _("Backing up…")
    progress.update(0.0, message, force=True)
    copy = _step(progress, 0.0, 0.9, message)
    if dest:
        path = backup_to(db, Path(dest), copy)
        copied = _copy_attachments(db, path)
    else:
        path = timestamped_backup(db, reason, keep=keep, progress=copy)
        copied = _copy_attachments(db, path)
        entry = catalog.read_entry(path)
        if entry is not None and copied:
            catalog.write_sidecar(replace(entry, attachments=copied))
    if actor is not None:
        _audit(db, actor, "backup", path)
    progress.update(1.0, message, force=True)
    return BackupResult(path, copied)


def list_backups(db: Database) -> list[BackupEntry]:
    """This database's backups in its backups folder, newest first ([] when it has none)."""
    try:
        folder = backups_dir(db)
    except BackupNotSupportedError:
        return []
    return catalog.list_backups(folder, catalog.backup_stem(db))


def keep_count(db: Database) -> int:
    try:
        return catalog.keep_setting(backups_dir(db))
    except BackupNotSupportedError:
        return catalog.DEFAULT_KEEP


def set_keep_count(db: Database, actor: Actor, keep: int) -> None:
    """How many recent backups rotation keeps (besides one per month for a year)."""
    require(actor, "database.backup")
    folder = backups_dir(db)
    catalog.set_keep_setting(folder, keep)
    catalog.rotate(folder, catalog.backup_stem(db))


def known_revision(revision: str) -> bool:
    """Whether this crmdesk's migrations know ``revision`` (a newer app's are unknown)."""
    from crmdesk.db.integrity import revision_known

    return revision_known(revision)


def verify(source: Path) -> str:
    """Check a backup before restoring it (raises ``BackupCheckError``); returns its revision."""
    return check_backup(Path(source), known_revision)


def _bring_to_head(db: Database) -> None:
    """A backup made by an older crmdesk is upgraded after the restore, like any old database."""
    from crmdesk.db.migrate import SCHEMA_HEAD, current_revision, upgrade

    if current_revision(db) != SCHEMA_HEAD:
        upgrade(db)


def restore(db: Database, source: Path, actor: Actor | None = None,
            progress: Progress | None = None) -> BackupResult:
    """Replace the database's content (and, when the backup has them, its attachments) with the
    backup's, after checking the backup and keeping the current state as a backup. Returns that
    safety backup. With ``actor`` the right (owner only) is checked and the restore audited."""
    if actor is not None:
        require(actor, "database.restore")
    progress = ensure(progress)
    source = Path(source)
    progress.update(0.0, _("Checking the backup…"), force=True)
    verify(source)
    safety = back_up(db, reason="pre-restore", progress=Progress(_step(progress, 0.05, 0.45, _("Backing up…"))))
    progress.update(0.45, _("Restoring…"), force=True)
    restore_from(db, source, _step(progress, 0.45, 0.85, _("Restoring…")))
    _bring_to_head(db)
    saved = attachments_beside(source)
    if saved.is_dir():
        progress.update(0.9, _("Restoring attachments…"), force=True)
        swap_in_attachments(saved, attachments_root_for_url(db.url))
    if actor is not None:
        _audit(db, actor, "restore", source)
    progress.update(1.0, _("Restored"), force=True)
    return safety


def newest_good_backup(db: Database) -> BackupEntry | None:
    """The newest backup that passes the restore check (a damaged database's way back)."""
    from crmdesk.db.backup import BackupCheckError

    for entry in list_backups(db):
        try:
            verify(entry.path)
        except BackupCheckError as exc:
            log.warning("backup %s cannot be restored: %s", entry.path, exc)
            continue
        return entry
    return None


def _quietly(db: Database, reason: str) -> Path | None:
    if not can_back_up(db):
        return None
    try:
        return back_up(db, reason=reason).path
    except BackupNotSupportedError:
        return None


def before_import(db: Database) -> Path | None:
    """The hook an import calls before it writes: a backup in the catalog (none for an in-memory
    database, or a server database while it cannot be copied).

    On a server database a backup is a full copy over the network into a SQLite file (minutes for
    a large shop), and several PCs import every day: there the import makes sure today's backup
    exists instead of copying before every file."""
    if db.file_path is None and can_back_up(db):
        return daily_backup_if_due(db)
    return _quietly(db, "pre-import")


def daily_backup_if_due(db: Database, today: dt.date | None = None) -> Path | None:
    """The first start of a day backs up, unless a backup was made that day already."""
    today = today or dt.date.today()
    if not can_back_up(db) or any(e.created.date() == today for e in list_backups(db)):
        return None
    return _quietly(db, "daily")


def recover_interrupted_restore(db: Database) -> bool:
    """At start: finish an attachments swap a crash interrupted (see ``backup_attachments``)."""
    return finish_interrupted_swap(attachments_root_for_url(db.url))
