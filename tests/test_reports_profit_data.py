"""The tiny shop of test_reports_tiny_data plus a loss-making customer and an expense history
whose every allocation was computed by hand (issue 15). Imported by test_reports_profit*.

Extra sale: O5 2024-03-15 C004 丁小店 (retail, West) P3 1 × 50 = 50, cost 60 → gross profit −10.
Per customer (all history): revenue C001 1700, C002 200, C003 1050, C004 50 (= 3000);
gross profit 660, 80, 350, −10; orders (documents) 3, 1, 1, 1 (= 6); lines 4, 1, 2, 1 (= 8).
Expenses (yuan):
  direct   返利 300 → C001; 运费 20 on order O4 → C003 (through the order); 样品 15 → C004
  shared   房租 100 (revenue), 招待费 109 (gross_profit), 运费 60 (orders), 仓储费 80 (lines),
           其他 25 (none → overhead)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from test_reports_tiny_data import build_tiny_shop

from crmdesk.db.models import Customer, CustomerType, Product, SalesLine, SalesOrder, Territory
from crmdesk.db.models.expenses import Expense, ExpenseItem
from crmdesk.money import to_units

D = dt.date


def build_profit_shop(db) -> dict[str, int]:
    """Builds the shop; returns customer code → id."""
    build_tiny_shop(db)
    with db.sessions.begin() as s:
        types = {t.code: t.id for t in s.scalars(select(CustomerType))}
        west = s.scalar(select(Territory.id).where(Territory.name == "West"))
        c4 = Customer(code="C004", name="丁小店", type_id=types["retail"], grade="C", territory_id=west)
        s.add(c4)
        s.flush()
        p3 = s.scalar(select(Product.id).where(Product.code == "P3"))
        order = SalesOrder(number="O5", order_date=D(2024, 3, 15), customer_id=c4.id, doc_type="sale",
                           total_amount=to_units("50"))
        order.lines.append(SalesLine(line_no=1, product_id=p3, order_date=D(2024, 3, 15), customer_id=c4.id,
                                     quantity=1, unit_price=to_units("50"), amount=to_units("50"),
                                     cost_amount=to_units("60")))
        s.add(order)
        s.flush()
        ids = {c.code: c.id for c in s.scalars(select(Customer))}
        item = {i.name: i.id for i in s.scalars(select(ExpenseItem))}
        o4 = s.scalar(select(SalesOrder.id).where(SalesOrder.number == "O4"))
        rows = [
            ("E1", D(2024, 1, 10), "返利", "300", ids["C001"], None),
            ("E2", D(2024, 3, 31), "运费", "20", None, o4),
            ("E3", D(2024, 3, 16), "样品", "15", ids["C004"], None),
            ("E4", D(2024, 1, 31), "房租", "100", None, None),
            ("E5", D(2024, 2, 15), "招待费", "109", None, None),
            ("E6", D(2024, 2, 20), "运费", "60", None, None),
            ("E7", D(2024, 3, 1), "仓储费", "80", None, None),
            ("E8", D(2024, 3, 2), "其他", "25", None, None),
        ]
        for doc, day, name, amount, cust, order_id in rows:
            s.add(Expense(expense_date=day, doc_number=doc, line_no=1, item_id=item[name], amount=to_units(amount),
                          customer_id=cust, order_id=order_id))
    return ids
