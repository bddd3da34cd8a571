"""The queue table: a QAbstractTableModel over the plain rows of ``case_queue.list_queue``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from crmdesk.i18n import N_, _
from crmdesk.services.case_queue import CaseRow
from crmdesk.services.case_settings import priority_label
from crmdesk.services.cases import status_label

Index = QModelIndex | QPersistentModelIndex
RED = QBrush(QColor("#c0392b"))
HIGH = QBrush(QColor("#b9770e"))
COLUMNS = [
    (N_("Number"), lambda r: r.number),
    (N_("Customer"), lambda r: r.customer_name),
    (N_("Type"), lambda r: r.type_name),
    (N_("Subject"), lambda r: r.subject),
    (N_("Priority"), lambda r: priority_label(r.priority)),
    (N_("Status"), lambda r: status_label(r.status)),
    (N_("Assigned to"), lambda r: r.assignee_name),
    (N_("Opened"), lambda r: f"{r.opened_at:%Y-%m-%d %H:%M}"),
    (N_("Due"), lambda r: f"{r.due_at:%Y-%m-%d %H:%M}" if r.due_at else ""),
    (N_("Overdue"), lambda r: _("overdue") if r.overdue else ""),
]
PRIORITY_COLUMN, DUE_COLUMN, OVERDUE_COLUMN = 4, 8, 9
DEFAULT_WIDTHS = [150, 180, 70, 240, 60, 110, 80, 120, 120, 70]


class CaseQueueModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[CaseRow] = []

    def set_rows(self, rows: Sequence[CaseRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[CaseRow]:
        return list(self._rows)

    def row_at(self, row: int) -> CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, case_id: int) -> int:
        return next((k for k, r in enumerate(self._rows) if r.id == case_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[index.column()][1](row)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue and index.column() in (DUE_COLUMN, OVERDUE_COLUMN):
                return RED
            if row.priority == 1 and index.column() == PRIORITY_COLUMN:
                return HIGH
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][0])
        return None
