"""Import history: the batches in the database (file, kind, time, status, counts, message),
with problems that left no batch (an unreadable file, a sync without inbox) on top; selecting
a batch shows its rejected rows below."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from crmdesk.i18n import N_, _
from crmdesk.importers import BatchInfo, list_batches
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.labels import kind_label, status_label
from crmdesk.ui.importing.rejected_view import RejectedView
from crmdesk.ui.importing.sync_controller import Problem, SyncController
from crmdesk.ui.importing.table_models import RowsModel
from crmdesk.ui.importing.undo_action import may_undo, undo_with_confirmation

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class HistoryRow:
    batch_id: int | None
    file_name: str
    kind: str
    when: dt.datetime | None  # local time
    status: str
    total: int | None
    added: int | None
    updated: int | None
    unchanged: int | None
    rejected: int | None
    message: str
    warnings: str = ""

    @classmethod
    def of_batch(cls, b: BatchInfo) -> HistoryRow:
        when = b.started_at
        if isinstance(when, dt.datetime):  # stored as naive UTC
            when = when.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)
        return cls(b.id, b.file_name, b.kind, when if isinstance(when, dt.datetime) else None, b.status,
                   b.rows_total, b.rows_added, b.rows_updated, b.rows_unchanged, b.rows_rejected, b.message,
                   "; ".join(b.warnings))

    @classmethod
    def of_problem(cls, p: Problem) -> HistoryRow:
        return cls(None, p.file_name, "", p.when, "failed", None, None, None, None, None, p.message)


HISTORY_COLUMNS = (
    (N_("Time"), lambda r: r.when.strftime("%Y-%m-%d %H:%M") if r.when else ""),
    (N_("File"), lambda r: r.file_name),
    (N_("Kind"), lambda r: kind_label(r.kind) if r.kind else ""),
    (N_("Status"), lambda r: status_label(r.status)),
    (N_("Rows"), lambda r: r.total),
    (N_("Rows added"), lambda r: r.added),
    (N_("Updated"), lambda r: r.updated),
    (N_("Unchanged"), lambda r: r.unchanged),
    (N_("Rejected"), lambda r: r.rejected),
    (N_("Message"), lambda r: r.message),
    (N_("Warnings"), lambda r: r.warnings),
)


class HistoryView(QWidget):
    def __init__(self, ctx: AppContext, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.model: RowsModel[HistoryRow] = RowsModel(
            HISTORY_COLUMNS, self, is_problem=lambda r: r.status in ("failed", "refused", "held"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.rejected = RejectedView(ctx)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.undo_button = QPushButton(_("Undo this import…"))
        self.undo_button.setToolTip(_("Remove what the selected import added and restore what it updated "
                                      "(after a backup)"))
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_selected)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Imports, newest first. Select one to see the rows it rejected.")), 1)
        top.addWidget(self.undo_button)
        top.addWidget(self.refresh_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.rejected)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._stale = True
        ctx.bus.changed.connect(self._on_changed)
        controller.problems_changed.connect(self.mark_stale)

    def _on_changed(self, entities: set[str]) -> None:
        if "import_batches" in entities:
            self.mark_stale()

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        selected = self.selected_batch_id()
        with self.ctx.read() as session:
            batches = list_batches(session, limit=HISTORY_LIMIT)
        rows = [HistoryRow.of_problem(p) for p in self.controller.problems] + [HistoryRow.of_batch(b) for b in batches]
        self.model.set_items(rows)
        self.table.resizeColumnsToContents()
        self._stale = False
        if selected is not None:
            self.select_batch(selected)
        else:
            self.rejected.show_batch(None)
            self.undo_button.setEnabled(False)

    def select_batch(self, batch_id: int) -> bool:
        for row, item in enumerate(self.model.items):
            if item.batch_id == batch_id:
                self.table.selectRow(row)
                return True
        self.rejected.show_batch(None)
        return False

    def selected_batch_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        item = self.model.item(rows[0].row()) if rows else None
        return item.batch_id if item else None

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.model.item(rows[0].row()) if rows else None
        self.rejected.show_batch(item.batch_id if item else None, item.file_name if item else "")
        self.undo_button.setEnabled(bool(item and item.batch_id is not None and may_undo(self.ctx, item.status)))

    def undo_selected(self) -> None:
        batch_id = self.selected_batch_id()
        if batch_id is not None and undo_with_confirmation(self, self.ctx, batch_id):
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.activate()
