"""Backing up the database from the GUI (File menu and Settings): the copy runs
off the GUI thread; the result is announced on the status bar."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from crmdesk.db.backup import BackupNotSupportedError, backups_dir
from crmdesk.services.backups import back_up
from crmdesk.i18n import _
from crmdesk.ui.background import Job, run_in_background
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)


# Through the backup service, so the customers' attachment files go along with the data.
def _copy_to(db, actor, dest: Path, progress) -> Path:
    progress.update(None, _("Backing up…"))
    return back_up(db, dest, actor=actor, progress=progress).path


def _copy_timestamped(db, actor, progress) -> Path:
    progress.update(None, _("Backing up…"))
    return back_up(db, reason="manual", actor=actor, progress=progress).path


def default_backup_name(ctx: AppContext) -> Path:
    folder = backups_dir(ctx.db)
    stem = ctx.db.file_path.stem if ctx.db.file_path else "crmdesk"
    return folder / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M}.db"


def back_up_with_dialog(parent: QWidget, ctx: AppContext) -> Job | None:
    """Ask where to save a copy, then write it in the background."""
    try:
        suggested = default_backup_name(ctx)
    except BackupNotSupportedError as exc:
        QMessageBox.information(parent, _("Back up database"), str(exc))
        return None
    name, _filter = file_dialogs.get_save_file_name(parent, _("Back up database"), str(suggested),
                                                _("Database files (*.db);;All files (*)"))
    if not name:
        return None
    return _start(parent, ctx, _copy_to, ctx.db, ctx.actor, Path(name))


def back_up_now(parent: QWidget, ctx: AppContext) -> Job | None:
    """A timestamped copy in the "backups" folder beside the database, no questions asked."""
    if ctx.db.file_path is None:
        QMessageBox.information(parent, _("Back up database"),
                                _("This database is on a server; back it up with the server's own tools."))
        return None
    return _start(parent, ctx, _copy_timestamped, ctx.db, ctx.actor)


def _start(parent: QWidget, ctx: AppContext, fn, *args) -> Job:
    ctx.bus.status_message.emit(_("Backing up…"))

    def done(path: Path) -> None:
        ctx.bus.status_message.emit(_("Backed up to {path}").format(path=path))

    def failed(exc: Exception, _details: str) -> None:
        ctx.bus.status_message.emit(_("Backup failed"))
        QMessageBox.warning(parent, _("Back up database"), _("The backup failed: {error}").format(error=exc))

    return run_in_background(fn, *args, on_success=done, on_error=failed)
