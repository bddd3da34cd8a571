"""The customer list's table model: one query's ordered id list, display rows
fetched lazily in batches and cached.

At 100,000 customers only the ids live in memory; the view asks ``data()``
for visible rows and a miss loads the batch of ~200 rows around it. Sorting
and filtering re-run the id query (ORDER BY / WHERE) instead of proxying.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from crmdesk.i18n import _

log = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_CACHED_BATCHES = 50  # 10,000 rows: enough for scrolling back and forth, bounded at 100k

Index = QModelIndex | QPersistentModelIndex
RowFetcher = Callable[[Sequence[int]], Mapping[int, Any]]


@dataclass(frozen=True)
class Column:
    key: str  # the attribute (or dict key) of a display row, also the sort key passed to the query
    title: str  # English; translated for the header
    align_right: bool = False
    sortable: bool = True
    formatter: Callable[[Any], str] | None = None


def _value(row: Any, key: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(key)
    return getattr(row, key, None)


_DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole
_ALIGN_ROLE = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND_ROLE = Qt.ItemDataRole.ForegroundRole
_ANSWERED_ROLES = frozenset({_DISPLAY_ROLE, Qt.ItemDataRole.ToolTipRole, _ALIGN_ROLE, _FOREGROUND_ROLE,
                             Qt.ItemDataRole.UserRole + 1})
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_GREY = QBrush(QColor("#888888"))
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CustomerTableModel(QAbstractTableModel):
    """Rows are positions in ``ids``; ``fetch_rows(ids) -> {id: row}`` loads display rows."""

    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, columns: Sequence[Column], fetch_rows: RowFetcher, parent=None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._titles = [_(c.title) for c in self._columns]
        self._fetch_rows = fetch_rows
        self._ids: list[int] = []
        self._batches: OrderedDict[int, dict[int, Any]] = OrderedDict()
        self.fetch_count = 0  # batches loaded since the last reset; tests and the bench read it

    # -- content ---------------------------------------------------------------------------
    def set_ids(self, ids: Sequence[int]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._batches.clear()
        self.fetch_count = 0
        self.endResetModel()

    def extend_ids(self, ids: Sequence[int]) -> None:
        """The whole list of a query whose head is shown: append the rest (or replace when the
        head changed meanwhile), keeping the cached rows and the view's selection."""
        ids = list(ids)
        head = len(self._ids)
        if ids[:head] != self._ids:
            self.set_ids(ids)
            return
        if len(ids) > head:
            self.beginInsertRows(QModelIndex(), head, len(ids) - 1)
            self._ids.extend(ids[head:])
            self.endInsertRows()

    def refresh_rows(self) -> None:
        """Drop cached rows (the data changed, the id list did not) and repaint."""
        self._batches.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self._columns) - 1))

    @property
    def ids(self) -> list[int]:
        return self._ids

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, customer_id: int) -> int:
        try:
            return self._ids.index(customer_id)
        except ValueError:
            return -1

    def columns(self) -> list[Column]:
        return list(self._columns)

    def display_row(self, row: int) -> Any:
        """The cached (or freshly fetched) display row at position ``row``."""
        if not 0 <= row < len(self._ids):
            return None
        batch_no = row // BATCH_SIZE
        batch = self._batches.get(batch_no)
        if batch is None:
            batch = self._load_batch(batch_no)
        else:
            self._batches.move_to_end(batch_no)
        return batch.get(self._ids[row])

    def _load_batch(self, batch_no: int) -> dict[int, Any]:
        start = batch_no * BATCH_SIZE
        ids = self._ids[start:start + BATCH_SIZE]
        try:
            rows = dict(self._fetch_rows(ids))
        except Exception:  # noqa: BLE001 - a paint must not raise; the row shows empty
            log.exception("loading customer rows %d..%d failed", start, start + len(ids))
            rows = {}
        self._batches[batch_no] = rows
        self.fetch_count += 1
        while len(self._batches) > MAX_CACHED_BATCHES:
            self._batches.popitem(last=False)
        return rows

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == _DISPLAY_ROLE:
                return self._titles[section]
            if role == _ALIGN_ROLE and self._columns[section].align_right:
                return _RIGHT
        elif orientation == Qt.Orientation.Vertical and role == _DISPLAY_ROLE:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        # Qt asks for a dozen roles per cell and paint; answer the unused ones first and cheaply.
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == self.ID_ROLE:
            return self.id_at(row)
        column = self._columns[col]
        if role == _ALIGN_ROLE:
            return _RIGHT if column.align_right else None
        record = self.display_row(row)
        if record is None:
            return None
        if role == _FOREGROUND_ROLE:
            # Archived and incomplete (import stub) customers are greyed out.
            if _value(record, "archived") or _value(record, "is_incomplete"):
                return _GREY
            return None
        value = _value(record, column.key)
        if column.formatter is not None:
            return column.formatter(value)
        return "" if value is None else str(value)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
