"""The dashboard's whale curve in the GUI (issue 15): shown to the owner, a click drills to the
customers that lose money."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_ui_analysis_support import ctx, shop, show_analysis_page, tiny_shop  # noqa: F401 - fixtures

from crmdesk.db.models.expenses import Expense, ExpenseItem
from crmdesk.reports.dashboard import clear_memo

pytestmark = pytest.mark.gui
WAIT_MS = 30_000


@pytest.fixture
def loser(ctx, tiny_shop):  # noqa: F811
    """C003 gets a 1,000,000-yuan rebate inside the dashboard's default year: it loses money."""
    with ctx.db.sessions.begin() as s:
        item = s.scalar(select(ExpenseItem.id).where(ExpenseItem.name == "返利"))
        s.add(Expense(expense_date=dt.date(2026, 6, 1), doc_number="T-LOSS", item_id=item,
                      amount=1_000_000 * 10_000, customer_id=tiny_shop["C003"]))
    clear_memo()
    yield "C003"
    with ctx.db.sessions.begin() as s:  # the shop is shared by the module
        s.query(Expense).filter(Expense.doc_number == "T-LOSS").delete()
    clear_memo()


def test_whale_curve_drills_to_the_losers(qtbot, ctx, loser):  # noqa: F811
    page = show_analysis_page(qtbot, ctx, activate=True)
    view = page.panels["dashboard"]
    qtbot.waitUntil(view.is_idle, timeout=WAIT_MS)
    assert "whale" in view.charts and "profit" in view.tile_texts()
    assert view.canvases["whale"].figure is not None
    view.canvases["whale"].clicked.emit("loss")
    drill = view.drill_view
    assert view.stack.currentWidget() is drill
    qtbot.waitUntil(lambda: not drill.runner.busy and drill.model.rowCount() > 0, timeout=WAIT_MS)
    frame = drill.current_frame()
    assert frame["customer"].tolist() == [loser] and (frame["profit"] < 0).all()
