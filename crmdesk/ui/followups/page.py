"""The Follow-ups (Today) page: overdue, due-today and upcoming tasks (overdue in
red; a task a process rule made says why in one line), the open alerts the rules
raised (dismiss), contacts' birthdays this week, and customers with no purchase lately.
Mark done, reschedule, or open the customer."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import Qt

from crmdesk.i18n import N_, _
from crmdesk.services import alerts as alert_service
from crmdesk.services import tasks as task_service
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.dialogs.date_dialog import ask_date
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import show_error

log = logging.getLogger(__name__)

TASK_HEADERS = [N_("Due"), N_("Customer"), N_("Task"), N_("Why"), N_("Assigned to"), N_("Notes")]
ALERT_HEADERS = [N_("Customer"), N_("Alert"), N_("Rule"), N_("Since")]
BIRTHDAY_HEADERS = [N_("Day"), N_("Contact"), N_("Customer"), N_("Birthday")]
FLAGGED_HEADERS = [N_("Code"), N_("Customer"), N_("Why"), N_("Last order")]
REFRESH_ON = {"tasks", "interactions", "contacts", "customers", "sales_orders", "sales_lines", "import_batches",
              "customer_alerts", "rule_firings"}
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _box(title: str, *widgets) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for w in widgets:
        if isinstance(w, QHBoxLayout):
            layout.addLayout(w)
        else:
            layout.addWidget(w)
    return box


class FollowupsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today  # None: the real today (tests pin it)
        self.data = task_service.TodayData()
        self._tasks: dict[int, task_service.TaskInfo] = {}
        self.alerts: list[alert_service.AlertInfo] = []
        self._stale = True

        self.summary_label = QLabel()
        self.all_users_check = QCheckBox(_("Everyone's tasks"))
        self.all_users_check.setChecked(ctx.actor.is_owner)
        self.refresh_button = QPushButton(_("Refresh"))
        self.tasks_table = SimpleTable(TASK_HEADERS)
        self.done_button = QPushButton(_("Mark done"))
        self.reschedule_button = QPushButton(_("Reschedule…"))
        self.open_button = QPushButton(_("Open customer"))
        self.birthdays_table = SimpleTable(BIRTHDAY_HEADERS)
        self.flagged_table = SimpleTable(FLAGGED_HEADERS)
        self.alerts_table = SimpleTable(ALERT_HEADERS)
        self.dismiss_button = QPushButton(_("Dismiss alert"))
        self.open_alert_button = QPushButton(_("Open customer"))

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.all_users_check)
        top.addWidget(self.refresh_button)
        task_buttons = QHBoxLayout()
        for b in (self.done_button, self.reschedule_button, self.open_button):
            task_buttons.addWidget(b)
        task_buttons.addStretch(1)
        alert_buttons = QHBoxLayout()
        alert_buttons.addWidget(self.dismiss_button)
        alert_buttons.addWidget(self.open_alert_button)
        alert_buttons.addStretch(1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(_box(_("Birthdays this week"), self.birthdays_table))
        lower.addWidget(_box(_("Customers to call (no purchase lately)"), self.flagged_table))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(_box(_("Tasks: overdue, today and the next 7 days"), task_buttons, self.tasks_table))
        splitter.addWidget(_box(_("Alerts from the process rules"), alert_buttons, self.alerts_table))
        splitter.addWidget(lower)
        for index, stretch in enumerate((4, 1, 3)):  # the alerts are few: the tasks get the room
            splitter.setStretchFactor(index, stretch)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.all_users_check.toggled.connect(lambda _c: self.refresh())
        self.done_button.clicked.connect(lambda: self.mark_done())
        self.reschedule_button.clicked.connect(lambda: self.reschedule())
        self.open_button.clicked.connect(self.open_selected_customer)
        self.tasks_table.id_activated.connect(lambda _i: self.open_selected_customer())
        self.birthdays_table.id_activated.connect(self._open_id)
        self.flagged_table.id_activated.connect(self._open_id)
        self.alerts_table.id_activated.connect(lambda _i: self.open_alert_customer())
        self.dismiss_button.clicked.connect(lambda: self.dismiss_alert())
        self.open_alert_button.clicked.connect(self.open_alert_customer)
        ctx.bus.changed.connect(self._on_changed)

    # -- page protocol -----------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def _on_changed(self, entities) -> None:
        if set(entities) & REFRESH_ON:
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            with self.ctx.read() as session:
                self.data = task_service.today_data(session, self.ctx.actor, today=self.today,
                                                    all_users=self.all_users_check.isChecked())
                self.alerts = alert_service.open_alerts(session, self.ctx.actor)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._stale = False
        d = self.data
        tasks = [*d.overdue, *d.due_today, *d.upcoming]
        self._tasks = {t.id: t for t in tasks}
        self.tasks_table.set_rows(
            [[t.due_date.isoformat() if t.due_date else "", f"{t.customer_code} {t.customer_name}".strip(),
              t.title, t.reason, t.assignee_name, t.notes] for t in tasks],
            ids=[t.id for t in tasks], highlight=[t.is_overdue for t in tasks])
        for row, t in enumerate(tasks):
            if t.rule_name:
                self.tasks_table.item(row, 3).setToolTip(_("Rule: {name}").format(name=t.rule_name))
        self.alerts_table.set_rows(
            [[a.customer_name, a.message, a.rule_name, a.created_at.strftime("%Y-%m-%d") if a.created_at else ""]
             for a in self.alerts], ids=[a.id for a in self.alerts])
        self.birthdays_table.set_rows(
            [[_(WEEKDAYS[b.date_this_year.weekday()]) + " " + b.date_this_year.strftime("%m-%d"), b.contact_name,
              b.customer_name, b.birthday_text] for b in d.birthdays], ids=[b.customer_id for b in d.birthdays])
        self.flagged_table.set_rows(
            [[f.customer_code, f.customer_name, f.reason, f.last_order_date.isoformat() if f.last_order_date else ""]
             for f in d.flagged], ids=[f.customer_id for f in d.flagged])
        self.summary_label.setText(_("{overdue} overdue, {today} due today, {upcoming} coming up, "
                                     "{alerts} alerts, {birthdays} birthdays this week").format(
            overdue=len(d.overdue), today=len(d.due_today), upcoming=len(d.upcoming), alerts=len(self.alerts),
            birthdays=len(d.birthdays)))

    def selected_task(self) -> task_service.TaskInfo | None:
        return self._tasks.get(self.tasks_table.current_id())

    # -- actions -------------------------------------------------------------------------------
    def mark_done(self) -> bool:
        task = self.selected_task()
        if task is None:
            return False
        try:
            with self.ctx.write("tasks") as session:
                task_service.mark_done(session, self.ctx.actor, task.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return False
        self.ctx.bus.status_message.emit(_("Task done: {title}").format(title=task.title))
        self.refresh()
        return True

    def reschedule(self, new_due: dt.date | None = None) -> bool:
        task = self.selected_task()
        if task is None:
            return False
        if new_due is None:
            new_due = ask_date(self, task.due_date)
            if new_due is None:
                return False
        try:
            with self.ctx.write("tasks") as session:
                task_service.reschedule(session, self.ctx.actor, task.id, new_due)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return False
        self.refresh()
        return True

    def open_selected_customer(self) -> None:
        task = self.selected_task()
        if task is not None and task.customer_id is not None:
            self.ctx.bus.open_customer_requested.emit(task.customer_id)

    def selected_alert(self) -> alert_service.AlertInfo | None:
        wanted = self.alerts_table.current_id()
        return next((a for a in self.alerts if a.id == wanted), None)

    def dismiss_alert(self) -> bool:
        alert = self.selected_alert()
        if alert is None:
            return False
        try:
            with self.ctx.write("customer_alerts") as session:
                alert_service.dismiss_alert(session, self.ctx.actor, alert.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return False
        self.refresh()
        return True

    def open_alert_customer(self) -> None:
        alert = self.selected_alert()
        if alert is not None:
            self.ctx.bus.open_customer_requested.emit(alert.customer_id)

    def _open_id(self, customer_id) -> None:
        if customer_id is not None:
            self.ctx.bus.open_customer_requested.emit(int(customer_id))


def create_followups_page(ctx: AppContext) -> FollowupsPage:
    return FollowupsPage(ctx)
