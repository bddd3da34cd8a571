"""The form's Basic tab: name, code, type, grade, status, address, phones,
salesperson, territory, tags, notes, and the custom fields of the customer's type.

Beside the salesperson and territory: where they came from ("rule: 华东", "manual",
"import"), and "Back to rules" for a manual one. Only a role with ``customers.assign``
may change them (the combos are disabled for the others; the service refuses anyway)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QPushButton,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import _
from crmdesk.services.custom_fields import TypeInfo
from crmdesk.services.customer_query import ListOptions
from crmdesk.services.customers import CustomerInput
from crmdesk.ui.customers.form.custom_field_editors import FieldEditor, make_editor

TAG_SEPARATORS = (",", "，", "、", ";", "；")


def split_tags(text: str) -> list[str]:
    for sep in TAG_SEPARATORS[1:]:
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


def _combo(items: Sequence[tuple[object, str]], none_label: str | None = "") -> QComboBox:
    combo = QComboBox()
    if none_label is not None:
        combo.addItem(none_label, None)
    for value, label in items:
        combo.addItem(label, value)
    return combo


def _set_combo(combo: QComboBox, value: object) -> None:
    pos = combo.findData(value)
    if pos < 0 and value not in (None, ""):
        combo.addItem(str(value), value)
        pos = combo.count() - 1
    combo.setCurrentIndex(max(pos, 0))


def _source_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #5a6b7d; font-style: italic;")
    return label


class BasicTab(QWidget):
    edited = Signal()
    back_to_rules = Signal()  # the "Back to rules" button

    def __init__(self, options: ListOptions, types: Sequence[TypeInfo], parent: QWidget | None = None,
                 may_assign: bool = True) -> None:
        super().__init__(parent)
        self.may_assign = may_assign
        self._types = {t.id: t for t in types}
        self._data = CustomerInput(name="")
        self._custom_text: dict[int, str] = {}
        self.custom_editors: dict[int, FieldEditor] = {}

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name")
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText(_("generated when empty"))
        self.short_name_edit = QLineEdit()
        self.type_combo = _combo([(o.value, o.label) for o in options.type_ids])
        self.grade_combo = _combo([(g, g) for g in sorted(set(options.grades) | {"A", "B", "C", "D"})])
        self.grade_combo.setEditable(True)
        self.status_combo = _combo([(o.value, o.label) for o in options.statuses], none_label=None)
        self.province_edit, self.city_edit, self.district_edit = QLineEdit(), QLineEdit(), QLineEdit()
        self.address_edit = QLineEdit()
        self.phone_edit, self.mobile_edit, self.email_edit = QLineEdit(), QLineEdit(), QLineEdit()
        self.tax_id_edit = QLineEdit()
        self.owner_combo = _combo([(o.value, o.label) for o in options.owners])
        self.territory_combo = _combo([(o.value, o.label) for o in options.territories])
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText(_("comma separated"))
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(70)

        form = QFormLayout()
        form.addRow(_("Name *"), self.name_edit)
        form.addRow(_("Code"), self.code_edit)
        form.addRow(_("Short name"), self.short_name_edit)
        row = QHBoxLayout()
        for label, widget in ((_("Grade"), self.grade_combo), (_("Status"), self.status_combo)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        form.addRow(_("Type"), self._pair(self.type_combo, row))
        region = QHBoxLayout()
        for edit, hint in ((self.province_edit, _("Province")), (self.city_edit, _("City")),
                           (self.district_edit, _("District"))):
            edit.setPlaceholderText(hint)
            region.addWidget(edit)
        form.addRow(_("Region"), region)
        form.addRow(_("Address"), self.address_edit)
        phones = QHBoxLayout()
        phones.addWidget(self.phone_edit)
        phones.addWidget(QLabel(_("Mobile")))
        phones.addWidget(self.mobile_edit)
        form.addRow(_("Phone"), phones)
        form.addRow(_("Email"), self.email_edit)
        form.addRow(_("Tax id"), self.tax_id_edit)
        self.owner_source = _source_label()
        self.owner_source.setObjectName("owner_source")
        self.territory_source = _source_label()
        self.territory_source.setObjectName("territory_source")
        self.rules_button = QPushButton(_("Back to rules"))
        self.rules_button.setObjectName("back_to_rules")
        self.rules_button.setToolTip(_("Clear the salesperson and territory set by hand: "
                                       "the territory rules (or the import) decide again"))
        self.rules_button.clicked.connect(self.back_to_rules)
        self.rules_button.setVisible(may_assign)
        self.rules_button.setEnabled(False)
        for combo in (self.owner_combo, self.territory_combo):
            combo.setEnabled(may_assign)
            if not may_assign:
                combo.setToolTip(_("Only the owner or a manager assigns customers"))
        people = QHBoxLayout()
        people.addWidget(self.owner_combo, 1)
        people.addWidget(self.owner_source)
        people.addSpacing(8)
        people.addWidget(QLabel(_("Territory")))
        people.addWidget(self.territory_combo, 1)
        people.addWidget(self.territory_source)
        people.addWidget(self.rules_button)
        form.addRow(_("Salesperson"), people)
        form.addRow(_("Tags"), self.tags_edit)
        form.addRow(_("Notes"), self.notes_edit)

        self.custom_box = QGroupBox(_("Fields of this customer type"))
        self.custom_form = QFormLayout(self.custom_box)

        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(form)
        inner_layout.addWidget(self.custom_box)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        for edit in (self.name_edit, self.code_edit, self.short_name_edit, self.province_edit, self.city_edit,
                     self.district_edit, self.address_edit, self.phone_edit, self.mobile_edit, self.email_edit,
                     self.tax_id_edit, self.tags_edit):
            edit.textEdited.connect(self.edited)
        for combo in (self.grade_combo, self.status_combo, self.owner_combo, self.territory_combo):
            combo.activated.connect(self.edited)
        # The form ignores these while it loads values itself.
        self.grade_combo.editTextChanged.connect(lambda _t: self.edited.emit())
        self.notes_edit.textChanged.connect(self.edited)
        self.type_combo.activated.connect(self._on_type_changed)

    @staticmethod
    def _pair(first: QWidget, rest: QHBoxLayout) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(first, 1)
        layout.addLayout(rest)
        return box

    # -- custom fields -------------------------------------------------------------------------
    def _build_custom_editors(self, type_id: int | None) -> None:
        for editor in self.custom_editors.values():
            self._custom_text[editor.info.id] = editor.text()
        while self.custom_form.rowCount():
            self.custom_form.removeRow(0)
        self.custom_editors.clear()
        info = self._types.get(type_id) if type_id is not None else None
        fields = info.fields if info else ()
        self.custom_box.setVisible(bool(fields))
        for f in fields:
            editor = make_editor(f)
            editor.set_text(self._custom_text.get(f.id, ""))
            editor.on_change(self.edited.emit)
            self.custom_editors[f.id] = editor
            self.custom_form.addRow(f.label + (" *" if f.required else ""), editor.widget)

    def _on_type_changed(self) -> None:
        self._build_custom_editors(self.type_combo.currentData())
        self.edited.emit()

    def show_assignment(self, assignment) -> None:
        """Where the salesperson and territory came from (a ``territories.CustomerAssignment``,
        or None for a new customer)."""
        if assignment is None:
            self.owner_source.setText("")
            self.territory_source.setText("")
            self.rules_button.setEnabled(False)
            return
        self.owner_source.setText(assignment.source_label())
        territory = (_("manual") if assignment.territory_manual
                     else _("rule") if assignment.territory_id is not None else "")
        self.territory_source.setText(territory)
        manual = assignment.owner_source == "manual" or assignment.territory_manual
        self.rules_button.setEnabled(self.may_assign and manual)

    # -- load / collect --------------------------------------------------------------------------
    def load(self, data: CustomerInput) -> None:
        self._data = data
        self.name_edit.setText(data.name)
        self.code_edit.setText(data.code)
        self.short_name_edit.setText(data.short_name)
        _set_combo(self.type_combo, data.type_id)
        self.grade_combo.setEditText(data.grade)
        _set_combo(self.grade_combo, data.grade or None)
        _set_combo(self.status_combo, data.status)
        self.province_edit.setText(data.province)
        self.city_edit.setText(data.city)
        self.district_edit.setText(data.district)
        self.address_edit.setText(data.address)
        self.phone_edit.setText(data.phone)
        self.mobile_edit.setText(data.mobile)
        self.email_edit.setText(data.email)
        self.tax_id_edit.setText(data.tax_id)
        _set_combo(self.owner_combo, data.owner_id)
        _set_combo(self.territory_combo, data.territory_id)
        self.tags_edit.setText("、".join(data.tags or []))
        self.notes_edit.setPlainText(data.notes)
        self._custom_text = {int(k): v for k, v in (data.custom_values or {}).items()}
        self._build_custom_editors(data.type_id)

    def collect(self) -> CustomerInput:
        """The edited values on top of what was loaded (financial fields are the Financial tab's)."""
        custom = dict(self._custom_text)
        custom.update({fid: editor.text() for fid, editor in self.custom_editors.items()})
        type_id = self.type_combo.currentData()
        own_fields = {f.id for f in self._types[type_id].fields} if type_id in self._types else set()
        return replace(
            self._data,
            name=self.name_edit.text().strip(), code=self.code_edit.text().strip(),
            short_name=self.short_name_edit.text().strip(), type_id=type_id,
            grade=self.grade_combo.currentText().strip(), status=self.status_combo.currentData() or "active",
            province=self.province_edit.text().strip(), city=self.city_edit.text().strip(),
            district=self.district_edit.text().strip(), address=self.address_edit.text().strip(),
            phone=self.phone_edit.text().strip(), mobile=self.mobile_edit.text().strip(),
            email=self.email_edit.text().strip(), tax_id=self.tax_id_edit.text().strip(),
            owner_id=self.owner_combo.currentData(), territory_id=self.territory_combo.currentData(),
            tags=split_tags(self.tags_edit.text()), notes=self.notes_edit.toPlainText().strip(),
            custom_values={fid: v for fid, v in custom.items() if fid in own_fields},
        )

    def mark_problems(self, problems: Sequence[str]) -> None:
        """Outline the custom-field editors a validation message names."""
        text = "\n".join(problems)
        for editor in self.custom_editors.values():
            editor.mark_invalid(editor.info.label in text)
        self.name_edit.setStyleSheet("border: 1px solid #c0392b;" if not self.name_edit.text().strip() else "")
