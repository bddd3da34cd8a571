"""A follow-up logged by anyone goes to the customer's owning salesperson by default (an
inactive one: to whoever logged it); the quick log's chooser sends it to someone else, and
the service refuses an inactive user or one who would never see the customer."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select
from test_customers_support import make_customer

from crmdesk.db.models import Task, User
from crmdesk.services.actor import Actor
from crmdesk.services.assignees import assignable_users, default_assignee
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.interactions import InteractionInput, log_interaction
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.dialogs.quick_log import QuickLogDialog

DAY = dt.datetime(2026, 6, 16, 10, 0)
FOLLOW = dt.date(2026, 6, 19)


@pytest.fixture
def shop(db, owner):
    with db.sessions.begin() as s:
        people = {}
        for key, name, role in (("rep", "李销售", "sales"), ("other", "王销售", "sales"),
                                ("counter", "赵柜台", "counter"), ("gone", "陈离职", "sales")):
            user = User(username=key, display_name=name, role=role, active=key != "gone")
            s.add(user)
            s.flush()
            people[key] = user.id
        mine = make_customer(s, owner, "广州文具店", owner_id=people["rep"]).id
        orphan = make_customer(s, owner, "无主客户").id
        left = make_customer(s, owner, "离职者的客户", owner_id=people["gone"]).id
        counter = Actor.from_user(s.get(User, people["counter"]), s)
    return dict(people=people, mine=mine, orphan=orphan, left=left, counter=counter, owner=owner)


def _task_of(db, entry_id: int) -> Task:
    with db.sessions() as s:
        task = s.scalar(select(Task).where(Task.interaction_id == entry_id))
        s.expunge(task)
        return task


def _log(db, actor, customer_id, assignee_id=None) -> int:
    with db.sessions.begin() as s:
        return log_interaction(s, actor, customer_id, InteractionInput(
            occurred_at=DAY, notes="问了复印纸价格", next_follow_up=FOLLOW, assignee_id=assignee_id)).id


def test_counter_quick_log_goes_to_the_owning_salesperson(db, shop):
    task = _task_of(db, _log(db, shop["counter"], shop["mine"]))
    assert task.assignee_id == shop["people"]["rep"]
    assert task.created_by_id == shop["counter"].user_id


def test_without_an_active_owner_the_actor_follows_up(db, shop):
    counter = shop["counter"]
    assert _task_of(db, _log(db, counter, shop["orphan"])).assignee_id == counter.user_id
    assert _task_of(db, _log(db, counter, shop["left"])).assignee_id == counter.user_id


def test_an_explicit_assignee_wins_and_is_checked(db, shop):
    people = shop["people"]
    task = _task_of(db, _log(db, shop["counter"], shop["mine"], assignee_id=people["counter"]))
    assert task.assignee_id == people["counter"]
    with pytest.raises(ValidationError, match="active user"):
        _log(db, shop["counter"], shop["mine"], assignee_id=people["gone"])
    with pytest.raises(ValidationError, match="would never see"):  # 王销售 does not look after 李's customer
        _log(db, shop["counter"], shop["mine"], assignee_id=people["other"])


def test_chooser_lists_active_users_only(db, shop):
    with db.sessions() as s:
        users = assignable_users(s, shop["counter"])
        assert default_assignee(s, shop["counter"], shop["mine"]) == shop["people"]["rep"]
    names = [u.name for u in users]
    assert "李销售" in names and "赵柜台" in names and "陈离职" not in names


@pytest.fixture
def no_boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda _p, _t, text, *a, **k: shown.append(text) or QMessageBox.StandardButton.Ok))
    return shown


def test_quick_log_dialog_defaults_to_the_salesperson(db, shop, qtbot, no_boxes):
    ctx = AppContext(db=db, actor=shop["counter"])
    dialog = QuickLogDialog(ctx, shop["mine"])
    qtbot.addWidget(dialog)
    assert dialog.assignee_combo.currentData() == shop["people"]["rep"]
    assert dialog.assignee_combo.currentText() == "李销售"
    assert not dialog.assignee_combo.isEnabled()
    dialog.notes_edit.setPlainText("要一箱A4纸")
    dialog.follow_up_check.setChecked(True)
    assert dialog.assignee_combo.isEnabled()
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted, no_boxes
    assert _task_of(db, dialog.saved_interaction_id).assignee_id == shop["people"]["rep"]


def test_quick_log_chooser_picks_someone_else(db, shop, qtbot, no_boxes):
    ctx = AppContext(db=db, actor=shop["counter"])
    dialog = QuickLogDialog(ctx, shop["mine"])
    qtbot.addWidget(dialog)
    dialog.notes_edit.setPlainText("投诉送货慢")
    dialog.follow_up_check.setChecked(True)
    dialog.assignee_combo.setCurrentIndex(dialog.assignee_combo.findText("赵柜台"))
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted, no_boxes
    assert _task_of(db, dialog.saved_interaction_id).assignee_id == shop["people"]["counter"]
    # Someone who would never see the customer: refused, the dialog stays open with the reason.
    dialog2 = QuickLogDialog(ctx, shop["mine"])
    qtbot.addWidget(dialog2)
    dialog2.notes_edit.setPlainText("再问一次")
    dialog2.follow_up_check.setChecked(True)
    dialog2.assignee_combo.setCurrentIndex(dialog2.assignee_combo.findText("王销售"))
    dialog2.save()
    assert dialog2.saved_interaction_id is None and "would never see" in no_boxes[-1]
