"""Settings → Backups: the backups of this database (date, size, why made, schema revision),
"Back up now", "Restore…" (owner only), "Open folder" and how many recent backups to keep.

The copying runs off the GUI thread (``crmdesk.ui.background``) with a progress dialog; the
work itself is ``crmdesk.services.backups``."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMessageBox, QProgressDialog, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from crmdesk.db.backup import BackupNotSupportedError, backups_dir, can_back_up
from crmdesk.db.backup_catalog import BackupEntry
from crmdesk.i18n import N_, _
from crmdesk.services import backups as service
from crmdesk.services.permissions import can
from crmdesk.ui.background import Job, run_in_background
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, selected_rows, table_view

log = logging.getLogger(__name__)

REASONS = {"manual": N_("made by hand"), "daily": N_("first start of the day"), "pre-import": N_("before an import"),
           "pre-sync": N_("before a sync"), "pre-restore": N_("before a restore"), "undo": N_("before an undo"),
           "pre-upgrade": N_("before an upgrade")}


def reason_text(reason: str) -> str:
    """"pre-upgrade-0011" reads "before an upgrade (from 0011)"."""
    for key, label in REASONS.items():
        if reason == key:
            return _(label)
        if reason.startswith(key + "-"):
            return _("{reason} (from {revision})").format(reason=_(label), revision=reason[len(key) + 1:])
    return reason


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{n:.1f} MB").format(n=size / (1024 * 1024))
    return _("{n} KB").format(n=max(1, round(size / 1024)))


COLUMNS = [
    Col(N_("Date"), lambda e: f"{e.created:%Y-%m-%d %H:%M}"),
    Col(N_("Size"), lambda e: size_text(e.size), right=True),
    Col(N_("Why made"), lambda e: reason_text(e.reason)),
    Col(N_("Schema"), lambda e: e.revision or "?"),
    Col(N_("Attachments"), lambda e: e.attachments, right=True),
    Col(N_("File"), lambda e: e.path.name),
]


def _reopen_message(entry: BackupEntry, safety: Path) -> str:
    return _("The backup of {date} has been restored. crmdesk now reopens the database: every page "
             "shows the restored data.\n\nThe state before the restore was kept as a backup:\n{safety}").format(
        date=f"{entry.created:%Y-%m-%d %H:%M}", safety=safety.name)


class BackupsSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.job: Job | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.model = RowsModel(COLUMNS, self)
        self.table = table_view(self.model, self)
        self.folder = QLabel(self)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder.setWordWrap(True)
        self.back_up_button = QPushButton(_("Back up now"), self)
        self.restore_button = QPushButton(_("Restore…"), self)
        self.open_button = QPushButton(_("Open folder"), self)
        self.keep = QSpinBox(self)
        self.keep.setRange(1, 365)
        self.keep.setSuffix(_(" backups"))
        self.keep.setToolTip(_("Besides these, the newest backup of each month is kept for a year."))
        supported = can_back_up(ctx.db)
        self.back_up_button.setEnabled(supported)
        self.open_button.setEnabled(supported)
        self.keep.setEnabled(supported)
        self.restore_button.setVisible(can(ctx.actor, "database.restore"))
        self.restore_button.setEnabled(supported)
        self.back_up_button.clicked.connect(self._on_back_up)
        self.restore_button.clicked.connect(self._on_restore)
        self.open_button.clicked.connect(self._on_open_folder)
        self.keep.editingFinished.connect(self._on_keep_changed)
        buttons = QHBoxLayout()
        for button in (self.back_up_button, self.restore_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel(_("Keep the newest:"), self))
        buttons.addWidget(self.keep)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.folder)
        layout.addLayout(buttons)
        self.policy = QLabel(_("Backups are made at the first start of each day, before every import, sync, "
                               "upgrade and restore. Besides the newest ones, the newest backup of each month "
                               "is kept for a year."), self)
        self.policy.setWordWrap(True)
        layout.addWidget(self.policy)
        layout.addWidget(self.table, 1)
        self.refresh()

    # -- state -------------------------------------------------------------------------------------
    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        try:
            self.folder.setText(_("Backups folder: {folder}").format(folder=backups_dir(self._ctx.db)))
        except BackupNotSupportedError:
            self.folder.setText(_("This database is on a server; back it up with the server's own tools."))
        self.model.set_rows(service.list_backups(self._ctx.db))
        fit_columns(self.table)
        self.keep.blockSignals(True)
        self.keep.setValue(service.keep_count(self._ctx.db))
        self.keep.blockSignals(False)

    def _busy(self, busy: bool) -> None:
        for button in (self.back_up_button, self.restore_button, self.keep):
            button.setEnabled(not busy and can_back_up(self._ctx.db))

    def _run(self, title: str, fn, *args, on_success) -> Job:
        dialog = QProgressDialog(title, "", 0, 100, self)
        dialog.setWindowTitle(title)
        dialog.setCancelButton(None)  # a half-made copy or restore is not a state to stop in
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        self.progress_dialog = dialog
        self._busy(True)

        def progress(fraction, message) -> None:
            dialog.setValue(int((fraction or 0) * 100))
            if message:
                dialog.setLabelText(message)

        def finished() -> None:
            dialog.reset()
            self._busy(False)

        def failed(exc: Exception, _trace: str) -> None:
            finished()
            QMessageBox.warning(self, title, _("{title} failed: {error}").format(title=title, error=exc))

        def succeeded(result) -> None:
            finished()
            on_success(result)

        self.job = run_in_background(fn, *args, on_success=succeeded, on_error=failed, on_progress=progress)
        return self.job

    # -- actions -----------------------------------------------------------------------------------
    def _on_back_up(self) -> None:
        self._ctx.bus.status_message.emit(_("Backing up…"))

        def done(result) -> None:
            self._ctx.bus.status_message.emit(_("Backed up to {path}").format(path=result.path))
            self.refresh()
        self._run(_("Back up now"), _back_up_job, self._ctx.db, self._ctx.actor, on_success=done)

    def _on_restore(self) -> None:
        chosen = selected_rows(self.table)
        if not chosen:
            QMessageBox.information(self, _("Restore"), _("Choose a backup in the list first."))
            return
        entry: BackupEntry = chosen[0]
        answer = QMessageBox.question(
            self, _("Restore"),
            _("Replace all data of this database with the backup of {date} ({reason})?\n\n"
              "The backup is checked first, and the current state is kept as a backup.").format(
                date=f"{entry.created:%Y-%m-%d %H:%M}", reason=reason_text(entry.reason)))
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(safety) -> None:
            from crmdesk.db.base import Base

            self._ctx.bus.announce(*Base.metadata.tables)  # every page reloads from the restored data
            self.refresh()
            QMessageBox.information(self, _("Restore"), _reopen_message(entry, safety.path))
        self._run(_("Restore"), _restore_job, self._ctx.db, entry.path, self._ctx.actor, on_success=done)

    def _on_open_folder(self) -> None:
        folder = backups_dir(self._ctx.db)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _on_keep_changed(self) -> None:
        service.set_keep_count(self._ctx.db, self._ctx.actor, self.keep.value())
        self.refresh()


def _back_up_job(db, actor, progress):
    return service.back_up(db, reason="manual", actor=actor, progress=progress)


def _restore_job(db, source, actor, progress):
    return service.restore(db, source, actor=actor, progress=progress)


def create(ctx: AppContext) -> QWidget:
    return BackupsSection(ctx)
