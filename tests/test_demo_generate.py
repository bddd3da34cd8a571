"""``crmdesk.demo.generate`` as a library call: refusal, cancellation, sizes, odd end dates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from crmdesk.core.progress import Cancelled, Progress
from crmdesk.db.models import Customer, SalesLine, SalesOrder, User
from crmdesk.demo import DemoError, DemoSizeError, generate
from crmdesk.i18n import _, set_language

TINY = dict(customers=30, products=25, lines=600, seed=2)


def _count(db, model) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_refuses_a_database_that_has_customers(db):
    summary = generate(db, end_date=dt.date(2025, 1, 31), **TINY)
    assert summary.customers == 30 and summary.lines == 600
    assert summary.orders + summary.returns == _count(db, SalesOrder)
    with pytest.raises(DemoError, match="already has data"):
        generate(db, end_date=dt.date(2025, 1, 31), **TINY)
    assert _count(db, Customer) == 30


def test_too_small_a_shop_or_a_negative_seed_is_refused(db):
    with pytest.raises(DemoSizeError):
        generate(db, customers=5, products=25, lines=600)
    with pytest.raises(DemoSizeError):
        generate(db, customers=30, products=25, lines=600, seed=-1)
    assert _count(db, User) == 0


def test_cancelling_leaves_the_database_empty(db):
    messages: list[str] = []
    holder: dict[str, Progress] = {}

    def cancel_at_customers(_fraction, message):
        messages.append(message)
        if message == "Customers":
            holder["progress"].cancel()

    progress = holder["progress"] = Progress(cancel_at_customers, min_interval=0)
    with pytest.raises(Cancelled):
        generate(db, end_date=dt.date(2025, 1, 31), progress=progress, **TINY)
    assert "Customers" in messages and "Done" not in messages
    assert _count(db, Customer) == 0 and _count(db, SalesLine) == 0 and _count(db, User) == 0


def test_existing_owner_account_is_kept(db, owner):
    generate(db, end_date=dt.date(2025, 1, 31), **TINY)
    with db.sessions() as s:
        owners = s.scalars(select(User).where(User.username == "owner")).all()
    assert len(owners) == 1 and owners[0].id == owner.user_id


@pytest.mark.parametrize("end", [dt.date(2024, 2, 29), dt.date(2025, 12, 31), dt.date(2026, 1, 1)])
def test_history_is_three_years_up_to_the_end_date(db, end):
    summary = generate(db, end_date=end, **TINY)
    assert summary.end_date == end
    assert 3 * 365 <= (end - summary.start_date).days + 1 <= 3 * 366
    with db.sessions() as s:
        first, last = s.execute(select(func.min(SalesLine.order_date), func.max(SalesLine.order_date))).one()
    assert summary.start_date <= first and last <= end


def test_messages_are_translated():
    set_language("zh_CN")
    try:
        assert _("Sales lines") == "销售明细"
        assert "登录" in _("demo shop in {db}: {customers} customers, {products} products, {orders} orders, "
                          "{returns} returns, {lines} lines, {receipts} receipts, {start} to {end}; "
                          "log in as owner / demo")
    finally:
        set_language("en")
