"""Customer types and their custom fields: add, rename, reorder, delete types;
add, edit, reorder, delete fields (text, number, money, date, choice, yes/no;
required; choices). Every change is saved at once through the services."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.services import custom_fields as cf
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import confirm, show_error

FIELD_TYPE_LABELS = {"text": N_("Text"), "number": N_("Numeric"), "money": N_("Money"), "date": N_("Date"),
                     "choice": N_("Choice"), "bool": N_("Yes/no")}
ENTITIES = ("customer_types", "custom_fields")


class FieldDialog(QDialog):
    def __init__(self, field: cf.FieldInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Edit field") if field else _("New field"))
        self.label_edit = QLineEdit()
        self.type_combo = QComboBox()
        for value, label in FIELD_TYPE_LABELS.items():
            self.type_combo.addItem(_(label), value)
        self.required_check = QCheckBox(_("Required"))
        self.choices_edit = QPlainTextEdit()
        self.choices_edit.setPlaceholderText(_("One choice per line"))
        self.choices_edit.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow(_("Label"), self.label_edit)
        form.addRow(_("Kind"), self.type_combo)
        form.addRow("", self.required_check)
        form.addRow(_("Choices"), self.choices_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.type_combo.currentIndexChanged.connect(self._on_type)
        if field:
            self.label_edit.setText(field.label)
            self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(field.field_type)))
            self.required_check.setChecked(field.required)
            self.choices_edit.setPlainText("\n".join(field.choices))
        self._on_type()

    def _on_type(self) -> None:
        self.choices_edit.setEnabled(self.type_combo.currentData() == "choice")

    def values(self) -> tuple[str, str, bool, list[str]]:
        choices = [c.strip() for c in self.choices_edit.toPlainText().splitlines() if c.strip()]
        return self.label_edit.text().strip(), self.type_combo.currentData(), self.required_check.isChecked(), choices


class TypeEditorDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Customer types and fields"))
        self.resize(760, 420)
        self._types: list[cf.TypeInfo] = []
        self.type_list = QListWidget()
        self.fields_table = SimpleTable([N_("Label"), N_("Kind"), N_("Required"), N_("Choices")])
        type_buttons = QHBoxLayout()
        self.add_type_button = QPushButton(_("Add type…"))
        self.rename_type_button = QPushButton(_("Rename…"))
        self.delete_type_button = QPushButton(_("Delete"))
        self.type_up_button, self.type_down_button = QPushButton("↑"), QPushButton("↓")
        for b in (self.add_type_button, self.rename_type_button, self.delete_type_button, self.type_up_button,
                  self.type_down_button):
            type_buttons.addWidget(b)
        field_buttons = QHBoxLayout()
        self.add_field_button = QPushButton(_("Add field…"))
        self.edit_field_button = QPushButton(_("Edit…"))
        self.delete_field_button = QPushButton(_("Delete"))
        self.field_up_button, self.field_down_button = QPushButton("↑"), QPushButton("↓")
        for b in (self.add_field_button, self.edit_field_button, self.delete_field_button, self.field_up_button,
                  self.field_down_button):
            field_buttons.addWidget(b)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.type_list)
        left.addLayout(type_buttons)
        right.addWidget(self.fields_table)
        right.addLayout(field_buttons)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)

        self.type_list.currentRowChanged.connect(lambda _r: self._show_fields())
        self.add_type_button.clicked.connect(lambda: self.add_type())
        self.rename_type_button.clicked.connect(self.rename_type)
        self.delete_type_button.clicked.connect(self.delete_type)
        self.type_up_button.clicked.connect(lambda: self.move_type(-1))
        self.type_down_button.clicked.connect(lambda: self.move_type(1))
        self.add_field_button.clicked.connect(lambda: self.add_field())
        self.edit_field_button.clicked.connect(self.edit_field)
        self.fields_table.id_activated.connect(lambda _i: self.edit_field())
        self.delete_field_button.clicked.connect(self.delete_field)
        self.field_up_button.clicked.connect(lambda: self.move_field(-1))
        self.field_down_button.clicked.connect(lambda: self.move_field(1))
        self.reload()

    # -- data ----------------------------------------------------------------------------------
    def reload(self, select_type: int | None = None) -> None:
        current = select_type if select_type is not None else self.current_type_id()
        with self.ctx.read() as session:
            self._types = cf.list_types(session)
        self.type_list.blockSignals(True)
        self.type_list.clear()
        for t in self._types:
            item = QListWidgetItem(t.name)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.type_list.addItem(item)
        self.type_list.blockSignals(False)
        ids = [t.id for t in self._types]
        self.type_list.setCurrentRow(ids.index(current) if current in ids else (0 if ids else -1))
        self._show_fields()

    def current_type(self) -> cf.TypeInfo | None:
        row = self.type_list.currentRow()
        return self._types[row] if 0 <= row < len(self._types) else None

    def current_type_id(self) -> int | None:
        t = self.current_type()
        return t.id if t else None

    def _show_fields(self) -> None:
        t = self.current_type()
        fields = t.fields if t else ()
        self.fields_table.set_rows([[f.label, _(FIELD_TYPE_LABELS.get(f.field_type, f.field_type)),
                                     _("yes") if f.required else "", "、".join(f.choices)] for f in fields],
                                   ids=[f.id for f in fields])

    def _write(self, fn, select_type: int | None = None) -> bool:
        try:
            with self.ctx.write(*ENTITIES) as session:
                fn(session)
        except Exception as exc:  # noqa: BLE001 - the service's refusal names the problem
            show_error(self, exc)
            return False
        self.reload(select_type)
        return True

    # -- types ---------------------------------------------------------------------------------
    def add_type(self, name: str | None = None) -> None:
        if name is None:
            name, ok = QInputDialog.getText(self, _("Add type"), _("Name of the new customer type:"))
            if not ok:
                return
        if name.strip():
            self._write(lambda s: cf.create_type(s, self.ctx.actor, name.strip()))

    def rename_type(self) -> None:
        t = self.current_type()
        if t is None:
            return
        name, ok = QInputDialog.getText(self, _("Rename type"), _("New name:"), text=t.name)
        if ok and name.strip():
            self._write(lambda s: cf.rename_type(s, self.ctx.actor, t.id, name.strip()))

    def delete_type(self) -> None:
        t = self.current_type()
        if t and confirm(self, _("Delete the customer type {name} and its fields?").format(name=t.name)):
            self._write(lambda s: cf.delete_type(s, self.ctx.actor, t.id))

    def move_type(self, step: int) -> None:
        row = self.type_list.currentRow()
        ids = [t.id for t in self._types]
        if not 0 <= row + step < len(ids):
            return
        ids[row], ids[row + step] = ids[row + step], ids[row]
        self._write(lambda s: cf.reorder_types(s, self.ctx.actor, ids), select_type=ids[row + step])

    # -- fields --------------------------------------------------------------------------------
    def _current_field(self) -> cf.FieldInfo | None:
        t = self.current_type()
        fid = self.fields_table.current_id()
        return next((f for f in t.fields if f.id == fid), None) if t else None

    def add_field(self, values: tuple[str, str, bool, list[str]] | None = None) -> None:
        t = self.current_type()
        if t is None:
            return
        if values is None:
            dialog = FieldDialog(None, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            values = dialog.values()
        label, kind, required, choices = values
        self._write(lambda s: cf.add_field(s, self.ctx.actor, t.id, label, kind, required, choices))

    def edit_field(self) -> None:
        f = self._current_field()
        if f is None:
            return
        dialog = FieldDialog(f, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        label, kind, required, choices = dialog.values()
        self._write(lambda s: cf.update_field(s, self.ctx.actor, f.id, label=label, field_type=kind,
                                              required=required, choices=choices))

    def delete_field(self) -> None:
        f = self._current_field()
        if f and confirm(self, _("Delete the field {label} and every customer's value for it?").format(
                label=f.label)):
            self._write(lambda s: cf.delete_field(s, self.ctx.actor, f.id))

    def move_field(self, step: int) -> None:
        t = self.current_type()
        f = self._current_field()
        if t is None or f is None:
            return
        ids = [x.id for x in t.fields]
        row = ids.index(f.id)
        if not 0 <= row + step < len(ids):
            return
        ids[row], ids[row + step] = ids[row + step], ids[row]
        if self._write(lambda s: cf.reorder_fields(s, self.ctx.actor, t.id, ids)):
            self.fields_table.select_id(f.id)
