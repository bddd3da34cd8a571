"""The Today page: an overdue task is listed in red; mark done and reschedule reach the
database; opening the customer goes through the bus."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from crmdesk.db.models import Contact, Customer, Task
from crmdesk.services.actor import actor_for_username
from crmdesk.services.tasks import create_task
from crmdesk.ui.context import AppContext
from crmdesk.ui.followups.page import FollowupsPage, create_followups_page

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def ctx(demo_db):
    with demo_db.sessions() as s:
        actor = actor_for_username(s, None)
    return AppContext(db=demo_db, actor=actor)


@pytest.fixture(autouse=True)
def no_boxes(monkeypatch):
    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))


@pytest.fixture
def overdue_task(ctx):
    with ctx.write("tasks") as s:
        customer = s.scalars(select(Customer).order_by(Customer.id)).first()
        task = create_task(s, ctx.actor, customer.id, "回访：确认打印纸报价", TODAY - dt.timedelta(days=2))
        s.flush()
        return task.id, customer.id


def _page(ctx, qtbot) -> FollowupsPage:
    page = FollowupsPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    return page


def test_factory_builds_the_page(ctx, qtbot):
    page = create_followups_page(ctx)
    qtbot.addWidget(page)
    assert isinstance(page, FollowupsPage)


def test_overdue_task_listed_in_red_and_marked_done(ctx, qtbot, overdue_task):
    task_id, _customer_id = overdue_task
    page = _page(ctx, qtbot)
    assert page.tasks_table.select_id(task_id)
    row = page.tasks_table.currentRow()
    assert page.tasks_table.item(row, 2).text() == "回访：确认打印纸报价"
    assert page.tasks_table.item(row, 0).foreground().color().name() == "#c0392b"
    assert "overdue" in page.summary_label.text()
    assert page.mark_done()
    with ctx.read() as s:
        assert s.get(Task, task_id).status == "done"
    assert not page.tasks_table.select_id(task_id)


def test_reschedule_moves_the_due_date(ctx, qtbot, overdue_task):
    task_id, _customer_id = overdue_task
    page = _page(ctx, qtbot)
    page.tasks_table.select_id(task_id)
    new_due = TODAY + dt.timedelta(days=5)
    assert page.reschedule(new_due)
    with ctx.read() as s:
        assert s.get(Task, task_id).due_date == new_due
    page.tasks_table.select_id(task_id)
    row = page.tasks_table.currentRow()
    assert page.tasks_table.item(row, 0).text() == new_due.isoformat()


def test_open_customer_goes_through_the_bus(ctx, qtbot, overdue_task):
    task_id, customer_id = overdue_task
    page = _page(ctx, qtbot)
    page.tasks_table.select_id(task_id)
    with qtbot.waitSignal(ctx.bus.open_customer_requested) as signal:
        page.open_selected_customer()
    assert signal.args == [customer_id]


def test_birthday_this_week_is_listed(ctx, qtbot):
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    with ctx.write("contacts") as s:
        customer = s.scalars(select(Customer).order_by(Customer.id)).first()
        s.add(Contact(customer_id=customer.id, name="李寿星", birthday=dt.date(1985, monday.month, monday.day)))
    page = _page(ctx, qtbot)
    assert "李寿星" in page.birthdays_table.column_texts(1)
