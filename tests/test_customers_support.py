"""Helpers shared by the customer-service tests (no tests here)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from crmdesk.db.models import Product, Receipt, SalesLine, SalesOrder
from crmdesk.money import to_units
from crmdesk.services.actor import Actor
from crmdesk.services.customers import CustomerInput, create_customer

_numbers = itertools.count(1)


def make_customer(s: Session, actor: Actor, name: str, **kw):
    return create_customer(s, actor, CustomerInput(name=name, **kw))


def product(s: Session, code: str = "P1", category: str = "书写工具", brand: str = "晨光") -> Product:
    p = s.query(Product).filter_by(code=code).one_or_none()
    if p is None:
        p = Product(code=code, name=f"商品{code}", category=category, brand=brand)
        s.add(p)
        s.flush()
    return p


def add_order(s: Session, customer_id: int, day: dt.date, amounts: list[str], due: dt.date | None = None,
              products: list[Product] | None = None) -> SalesOrder:
    products = products or [product(s)]
    n = next(_numbers)
    order = SalesOrder(number=f"SO{n:05d}", order_date=day, customer_id=customer_id, due_date=due,
                       total_amount=sum(to_units(a) for a in amounts))
    s.add(order)
    s.flush()
    for i, amount in enumerate(amounts, start=1):
        p = products[(i - 1) % len(products)]
        s.add(SalesLine(order_id=order.id, line_no=i, product_id=p.id, order_date=day, customer_id=customer_id,
                        quantity=1, unit_price=to_units(amount), amount=to_units(amount), cost_amount=0))
    s.flush()
    return order


def add_receipt(s: Session, customer_id: int, day: dt.date, amount: str) -> Receipt:
    r = Receipt(number=f"R{next(_numbers):05d}", receipt_date=day, customer_id=customer_id, amount=to_units(amount))
    s.add(r)
    s.flush()
    return r
