"""Quick log: a visit, call, WeChat message, email or store visit, typed with the
keyboard only. The channel is chosen with arrows/letters or Alt+1…5, Tab moves
on, Ctrl+Enter saves from anywhere and Enter saves on the last fields. The follow-up
goes to the customer's salesperson unless the chooser names someone else."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QWidget)

from crmdesk.i18n import _
from crmdesk.services.assignees import assignable_users, default_assignee
from crmdesk.services.contacts import list_contacts
from crmdesk.services.customers import get_customer
from crmdesk.services.interactions import CHANNEL_LABELS, InteractionInput, log_interaction
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets.ctrl_enter import CtrlEnterSaves
from crmdesk.ui.customers.prompts import show_error

DEFAULT_FOLLOW_UP_DAYS = 3


class QuickLogDialog(CtrlEnterSaves):
    def __init__(self, ctx: AppContext, customer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.saved_interaction_id: int | None = None
        with ctx.read() as session:
            customer = get_customer(session, customer_id)
            title = f"{customer.code} {customer.name}"
            contacts = list_contacts(session, ctx.actor, customer_id)
            users = assignable_users(session, ctx.actor)
            self.default_assignee_id = default_assignee(session, ctx.actor, customer_id)
        self.setWindowTitle(_("Log contact: {customer}").format(customer=title))

        self.channel_combo = QComboBox()
        for number, (value, label) in enumerate(CHANNEL_LABELS.items(), start=1):
            self.channel_combo.addItem(f"{number} {_(label)}", value)
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.activated.connect(lambda pos=number - 1: self.channel_combo.setCurrentIndex(pos))
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData("call")))
        self.contact_combo = QComboBox()
        self.contact_combo.addItem("", None)
        for c in contacts:
            self.contact_combo.addItem(f"{c.name} {c.role}".strip(), c.id)
        if contacts and contacts[0].is_primary:
            self.contact_combo.setCurrentIndex(1)
        self.when_edit = QDateTimeEdit(QDateTime.currentDateTime())
        self.when_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when_edit.setCalendarPopup(True)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setPlaceholderText(_("What was said or done"))
        self.outcome_edit = QLineEdit()
        self.follow_up_check = QCheckBox(_("Follow up on"))
        self.follow_up_edit = QDateEdit(QDate.currentDate().addDays(DEFAULT_FOLLOW_UP_DAYS))
        self.follow_up_edit.setDisplayFormat("yyyy-MM-dd")
        self.follow_up_edit.setCalendarPopup(True)
        self.follow_up_edit.setEnabled(False)
        self.assignee_combo = QComboBox()
        self.assignee_combo.setToolTip(_("Who follows up: the customer's salesperson unless you pick someone else"))
        for user in users:
            self.assignee_combo.addItem(user.name, user.id)
        if self.assignee_combo.findData(self.default_assignee_id) < 0 and self.default_assignee_id is not None:
            self.assignee_combo.addItem(ctx.actor.display_name, self.default_assignee_id)
        self.assignee_combo.setCurrentIndex(max(0, self.assignee_combo.findData(self.default_assignee_id)))
        self.assignee_combo.setEnabled(False)
        self.follow_up_check.toggled.connect(self.follow_up_edit.setEnabled)
        self.follow_up_check.toggled.connect(self.assignee_combo.setEnabled)

        form = QFormLayout()
        form.addRow(_("Channel"), self.channel_combo)
        form.addRow(_("Contact"), self.contact_combo)
        form.addRow(_("When"), self.when_edit)
        form.addRow(_("Notes"), self.notes_edit)
        form.addRow(_("Outcome"), self.outcome_edit)
        follow = QHBoxLayout()
        follow.addWidget(self.follow_up_check)
        follow.addWidget(self.follow_up_edit, 1)
        follow.addWidget(QLabel(_("by")))
        follow.addWidget(self.assignee_combo, 1)
        form.addRow(_("Next follow-up"), follow)
        self.buttons = self.finish_layout(form, _("Alt+1…5 channel · Ctrl+Enter saves · Esc cancels"))
        self.setTabOrder(self.channel_combo, self.notes_edit)
        self.setTabOrder(self.notes_edit, self.outcome_edit)
        self.setTabOrder(self.outcome_edit, self.follow_up_check)
        self.setTabOrder(self.follow_up_check, self.follow_up_edit)
        self.setTabOrder(self.follow_up_edit, self.assignee_combo)
        self.setTabOrder(self.assignee_combo, self.contact_combo)
        self.setTabOrder(self.contact_combo, self.when_edit)
        self.save_on_ctrl_enter(self.notes_edit)
        # Typing goes into the note at once (the channel defaults to a call; Tab order reaches it).
        self.notes_edit.setFocus()

    def value(self) -> InteractionInput:
        when = self.when_edit.dateTime().toPython()
        follow_up: dt.date | None = None
        assignee_id: int | None = None
        if self.follow_up_check.isChecked():
            follow_up = self.follow_up_edit.date().toPython()
            chosen = self.assignee_combo.currentData()
            # Left at the default: let the service apply its rule (it may differ by the time it saves).
            assignee_id = None if chosen == self.default_assignee_id else chosen
        return InteractionInput(channel=self.channel_combo.currentData(), occurred_at=when,
                                contact_id=self.contact_combo.currentData(),
                                notes=self.notes_edit.toPlainText().strip(),
                                outcome=self.outcome_edit.text().strip(), next_follow_up=follow_up,
                                assignee_id=assignee_id)

    def save(self) -> None:
        data = self.value()
        if not data.notes and not data.outcome:
            show_error(self, _("Type a note or an outcome first."))
            self.notes_edit.setFocus()
            return
        try:
            with self.ctx.write("interactions", "tasks") as session:
                interaction = log_interaction(session, self.ctx.actor, self.customer_id, data)
                session.flush()
                self.saved_interaction_id = interaction.id
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc)
            return
        self.ctx.bus.status_message.emit(_("Contact logged."))
        self.accept()
