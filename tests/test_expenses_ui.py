"""Issue 15: the customer form's Expenses tab (load, add, delete through the services) and the
Settings section "Expense items" (the allocation rule per item), on the demo shop."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import select

from crmdesk.db.models import Expense, ExpenseItem
from crmdesk.services.expenses import ExpenseInput
from crmdesk.ui.customers.form.expenses_tab import ExpensesTab
from crmdesk.ui.settings import SETTINGS_SECTIONS
from crmdesk.ui.settings.expense_items_section import ExpenseItemsSection
from tests.ui_customers_support import boxes, ctx  # noqa: F401 - the fixtures


def _courted_customer(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(Expense.customer_id).join(ExpenseItem, ExpenseItem.id == Expense.item_id)
                        .where(ExpenseItem.name == "招待费").order_by(Expense.customer_id))


def test_expenses_tab_loads_adds_and_deletes(ctx, qtbot, boxes):
    customer = _courted_customer(ctx.db)
    tab = ExpensesTab(SimpleNamespace(ctx=ctx, customer_id=customer))
    qtbot.addWidget(tab)
    tab.load()
    before = tab.table.rowCount()
    assert before > 0 and "招待费" in {tab.table.item(r, 1).text() for r in range(before)}
    with ctx.read() as s:
        item = s.scalar(select(ExpenseItem.id).where(ExpenseItem.name == "样品"))
    assert tab.add(ExpenseInput(dt.date(2026, 7, 1), item, 1_234_500, customer, notes="新品试用"))
    assert tab.table.rowCount() == before + 1
    assert [tab.table.item(0, c).text() for c in (0, 1, 2, 5)] == ["2026-07-01", "样品", "¥123.45", "新品试用"]
    assert not tab.add(ExpenseInput(dt.date(2026, 7, 1), item, 0, customer))  # refused: zero
    assert boxes.shown[-1][0] == "warning" and "zero" in boxes.shown[-1][1]
    tab.table.selectRow(0)
    assert tab.delete()
    assert tab.table.rowCount() == before


def test_expense_items_section_sets_the_rule(ctx, qtbot, boxes):
    assert any(s.key == "expense_items" and s.action == "settings.edit" for s in SETTINGS_SECTIONS)
    section = ExpenseItemsSection(ctx)
    qtbot.addWidget(section)
    assert section.rules()  # one row per item
    section.set_rule("房租", "orders")
    assert section.save()
    with ctx.read() as s:
        assert s.scalar(select(ExpenseItem.allocation).where(ExpenseItem.name == "房租")) == "orders"
    assert section.add_item("快递费")
    assert "快递费" in [section.table.item(r, 0).text() for r in range(section.table.rowCount())]
    section.table.selectRow(next(r for r in range(section.table.rowCount())
                                 if section.table.item(r, 0).text() == "运费"))
    assert not section.delete_item()  # used by the demo's deliveries
    assert "cannot be deleted" in boxes.shown[-1][1]
