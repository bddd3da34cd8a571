"""A tiny hand-made shop for the process-rule tests; every measure below was worked out by hand.

"Today" T = 2026-06-30. Users: owner (owner), s1 and s2 (sales, no territories).
Customers (100 yuan = 1,000,000 units):
  A1 甲经销 dealer, grade A, owner s1, credit limit 1,000 yuan
     sales on T-500 (1,000), T-300, T-270, T-240 (100 each), T-210 (100, order still open)
     → days_since_purchase 210, usual interval 30 (gaps 200, 30, 30, 30: median 30), silence 7.0,
       spend_12m 400, spend_prev_12m 1,000, change −60 %, orders_12m 4, orders_total 5,
       balance 1,400 (no receipts) → credit use 140 %, overdue 1,400, open_orders 1
  A2 乙商店 retail, grade B, owner s1, tag VIP, territory East, custom field level = gold
     one sale T-10 (50 yuan, cost 30), receipt 50; contact log T-5
     → days_since_purchase 10, orders_total 1, first purchase 10 days ago, overdue 0, gp 20
  B1 丙学校 direct, grade A, owner s2, credit limit 0
     one sale T-70 (200 yuan); cases: closed satisfaction 2 (closed T-3), open one
     → days_since_first_purchase 70, last_satisfaction 2 (case:<id>), open_cases 1
  N1 无单客户 retail, no owner, never bought.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from crmdesk.db.models import (CustomerType, CustomFieldDef, CustomFieldValue, Customer, Interaction, Product,
                               Receipt, SalesLine, SalesOrder, ServiceCase, Tag, Territory, User, customer_tags,
                               customer_territories)
from crmdesk.money import to_units
from crmdesk.services.actor import Actor

T = dt.date(2026, 6, 30)


def day(n: int) -> dt.date:
    return T - dt.timedelta(days=n)


class Shop:
    def __init__(self, ids: dict) -> None:
        self.__dict__.update(ids)

    def actor(self, db, name: str) -> Actor:
        with db.sessions() as s:
            return Actor.from_user(s.scalar(select(User).where(User.username == name)), s)


def _order(s, number: str, cust: Customer, when: dt.date, yuan: str, product: Product, status: str = "completed",
           cost: str = "0") -> SalesOrder:
    o = SalesOrder(number=number, order_date=when, customer_id=cust.id, status=status, doc_type="sale",
                   total_amount=to_units(yuan))
    s.add(o)
    s.flush()
    s.add(SalesLine(order_id=o.id, line_no=1, product_id=product.id, order_date=when, customer_id=cust.id,
                    quantity=1, unit_price=to_units(yuan), amount=to_units(yuan), cost_amount=to_units(cost),
                    shipped_quantity=0 if status == "open" else 1))
    return o


def build_shop(db) -> Shop:
    from crmdesk.services.users import create_first_owner

    with db.sessions.begin() as s:
        owner = create_first_owner(s, "owner", "secret-pw", "店主")
        s1 = User(username="s1", display_name="销售一", role="sales")
        s2 = User(username="s2", display_name="销售二", role="sales")
        east = Territory(name="East")
        s.add_all([s1, s2, east])
        s.flush()
        types = {t.code: t.id for t in s.scalars(select(CustomerType))}
        p = Product(code="P1", name="Pen", category="文具", brand="晨光", list_price=to_units("10"),
                    cost=to_units("6"), lead_time_days=7)
        a1 = Customer(code="A1", name="甲经销", type_id=types["dealer"], grade="A", owner_id=s1.id,
                      credit_limit=to_units("1000"))
        a2 = Customer(code="A2", name="乙商店", type_id=types["retail"], grade="B", owner_id=s1.id,
                      territory_id=east.id)
        b1 = Customer(code="B1", name="丙学校", type_id=types["direct"], grade="A", owner_id=s2.id)
        n1 = Customer(code="N1", name="无单客户", type_id=types["retail"], grade="C")
        s.add_all([p, a1, a2, b1, n1])
        s.flush()
        _order(s, "O1", a1, day(500), "1000", p)
        for i, n in enumerate((300, 270, 240)):
            _order(s, f"O{2 + i}", a1, day(n), "100", p)
        _order(s, "O5", a1, day(210), "100", p, status="open")
        _order(s, "O6", a2, day(10), "50", p, cost="30")
        _order(s, "O7", b1, day(70), "200", p)
        s.add(Receipt(number="R1", receipt_date=day(9), customer_id=a2.id, amount=to_units("50")))
        s.add(Interaction(customer_id=a2.id, occurred_at=dt.datetime.combine(day(5), dt.time(10)), subject="call"))
        vip = Tag(name="VIP")
        s.add(vip)
        s.flush()
        s.execute(customer_tags.insert().values(customer_id=a2.id, tag_id=vip.id))
        s.execute(customer_territories.insert().values(customer_id=a2.id, territory_id=east.id, manual=False))
        level = CustomFieldDef(customer_type_id=types["retail"], key="level", label="等级", field_type="choice",
                               choices="gold\nsilver")
        s.add(level)
        s.flush()
        s.add(CustomFieldValue(customer_id=a2.id, field_id=level.id, value="gold"))
        closed = ServiceCase(number="FW-T1", customer_id=b1.id, case_type="repair", subject="坏了", status="closed",
                             opened_at=dt.datetime.combine(day(10), dt.time(9)),
                             closed_at=dt.datetime.combine(day(3), dt.time(9)), satisfaction=2)
        still = ServiceCase(number="FW-T2", customer_id=b1.id, case_type="consult", subject="问一下", status="open",
                            opened_at=dt.datetime.combine(day(2), dt.time(9)))
        s.add_all([closed, still])
        s.flush()
        ids = dict(owner_id=owner.id, s1_id=s1.id, s2_id=s2.id, east_id=east.id, a1=a1.id, a2=a2.id, b1=b1.id,
                   n1=n1.id, case_closed=closed.id, case_open=still.id, product_id=p.id)
    return Shop(ids)
