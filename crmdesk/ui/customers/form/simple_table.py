"""A small read-only table for the form's tabs (tens to hundreds of rows, never
the 100,000-row list): rows of texts, each row carrying an id."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from crmdesk.i18n import _

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class SimpleTable(QTableWidget):
    """``set_rows`` replaces the content; ``id_activated`` fires on double-click/Enter."""

    id_activated = Signal(object)

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None,
                 right_aligned: Sequence[int] = (), stretch: int | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self._headers = list(headers)
        self._right = set(right_aligned)
        self._sized = False
        self.setHorizontalHeaderLabels([_(h) for h in headers])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # ``stretch``: the column that takes the spare width (a task's title, not its notes).
        header.setStretchLastSection(stretch is None)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.activated.connect(lambda index: self.id_activated.emit(self.id_at(index.row())))

    def set_rows(self, rows: Sequence[Sequence[object]], ids: Sequence[object] | None = None,
                 highlight: Sequence[bool] | None = None) -> None:
        keep = self.current_id()
        self.setUpdatesEnabled(False)
        self.clearContents()
        self.setRowCount(len(rows))
        red = QBrush(QColor("#c0392b"))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem("" if value is None else str(value))
                if c in self._right:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if ids is not None:
                    item.setData(ID_ROLE, ids[r])
                if highlight is not None and highlight[r]:
                    item.setForeground(red)
                self.setItem(r, c, item)
        if rows and not self._sized:
            # Fit the columns to the first real content once; later loads keep the user's widths.
            self.resizeColumnsToContents()
            self._sized = True
        self.setUpdatesEnabled(True)
        if keep is not None and ids is not None and keep in ids:
            self.selectRow(list(ids).index(keep))

    def id_at(self, row: int) -> object:
        item = self.item(row, 0)
        return item.data(ID_ROLE) if item is not None else None

    def current_id(self) -> object:
        row = self.currentRow()
        return self.id_at(row) if row >= 0 else None

    def select_id(self, wanted: object) -> bool:
        for row in range(self.rowCount()):
            if self.id_at(row) == wanted:
                self.selectRow(row)
                return True
        return False

    def column_texts(self, column: int) -> list[str]:
        return [self.item(r, column).text() if self.item(r, column) else "" for r in range(self.rowCount())]
