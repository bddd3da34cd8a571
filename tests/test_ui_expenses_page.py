"""The Expenses page (issue 15: "manual entry … in a small expenses page"): the owner types a
shared expense (rent) and a customer's one, sees them with the period's total, deletes one;
counter staff do not get the page at all and the service refuses them anyway."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from ui_customers_support import boxes, ctx  # noqa: F401 - fixtures

from crmdesk.db.models import Customer, Expense, ExpenseItem
from crmdesk.services.actor import actor_for_username
from crmdesk.services.permissions import PermissionDenied
from crmdesk.ui.expenses.page import ExpenseForPickDialog, ExpensesPage
from crmdesk.ui.pages import pages_for


def _dialog(page, item_name: str, yuan: float, customer_id: int | None):
    with page.ctx.read() as s:
        from crmdesk.services import expenses as svc
        items = svc.list_items(s, page.ctx.actor)
    dialog = ExpenseForPickDialog(page.ctx, items, page)
    dialog.item.setCurrentIndex(dialog.item.findText(item_name))
    dialog.amount.setValue(yuan)
    if customer_id is None:
        dialog.shared_check.setChecked(True)
    else:
        dialog.picker.set_customer(customer_id)
    return dialog


def test_owner_types_a_shared_and_a_customers_expense_and_deletes_one(ctx, qtbot, boxes):
    page = ExpensesPage(ctx)
    qtbot.addWidget(page)
    with ctx.read() as s:
        cid = s.scalar(select(Customer.id).order_by(Customer.id))
        before = s.scalar(select(Expense.id).order_by(Expense.id.desc()).limit(1)) or 0
    assert page.add(_dialog(page, "房租", 3000.0, None))
    assert page.add(_dialog(page, "招待费", 188.8, cid))
    with ctx.read() as s:
        new = s.execute(select(Expense.customer_id, ExpenseItem.name, Expense.amount, Expense.expense_date)
                        .join(ExpenseItem, ExpenseItem.id == Expense.item_id).where(Expense.id > before)
                        .order_by(Expense.id)).all()
    assert [tuple(r[:3]) for r in new] == [(None, "房租", 30_000_000), (cid, "招待费", 1_888_000)]
    assert all(r[3] == dt.date.today() for r in new)
    page.refresh()
    shown = {(page.model.text(r, 1), page.model.text(r, 3)) for r in range(page.model.rowCount())}
    assert ("房租", "3,000.00") in {(i, a.replace("¥", "")) for i, a in shown}
    assert "3,000.00" in page.total_label.text()  # the shared part of the period's total
    row = next(r for r in range(page.model.rowCount()) if page.model.text(r, 1) == "房租")
    page.table.selectRow(row)
    assert page.delete(ask=False)
    with ctx.read() as s:
        assert s.scalar(select(Expense.id).where(Expense.id > before, Expense.customer_id.is_(None))) is None


def test_counter_staff_get_no_expenses_page_and_are_refused(ctx):
    with ctx.read() as s:
        counter = actor_for_username(s, "counter1")
    assert "expenses" not in [p.key for p in pages_for(counter)]
    from crmdesk.services import expenses as svc
    with ctx.read() as s, pytest.raises(PermissionDenied):  # the core refuses, page or not
        svc.list_expenses(s, counter)
