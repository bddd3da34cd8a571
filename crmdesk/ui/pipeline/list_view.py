"""The Pipeline page's list: the same opportunities as the board in a sortable table (a
QAbstractTableModel over the query's rows behind a QSortFilterProxyModel), with xlsx export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLineEdit, QTableView, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.services.opportunity_board import BoardRow, StageInfo
from crmdesk.services.opportunity_export import HEADERS
from crmdesk.ui.pipeline.card_delegate import STALE

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
RIGHT = {3, 4, 5, 8}


class OpportunityTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[BoardRow] = []
        self.stages: dict[int, StageInfo] = {}

    def set_rows(self, rows: list[BoardRow], stages: list[StageInfo]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.stages = {s.id: s for s in stages}
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        return None

    def _value(self, row: BoardRow, column: int):
        stage = self.stages.get(row.stage_id)
        p = stage.probability if stage else 0
        return (row.customer_name, row.name, stage.name if stage else "", p, row.amount, row.amount * p // 100,
                row.expected_close, row.owner_name, row.days_in_stage, row.closed_on, row.customer_type,
                row.next_step)[column]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return row.id
        if role == SORT_ROLE:
            value = self._value(row, column)
            return "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._value(row, column)
            if column in (4, 5):
                return f"{value / 10_000:,.2f}"
            if column == 3:
                return f"{value}%"
            return "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 8:
            stage = self.stages.get(row.stage_id)
            if stage and not stage.is_closing and row.days_in_stage > stage.stale_days:
                return QColor(STALE)
        return None


class OpportunityListView(QWidget):
    """``opened(id)``: a row was double-clicked or Enter pressed on it."""

    opened = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = OpportunityTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Find in the list (customer, opportunity, owner …)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Fit columns to the first rows only: measuring 2,000 rows costs more than it shows.
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self.table.activated.connect(lambda index: self.opened.emit(int(index.data(ID_ROLE))))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._sized = False

    def set_rows(self, rows: list[BoardRow], stages: list[StageInfo]) -> None:
        self.model.set_rows(rows, stages)
        if rows and not self._sized:
            self.table.resizeColumnsToContents()
            self._sized = True

    def shown_ids(self) -> list[int]:
        """The ids in the order the table shows them (sort and find applied)."""
        return [int(self.proxy.index(r, 0).data(ID_ROLE)) for r in range(self.proxy.rowCount())]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return int(index.data(ID_ROLE)) if index.isValid() else None


def default_export_name() -> str:
    return _("Pipeline") + ".xlsx"


def as_path(name: str) -> Path:
    path = Path(name)
    return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
