"""About: version, where the data and the log are, and the versions of Qt
and Python (what support needs to know)."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from crmdesk import __version__
from crmdesk.db import Database
from crmdesk.i18n import _
from crmdesk.paths import log_dir, log_file
from crmdesk.ui.widgets.icons import icon


class AboutDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About crmdesk"))
        self.setWindowIcon(icon("crmdesk"))
        heading = QLabel(f"<h2>crmdesk {__version__}</h2>")
        blurb = QLabel(_("Customers, follow-ups, service and sales analysis for a small shop."))
        blurb.setWordWrap(True)
        self.values: dict[str, str] = {
            "version": __version__,
            "database": db.describe(),
            "log": str(log_file()),
            "qt": f"Qt {qVersion()} · PySide6 {PySide6.__version__}",
            "python": f"Python {platform.python_version()} ({platform.system()} {platform.release()})",
        }
        form = QFormLayout()
        for key, label in (("database", _("Data file:")), ("log", _("Log file:")),
                           ("qt", _("Qt:")), ("python", _("Python:"))):
            value = QLabel(self.values[key])
            value.setObjectName(f"about-{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            form.addRow(label, value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        open_logs = buttons.addButton(_("Open log folder"), QDialogButtonBox.ButtonRole.ActionRole)
        open_logs.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir()))))
        copy = buttons.addButton(_("Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(blurb)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def copy_details(self) -> None:
        """For a support e-mail: everything shown, as plain text."""
        QApplication.clipboard().setText(self.text())

    def text(self) -> str:
        """Everything shown, as plain text (for tests and copying)."""
        return "\n".join(self.values.values())
