"""Real exports nobody on this project wrote (tests/data/real/, sources and licences in SOURCES.md),
each imported with no options, as a new user would, and compared with totals computed from the raw
file without crmdesk (tests/data/real/compute_expected.py, exact decimals).

Add a file here each time a real export imports wrong. An expected value of ``None`` means the
file holds nothing to count it by (no customer column: every line goes to the one walk-in
customer, which is then the expected ``1``; no product column at all: not checked); the reason is
in the comment of that row and in SOURCES.md.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from crmdesk.importers.run import import_file
from crmdesk.money import to_yuan
from crmdesk.services.actor import Actor

REAL = Path(__file__).resolve().parent / "data" / "real"
D = Decimal

# file, kind, expected figures. Sales: lines, orders (an order number carrying several customers or
# dates counts once per (number, customer, date): the importer keeps such documents apart), customers,
# products, Σ amount, Σ profit (amount − cost), Σ quantity. Products: count, Σ list price, Σ cost,
# how many keep their barcode. Stock: snapshot rows, products, warehouses, Σ quantity, Σ cost value.
SALES = [
    # Tableau's older "Sample - Superstore Sales (Excel).xls", BIFF8: Order Quantity, Product Category,
    # Customer Segment, no customer or product id (keyed by name); orders 229 and 1154 carry two customers.
    ("superstore_old_orders_300.xls", dict(lines=300, orders=205, customers=183, products=262,
                                           amount=D("525876.9545"), profit=D("53459.0560"),
                                           quantity=D("7717"))),
    # Sample - Superstore 2014-2017 as BIFF8 .xls, float cells (731.9399999999999).
    ("superstore_300.xls", dict(lines=300, orders=137, customers=127, products=274,
                                amount=D("77903.8092"), profit=D("-499.0347"), quantity=D("1213"))),
    # Chinese Superstore "示例 - 超市" (.xls, UTF-16 BIFF8): 订单 Id, 客户名称, 产品名称, 销售额, 利润, 细分;
    # 3 order numbers carry two customers/dates.
    ("cn_superstore_300.xls", dict(lines=300, orders=151, customers=133, products=277,
                                   amount=D("488957"), profit=D("56454"), quantity=D("1101"))),
    # Kaggle "supermarket sales": Invoice ID, M/D/YYYY dates, Total (tax included) as the amount; no
    # customer column (→ 1 walk-in customer); no product column, only "Product line" (products not
    # checked).
    ("supermarket_sales_300.csv", dict(lines=300, orders=300, customers=1, products=None,
                                       amount=D("105269.7975"), profit=None, quantity=D("1760"))),
]
MASTERS = [
    # A small 进销存 program's product list: 条码, 名称, 货号 (empty in every row), 规格, 型号, 进价 (all 0),
    # 售价, 单位 — every value a text cell. Keyed by the barcode since the code column is empty.
    ("jxc_products_300.xls", "products", dict(products=300, list_price=D("80505"), cost=D("0"),
                                              with_barcode=300)),
]


def _one(db, sql: str):
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _yuan(units) -> Decimal:
    return to_yuan(units or 0)


def _quantity(value) -> Decimal:
    return Decimal(repr(float(value or 0))).quantize(Decimal("0.0001"))


def _imported(db, name: str):
    result = import_file(db, Actor.system(), REAL / name)
    return result, f"{name}: status={result.status} kind={result.kind} added={result.added} " \
                   f"rejected={result.rejected} message={result.message!r}"


@pytest.mark.parametrize(("name", "expected"), SALES, ids=[s[0] for s in SALES])
def test_real_sales_file(db, name, expected):
    result, said = _imported(db, name)
    assert (result.status, result.kind) == ("done", "sales"), said
    got = dict(
        lines=_one(db, "SELECT COUNT(*) FROM sales_lines"),
        orders=_one(db, "SELECT COUNT(*) FROM sales_orders"),
        customers=_one(db, "SELECT COUNT(*) FROM customers"),
        products=_one(db, "SELECT COUNT(*) FROM products"),
        amount=_yuan(_one(db, "SELECT SUM(amount) FROM sales_lines")),
        profit=_yuan(_one(db, "SELECT SUM(amount - cost_amount) FROM sales_lines")),
        quantity=_quantity(_one(db, "SELECT SUM(quantity) FROM sales_lines")),
    )
    want = {k: v for k, v in expected.items() if v is not None}
    assert {k: got[k] for k in want} == want, said


@pytest.mark.parametrize(("name", "kind", "expected"), MASTERS, ids=[m[0] for m in MASTERS])
def test_real_master_file(db, name, kind, expected):
    result, said = _imported(db, name)
    assert (result.status, result.kind) == ("done", kind), said
    if kind == "products":
        got = dict(
            products=_one(db, "SELECT COUNT(*) FROM products"),
            list_price=_yuan(_one(db, "SELECT SUM(list_price) FROM products")),
            cost=_yuan(_one(db, "SELECT SUM(cost) FROM products")),
            with_barcode=_one(db, "SELECT COUNT(*) FROM products WHERE barcode <> ''"),
        )
    else:
        got = dict(
            rows=_one(db, "SELECT COUNT(*) FROM stock_snapshots"),
            products=_one(db, "SELECT COUNT(DISTINCT product_id) FROM stock_snapshots"),
            warehouses=_one(db, "SELECT COUNT(DISTINCT warehouse) FROM stock_snapshots"),
            quantity=_quantity(_one(db, "SELECT SUM(quantity) FROM stock_snapshots")),
            cost_value=_yuan(_one(db, "SELECT SUM(cost_value) FROM stock_snapshots")),
        )
    assert got == expected, said
