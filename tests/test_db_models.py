"""Model constraints the rest of the product relies on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from crmdesk.db.models import (Customer, CustomerRelation, Product, SalesLine, SalesOrder, StockSnapshot,
                               User)


def _customer(code="KH1", name="广州文具店"):
    return Customer(code=code, name=name, credit_limit=0)


def test_customer_code_is_unique(session):
    session.add_all([_customer("KH1"), _customer("KH1", "另一家")])
    with pytest.raises(IntegrityError):
        session.flush()


def test_product_code_is_unique(session):
    session.add_all([Product(code="SP1", name="中性笔"), Product(code="SP1", name="铅笔")])
    with pytest.raises(IntegrityError):
        session.flush()


def test_order_line_numbers_unique_per_order(session):
    c, p = _customer(), Product(code="SP1", name="中性笔")
    order = SalesOrder(number="XS-1", order_date=dt.date(2024, 3, 7))
    session.add_all([c, p])
    session.flush()
    order.customer_id = c.id
    session.add(order)
    session.flush()
    for _ in range(2):
        session.add(SalesLine(order_id=order.id, line_no=1, product_id=p.id, order_date=order.order_date,
                              customer_id=c.id, quantity=1, unit_price=10000, amount=10000, cost_amount=5000))
    with pytest.raises(IntegrityError):
        session.flush()


def test_foreign_keys_are_enforced(session):
    session.add(SalesOrder(number="XS-2", order_date=dt.date(2024, 1, 1), customer_id=424242))
    with pytest.raises(IntegrityError):
        session.flush()


def test_stock_snapshot_unique_per_product_warehouse_date(session):
    p = Product(code="SP9", name="复印纸")
    session.add(p)
    session.flush()
    day = dt.date(2024, 6, 30)
    session.add_all([StockSnapshot(snapshot_date=day, product_id=p.id, warehouse="总仓", quantity=1, cost_value=1),
                     StockSnapshot(snapshot_date=day, product_id=p.id, warehouse="总仓", quantity=2, cost_value=2)])
    with pytest.raises(IntegrityError):
        session.flush()


def test_relation_unique_and_cascades_with_customer(session):
    a, b = _customer("A"), _customer("B", "分店")
    session.add_all([a, b])
    session.flush()
    session.add(CustomerRelation(from_customer_id=b.id, to_customer_id=a.id, relation_type="branch_of"))
    session.flush()
    session.delete(b)
    session.flush()
    assert session.query(CustomerRelation).count() == 0


def test_username_unique(session):
    session.add_all([User(username="li", role="sales"), User(username="li", role="counter")])
    with pytest.raises(IntegrityError):
        session.flush()


def test_money_columns_hold_exact_integers(session):
    c = _customer()
    c.credit_limit = 123_456_789_012_345  # 12,345,678,901.2345 yuan
    session.add(c)
    session.flush()
    session.expire_all()
    assert session.get(Customer, c.id).credit_limit == 123_456_789_012_345
