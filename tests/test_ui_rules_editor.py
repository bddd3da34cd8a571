"""The rule builder: a rule built only by choosing (combos, spin boxes, checklists, the
"insert measure" menu) is stored as exactly the expected data; the store's validation
shows next to the row it names; the dry run lists the engine's hits on a tiny shop."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from test_customers_support import add_order, make_customer

from crmdesk.db.models import Tag, Task, User, WorkflowRule
from crmdesk.rules import engine
from crmdesk.rules.model import Action, Condition, RuleInput
from crmdesk.services.actor import Actor
from crmdesk.ui.context import AppContext
from crmdesk.ui.rules.dry_run import dry_run_job
from crmdesk.ui.rules.page import RulesPage, create_rules_page

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def no_boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda _p, _t, text, *a, **k: shown.append(text) or QMessageBox.StandardButton.Yes))
    return shown


@pytest.fixture
def shop(db, owner):
    """Three dealers: one silent for 100 days, one who bought 10 days ago, one who never bought."""
    with db.sessions.begin() as s:
        rep = User(username="rep", display_name="李销售", role="sales")
        s.add(rep)
        s.add(Tag(name="流失预警"))
        s.flush()
        silent = make_customer(s, owner, "长沙文具批发", type_id=3, owner_id=rep.id)
        busy = make_customer(s, owner, "株洲办公用品", type_id=3, owner_id=rep.id)
        make_customer(s, owner, "湘潭新客户", type_id=3)
        for day in (AS_OF - dt.timedelta(days=d) for d in (100, 130, 160)):
            add_order(s, silent.id, day, ["800"])
        for day in (AS_OF - dt.timedelta(days=d) for d in (10, 40, 70)):
            add_order(s, busy.id, day, ["500"])
        ids = dict(silent=silent.id, busy=busy.id, silent_code=silent.code, rep=rep.id)
    return ids


@pytest.fixture
def page(db, owner, qtbot, shop) -> RulesPage:
    p = create_rules_page(AppContext(db=db, actor=owner))
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    p.activate()
    return p


def _choose(combo, data) -> None:
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def _build_silent_dealer_rule(editor, qtbot) -> None:
    editor.name_edit.setText("经销商沉默60天")  # typed text: keyClicks only knows ASCII
    _choose(editor.trigger_combo, "daily")
    first = editor.condition_rows[0]
    assert first.select_measure("days_since_purchase")
    _choose(first.op_combo, ">=")
    first.value_editor.widget.setValue(60)
    second = editor.add_condition()
    assert second.select_measure("customer_type")
    _choose(second.op_combo, "in")
    assert second.value_editor.widget.check("dealer")
    task = editor.action_rows[0]
    _choose(task.kind_combo, "task")
    params = task.panel()
    _choose(params.assignee_combo, "owner")
    params.title_edit.edit.clear()
    params.title_edit.edit.insert("回访 ")
    [insert] = [a for a in params.title_edit.menu.actions() if a.data() == "customer"]
    insert.trigger()
    [insert] = [a for a in params.title_edit.menu.actions() if a.data() == "days_since_purchase"]
    insert.trigger()
    params.due_spin.setValue(2)
    _choose(params.priority_combo, 1)
    tag = editor.add_action()
    _choose(tag.kind_combo, "add_tag")
    _choose(tag.panel().tag_combo, "流失预警")


def test_rule_built_by_choosing_is_stored_as_expected(page, db, qtbot):
    editor = page.new_rule()
    assert page.stack.currentWidget() is editor
    _build_silent_dealer_rule(editor, qtbot)
    rule_id = editor.save()
    assert rule_id is not None
    with db.sessions() as s:
        row = s.get(WorkflowRule, rule_id)
        stored = (row.name, row.trigger, row.active, json.loads(row.conditions), json.loads(row.action))
    assert stored == ("经销商沉默60天", "daily", False, [
        {"measure": "days_since_purchase", "op": ">=", "value": 60},
        {"measure": "customer_type", "op": "in", "value": ["dealer"]},
    ], [
        {"kind": "task", "assignee": "owner", "user_id": None, "title": "回访 {customer}{days_since_purchase}",
         "due_days": 2, "priority": 1},
        {"kind": "add_tag", "tag": "流失预警"},
    ])
    editor.close_editor()
    assert page.stack.currentWidget() is page.tabs
    assert page.model.row_of(rule_id) >= 0
    # Reopened, the editor shows what was saved; saving again changes nothing.
    page.select_rule(rule_id)
    again = page.edit_selected()
    assert again.rule_input() == RuleInput("经销商沉默60天", "daily", (
        Condition("days_since_purchase", ">=", 60), Condition("customer_type", "in", ["dealer"])), (
        Action("task", {"assignee": "owner", "user_id": None, "title": "回访 {customer}{days_since_purchase}",
                        "due_days": 2, "priority": 1}),
        Action("add_tag", {"tag": "流失预警"})))


def test_invalid_values_show_on_their_row(page, qtbot, no_boxes):
    editor = page.new_rule()
    _build_silent_dealer_rule(editor, qtbot)
    editor.condition_rows[1].value_editor.widget.check("dealer", False)  # "is one of" with nothing ticked
    assert editor.save() is None
    # isHidden, not isVisible: rows added to a shown editor appear at the next event loop turn.
    assert not editor.condition_rows[1].error_label.isHidden()
    assert "Condition 2" in editor.condition_rows[1].error_label.text()
    assert editor.condition_rows[0].error_label.isHidden()
    editor.condition_rows[1].value_editor.widget.check("dealer")
    editor.action_rows[0].panel().title_edit.edit.clear()  # a task without a title
    assert editor.save() is None
    assert editor.condition_rows[1].error_label.isHidden()
    assert "title" in editor.action_rows[0].error_label.text()
    editor.action_rows[0].panel().title_edit.edit.setText("回访")
    editor.name_edit.clear()
    assert editor.save() is None
    assert not editor.name_error.isHidden() and editor.action_rows[0].error_label.isHidden()
    # Leaving with unsaved changes asks first.
    assert editor.has_changes() and editor.close_editor()
    assert "without saving" in no_boxes[-1] and page.stack.currentWidget() is page.tabs


def test_dry_run_table_shows_the_engines_hits(page, db, owner, qtbot, shop):
    editor = page.new_rule()
    _build_silent_dealer_rule(editor, qtbot)
    editor.as_of = AS_OF
    assert editor.dry_run()
    qtbot.waitUntil(lambda: not editor.dry_run_panel.busy, timeout=30_000)
    with db.sessions() as s:
        expected = engine.dry_run(s, owner, editor.rule_input(), as_of=AS_OF)
    model = editor.dry_run_panel.model
    assert [h.customer_id for h in expected.hits] == [shop["silent"]]
    assert [model.row_at(r).customer_id for r in range(model.rowCount())] == [shop["silent"]]
    assert model.text(0, 0) == shop["silent_code"] and model.text(0, 1) == "长沙文具批发"
    assert "100" in model.text(0, 2)  # the reason names the days since the last purchase
    assert "1 customers" in editor.dry_run_panel.count_label.text()
    with qtbot.waitSignal(page.ctx.bus.open_customer_requested) as opened:
        editor.dry_run_panel.table.doubleClicked.emit(model.index(0, 1))
    assert opened.args == [shop["silent"]]


def test_dry_run_can_be_cancelled(page, qtbot):
    editor = page.new_rule()
    _build_silent_dealer_rule(editor, qtbot)
    assert editor.dry_run()
    assert editor.dry_run_panel.busy and editor.dry_run_panel.cancel_button.isVisibleTo(editor)
    editor.dry_run_panel.cancel_button.click()
    assert not editor.dry_run_panel.busy and "cancelled" in editor.dry_run_panel.count_label.text()
    qtbot.wait(200)  # a late answer from the cancelled run is dropped
    assert editor.dry_run_panel.result is None and editor.dry_run_panel.model.rowCount() == 0


def test_dry_run_job_runs_without_a_gui(db, owner, shop):
    rule = RuleInput("x", "daily", (Condition("days_since_purchase", ">=", 60),),
                     (Action("alert", {"message": "{customer} 沉默了"}),))
    result = dry_run_job(db, owner, rule, AS_OF)
    assert [h.customer_id for h in result.hits] == [shop["silent"]]


def test_salesperson_sees_shop_wide_rules_read_only(db, owner, qtbot, shop):
    with db.sessions.begin() as s:
        s.add(WorkflowRule(name="全店规则", trigger="daily", active=False, created_by_id=None,
                           conditions=json.dumps([{"measure": "days_since_purchase", "op": ">=", "value": 90}]),
                           action=json.dumps([{"kind": "alert", "message": "{customer} 久未进货"}])))
        rep = Actor.from_user(s.get(User, shop["rep"]), s)
    page = RulesPage(AppContext(db=db, actor=rep))
    qtbot.addWidget(page)
    page.show()
    page.activate()
    assert page.select_rule(page.rules[0].id)
    assert not page.delete_button.isEnabled() and not page.toggle_button.isEnabled()
    assert not page.run_button.isVisible()
    editor = page.edit_selected()
    assert editor.read_only and not editor.save_button.isVisible() and editor.save() is None
    assert not editor.condition_rows[0].measure_combo.isEnabled()
    copy = page.duplicate_selected()
    assert not copy.read_only and copy.rule_id is None
    new_id = copy.save()
    assert new_id is not None
    with db.sessions() as s:
        assert s.get(WorkflowRule, new_id).created_by_id == shop["rep"]
    page.show_list()
    page.select_rule(new_id)
    assert page.delete_button.isEnabled()
    assert page.delete_selected(ask=False)
    with db.sessions() as s:
        assert s.scalar(select(WorkflowRule.id).where(WorkflowRule.id == new_id)) is None


def test_switch_on_and_run_now(page, db, qtbot, shop):
    editor = page.new_rule()
    _build_silent_dealer_rule(editor, qtbot)
    rule_id = editor.save()
    editor.close_editor()
    page.select_rule(rule_id)
    assert page.toggle_selected()
    with db.sessions() as s:
        assert s.get(WorkflowRule, rule_id).active
    page.select_rule(rule_id)
    assert page.run_selected()
    qtbot.waitUntil(lambda: page._run_job is None, timeout=30_000)
    assert "new firings" in page.status_label.text()
    page.tabs.setCurrentWidget(page.firings)
    page.firings.show_rule(rule_id)
    # Run as of the real today, months after the tiny shop's last order: both buyers are silent.
    firings = page.firings.model
    assert sorted(firings.customer_id_at(r) for r in range(firings.rowCount())) == sorted(
        [shop["silent"], shop["busy"]])
    done = firings.text(0, 5)
    assert "回访" in done and "流失预警" in done and firings.text(0, 0) == "经销商沉默60天"
    with db.sessions() as s:
        tasks = s.scalars(select(Task).where(Task.rule_id == rule_id)).all()
        assert {t.assignee_id for t in tasks} == {shop["rep"]} and all(t.reason for t in tasks)
