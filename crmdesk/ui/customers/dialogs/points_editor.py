"""A contact's phones, emails, handles and web pages as a small editable table: kind, type,
value, preferred — any number of rows, keyboard first (Tab moves through the cells, Insert adds a
row, Delete removes the current one)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.services.contact_points import EMAIL, KIND_LABELS, KINDS, TYPE_LABELS, TYPES, PointInput, match_key

HEADERS = (N_("Kind of contact point"), N_("Type"), N_("Number / address"), N_("Preferred"))
KIND, TYPE, VALUE, PREFERRED = range(4)
AnyIndex = QModelIndex | QPersistentModelIndex


class PointsModel(QAbstractTableModel):
    """Rows of (kind, type, value, preferred, label). The label (e.g. an iPhone's custom label)
    is carried through unchanged: the table does not edit it but never drops it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[list] = []

    # -- contents --------------------------------------------------------------------------
    def set_points(self, points: list[PointInput] | tuple[PointInput, ...]) -> None:
        self.beginResetModel()
        self._rows = [[p.kind, p.type, p.value, p.preferred, p.label] for p in points]
        self.endResetModel()

    def points(self) -> list[PointInput]:
        return [PointInput(kind=k, type=t, value=str(v).strip(), preferred=bool(pref), label=label)
                for k, t, v, pref, label in self._rows if str(v).strip()]

    def add_row(self, kind: str = "phone") -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        first_of_kind = not any(r[KIND] == kind for r in self._rows)
        self._rows.append([kind, TYPES[kind][0], "", first_of_kind, ""])
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def problems(self) -> list[str]:
        """What the user should fix or know before saving, each naming its row."""
        out = []
        seen: dict[tuple[str, str], int] = {}
        for i, (kind, _t, value, _p, _l) in enumerate(self._rows, start=1):
            value = str(value).strip()
            if not value:
                continue
            if kind == "email" and not EMAIL.match(value):
                out.append(_("Row {row}: {value} is not an email address").format(row=i, value=value))
            key = (kind, match_key(kind, value))
            if key in seen:
                out.append(_("Row {row} repeats row {first}: {value}").format(row=i, first=seen[key], value=value))
            seen.setdefault(key, i)
        return out

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's names
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(HEADERS[section])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == PREFERRED:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        kind, type_, value, preferred, label = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == PREFERRED:
            return Qt.CheckState.Checked if preferred else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.EditRole:
            return (kind, type_, value, None)[col]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == KIND:
                return _(KIND_LABELS.get(kind, kind))
            if col == TYPE:
                text = _(TYPE_LABELS.get(type_, type_))
                return f"{text} ({label})" if label else text
            if col == VALUE:
                return value
        if role == Qt.ItemDataRole.ToolTipRole and col == VALUE and kind == "email" and value \
                and not EMAIL.match(str(value)):
            return _("Not an email address: it is saved as written")
        return None

    def setData(self, index: AnyIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        row = self._rows[index.row()]
        col = index.column()
        if col == PREFERRED and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            for other in self._rows:  # one preferred point per kind
                if other[KIND] == row[KIND]:
                    other[PREFERRED] = False
            row[PREFERRED] = checked
            self.dataChanged.emit(self.index(0, PREFERRED), self.index(len(self._rows) - 1, PREFERRED))
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        if col == KIND and value in KINDS and value != row[KIND]:
            row[KIND] = value
            if row[TYPE] not in TYPES[value]:
                row[TYPE] = TYPES[value][0]
            row[PREFERRED] = not any(r is not row and r[KIND] == value and r[PREFERRED] for r in self._rows)
        elif col == TYPE and value in TYPES[row[KIND]]:
            row[TYPE] = value
        elif col == VALUE:
            row[VALUE] = str(value)
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(HEADERS) - 1))
        return True


class _ChoiceDelegate(QStyledItemDelegate):
    """A combo of the kinds, or of the types the row's kind allows."""

    def createEditor(self, parent, option, index):  # noqa: N802
        combo = QComboBox(parent)
        if index.column() == KIND:
            choices = [(k, _(KIND_LABELS[k])) for k in KINDS]
        else:
            kind = index.model().data(index.siblingAtColumn(KIND), Qt.ItemDataRole.EditRole)
            choices = [(t, _(TYPE_LABELS.get(t, t))) for t in TYPES.get(kind, ("other",))]
        for code, label in choices:
            combo.addItem(label, code)
        return combo

    def setEditorData(self, editor, index):  # noqa: N802
        current = index.model().data(index, Qt.ItemDataRole.EditRole)
        editor.setCurrentIndex(max(0, editor.findData(current)))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class PointsEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PointsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(KIND, _ChoiceDelegate(self.view))
        self.view.setItemDelegateForColumn(TYPE, _ChoiceDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.setTabKeyNavigation(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        self.view.setMinimumHeight(130)
        self.add_phone_button = QPushButton(_("Add phone"))
        self.add_email_button = QPushButton(_("Add email"))
        self.add_other_button = QPushButton(_("Add other…"))
        self.remove_button = QPushButton(_("Remove"))
        self.add_phone_button.clicked.connect(lambda: self.add("phone"))
        self.add_email_button.clicked.connect(lambda: self.add("email"))
        self.add_other_button.clicked.connect(lambda: self.add("im"))
        self.remove_button.clicked.connect(self.remove_current)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self.view, activated=lambda: self.add("phone"))
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.view, activated=self.remove_current)
        buttons = QHBoxLayout()
        for b in (self.add_phone_button, self.add_email_button, self.add_other_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.model.dataChanged.connect(lambda *_a: self.changed.emit())
        self.model.rowsInserted.connect(lambda *_a: self.changed.emit())
        self.model.rowsRemoved.connect(lambda *_a: self.changed.emit())

    def set_points(self, points) -> None:
        self.model.set_points(list(points))

    def points(self) -> list[PointInput]:
        return self.model.points()

    def add(self, kind: str) -> None:
        row = self.model.add_row(kind)
        index = self.model.index(row, VALUE)
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def remove_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.model.remove_row(index.row())
