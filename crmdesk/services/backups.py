"""Backups that keep a customer's files with the data: the database copy plus,
beside it, a copy of the managed attachment folder (``<backup>.attachments``).

The db layer copies the database; attachments are a service concern, so the
pairing lives here and the CLI and the GUI both call it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from crmdesk.db import Database
from crmdesk.db.backup import backup_to, backups_dir, restore_from, timestamped_backup
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import attachments_root_for_url, copy_attachment_folder, list_attachment_files
from crmdesk.services.permissions import require

SUFFIX = ".attachments"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    attachments: int  # files copied beside it


def attachments_beside(backup: Path) -> Path:
    return backup.with_name(backup.name + SUFFIX)


def _copy_attachments(db: Database, backup: Path) -> int:
    target = attachments_beside(backup)
    if target.exists():
        shutil.rmtree(target)
    if not list_attachment_files(db.url):
        return 0
    return copy_attachment_folder(db.url, target)


def _drop_orphan_attachment_copies(folder: Path) -> None:
    """Rotation deletes old database copies; their attachment folders go with them."""
    for side in folder.glob(f"*{SUFFIX}"):
        if side.is_dir() and not side.with_name(side.name[: -len(SUFFIX)]).exists():
            shutil.rmtree(side, ignore_errors=True)


def _audit(db: Database, actor: Actor, action: str, path: Path) -> None:
    """Backups and restores are sensitive: who and when go to the audit log (its own transaction;
    after a restore, into the restored data so the record stays)."""
    from dataclasses import replace

    from crmdesk.db.models import User

    with db.sessions.begin() as session:
        if actor.user_id is not None and session.get(User, actor.user_id) is None:
            actor = replace(actor, user_id=None)  # a restored backup older than this account
        audit.record(session, actor, "database", 0, action, "file", f"{actor.username}", str(path))


def back_up(db: Database, dest: Path | None = None, reason: str = "manual", keep: int = 10,
            actor: Actor | None = None) -> BackupResult:
    """Copy the database (to ``dest``, or the backups folder keeping ``keep``) and its attachments.
    With ``actor`` (a person or the scheduler asking for it) the right is checked and it is audited;
    the automatic copies before a sync, an upgrade or a restore pass none."""
    if actor is not None:
        require(actor, "database.backup")
    path = backup_to(db, Path(dest)) if dest else timestamped_backup(db, reason, keep=keep)
    copied = _copy_attachments(db, path)
    if dest is None:
        _drop_orphan_attachment_copies(backups_dir(db))
    if actor is not None:
        _audit(db, actor, "backup", path)
    return BackupResult(path, copied)


def restore(db: Database, source: Path, actor: Actor | None = None) -> BackupResult:
    """Replace the database's content (and, when the backup has them, its attachments) with the
    backup's. A safety backup of the current state is made first; returns it. With ``actor`` the
    right (owner only) is checked and the restore audited."""
    if actor is not None:
        require(actor, "database.restore")
    safety = back_up(db, reason="pre-restore", keep=5)
    restore_from(db, Path(source))
    saved = attachments_beside(Path(source))
    if saved.is_dir():
        root = attachments_root_for_url(db.url)
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(saved, root)
    if actor is not None:
        _audit(db, actor, "restore", Path(source))
    return safety
