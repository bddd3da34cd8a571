"""The Today page shows what the process rules made: a task with its reason in one line (and
the rule's name), an alert that can be dismissed; both open the customer. The customer
form's alerts banner lists the same alert and hides once it is dismissed."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from test_customers_support import add_order, make_customer

from crmdesk.db.models import CustomerAlert, User
from crmdesk.rules import engine, store
from crmdesk.rules.model import Action, Condition, RuleInput
from crmdesk.services.actor import Actor
from crmdesk.services.tasks import open_tasks
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.alerts_banner import AlertsBanner
from crmdesk.ui.followups.page import FollowupsPage

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def no_boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda _p, _t, text, *a, **k: shown.append(text) or QMessageBox.StandardButton.Ok))
    return shown


@pytest.fixture
def fired(db, owner):
    """A silent dealer, and a rule that fired for it: a task for its salesperson and an alert."""
    with db.sessions.begin() as s:
        rep_user = User(username="rep", display_name="李销售", role="sales")
        s.add(rep_user)
        s.flush()
        rep = Actor.from_user(rep_user, s)
        quiet = make_customer(s, owner, "长沙文具批发", type_id=3, owner_id=rep_user.id)
        other = make_customer(s, owner, "株洲办公用品", type_id=3)
        for days in (100, 130, 160):
            add_order(s, quiet.id, TODAY - dt.timedelta(days=days), ["800"])
        add_order(s, other.id, TODAY - dt.timedelta(days=5), ["300"])
        rule_id = store.save_rule(s, owner, RuleInput(
            "经销商沉默", "daily", (Condition("days_since_purchase", ">=", 60),),
            (Action("task", {"assignee": "owner", "title": "回访 {customer}", "due_days": 0, "priority": 1}),
             Action("alert", {"message": "{customer} 已 {days_since_purchase} 天未进货"})), active=True))
        [result] = engine.run_rules(s, owner, rule_ids=[rule_id], as_of=TODAY)
        assert result.fired == 1
    return dict(rep=rep, quiet=quiet.id, rule_id=rule_id)


def _page(ctx, qtbot) -> FollowupsPage:
    page = FollowupsPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    return page


def test_rule_task_shows_its_reason(db, fired, qtbot):
    ctx = AppContext(db=db, actor=fired["rep"])
    with db.sessions() as s:
        [task] = open_tasks(s, fired["rep"], today=TODAY)
    assert task.rule_name == "经销商沉默" and task.reason and "\n" not in task.reason
    page = _page(ctx, qtbot)
    assert page.tasks_table.select_id(task.id)
    row = page.tasks_table.currentRow()
    assert page.tasks_table.item(row, 2).text() == "回访 长沙文具批发"
    assert page.tasks_table.item(row, 3).text() == task.reason
    assert "经销商沉默" in page.tasks_table.item(row, 3).toolTip()
    with qtbot.waitSignal(ctx.bus.open_customer_requested) as opened:
        page.tasks_table.id_activated.emit(task.id)
    assert opened.args == [fired["quiet"]]


def test_alert_listed_opened_and_dismissed(db, fired, qtbot):
    ctx = AppContext(db=db, actor=fired["rep"])
    page = _page(ctx, qtbot)
    assert page.alerts_table.rowCount() == 1
    assert page.alerts_table.item(0, 0).text() == "长沙文具批发"
    assert page.alerts_table.item(0, 1).text().startswith("长沙文具批发 已 100 天未进货")
    assert page.alerts_table.item(0, 2).text() == "经销商沉默"
    assert "1 alerts" in page.summary_label.text()
    page.alerts_table.selectRow(0)
    with qtbot.waitSignal(ctx.bus.open_customer_requested) as opened:
        page.alerts_table.id_activated.emit(page.alerts_table.current_id())
    assert opened.args == [fired["quiet"]]
    assert page.dismiss_alert()
    assert page.alerts_table.rowCount() == 0
    with db.sessions() as s:
        alert = s.scalar(select(CustomerAlert))
        assert alert.dismissed_at is not None and alert.dismissed_by_id == fired["rep"].user_id


def test_alerts_banner_on_the_customer_form(db, owner, fired, qtbot):
    ctx = AppContext(db=db, actor=owner)
    banner = AlertsBanner(ctx, fired["quiet"])
    qtbot.addWidget(banner)
    banner.show()
    assert banner.isVisible() and len(banner.texts()) == 1 and "100 天未进货" in banner.texts()[0]
    [button] = banner.dismiss_buttons.values()
    with qtbot.waitSignal(banner.dismissed):
        button.click()
    assert banner.texts() == [] and not banner.isVisible()
    banner.set_customer(None)
    assert not banner.isVisible()
