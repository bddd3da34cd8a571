"""Fulfilment: open orders with fill rate and days open, and the monthly fill rate, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.db.models import Customer, Product, SalesLine, SalesOrder, User
from crmdesk.money import to_units
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.fulfilment import MONTH_COLUMNS, ORDER_COLUMNS, fulfilment

D = dt.date


@pytest.fixture
def orders(db, owner):
    """SO-1 open 03-01: 10+5 ordered, none shipped (150 yuan). SO-2 partial 03-20: 10 (4 shipped) +
    10 (10 shipped). SO-3 completed 02-10: 8 ordered, shipped left empty. SO-4 cancelled, SR-1 a
    return: ignored. SO-5 open 04-02: 3 ordered (after as_of 03-31)."""
    with db.sessions.begin() as s:
        p = Product(code="P1", name="A4 复印纸", list_price=0, cost=0)
        zhang = User(username="zhang", display_name="张三", role="sales")
        c1, c2 = Customer(code="C1", name="华联文具店"), Customer(code="C2", name="二中")
        s.add_all([p, zhang, c1, c2])
        s.flush()

        def order(number, day, customer, status, lines, doc_type="sale"):
            o = SalesOrder(number=number, order_date=day, customer_id=customer.id, status=status, doc_type=doc_type,
                           salesperson_id=zhang.id)
            s.add(o)
            s.flush()
            for no, (qty, shipped, amount) in enumerate(lines, start=1):
                s.add(SalesLine(order_id=o.id, line_no=no, product_id=p.id, order_date=day, customer_id=customer.id,
                                quantity=qty, shipped_quantity=shipped, unit_price=0, amount=to_units(amount),
                                cost_amount=0))

        order("SO-1", D(2026, 3, 1), c1, "open", [(10, 0, "100"), (5, 0, "50")])
        order("SO-2", D(2026, 3, 20), c2, "partial", [(10, 4, "100"), (10, 10, "200")])
        order("SO-3", D(2026, 2, 10), c1, "completed", [(8, 0, "80")])
        order("SO-4", D(2026, 3, 5), c1, "cancelled", [(100, 0, "1000")])
        order("SR-1", D(2026, 3, 6), c1, "open", [(-2, 0, "-20")], doc_type="return")
        order("SO-5", D(2026, 4, 2), c2, "open", [(3, 0, "30")])
    return db


def _run(db, owner, view, f):
    with db.sessions() as s:
        return fulfilment(s, owner, f, {"view": view})


def test_open_orders(orders, owner):
    df = _run(orders, owner, "orders", ReportFilters(as_of=D(2026, 3, 31)))
    assert list(df.columns) == ORDER_COLUMNS
    assert list(df["order_number"]) == ["SO-1", "SO-2"]  # longest open first; SO-5 is after as_of
    assert list(df["ordered_qty"]) == [15.0, 20.0]
    assert list(df["shipped_qty"]) == [0.0, 14.0]
    assert list(df["fill_rate_pct"]) == [0.0, 70.0]
    assert list(df["days_open"]) == [30, 11]
    assert list(df["amount"]) == [150.0, 300.0]
    assert list(df["customer_name"]) == ["华联文具店", "二中"]
    assert set(df["salesperson"]) == {"张三"}
    assert list(df["status"]) == ["open", "partial"]


def test_open_orders_later_as_of(orders, owner):
    df = _run(orders, owner, "orders", ReportFilters(as_of=D(2026, 4, 30)))
    assert list(df["order_number"]) == ["SO-1", "SO-2", "SO-5"]
    assert df["days_open"].iloc[-1] == 28


def test_monthly_fill_rate(orders, owner):
    df = _run(orders, owner, "monthly", ReportFilters())
    assert list(df.columns) == MONTH_COLUMNS
    assert list(df["month"]) == ["2026-02", "2026-03", "2026-04"]
    assert list(df["orders"]) == [1, 2, 1]
    assert list(df["open_orders"]) == [0, 2, 1]
    assert list(df["ordered_qty"]) == [8.0, 35.0, 3.0]
    assert list(df["shipped_qty"]) == [8.0, 14.0, 0.0]  # completed counts as shipped in full
    assert list(df["fill_rate_pct"]) == [100.0, 40.0, 0.0]
    assert list(df["complete_pct"]) == [100.0, 0.0, 0.0]
    march = _run(orders, owner, "monthly", ReportFilters(date_from=D(2026, 3, 1), date_to=D(2026, 3, 31)))
    assert list(march["month"]) == ["2026-03"]


def test_fulfilment_charts(orders, owner):
    from crmdesk.charts.part2_charts import fulfilment_chart

    monthly = fulfilment_chart(_run(orders, owner, "monthly", ReportFilters()), {})
    assert list(monthly.axes[0].get_lines()[0].get_ydata()) == [100.0, 40.0, 0.0]
    opened = fulfilment_chart(_run(orders, owner, "orders", ReportFilters(as_of=D(2026, 3, 31))), {})
    assert [p.get_height() for p in opened.axes[0].patches] == [0, 1, 1, 0, 0]  # 11 and 30 days
