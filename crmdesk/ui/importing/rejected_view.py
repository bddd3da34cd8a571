"""The rejected rows of one import batch (file, row, column, value, reason) and their export to xlsx."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from crmdesk.i18n import N_, _
from crmdesk.importers import RejectedRow, export_rejected_xlsx, list_rejected
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.table_models import RowsModel
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)

REJECTED_COLUMNS = (
    (N_("File"), lambda r: r.file_name),
    (N_("Row"), lambda r: r.row_number),
    (N_("Column"), lambda r: r.column),
    (N_("Value"), lambda r: r.value),
    (N_("Reason"), lambda r: r.reason),
)


class RejectedView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id: int | None = None
        self.title = QLabel(_("Select an import to see its rejected rows."))
        self.export_button = QPushButton(_("Export to xlsx…"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.model: RowsModel[RejectedRow] = RowsModel(REJECTED_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def show_batch(self, batch_id: int | None, file_name: str = "") -> None:
        self.batch_id = batch_id
        rows: list[RejectedRow] = []
        if batch_id is not None:
            with self.ctx.read() as session:
                rows = list_rejected(session, batch_id)
        self.model.set_items(rows)
        self.table.resizeColumnsToContents()
        if batch_id is None:
            self.title.setText(_("Select an import to see its rejected rows."))
        elif rows:
            self.title.setText(_("{file}: {n} rejected rows").format(file=file_name, n=f"{len(rows):,}"))
        else:
            self.title.setText(_("{file}: no rejected rows").format(file=file_name))
        self.export_button.setEnabled(bool(rows))

    def export(self) -> None:
        if self.batch_id is None:
            return
        path, _filter = file_dialogs.get_save_file_name(self, _("Export rejected rows"), "rejected.xlsx",
                                                    _("Excel workbook (*.xlsx)"))
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            with self.ctx.read() as session:
                n = export_rejected_xlsx(session, path, self.batch_id)
        except OSError as exc:
            log.warning("rejected rows export to %s failed: %s", path, exc)
            QMessageBox.warning(self, _("Export rejected rows"),
                                _("Could not write {file}: {error}").format(file=path, error=exc.strerror or exc))
            return
        self.ctx.bus.status_message.emit(_("{n} rejected rows written to {file}").format(n=n, file=path))
