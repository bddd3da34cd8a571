"""One board column's cards as a list model: the rows of one stage, dragged as opportunity ids."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from crmdesk.services.opportunity_board import BoardRow, StageInfo

MIME_TYPE = "application/x-crmdesk-opportunity"
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
STALE_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def encode_ids(ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(",".join(str(i) for i in ids).encode()))
    return mime


def decode_ids(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(MIME_TYPE):
        return []
    raw = bytes(mime.data(MIME_TYPE).data()).decode()
    return [int(p) for p in raw.split(",") if p.strip().isdigit()]


class StageColumnModel(QAbstractListModel):
    def __init__(self, stage: StageInfo, parent=None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.rows: list[BoardRow] = []

    def set_rows(self, rows: list[BoardRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def is_stale(self, row: BoardRow) -> bool:
        return not self.stage.is_closing and row.days_in_stage > self.stage.stale_days

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        if role == STALE_ROLE:
            return self.is_stale(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{row.customer_name} · {row.name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(t for t in (row.customer_name, row.name, row.next_step) if t)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:
        return encode_ids(sorted({self.rows[i.row()].id for i in indexes if i.isValid()}))

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return bool(decode_ids(data))

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        # The board moves the opportunity through the service and reloads; the view only reports the drop.
        return False
