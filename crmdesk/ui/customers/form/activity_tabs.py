"""The form's Contact log and Follow-ups tabs."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services import interactions as interaction_service
from crmdesk.services import opportunities as opportunity_service
from crmdesk.services import tasks as task_service
from crmdesk.services.permissions import can
from crmdesk.ui.customers.dialogs.date_dialog import ask_date
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import confirm, show_error

LOG_HEADERS = [N_("When"), N_("Channel"), N_("Contact"), N_("Logged by"), N_("Notes"), N_("Outcome"),
               N_("Next follow-up")]
TASK_STATUS_LABELS = {"open": N_("to do"), "done": N_("done"), "cancelled": N_("cancelled")}
TASK_HEADERS = [N_("Due"), N_("Task"), N_("Status"), N_("Assigned to"), N_("Notes")]


class LogTab(QWidget):
    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.table = SimpleTable(LOG_HEADERS)
        self.log_button = QPushButton(_("Log contact… (Ctrl+L)"))
        self.delete_button = QPushButton(_("Delete entry"))
        self.opportunity_button = QPushButton(_("Turn into opportunity…"))
        self.opportunity_button.setVisible(can(host.ctx.actor, "customers.opportunities"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.log_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.opportunity_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.log_button.clicked.connect(lambda: self.host.quick_log())
        self.delete_button.clicked.connect(self.delete)
        self.opportunity_button.clicked.connect(lambda: self.turn_into_opportunity())

    def load(self, entries) -> None:
        self.table.set_rows([[e.occurred_at.strftime("%Y-%m-%d %H:%M"), _(e.channel_label), e.contact_name,
                              e.user_name, e.notes.replace("\n", " "), e.outcome,
                              e.next_follow_up.isoformat() if e.next_follow_up else ""] for e in entries],
                            ids=[e.id for e in entries])

    def delete(self) -> None:
        entry_id = self.table.current_id()
        if entry_id is None or not confirm(self, _("Delete this contact-log entry?")):
            return
        try:
            with self.host.own_write("interactions") as session:
                interaction_service.delete_interaction(session, self.host.ctx.actor, entry_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def turn_into_opportunity(self) -> int | None:
        """Open the opportunity form prefilled from the selected entry; saving links the two."""
        from crmdesk.ui.pipeline.opportunity_dialog import open_opportunity  # loaded on first use

        entry_id = self.table.current_id()
        if entry_id is None:
            return None
        try:
            with self.host.ctx.read() as session:
                draft = opportunity_service.draft_from_interaction(session, self.host.ctx.actor, entry_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return None
        return open_opportunity(self.host.ctx, self, None, customer_id=draft.customer_id, draft=draft,
                                from_interaction_id=entry_id)


class FollowupsTab(QWidget):
    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._tasks: list = []
        self.table = SimpleTable(TASK_HEADERS, stretch=TASK_HEADERS.index(N_("Task")))
        self.add_button = QPushButton(_("Add follow-up…"))
        self.done_button = QPushButton(_("Mark done"))
        self.reschedule_button = QPushButton(_("Reschedule…"))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.done_button, self.reschedule_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.add_button.clicked.connect(lambda: self.add())
        self.done_button.clicked.connect(self.mark_done)
        self.reschedule_button.clicked.connect(self.reschedule)

    def load(self, tasks) -> None:
        self._tasks = list(tasks)
        self.table.set_rows([[t.due_date.isoformat() if t.due_date else "", t.title, _(TASK_STATUS_LABELS.get(t.status, t.status)),
                              t.assignee_name, t.notes] for t in self._tasks],
                            ids=[t.id for t in self._tasks], highlight=[t.is_overdue for t in self._tasks])

    def add(self, title: str | None = None, due: dt.date | None = None) -> None:
        if title is None:
            title, ok = QInputDialog.getText(self, _("Add follow-up"), _("What to do:"))
            if not ok or not title.strip():
                return
        if due is None:
            due = ask_date(self, dt.date.today() + dt.timedelta(days=1), _("Add follow-up"), _("Due date:"))
            if due is None:
                return
        try:
            with self.host.own_write("tasks") as session:
                task_service.create_task(session, self.host.ctx.actor, self.host.customer_id, title.strip(), due)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def mark_done(self) -> None:
        task_id = self.table.current_id()
        if task_id is None:
            return
        try:
            with self.host.own_write("tasks") as session:
                task_service.mark_done(session, self.host.ctx.actor, task_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def reschedule(self) -> None:
        task = next((t for t in self._tasks if t.id == self.table.current_id()), None)
        if task is None:
            return
        new_due = ask_date(self, task.due_date)
        if new_due is None:
            return
        try:
            with self.host.own_write("tasks") as session:
                task_service.reschedule(session, self.host.ctx.actor, task.id, new_due)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
