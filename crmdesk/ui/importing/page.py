"""The Import page: the import wizard and the history in tabs, with "Sync now" and the
sync's progress above them."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.history_view import HistoryView
from crmdesk.ui.importing.sync_controller import SyncController, controller_for
from crmdesk.ui.importing.sync_status import SyncStatusWidget
from crmdesk.ui.importing.wizard import ImportWizard


class ImportPage(QWidget):
    def __init__(self, ctx: AppContext, controller: SyncController | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import-page")
        self.ctx = ctx
        self.controller = controller or controller_for(ctx)
        self.wizard = ImportWizard(ctx, self.controller)
        self.history = HistoryView(ctx, self.controller)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.wizard, _("Import files"))
        self.tabs.addTab(self.history, _("Import history"))
        self.sync_button = QPushButton(_("Sync now"))
        self.sync_button.setToolTip(_("Import the new files of the inbox folder (Settings → Sync)"))
        self.sync_button.clicked.connect(self.sync_now)
        self.sync_status = SyncStatusWidget(self.controller)
        self.inbox_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.inbox_label, 1)
        top.addWidget(self.sync_status)
        top.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.wizard.history_requested.connect(self.show_history)
        self.controller.busy_changed.connect(self._update)
        ctx.bus.changed.connect(lambda entities: "settings" in entities and self._update())
        self._update()

    def _update(self, *_args) -> None:
        s = self.controller.settings
        if s.inbox:
            every = (_("every {n} minutes").format(n=s.interval_minutes) if s.interval_minutes
                     else _("only on Sync now"))
            self.inbox_label.setText(_("Inbox: {folder} ({every})").format(folder=s.inbox, every=every))
        else:
            self.inbox_label.setText(_("No inbox folder yet: set one in Settings → Sync for automatic imports."))
        self.sync_button.setEnabled(not self.controller.busy)

    def sync_now(self) -> bool:
        return self.controller.sync_now()

    def show_history(self, batch_id: int | None = None) -> None:
        self.tabs.setCurrentWidget(self.history)
        self.history.refresh()
        if batch_id is not None:
            self.history.select_batch(batch_id)

    def activate(self) -> None:
        self._update()
        if self.tabs.currentWidget() is self.history:
            self.history.activate()


def create_import_page(ctx: AppContext) -> QWidget:
    return ImportPage(ctx)
