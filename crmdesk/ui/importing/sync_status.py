"""A small sync indicator: the last sync's outcome, and while a sync runs a progress bar
with Cancel. Sits in the status bar and on the Import page."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from crmdesk.i18n import _
from crmdesk.ui.importing.sync_controller import SyncController


class SyncStatusWidget(QWidget):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.label = QLabel(controller.last_summary)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(_("Cancel sync"))
        self.cancel_button.clicked.connect(controller.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        controller.busy_changed.connect(self._on_busy)
        controller.progress.connect(self._on_progress)
        controller.summary_changed.connect(self.label.setText)
        self._on_busy(controller.busy)

    def _on_busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.bar.setRange(0, 0)  # busy indicator until the first figure arrives
            self.label.setText(_("Syncing…"))
        elif self.controller.last_summary:
            self.label.setText(self.controller.last_summary)

    def _on_progress(self, fraction: float | None, message: str) -> None:
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 100)
            self.bar.setValue(int(fraction * 100))
        if message:
            self.label.setText(_("Syncing: {step}").format(step=message))
