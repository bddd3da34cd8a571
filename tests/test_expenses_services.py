"""Issue 15, items 1 and 4: typed expenses per role (counter none, a salesperson only their
customers' and no shared ones), audited; expense items and their allocation as settings; a
merge moves the merged customer's expenses to the survivor."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from crmdesk.db.models import AuditLog, Expense, ExpenseItem
from crmdesk.services import expenses as ex
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.merge import merge_customers
from crmdesk.services.permissions import PermissionDenied
from tests.service_support import shop  # noqa: F401 - the fixture

DAY = dt.date(2026, 5, 21)


def _item(s, name="运费") -> int:
    return s.scalar(select(ExpenseItem.id).where(ExpenseItem.name == name))


def _add(s, actor, customer_id, amount=350_000, **kw) -> int:
    return ex.add_expense(s, actor, ex.ExpenseInput(DAY, _item(s), amount, customer_id, **kw))


def test_owner_adds_edits_and_deletes_audited(shop):
    owner, a1 = shop.actors["owner"], shop.customers["a1"]
    with shop.db.sessions.begin() as s:
        eid = _add(s, owner, a1, notes="送货")
        shared = _add(s, owner, None)  # rent and the like: the shop's
        assert [e.id for e in ex.list_customer_expenses(s, owner, a1)] == [eid]
        assert ex.update_expense(s, owner, eid, ex.ExpenseInput(DAY, _item(s, "样品"), 120_000, a1))
        assert not ex.update_expense(s, owner, eid, ex.ExpenseInput(DAY, _item(s, "样品"), 120_000, a1))
        info = ex.get_expense(s, owner, eid)
        assert (info.item_name, info.amount, info.imported, info.notes) == ("样品", 120_000, False, "")
        ex.delete_expense(s, owner, shared)
        actions = s.execute(select(AuditLog.action, AuditLog.field).where(AuditLog.entity == "expenses")
                            .order_by(AuditLog.id)).all()
        assert actions == [("create", "amount"), ("create", "amount"), ("update", "item_id"), ("update", "amount"),
                           ("update", "notes"), ("delete", "amount")]


def test_an_order_books_the_expense_to_its_customer(shop):
    owner = shop.actors["owner"]
    with shop.db.sessions.begin() as s:
        eid = _add(s, owner, None, order_id=shop.orders["b1"])
        info = ex.get_expense(s, owner, eid)
        assert (info.customer_id, info.order_number) == (shop.customers["b1"], "XS-b1")
        with pytest.raises(ValidationError, match="another customer's"):
            _add(s, owner, shop.customers["a1"], order_id=shop.orders["b1"])
        with pytest.raises(ValidationError, match="zero"):
            _add(s, owner, shop.customers["a1"], amount=0)


def test_salesperson_only_on_their_customers(shop):
    a, a1, b1 = shop.actors["sales_a"], shop.customers["a1"], shop.customers["b1"]
    with shop.db.sessions.begin() as s:
        mine = _add(s, a, a1)
        theirs = _add(s, shop.actors["owner"], b1)
        shared = _add(s, shop.actors["owner"], None)
        with pytest.raises(PermissionDenied):
            _add(s, a, b1)
        with pytest.raises(PermissionDenied):
            _add(s, a, None)  # a shared expense is the whole shop's
        with pytest.raises(PermissionDenied):
            ex.update_expense(s, a, mine, ex.ExpenseInput(DAY, _item(s), 1, b1))  # moving it to B's customer
        for eid in (theirs, shared):
            with pytest.raises(PermissionDenied):
                ex.delete_expense(s, a, eid)
            with pytest.raises(PermissionDenied):
                ex.get_expense(s, a, eid)
        with pytest.raises(PermissionDenied):
            ex.list_customer_expenses(s, a, b1)
        assert {e.id for e in ex.list_expenses(s, a)} == {mine}
        assert {e.id for e in ex.list_expenses(s, shop.actors["owner"])} == {mine, theirs, shared}
        ex.delete_expense(s, a, mine)


def test_counter_staff_see_and_type_no_expenses(shop):
    c = shop.actors["counter"]
    with shop.db.sessions.begin() as s:
        with pytest.raises(PermissionDenied):
            _add(s, c, shop.customers["a1"])
        with pytest.raises(PermissionDenied):
            ex.list_customer_expenses(s, c, shop.customers["a1"])
        with pytest.raises(PermissionDenied):
            ex.list_expenses(s, c)
        with pytest.raises(PermissionDenied):
            ex.list_items(s, c)


def test_items_and_their_allocation_are_settings(shop):
    owner, a = shop.actors["owner"], shop.actors["sales_a"]
    with shop.db.sessions.begin() as s:
        names = [i.name for i in ex.list_items(s, a)]  # a salesperson chooses from them
        assert names[:3] == ["运费", "返利", "招待费"] and len(names) == 9
        rent = _item(s, "房租")
        with pytest.raises(PermissionDenied):
            ex.update_item(s, a, rent, allocation="none")
        assert ex.update_item(s, owner, rent, allocation="lines")
        assert s.get(ExpenseItem, rent).allocation == "lines"
        with pytest.raises(ValidationError):
            ex.update_item(s, owner, rent, allocation="by magic")
        new = ex.add_item(s, owner, "广告费", "none")
        with pytest.raises(ValidationError, match="exists already"):
            ex.add_item(s, owner, "广告费")
        _add(s, owner, shop.customers["a1"])
        with pytest.raises(ex.ExpenseError):
            ex.delete_item(s, owner, _item(s))
        ex.delete_item(s, owner, new)
        labels = {i.name: i.allocation_label for i in ex.list_items(s, owner)}
        assert labels["房租"] == "by number of order lines" and labels["其他"] == "not allocated (overhead)"
        audited = s.execute(select(AuditLog.action, AuditLog.field, AuditLog.new_value)
                            .where(AuditLog.entity == "expense_items").order_by(AuditLog.id)).all()
        assert audited == [("update", "allocation", "lines"), ("create", "name", "广告费"), ("delete", "name", "")]


def test_merge_moves_the_expenses(shop):
    owner = shop.actors["owner"]
    with shop.db.sessions.begin() as s:
        _add(s, owner, shop.customers["a1"], amount=100)
        _add(s, owner, shop.customers["b1"], amount=200)
        result = merge_customers(s, owner, shop.customers["a1"], shop.customers["b1"])
        assert result.moved["expenses"] == 1
        assert s.scalar(select(func.sum(Expense.amount)).where(Expense.customer_id == shop.customers["a1"])) == 300
        assert s.scalar(select(func.count()).select_from(Expense)) == 2
