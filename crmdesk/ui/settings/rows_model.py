"""A read-only table model over a list of plain rows, and the view the admin sections use.

Each column is a title and a function of the row; ``row_at`` gives the row back, so the
sections act on what the user selected without keeping a widget per row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from crmdesk.i18n import _

Index = QModelIndex | QPersistentModelIndex
_GREY = QBrush(QColor("#888888"))


@dataclass(frozen=True)
class Col:
    title: str  # English; translated for the header
    value: Callable[[Any], Any]
    right: bool = False


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Col], parent=None, greyed: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []
        self._greyed = greyed

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_row(self, row: int, value: Any) -> None:
        self._rows[row] = value
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def text(self, row: int, column: int) -> str:
        value = self._columns[column].value(self._rows[row])
        return "" if value is None else str(value)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[index.column()].right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self._greyed and self._greyed(self._rows[index.row()]):
            return _GREY
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self._columns[section].title)
        return None


def table_view(model: RowsModel, parent: QWidget | None = None, multi: bool = False) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def selected_rows(view: QTableView) -> list[Any]:
    model = view.model()
    rows = sorted({i.row() for i in view.selectionModel().selectedRows()})
    return [model.row_at(r) for r in rows]


def fit_columns(view: QTableView, max_width: int = 260) -> None:
    """Size the columns to their content once rows are in, none wider than ``max_width``."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for c in range(header.count() - 1):
        if header.sectionSize(c) > max_width:
            header.resizeSection(c, max_width)
