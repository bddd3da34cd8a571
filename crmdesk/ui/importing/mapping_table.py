"""The wizard's preview: the first rows of a file under a first row that says which field
each column goes to. That first row is edited with a combo per column (the kind's fields and
"(ignore)"), so a wrong guess is fixed where it is seen."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QHeaderView, QStyledItemDelegate, QTableView, QWidget

from crmdesk.i18n import _
from crmdesk.importers import FIELDS, Preview
from crmdesk.ui.importing.labels import field_label

MAPPING_ROW = 0
IGNORED = QColor("#8a8f98")
MAPPED_BACKGROUND = QColor("#e6f0ff")
UNSURE_BACKGROUND = QColor("#fff3cd")  # a mapping guessed from part of the header: check it
Index = QModelIndex | QPersistentModelIndex


class MappingModel(QAbstractTableModel):
    """Row 0: the field of each column (EditRole = field name, "" = ignored); rows 1…: data."""

    mapping_edited = Signal(dict)  # {header: field or ""} after the user changed a column

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.columns: list[str] = []
        self.fields: list[str] = []  # per column
        self.rows: list[list[str]] = []
        self.doubts: list[str] = []  # per column: why the guess is unsure ("" = sure or ignored)

    def set_preview(self, p: Preview | None) -> None:
        self.beginResetModel()
        if p is None:
            self.kind, self.columns, self.fields, self.rows, self.doubts = "", [], [], [], []
        else:
            self.kind, self.columns = p.kind, list(p.columns)
            self.fields = [p.mapping.get(h, "") for h in p.columns]
            self.rows = [list(r) for r in p.rows]
            why = {c.position: c.describe() for c in p.matches if c.field and (not c.sure or c.note)}
            self.doubts = [why.get(i, "") for i in range(len(p.columns))]
        self.endResetModel()

    def choices(self) -> list[str]:
        """The fields a column may go to: "" (ignore) and the kind's fields."""
        return [""] + [f.name for f in FIELDS.get(self.kind, ())]

    def mapping(self) -> dict[str, str]:
        return {h: f for h, f in zip(self.columns, self.fields, strict=True) if h}

    # --- Qt model ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008,N802 - Qt's signature
        return 0 if parent.isValid() or not self.columns else len(self.rows) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return _("Field") if section == MAPPING_ROW else str(section)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row == MAPPING_ROW:
            name = self.fields[col]
            if role == Qt.ItemDataRole.DisplayRole:
                return field_label(name)
            if role == Qt.ItemDataRole.EditRole:
                return name
            if role == Qt.ItemDataRole.ForegroundRole and not name:
                return QBrush(IGNORED)
            doubt = self.doubts[col] if col < len(self.doubts) else ""
            if role == Qt.ItemDataRole.ToolTipRole and doubt:
                return _("A guess, please check: {why}").format(why=doubt)
            if role == Qt.ItemDataRole.BackgroundRole and name:
                return QBrush(UNSURE_BACKGROUND if doubt else MAPPED_BACKGROUND)
            if role == Qt.ItemDataRole.FontRole and name:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = self.rows[row - 1]
            return values[col] if col < len(values) else ""
        if role == Qt.ItemDataRole.ForegroundRole and not self.fields[col]:
            return QBrush(IGNORED)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.row() == MAPPING_ROW else base

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or index.row() != MAPPING_ROW:
            return False
        name = str(value or "")
        col = index.column()
        if self.fields[col] == name:
            return False
        # A field comes from one column: taking it here releases it elsewhere.
        for other, current in enumerate(self.fields):
            if name and other != col and current == name:
                self.fields[other] = ""
                self.dataChanged.emit(self.index(MAPPING_ROW, other), self.index(self.rowCount() - 1, other))
        self.fields[col] = name
        if col < len(self.doubts):
            self.doubts[col] = ""  # the user's choice is no guess
        self.dataChanged.emit(self.index(MAPPING_ROW, col), self.index(self.rowCount() - 1, col))
        self.mapping_edited.emit(self.mapping())
        return True


class FieldComboDelegate(QStyledItemDelegate):
    """A combo of the kind's fields for the mapping row; plain text for the data rows."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget | None:  # noqa: N802
        model = index.model()
        if index.row() != MAPPING_ROW or not isinstance(model, MappingModel):
            return None
        combo = QComboBox(parent)
        combo.setObjectName(f"field-combo-{index.column()}")
        for name in model.choices():
            combo.addItem(field_label(name, with_name=False), name)
            combo.setItemData(combo.count() - 1, name or None, Qt.ItemDataRole.ToolTipRole)
        combo.currentIndexChanged.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.blockSignals(True)
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
            editor.blockSignals(False)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class MappingView(QTableView):
    """The preview table; the mapping row's combos stay open so every guess is visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = MappingModel(self)
        self.setModel(self.model_)
        self.setItemDelegate(FieldComboDelegate(self))
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setDefaultSectionSize(150)
        self.verticalHeader().setDefaultSectionSize(26)
        self.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.model_.modelReset.connect(self._open_combos)
        self.model_.dataChanged.connect(self._sync_combos)

    def _open_combos(self) -> None:
        for col in range(self.model_.columnCount()):
            self.openPersistentEditor(self.model_.index(MAPPING_ROW, col))
        self.setRowHeight(MAPPING_ROW, 30)

    def _sync_combos(self, top_left: QModelIndex, _bottom_right: QModelIndex, _roles=()) -> None:
        if top_left.row() == MAPPING_ROW:
            combo = self.combo(top_left.column())
            if combo is not None:
                self.itemDelegate().setEditorData(combo, top_left)

    def combo(self, column: int) -> QComboBox | None:
        widget = self.indexWidget(self.model_.index(MAPPING_ROW, column))
        return widget if isinstance(widget, QComboBox) else None
