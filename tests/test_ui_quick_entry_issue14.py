"""Quick log and follow-ups as counter staff met them (issue 14, item 12): typing goes into the
note as soon as the quick log opens, "Add follow-up" asks for a due date under its own title,
and the follow-ups table gives the task's title the spare width, not the notes."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures

from crmdesk.db.models import Interaction
from crmdesk.ui.customers.dialogs import date_dialog
from crmdesk.ui.customers.form.dialog import CustomerFormDialog


def test_quick_log_opens_with_the_note_focused(page, ctx, qtbot):
    page.view.table.selectRow(0)
    cid = page.model.id_at(0)
    dialog = page.quick_log()
    qtbot.addWidget(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.notes_edit.hasFocus() or QApplication.focusWidget() is dialog.notes_edit)
    qtbot.keyClicks(QApplication.focusWidget(), "called about toner")
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ctx.read() as s:
        notes = s.scalar(select(Interaction.notes).where(Interaction.customer_id == cid)
                         .order_by(Interaction.id.desc()).limit(1))
    assert notes == "called about toner"


def test_add_follow_up_asks_for_a_due_date_under_its_own_title(ctx, qtbot, boxes, monkeypatch):
    seen = {}

    class FakeDialog:
        def __init__(self, title, prompt, initial, parent):
            seen.update(title=title, prompt=prompt, initial=initial)

        def exec(self):
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr(date_dialog, "DateDialog", FakeDialog)
    with ctx.read() as s:
        from crmdesk.db.models import Customer
        cid = s.scalar(select(Customer.id).order_by(Customer.id))
    form = CustomerFormDialog(ctx, cid)
    qtbot.addWidget(form)
    form.followups.add(title="送样品")
    assert seen["title"] == "Add follow-up" and seen["prompt"] == "Due date:"
    assert seen["initial"] == dt.date.today() + dt.timedelta(days=1)


def test_the_task_column_takes_the_spare_width(ctx, qtbot, boxes):
    with ctx.read() as s:
        from crmdesk.db.models import Customer
        cid = s.scalar(select(Customer.id).order_by(Customer.id))
    form = CustomerFormDialog(ctx, cid)
    qtbot.addWidget(form)
    form.resize(980, 680)
    form.show()
    form.tabs.setCurrentWidget(form.followups)
    table = form.followups.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    task, notes = table.columnWidth(1), table.columnWidth(4)
    assert task > notes
