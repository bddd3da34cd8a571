"""A tiny shop whose every report figure was computed by hand (see the other
test_reports_* files for the arithmetic). Imported by those files; the tests
here check the data itself so a typo in it shows up first.

Products (list / cost, category, brand, lead time):
  P1 Pen      10.00 /  6.00  文具 晨光  7 days
  P2 Paper    30.00 / 20.00  纸品 得力 10 days
  P3 Stapler 100.00 / 60.00  文具 得力 14 days
Customers: C001 甲公司 dealer A East, credit 800, owner zhang, contact 王经理 13800000001
           C002 乙商店 retail B West, credit 0, phone 021-1234
           C003 丙学校 direct A East, credit 5000
Documents (qty × price = amount, cost):
  O1 2024-01-05 C001 zhang  P1 100×10 = 1000 (600);  P2 10×30 = 300 (200)
  O2 2024-02-10 C002 -      P3 2×100 = 200 (120)
  O3 2024-03-01 C001 zhang  P3 5×100 = 500 (300)
  R1 2024-03-05 C001 zhang  return P1 −10×10 = −100 (−60)
  O4 2024-03-31 C003 zhang  P2 20×30 = 600 (400);  P1 50×9 = 450 (300)
Receipts: C001 2024-01-20 800; C002 2024-02-10 200.
Stock: P1 2024-01-31 main 500 / 3000; P1 2024-03-31 main 300 / 1800 and branch 40 / 240;
       P2 2024-03-31 main 5 / 100; P3 2024-02-29 main 400 / 24000.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from crmdesk.db.models import (Contact, Customer, CustomerType, Product, Receipt, SalesLine, SalesOrder,
                               StockSnapshot, Territory, User)
from crmdesk.money import to_units

D = dt.date


def build_tiny_shop(db) -> None:
    with db.sessions.begin() as s:
        east, west = Territory(name="East"), Territory(name="West")
        zhang = User(username="zhang", display_name="张三", role="sales")
        s.add_all([east, west, zhang])
        s.flush()
        types = {t.code: t.id for t in s.scalars(select(CustomerType))}
        prods = {}
        for code, name, cat, brand, price, cost, lead in [
            ("P1", "Pen", "文具", "晨光", "10", "6", 7),
            ("P2", "Paper", "纸品", "得力", "30", "20", 10),
            ("P3", "Stapler", "文具", "得力", "100", "60", 14),
        ]:
            prods[code] = Product(code=code, name=name, category=cat, brand=brand, list_price=to_units(price),
                                  cost=to_units(cost), lead_time_days=lead)
        custs = {
            "C001": Customer(code="C001", name="甲公司", type_id=types["dealer"], grade="A", territory_id=east.id,
                             credit_limit=to_units("800"), owner_id=zhang.id),
            "C002": Customer(code="C002", name="乙商店", type_id=types["retail"], grade="B", territory_id=west.id,
                             phone="021-1234"),
            "C003": Customer(code="C003", name="丙学校", type_id=types["direct"], grade="A", territory_id=east.id,
                             credit_limit=to_units("5000")),
        }
        s.add_all([*prods.values(), *custs.values()])
        s.flush()
        s.add(Contact(customer_id=custs["C001"].id, name="王经理", mobile="13800000001", is_primary=True))
        docs = [
            ("O1", D(2024, 1, 5), "C001", zhang.id, "sale", [("P1", 100, "10", "600"), ("P2", 10, "30", "200")]),
            ("O2", D(2024, 2, 10), "C002", None, "sale", [("P3", 2, "100", "120")]),
            ("O3", D(2024, 3, 1), "C001", zhang.id, "sale", [("P3", 5, "100", "300")]),
            ("R1", D(2024, 3, 5), "C001", zhang.id, "return", [("P1", -10, "10", "-60")]),
            ("O4", D(2024, 3, 31), "C003", zhang.id, "sale", [("P2", 20, "30", "400"), ("P1", 50, "9", "300")]),
        ]
        for number, day, cust, sp, kind, lines in docs:
            order = SalesOrder(number=number, order_date=day, customer_id=custs[cust].id, salesperson_id=sp,
                               doc_type=kind)
            total = 0
            for no, (prod, qty, price, cost) in enumerate(lines, 1):
                amount = to_units(price) * qty
                total += amount
                order.lines.append(SalesLine(line_no=no, product_id=prods[prod].id, order_date=day,
                                             customer_id=custs[cust].id, quantity=qty, unit_price=to_units(price),
                                             amount=amount, cost_amount=to_units(cost)))
            order.total_amount = total
            s.add(order)
        s.add_all([
            Receipt(number="S1", receipt_date=D(2024, 1, 20), customer_id=custs["C001"].id, amount=to_units("800")),
            Receipt(number="S2", receipt_date=D(2024, 2, 10), customer_id=custs["C002"].id, amount=to_units("200")),
        ])
        for prod, day, wh, qty, value in [
            ("P1", D(2024, 1, 31), "main", 500, "3000"), ("P1", D(2024, 3, 31), "main", 300, "1800"),
            ("P1", D(2024, 3, 31), "branch", 40, "240"), ("P2", D(2024, 3, 31), "main", 5, "100"),
            ("P3", D(2024, 2, 29), "main", 400, "24000"),
        ]:
            s.add(StockSnapshot(product_id=prods[prod].id, snapshot_date=day, warehouse=wh, quantity=qty,
                                cost_value=to_units(value)))


def test_tiny_shop_totals(db):
    build_tiny_shop(db)
    with db.sessions() as s:
        # 1000 + 300 + 200 + 500 − 100 + 600 + 450 = 2950 yuan
        assert s.scalar(select(func.sum(SalesLine.amount))) == to_units("2950")
        assert s.scalar(select(func.count(SalesLine.id))) == 7
