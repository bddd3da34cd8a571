"""Issue 12 item 9: an unexpected exception in a save (a fault injected into the service) keeps
the window open with what the user typed, shows a clear message (``ui.error_hook``: nothing was
changed, the text is still there, where the log is), changes nothing, and the same window saves
once the fault is gone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select
from ui_customers_support import boxes  # noqa: F401 - recorded message boxes

from crmdesk.db.models import Customer, Interaction, Opportunity, ServiceCase
from crmdesk.services.actor import actor_for_username
from crmdesk.ui.context import AppContext

FAULT = "disk on fire"


def _boom(*_args, **_kwargs):
    raise RuntimeError(FAULT)


@pytest.fixture
def ctx(demo_db):
    with demo_db.sessions() as s:
        return AppContext(db=demo_db, actor=actor_for_username(s, "owner"))


@pytest.fixture
def customer_id(demo_db) -> int:
    with demo_db.sessions() as s:
        return s.scalar(select(Customer.id).order_by(Customer.id).limit(1))


def _count(db, model) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _assert_clear_message(boxes) -> None:  # noqa: F811
    kind, text = boxes.shown[-1]
    assert kind == "warning"
    assert f"RuntimeError: {FAULT}" in text and "Nothing was changed" in text
    assert "still in the window" in text and "log file" in text


def test_customer_form_keeps_the_edit_when_update_customer_fails(ctx, customer_id, demo_db, qtbot, boxes,  # noqa: F811
                                                                  monkeypatch):
    from crmdesk.services import customers as customer_service
    from crmdesk.ui.customers.form.dialog import CustomerFormDialog

    form = CustomerFormDialog(ctx, customer_id)
    qtbot.addWidget(form)
    form.show()
    form.basic.name_edit.selectAll()
    qtbot.keyClicks(form.basic.name_edit, "Renamed Stationers")  # typed, as a user does
    assert form.dirty
    real = customer_service.update_customer
    monkeypatch.setattr(customer_service, "update_customer", _boom)
    assert form.save() is False
    assert form.isVisible() and form.dirty and form.basic.name_edit.text() == "Renamed Stationers"
    _assert_clear_message(boxes)
    with demo_db.sessions() as s:
        assert s.get(Customer, customer_id).name != "Renamed Stationers"
    monkeypatch.setattr(customer_service, "update_customer", real)  # the fault is gone: the same form saves
    assert form.save() is True
    with demo_db.sessions() as s:
        assert s.get(Customer, customer_id).name == "Renamed Stationers"


def test_quick_log_stays_open_with_the_note(ctx, customer_id, demo_db, qtbot, boxes, monkeypatch):  # noqa: F811
    from crmdesk.ui.customers.dialogs import quick_log

    dialog = quick_log.QuickLogDialog(ctx, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.notes_edit.setPlainText("客户说下周再订")
    before = _count(demo_db, Interaction)
    real = quick_log.log_interaction
    monkeypatch.setattr(quick_log, "log_interaction", _boom)
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.notes_edit.toPlainText() == "客户说下周再订"
    _assert_clear_message(boxes)
    assert _count(demo_db, Interaction) == before
    monkeypatch.setattr(quick_log, "log_interaction", real)
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible() and _count(demo_db, Interaction) == before + 1


def test_new_case_dialog_stays_open_with_subject_and_text(ctx, customer_id, demo_db, qtbot, boxes,  # noqa: F811
                                                          monkeypatch):
    from crmdesk.ui.service import new_case_dialog

    dialog = new_case_dialog.NewCaseDialog(ctx, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.subject_edit.setText("打印机卡纸")
    dialog.description_edit.setPlainText("第三次了")
    before = _count(demo_db, ServiceCase)
    real = new_case_dialog.open_case
    monkeypatch.setattr(new_case_dialog, "open_case", _boom)
    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.subject_edit.text() == "打印机卡纸"
    assert dialog.description_edit.toPlainText() == "第三次了" and dialog.saved_case_id is None
    _assert_clear_message(boxes)
    assert _count(demo_db, ServiceCase) == before
    monkeypatch.setattr(new_case_dialog, "open_case", real)
    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible() and _count(demo_db, ServiceCase) == before + 1


def test_opportunity_dialog_stays_open_with_name_and_notes(ctx, customer_id, demo_db, qtbot, boxes,  # noqa: F811
                                                           monkeypatch):
    from crmdesk.services import opportunities as opportunity_service
    from crmdesk.ui.pipeline.opportunity_dialog import OpportunityDialog

    dialog = OpportunityDialog(ctx, customer_id=customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("新学期文具")
    dialog.notes.setPlainText("校长要报价")
    before = _count(demo_db, Opportunity)
    real = opportunity_service.create_opportunity
    monkeypatch.setattr(opportunity_service, "create_opportunity", _boom)
    dialog.save()
    assert dialog.isVisible() and dialog.saved_id is None
    assert dialog.name.text() == "新学期文具" and dialog.notes.toPlainText() == "校长要报价"
    _assert_clear_message(boxes)
    assert _count(demo_db, Opportunity) == before
    monkeypatch.setattr(opportunity_service, "create_opportunity", real)
    dialog.save()
    assert dialog.saved_id is not None and _count(demo_db, Opportunity) == before + 1


def test_a_fault_escaping_a_slot_keeps_the_window_usable(ctx, customer_id, qtbot, boxes, monkeypatch):  # noqa: F811
    """A fault no save path catches (raised in a Qt slot) goes to the error hook: logged, one
    message, and the window goes on working."""
    from PySide6.QtWidgets import QPushButton

    from crmdesk.ui.customers.form.dialog import CustomerFormDialog
    from crmdesk.ui.error_hook import ErrorHook

    hook = ErrorHook().install()
    try:
        form = CustomerFormDialog(ctx, customer_id)
        qtbot.addWidget(form)
        form.show()
        button = QPushButton("x", form)
        button.clicked.connect(_boom)
        button.click()
        assert boxes.shown[-1][0] == "critical" and FAULT in boxes.shown[-1][1]
        form.basic.name_edit.selectAll()
        qtbot.keyClicks(form.basic.name_edit, "Still Works")
        assert form.isVisible() and form.dirty and form.save() is True
    finally:
        hook.uninstall()
