"""Settings → Service cases: the case types (add, rename, reorder, deactivate; the code stays)
and their SLA hours per priority. A changed SLA applies to cases opened from then on."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from crmdesk.i18n import N_, _
from crmdesk.services import case_settings
from crmdesk.services.case_settings import MAX_SLA_HOURS, CaseTypeInfo
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import show_error
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, selected_rows, table_view

TITLE = N_("Service cases")
ENTITIES = ("case_types",)


class CaseTypeDialog(QDialog):
    def __init__(self, info: CaseTypeInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Case type") if info else _("New case type"))
        self.name_edit = QLineEdit(info.name if info else "")
        self.spins = []
        form = QFormLayout(self)
        form.addRow(_("Name"), self.name_edit)
        defaults = (info.sla_high, info.sla_normal, info.sla_low) if info else (24, 72, 168)
        for label, value in zip((N_("SLA hours, high priority"), N_("SLA hours, normal priority"),
                                 N_("SLA hours, low priority")), defaults, strict=True):
            spin = QSpinBox()
            spin.setRange(1, MAX_SLA_HOURS)
            spin.setValue(value)
            self.spins.append(spin)
            form.addRow(_(label), spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, int, int, int]:
        high, normal, low = (s.value() for s in self.spins)
        return self.name_edit.text().strip(), high, normal, low


class ServiceSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            Col(N_("Name"), lambda t: t.name),
            Col(N_("Code"), lambda t: t.code),
            Col(N_("High"), lambda t: f"{t.sla_high} h", right=True),
            Col(N_("Normal"), lambda t: f"{t.sla_normal} h", right=True),
            Col(N_("Low"), lambda t: f"{t.sla_low} h", right=True),
            Col(N_("Cases"), lambda t: t.cases, right=True),
            Col(N_("Active"), lambda t: _("yes") if t.active else _("no")),
        ], self, greyed=lambda t: not t.active)
        self.view = table_view(self.model, self)
        self.view.setMinimumHeight(200)
        self.add_button = QPushButton(_("Add…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.up_button = QPushButton(_("Up"))
        self.down_button = QPushButton(_("Down"))
        self.active_button = QPushButton(_("Deactivate"))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.up_button, self.down_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        note = QLabel(_("SLA: hours from opening a case to resolving it. A changed SLA applies to cases "
                        "opened from now on; cases already open keep their due dates."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #777;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button.clicked.connect(lambda: self.edit())
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.active_button.clicked.connect(self.toggle_active)
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.reload()

    def activate(self) -> None:
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        current = self.current()
        keep = select_id if select_id is not None else (current.id if current else None)
        try:
            with self.ctx.read() as session:
                rows = case_settings.list_case_types(session, self.ctx.actor, include_inactive=True)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _(TITLE))
            return
        self.model.set_rows(rows)
        fit_columns(self.view)
        for pos, row in enumerate(rows):
            if row.id == keep:
                self.view.selectRow(pos)
        self._update_buttons()

    def current(self) -> CaseTypeInfo | None:
        rows = selected_rows(self.view)
        return rows[0] if rows else None

    def _update_buttons(self) -> None:
        t = self.current()
        for b in (self.edit_button, self.up_button, self.down_button, self.active_button):
            b.setEnabled(t is not None)
        self.active_button.setText(_("Activate") if t is not None and not t.active else _("Deactivate"))

    def _write(self, fn, *args) -> object:
        try:
            with self.ctx.write(*ENTITIES) as session:
                return fn(session, self.ctx.actor, *args)
        except Exception as exc:  # noqa: BLE001 - the service's refusal is shown as it is
            show_error(self, exc, _(TITLE))
            return None

    def add(self, values: tuple[str, int, int, int] | None = None) -> CaseTypeInfo | None:
        if values is None:
            dialog = CaseTypeDialog(None, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        info = self._write(case_settings.add_case_type, *values)
        self.reload(info.id if info else None)
        return info

    def edit(self, values: tuple[str, int, int, int] | None = None) -> CaseTypeInfo | None:
        t = self.current()
        if t is None:
            return None
        if values is None:
            dialog = CaseTypeDialog(t, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        info = self._write(case_settings.update_case_type, t.id, *values)
        self.reload()
        return info

    def move(self, step: int) -> None:
        t = self.current()
        if t is not None:
            self._write(case_settings.move_case_type, t.id, step)
            self.reload(t.id)

    def toggle_active(self) -> None:
        t = self.current()
        if t is not None:
            self._write(case_settings.set_case_type_active, t.id, not t.active)
            self.reload(t.id)


def create(ctx: AppContext) -> QWidget:
    return ServiceSection(ctx)
