"""The rule builder's pieces: a value editor per measure kind and operator (spin boxes with
units, combos, checklists, dates, nothing for "is empty"), every action's parameters
round-trip, and a store error lands on the row it names."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QDateEdit, QDoubleSpinBox, QLabel, QLineEdit, QSpinBox

from crmdesk.db.models import User
from crmdesk.rules.model import Action, Condition, MeasureSpec
from crmdesk.rules.store import RuleError
from crmdesk.ui.rules.action_row import ActionRow
from crmdesk.ui.rules.choices import load_choices
from crmdesk.ui.rules.condition_row import ConditionRow
from crmdesk.ui.rules.error_place import place
from crmdesk.ui.rules.value_editors import CheckList, make_value_editor


def spec(kind: str, choices=()) -> MeasureSpec:
    return MeasureSpec("m", "M", kind, ("=", "in", "<", "is_empty", "contains"), "derived", tuple(choices))


@pytest.mark.parametrize("kind, op, widget, value", [
    ("money", "<", QDoubleSpinBox, 1234.5),
    ("percent", "<", QDoubleSpinBox, -30),
    ("ratio", "<", QDoubleSpinBox, 2),
    ("days", "<", QSpinBox, 90),
    ("number", "<", QDoubleSpinBox, 3),
    ("date", "<", QDateEdit, "2026-03-01"),
    ("text", "=", QLineEdit, "晨光"),
    ("choice", "=", QComboBox, "dealer"),
    ("choice", "in", CheckList, ["retail", "dealer"]),
    ("multi", "contains", QComboBox, 7),
    ("choice", "is_empty", QLabel, None),
])
def test_value_editor_fits_kind_and_operator(qtbot, kind, op, widget, value):
    choices = {"choice": [("retail", "零售"), ("dealer", "经销商")],
               "multi": [(5, "华南"), (7, "华东")]}.get(kind, ())
    editor = make_value_editor(spec(kind, choices), op)
    qtbot.addWidget(editor.widget)
    assert isinstance(editor.widget, widget)
    editor.set_value(value)
    assert editor.value() == value


def test_money_and_percent_show_their_units(qtbot):
    money = make_value_editor(spec("money"), "<")
    percent = make_value_editor(spec("percent"), "<")
    assert money.widget.prefix().strip() == "¥" and percent.widget.suffix().strip() == "%"


@pytest.fixture
def choices(db, owner):
    with db.sessions.begin() as s:
        s.add(User(username="rep", display_name="李销售", role="sales"))
    with db.sessions() as s:
        return load_choices(s, owner)


def test_condition_row_limits_operators_to_the_measure(qtbot, choices):
    row = ConditionRow(choices.measures)
    qtbot.addWidget(row)
    assert row.select_measure("customer_type")
    ops = [row.op_combo.itemData(i) for i in range(row.op_combo.count())]
    assert "<" not in ops and "in" in ops
    row.set_condition(Condition("spend_change_pct", "<=", -30))
    assert row.condition() == Condition("spend_change_pct", "<=", -30)
    assert isinstance(row.value_editor.widget, QDoubleSpinBox)


@pytest.mark.parametrize("action", [
    Action("task", {"assignee": "user", "user_id": "REP", "title": "回访 {customer}", "due_days": 5, "priority": 3}),
    Action("task", {"assignee": "shop_owner", "user_id": None, "title": "看看 {code}", "due_days": 0, "priority": 1}),
    Action("set_grade", {"grade": "B"}),
    Action("add_tag", {"tag": "新标签"}),
    Action("assign", {"user_id": "REP"}),
    Action("alert", {"message": "{customer} 信用额度用了 {credit_use_pct}%"}),
    Action("case", {"case_type": "repair", "subject": "回访 {customer}", "priority": 1}),
])
def test_action_params_round_trip(qtbot, choices, action):
    rep = next(uid for uid, name in choices.users if name == "李销售")
    params = {k: (rep if v == "REP" else v) for k, v in action.params.items()}
    row = ActionRow(choices)
    qtbot.addWidget(row)
    row.set_action(Action(action.kind, params))
    assert row.action() == Action(action.kind, params)


def test_store_errors_find_their_row():
    assert place(RuleError("Condition 2 (Grade): a list of values is needed")) == ("condition", 1)
    assert place(RuleError("Action 1 (Add tag): the tag is empty or too long")) == ("action", 0)
    assert place(RuleError("The rule needs a name")) == ("name", None)
    assert place(RuleError("something else")) == ("rule", None)
