"""A read-only table model over a report's DataFrame.

Money columns (yuan) show two decimals and thousands separators; percent
columns hold percentages (25.0 means 25 %, as ``crmdesk.reports.common.pct``
makes them) and show one decimal and a % sign; other number columns show one
number of decimals per column (``crmdesk.reports.column_format``). Sorting sorts the frame itself by the
raw values (numbers as numbers, Decimals included), never the display text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from crmdesk.core.search_text import pinyin_sort_key
from crmdesk.i18n import _
from crmdesk.reports.column_format import ColumnFormat, column_formats, money_columns_of

Index = QModelIndex | QPersistentModelIndex

_FEN = Decimal("0.01")
RAW_ROLE = Qt.ItemDataRole.UserRole + 1  # the unformatted cell value
# Columns whose text values are English codes the reports mark for translation (segment names …).
TRANSLATED_COLUMNS = frozenset({"segment", "previous_segment", "trend", "spend_level", "kind", "status", "stage",
                                "case_type", "contact_band", "channel", "view"})


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def format_money(value: Any) -> str:
    """Yuan with fen; Decimal keeps 0.005 rounding exact."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value.item() if hasattr(value, "item") else value))
    return f"{amount.quantize(_FEN, rounding=ROUND_HALF_UP):,.2f}"


def format_cell(value: Any, kind: str = "") -> str:
    """The display text of one value; ``kind`` is "money", "pct" or ""."""
    if is_missing(value):
        return ""
    if kind == "money" and _is_number(value):
        return format_money(value)
    if kind == "pct" and _is_number(value):
        return f"{float(value):.1f}%"
    if kind == "text" and isinstance(value, str):
        return _(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() and abs(value) < 1e15 else f"{value:,.2f}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, np.generic):
        return format_cell(value.item(), kind)
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    """Missing values last; numbers by value; everything else by text."""
    if is_missing(value):
        return (2, 0)
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
        return (0, number) if not math.isnan(number) else (2, 0)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return (0, pd.Timestamp(value).value)
    # Chinese text by pinyin, as a Chinese reader looks things up, not by character code.
    return (1, pinyin_sort_key(str(value)))


class DataFrameModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        # The cells as plain Python objects, column by column: data() is called for every visible cell
        # and role, and pandas' per-cell access (iat) is ~50x slower than a list lookup.
        self._cells: list[list[Any]] = []
        self._names: list[str] = []
        self._kinds: dict[str, str] = {}
        self._formats: dict[str, ColumnFormat] = {}

    # -- content ----------------------------------------------------------------------------
    def set_frame(self, frame: pd.DataFrame | None, money_columns: Iterable[str] = (),
                  pct_columns: Iterable[str] = ()) -> None:
        self.beginResetModel()
        self._frame = (frame if frame is not None else pd.DataFrame()).reset_index(drop=True)
        self._load_cells()
        money_columns = money_columns_of(self._frame, money_columns)
        self._kinds = ({c: "text" for c in TRANSLATED_COLUMNS} | {c: "money" for c in money_columns}
                       | {c: "pct" for c in pct_columns})
        self._formats = column_formats(self._frame, money_columns, pct_columns)
        self.endResetModel()

    def _load_cells(self) -> None:
        self._names = [str(c) for c in self._frame.columns]
        self._cells = [self._frame.iloc[:, i].to_numpy(dtype=object).tolist() for i in range(len(self._names))]

    @property
    def frame(self) -> pd.DataFrame:
        """The rows in display order."""
        return self._frame

    def column_kind(self, column: str) -> str:
        """"money", "pct", "text" (translated values) or ""."""
        return self._kinds.get(column, "")

    def row_dict(self, row: int) -> dict[str, Any]:
        return self._frame.iloc[row].to_dict()

    def display_text(self, row: int, column: int) -> str:
        name = self._names[column]
        value = self._cells[column][row]
        number = self._formats.get(name)
        if number is not None and number.kind == "number" and _is_number(value) and not is_missing(value):
            return number.text(value)  # one format per column: "1.0" beside "1.1", never "1"
        return format_cell(value, self._kinds.get(name, ""))

    def column_format(self, column: str) -> ColumnFormat | None:
        return self._formats.get(column)

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(index.row(), index.column())
        if role == RAW_ROLE:
            return self._cells[index.column()][index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self._cells[index.column()][index.row()]
            name = self._names[index.column()]
            if self.column_kind(name) in ("money", "pct") or _is_number(value):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._frame.columns):
                return _(str(self._frame.columns[section]))
            return None
        return str(section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._frame.columns):
            return
        self.layoutAboutToBeChanged.emit()
        keys = [_sort_key(v) for v in self._cells[column]]
        # Missing values stay last in both directions.
        present = sorted((i for i, k in enumerate(keys) if k[0] != 2), key=keys.__getitem__,
                         reverse=order == Qt.SortOrder.DescendingOrder)
        ordered = present + [i for i, k in enumerate(keys) if k[0] == 2]
        self._frame = self._frame.iloc[ordered].reset_index(drop=True)
        self._load_cells()
        self.layoutChanged.emit()
