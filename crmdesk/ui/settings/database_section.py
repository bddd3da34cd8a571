"""Where the data lives, and a backup button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from crmdesk.db.backup import BackupNotSupportedError, backups_dir
from crmdesk.i18n import _
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets.backup_action import back_up_now


class DatabaseSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.location = QLabel(ctx.db.describe())
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setWordWrap(True)
        try:
            folder = str(backups_dir(ctx.db))
        except BackupNotSupportedError:
            folder = _("(the server's own backups)")
        self.backups = QLabel(folder)
        self.backups.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backups.setWordWrap(True)
        self.backup_button = QPushButton(_("Back up now"))
        self.backup_button.setEnabled(ctx.db.file_path is not None)
        self.backup_button.clicked.connect(self.back_up)
        self.last_job = None
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addStretch(1)
        layout = QFormLayout(self)
        layout.addRow(_("Database file:"), self.location)
        layout.addRow(_("Backups folder:"), self.backups)
        layout.addRow("", row)

    def back_up(self) -> None:
        self.last_job = back_up_now(self, self._ctx)


def create(ctx: AppContext) -> QWidget:
    return DatabaseSection(ctx)
