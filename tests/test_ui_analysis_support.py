"""A tiny shop for the analysis page's tests, built with the ORM (imported by
the other test_ui_analysis_* files), and a check that it adds up."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from crmdesk.db.models import Customer, Product, Receipt, SalesLine, SalesOrder, StockSnapshot
from crmdesk.money import to_units

BRANDS = {"得力": ("文具", 12), "晨光": ("文具", 5), "惠普": ("打印耗材", 260)}
NEWEST = dt.date(2026, 6, 20)


def build_tiny_shop(db, owner_id: int) -> dict[str, int]:
    """Six products of three brands, eight customers, orders over fourteen months; returns code → customer id."""
    with db.sessions.begin() as s:
        products = []
        for i, (brand, (category, price)) in enumerate(BRANDS.items()):
            for j in range(2):
                p = Product(code=f"P{i}{j}", name=f"{brand}产品{j}", brand=brand, category=category,
                            list_price=to_units(price + j), cost=to_units((price + j) * 0.7), lead_time_days=7)
                s.add(p)
                products.append(p)
        customers = []
        for k in range(8):
            c = Customer(code=f"C{k:03d}", name=f"客户{k}号", type_id=1 + k % 3, grade="AB"[k % 2],
                         owner_id=owner_id)
            s.add(c)
            customers.append(c)
        s.flush()
        order_no = 0
        for month_back in range(14):
            day = dt.date(2026, 6, 20) - dt.timedelta(days=30 * month_back)
            for k, c in enumerate(customers):
                if (k + month_back) % 3 == 2:
                    continue
                order_no += 1
                order = SalesOrder(number=f"SO{order_no:05d}", order_date=day, customer_id=c.id,
                                   salesperson_id=owner_id, due_date=day + dt.timedelta(days=30))
                s.add(order)
                s.flush()
                total = 0
                for line_no, p in enumerate(products[(k % 3) * 2: (k % 3) * 2 + 2 + (k % 2)], start=1):
                    qty = 1 + (k + month_back + line_no) % 5
                    amount = p.list_price * qty * (1 + k // 4)
                    total += amount
                    s.add(SalesLine(order_id=order.id, line_no=line_no, product_id=p.id, order_date=day,
                                    customer_id=c.id, quantity=qty * (1 + k // 4), unit_price=p.list_price,
                                    amount=amount, cost_amount=p.cost * qty * (1 + k // 4), shipped_quantity=qty))
                order.total_amount = total
                if month_back > 1:
                    s.add(Receipt(number=f"R{order_no:05d}", receipt_date=day + dt.timedelta(days=20),
                                  customer_id=c.id, amount=total, order_id=order.id))
        for p in products:
            qty = 500 if p.brand == "惠普" else 3
            s.add(StockSnapshot(snapshot_date=NEWEST, product_id=p.id, quantity=qty, cost_value=p.cost * qty))
        s.flush()
        return {c.code: c.id for c in customers}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """(database, owner actor, code → customer id), built once per test module: the analysis tests only read."""
    from crmdesk.db import open_database
    from crmdesk.services.actor import Actor
    from crmdesk.services.users import create_first_owner

    database = open_database(tmp_path_factory.mktemp("tiny-shop") / "shop.db")
    with database.sessions.begin() as s:
        actor = Actor.from_user(create_first_owner(s, "owner", "secret-pw", "店主"))
    ids = build_tiny_shop(database, actor.user_id)
    yield database, actor, ids
    database.dispose()


@pytest.fixture
def tiny_shop(shop):
    return shop[2]


@pytest.fixture
def ctx(shop):
    """A fresh context (and change bus) per test over the module's shop."""
    from crmdesk.ui.context import AppContext

    return AppContext(db=shop[0], actor=shop[1])


def show_analysis_page(qtbot, ctx, activate: bool = False):
    """The Analysis page shown at a laptop size; ``activate`` does what the main window does on showing it
    (the dashboard starts computing)."""
    from crmdesk.ui.analysis.page import create_analysis_page

    widget = create_analysis_page(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    if activate:
        widget.activate()
    return widget


@pytest.fixture
def page(qtbot, ctx):
    """The Analysis page, shown but not activated: each test opens the view it needs."""
    return show_analysis_page(qtbot, ctx)


def test_tiny_shop_has_sales_in_every_brand(shop, tiny_shop):
    db = shop[0]
    with db.sessions() as s:
        brands = set(s.scalars(select(Product.brand).join(SalesLine, SalesLine.product_id == Product.id)))
        newest = s.scalar(select(func.max(SalesLine.order_date)))
    assert brands == set(BRANDS)
    assert newest == NEWEST
    assert len(tiny_shop) == 8
