"""The import history's "Undo this import…" button (issue 14, item 4): enabled for a finished
import and an owner or manager; the dialog says what goes and what comes back, or why not."""

from __future__ import annotations

import sqlite3

import pytest
from data_import.helpers import GJP_SALES, write
from PySide6.QtWidgets import QMessageBox

from crmdesk.importers import import_file
from crmdesk.services.actor import Actor
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.history_view import HistoryView
from crmdesk.ui.importing.sync_controller import SyncController


@pytest.fixture
def dialogs(monkeypatch):
    """Every message box answered: the question with Yes (or ``answer``), texts recorded."""
    seen: dict[str, list[str]] = {"question": [], "warning": [], "information": []}
    state = {"answer": QMessageBox.StandardButton.Yes}

    def exec_(box):
        seen["question"].append(box.text())
        return state["answer"]

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: seen["warning"].append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: seen["information"].append(text))
    seen["state"] = state  # type: ignore[assignment]
    return seen


def _history(qtbot, ctx):
    view = HistoryView(ctx, SyncController(ctx))
    qtbot.addWidget(view)
    view.refresh()
    return view


def test_undo_button_confirms_and_undoes_the_selected_import(qtbot, db, owner, tmp_path, dialogs):
    sales = import_file(db, owner, write(tmp_path, "三月销售.csv", GJP_SALES))
    ctx = AppContext(db=db, actor=owner)
    announced = []
    ctx.bus.changed.connect(announced.append)
    view = _history(qtbot, ctx)
    try:
        assert not view.undo_button.isEnabled()  # nothing selected
        view.select_batch(sales.batch_id)
        assert view.undo_button.isEnabled()
        dialogs["state"]["answer"] = QMessageBox.StandardButton.Cancel
        view.undo_button.click()
        assert "removes 4 order lines, 3 sales orders, 2 customers, 3 products" in dialogs["question"][0]
        assert sqlite3.connect(db.file_path).execute("SELECT COUNT(*) FROM sales_lines").fetchone() == (4,)

        dialogs["state"]["answer"] = QMessageBox.StandardButton.Yes
        view.undo_button.click()
        assert sqlite3.connect(db.file_path).execute("SELECT COUNT(*) FROM sales_lines").fetchone() == (0,)
        assert "undone: removed 4 order lines" in dialogs["information"][0]
        assert announced and "sales_lines" in announced[-1]
        row = [view.model.index(0, c).data() for c in range(view.model.columnCount())]
        assert row[1] == "三月销售.csv" and row[3] == "Undone"
        assert view.selected_batch_id() == sales.batch_id and not view.undo_button.isEnabled()
    finally:
        view.controller.shutdown()


def test_undo_button_says_why_an_import_cannot_be_undone(qtbot, db, owner, tmp_path, dialogs):
    first = import_file(db, owner, write(tmp_path, "c.csv", "客户编号,客户名称,地址\nK1,甲,广州\n"))
    import_file(db, owner, write(tmp_path, "c2.csv", "客户编号,客户名称,地址\nK1,甲,深圳\n"))
    view = _history(qtbot, AppContext(db=db, actor=owner))
    try:
        view.select_batch(first.batch_id)
        view.undo_button.click()
        assert not dialogs["question"]
        assert "cannot be undone" in dialogs["warning"][0] and "later batch" in dialogs["warning"][0]
    finally:
        view.controller.shutdown()


def test_undo_button_stays_off_for_counter_staff(qtbot, db, owner, tmp_path):
    batch = import_file(db, owner, write(tmp_path, "p.csv", "商品编号,商品名称\nA1,中性笔\n"))
    view = _history(qtbot, AppContext(db=db, actor=Actor(user_id=None, username="c", role="counter")))
    try:
        view.select_batch(batch.batch_id)
        assert not view.undo_button.isEnabled()
    finally:
        view.controller.shutdown()
