"""The editor of one territory: name, priority, the allowed values per rule field, and its
salespeople. ``definition()`` gives the edited TerritoryDef; ``changed`` fires on every edit.

A field's values are typed (separated by commas) or picked from the values the data has
(``territories.rule_choices``); a value not yet in the data may be typed freely."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from crmdesk.i18n import N_, _
from crmdesk.services.territories import CUSTOMER_FIELDS, PRODUCT_FIELDS, TerritoryDef
from crmdesk.services.territory_rules import BRANCH_FIELDS
from crmdesk.ui.settings.territory_data import Person

FIELD_LABELS = {"province": N_("Province"), "city": N_("City"), "district": N_("District"),
                "customer_type": N_("Customer type"), "grade": N_("Grade"), "tag": N_("Tag"),
                "category": N_("Product category"), "brand": N_("Brand"), "branch": N_("Branch")}
_SPLIT = re.compile(r"\s*[,，、;；]\s*")


def split_values(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in _SPLIT.split(text) if v.strip()))


def join_values(values: Sequence[str]) -> str:
    return ", ".join(values)


class ChoiceDialog(QDialog):
    """A checkable list of a field's values with a filter; typing a new value and pressing Add
    (or Enter) puts it in the list, checked."""

    def __init__(self, title: str, choices: Sequence[str], chosen: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter, or type a new value…"))
        self.add_button = QPushButton(_("Add"))
        self.list = QListWidget()
        for value in list(dict.fromkeys([*chosen, *choices])):
            self._add_item(value, value in chosen)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.add_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self.add_typed)
        self.add_button.clicked.connect(self.add_typed)
        self.resize(320, 420)

    def _add_item(self, value: str, checked: bool) -> None:
        item = QListWidgetItem(value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.addItem(item)

    def _apply_filter(self, text: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(text) and text.lower() not in item.text().lower())

    def add_typed(self) -> None:
        for value in split_values(self.filter.text()):
            found = self.list.findItems(value, Qt.MatchFlag.MatchExactly)
            if found:
                found[0].setCheckState(Qt.CheckState.Checked)
            else:
                self._add_item(value, True)
        self.filter.clear()

    def chosen(self) -> tuple[str, ...]:
        return tuple(self.list.item(r).text() for r in range(self.list.count())
                     if self.list.item(r).checkState() == Qt.CheckState.Checked)


class ValuePicker(QWidget):
    """One rule field: the chosen values as editable text, and a button to pick from the data."""

    changed = Signal()

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.choices: list[str] = []
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_("all"))
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setToolTip(_("Choose values"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.edit.textEdited.connect(lambda _t: self.changed.emit())
        self.button.clicked.connect(self.choose)

    def values(self) -> tuple[str, ...]:
        return split_values(self.edit.text())

    def set_values(self, values: Sequence[str]) -> None:
        self.edit.setText(join_values(values))
        self.edit.setToolTip(join_values(values))

    def make_dialog(self) -> ChoiceDialog:
        return ChoiceDialog(_(FIELD_LABELS[self.field]), self.choices, self.values(), self)

    def choose(self) -> None:
        dialog = self.make_dialog()
        if dialog.exec():
            self.set_values(dialog.chosen())
            self.changed.emit()


class TerritoryEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._id: int | None = None
        self._notes = ""
        self._loading = False
        self.name = QLineEdit()
        self.priority = QSpinBox()
        self.priority.setRange(0, 9999)
        self.priority.setToolTip(_("A customer in several territories gets the one with the lowest number "
                                   "as its main territory."))
        self.pickers = {f: ValuePicker(f) for f in (*CUSTOMER_FIELDS, *PRODUCT_FIELDS, *BRANCH_FIELDS)}
        self.people = QListWidget()
        self.people.setMinimumHeight(100)
        top = QFormLayout()
        top.addRow(_("Name:"), self.name)
        top.addRow(_("Priority:"), self.priority)
        customers = QGroupBox(_("Which customers (empty = all)"))
        cform = QFormLayout(customers)
        for f in CUSTOMER_FIELDS:
            cform.addRow(_(FIELD_LABELS[f]) + ":", self.pickers[f])
        products = QGroupBox(_("Which sales count (empty = all products)"))
        pform = QFormLayout(products)
        for f in PRODUCT_FIELDS:
            pform.addRow(_(FIELD_LABELS[f]) + ":", self.pickers[f])
        # Branch codes: its salespeople see those branches' orders only (shown once branches exist).
        for f in BRANCH_FIELDS:
            pform.addRow(_(FIELD_LABELS[f]) + ":", self.pickers[f])
            self.pickers[f].setToolTip(_("Branch codes: the salespeople of this territory see only these "
                                         "branches' orders, receipts and stock (empty = every branch)"))
        self._sales_form = pform
        people_box = QGroupBox(_("Salespeople"))
        QVBoxLayout(people_box).addWidget(self.people)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(customers)
        layout.addWidget(products)
        layout.addWidget(people_box, 1)
        self.name.textEdited.connect(lambda _t: self._emit())
        self.priority.valueChanged.connect(lambda _v: self._emit())
        for picker in self.pickers.values():
            picker.changed.connect(self._emit)
        self.people.itemChanged.connect(lambda _i: self._emit())

    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit()

    def set_choices(self, choices: dict[str, list[str]], people: Sequence[Person]) -> None:
        for f, picker in self.pickers.items():
            picker.choices = list(choices.get(f, []))
        for f in BRANCH_FIELDS:
            self._sales_form.setRowVisible(self.pickers[f], bool(choices.get(f)) or bool(self.pickers[f].values()))
        self._loading = True
        try:
            self.people.clear()
            for p in people:
                item = QListWidgetItem(p.name if p.can_login else _("{name} (no login yet)").format(name=p.name))
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.people.addItem(item)
        finally:
            self._loading = False

    def load(self, tdef: TerritoryDef | None) -> None:
        self._loading = True
        try:
            self.setEnabled(tdef is not None)
            tdef = tdef or TerritoryDef(None, "")
            self._id, self._notes = tdef.id, tdef.notes
            self.name.setText(tdef.name)
            self.priority.setValue(int(tdef.priority))
            for f, picker in self.pickers.items():
                picker.set_values(tdef.values(f))
            for row in range(self.people.count()):
                item = self.people.item(row)
                on = item.data(Qt.ItemDataRole.UserRole) in tdef.salesperson_ids
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        finally:
            self._loading = False

    def set_values(self, field: str, values: Sequence[str]) -> None:
        """Set one field's values as if picked (tests and scripts)."""
        self.pickers[field].set_values(values)
        self._emit()

    def definition(self) -> TerritoryDef:
        rules = {f: p.values() for f, p in self.pickers.items() if p.values()}
        people = tuple(self.people.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.people.count())
                       if self.people.item(r).checkState() == Qt.CheckState.Checked)
        return TerritoryDef(self._id, self.name.text().strip(), self.priority.value(), rules, people, self._notes)
