"""One case beside the queue: what it is about, buttons for the statuses it may move to,
assign, a note box, and its timeline (status changes, assignments and notes with who and when)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from crmdesk.i18n import N_, _
from crmdesk.services import case_detail
from crmdesk.services import cases as case_service
from crmdesk.services.case_detail import CaseDetail
from crmdesk.services.case_settings import priority_label
from crmdesk.services.cases import CLOSED, IN_PROGRESS, RESOLVED, WAITING, is_reopen, status_label
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import show_error
from crmdesk.ui.service.case_dialogs import AssignDialog, CloseCaseDialog

ENTITIES = ("service_cases", "case_notes")
TIMELINE_HEADERS = [N_("When"), N_("Who"), N_("Event"), N_("Details")]
# The button that moves a case to a status (reopen is IN_PROGRESS from resolved/closed).
MOVE_LABELS = {IN_PROGRESS: N_("Start work"), WAITING: N_("Wait for customer"), RESOLVED: N_("Resolve"),
               CLOSED: N_("Close…")}
KIND_LABELS = {"note": N_("Note"), "assign": N_("Assigned"), "status": N_("Status")}


def timeline_text(note) -> str:
    if note.kind == "status":
        change = (f"{status_label(note.from_status)} → {status_label(note.to_status)}" if note.from_status
                  else _("Opened as {status}").format(status=status_label(note.to_status)))
        return f"{change}  {note.text}".strip()
    if note.kind == "assign":
        return _("to {name}").format(name=note.text or _("(unassigned)"))
    return note.text


class CaseDetailPane(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: CaseDetail | None = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.facts = QGridLayout()
        self.fact_labels: dict[str, QLabel] = {}
        for pos, (key, text) in enumerate((("customer", N_("Customer")), ("status", N_("Status")),
                                           ("type", N_("Type")), ("priority", N_("Priority")),
                                           ("assignee", N_("Assigned to")), ("contact", N_("Contact")),
                                           ("opened", N_("Opened")), ("due", N_("Due")),
                                           ("order", N_("Order")), ("product", N_("Product")),
                                           ("satisfaction", N_("Satisfaction")))):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = value
            self.facts.addWidget(QLabel(_(text) + ":"), pos // 2, (pos % 2) * 2)
            self.facts.addWidget(value, pos // 2, (pos % 2) * 2 + 1)
        self.facts.setColumnStretch(1, 1)
        self.facts.setColumnStretch(3, 1)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.move_bar = QHBoxLayout()
        self.move_buttons: dict[str, QPushButton] = {}
        self.reopen_button = QPushButton(_("Reopen"))
        self.reopen_button.clicked.connect(lambda: self.move_to(IN_PROGRESS))
        self.assign_button = QPushButton(_("Assign…"))
        self.assign_button.clicked.connect(self.assign)
        self.customer_button = QPushButton(_("Open customer"))
        self.customer_button.clicked.connect(self.open_customer)
        for status, label in MOVE_LABELS.items():
            button = QPushButton(_(label))
            button.clicked.connect(lambda _c=False, s=status: self.move_to(s))
            self.move_buttons[status] = button
            self.move_bar.addWidget(button)
        for b in (self.reopen_button, self.assign_button, self.customer_button):
            self.move_bar.addWidget(b)
        self.move_bar.addStretch(1)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(_("Add a note to the timeline, Enter saves"))
        self.note_edit.returnPressed.connect(self.add_note)
        self.note_button = QPushButton(_("Add note"))
        self.note_button.clicked.connect(self.add_note)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.note_button)
        self.timeline = SimpleTable(TIMELINE_HEADERS)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.facts)
        layout.addWidget(self.description)
        layout.addLayout(self.move_bar)
        layout.addLayout(note_row)
        layout.addWidget(QLabel(_("Timeline")))
        layout.addWidget(self.timeline, 1)
        self.show_case(None)

    # -- showing -----------------------------------------------------------------------------
    def load(self, case_id: int | None) -> None:
        if case_id is None:
            self.show_case(None)
            return
        try:
            with self.ctx.read() as session:
                detail = case_detail.get_case(session, self.ctx.actor, case_id)
        except Exception as exc:  # noqa: BLE001 - e.g. the customer was deleted meanwhile
            self.show_case(None)
            self.title.setText(str(exc))
            return
        self.show_case(detail)

    def show_case(self, d: CaseDetail | None) -> None:
        self.detail = d
        for w in (*self.move_buttons.values(), self.reopen_button, self.assign_button, self.customer_button,
                  self.note_edit, self.note_button):
            w.setEnabled(d is not None)
        if d is None:
            self.title.setText(_("Select a case in the list."))
            for label in self.fact_labels.values():
                label.clear()
            self.description.clear()
            self.timeline.set_rows([])
            return
        self.title.setText(f"<b>{d.number}</b> · {d.subject}")
        due = f"{d.due_at:%Y-%m-%d %H:%M}" if d.due_at else ""
        facts = {"customer": f"{d.customer_code} {d.customer_name}", "status": status_label(d.status),
                 "type": d.type_name, "priority": priority_label(d.priority),
                 "assignee": d.assignee_name or _("(unassigned)"), "contact": d.contact_name,
                 "opened": f"{d.opened_at:%Y-%m-%d %H:%M}",
                 "due": f"<span style='color:#c0392b'>{due} {_('overdue')}</span>" if d.overdue else due,
                 "order": d.order_number, "product": d.product_name,
                 "satisfaction": (f"{d.satisfaction}/5 {d.feedback}".strip() if d.satisfaction else "")}
        for key, text in facts.items():
            self.fact_labels[key].setText(text)
        self.description.setText(d.description)
        for status, button in self.move_buttons.items():
            button.setVisible(status in d.next_statuses and not is_reopen(d.status, status))
        self.reopen_button.setVisible(any(is_reopen(d.status, s) for s in d.next_statuses))
        self.timeline.set_rows([[f"{n.at:%Y-%m-%d %H:%M}", n.user_name, _(KIND_LABELS.get(n.kind, n.kind)),
                                 timeline_text(n)] for n in d.timeline], ids=[n.id for n in d.timeline])

    # -- acting ------------------------------------------------------------------------------
    def _write(self, fn, *args, **kwargs) -> bool:
        case_id = self.detail.id
        try:
            with self.ctx.write(*ENTITIES) as session:
                fn(session, self.ctx.actor, case_id, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the service's refusal is shown as it is
            show_error(self, exc, _("Service"))
            return False
        # The case may have left the queue's filter; it stays in view until another is chosen.
        self.load(case_id)
        return True

    def move_to(self, status: str) -> bool:
        if self.detail is None:
            return False
        if status == CLOSED:
            dialog = CloseCaseDialog(self.detail.number, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            return self._write(case_service.close_case, dialog.satisfaction, dialog.feedback)
        return self._write(case_service.change_status, status)

    def assign(self) -> bool:
        if self.detail is None:
            return False
        with self.ctx.read() as session:
            users = case_detail.assignable_users(session, self.ctx.actor)
        dialog = AssignDialog(users, self.detail.assignee_id, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self._write(case_service.assign_case, dialog.user_id)

    def add_note(self) -> bool:
        text = self.note_edit.text().strip()
        if self.detail is None or not text:
            return False
        if self._write(case_service.add_note, text):
            self.note_edit.clear()
            return True
        return False

    def open_customer(self) -> None:
        if self.detail is not None:
            self.ctx.bus.open_customer_requested.emit(self.detail.customer_id)
