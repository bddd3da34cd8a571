"""Issue 15, item 5: the demo shop's expense history — every kind (delivery per order, dealer
rebates, entertainment and samples, monthly shared costs), with some customers losing money
after expenses: the whale curve has a hump (the top 20 % earn well over 100 % of the profit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text


def _frame(db, sql: str) -> pd.DataFrame:
    with db.engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def test_demo_has_expenses_of_every_kind(demo_db):
    ex = _frame(demo_db, "SELECT e.*, i.name AS item FROM expenses e JOIN expense_items i ON i.id = e.item_id")
    kinds = ex.groupby("item").agg(n=("id", "size"), direct=("customer_id", lambda c: int(c.notna().sum())))
    assert {"运费", "返利", "招待费", "样品", "房租", "水电费", "仓储费", "工资"} <= set(kinds.index)
    assert (kinds.loc[["运费", "返利", "招待费", "样品"], "direct"] == kinds.loc[["运费", "返利", "招待费", "样品"], "n"]).all()
    assert (kinds.loc[["房租", "水电费", "仓储费", "工资"], "direct"] == 0).all()  # shared
    assert ex.loc[ex["item"] == "运费", "order_id"].notna().all()  # delivery: per order
    assert not ex.duplicated(["doc_number", "line_no"]).any() and (ex["amount"] > 0).all()
    monthly = ex.loc[ex["item"] == "房租"]
    assert monthly["doc_number"].nunique() == len(monthly) == 36  # one bill a month for three years
    dealers = _frame(demo_db, "SELECT c.id FROM customers c JOIN customer_types t ON t.id = c.type_id "
                              "WHERE t.code = 'dealer'")["id"]
    assert ex.loc[ex["item"] == "返利", "customer_id"].isin(dealers).all()
    # Delivery costs are booked to the order's own customer.
    orders = _frame(demo_db, "SELECT id AS order_id, customer_id AS order_customer FROM sales_orders")
    delivery = ex.loc[ex["item"] == "运费"].merge(orders, on="order_id")
    assert (delivery["customer_id"] == delivery["order_customer"]).all()


def test_whale_curve_has_a_hump_and_losers(demo_db):
    """Profit per customer with the shared costs spread by each item's rule (as the reports do)."""
    lines = _frame(demo_db, "SELECT customer_id, order_id, amount, cost_amount FROM sales_lines")
    ex = _frame(demo_db, "SELECT e.customer_id, e.amount, i.allocation FROM expenses e "
                         "JOIN expense_items i ON i.id = e.item_id")
    g = lines.groupby("customer_id").agg(rev=("amount", "sum"), cost=("cost_amount", "sum"),
                                         orders=("order_id", "nunique"), lines=("amount", "size"))
    g["gp"] = g["rev"] - g["cost"]
    direct = ex.dropna(subset=["customer_id"]).groupby("customer_id")["amount"].sum()
    profit = g["gp"] - direct.reindex(g.index).fillna(0)
    bases = {"revenue": g["rev"], "gross_profit": g["gp"].clip(lower=0), "orders": g["orders"], "lines": g["lines"]}
    for rule, amount in ex.loc[ex["customer_id"].isna()].groupby("allocation")["amount"].sum().items():
        if rule in bases:
            profit -= amount * bases[rule] / bases[rule].sum()
    ranked = profit.sort_values(ascending=False).to_numpy()
    share = np.cumsum(ranked) / ranked.sum()
    top = share[int(round(0.2 * len(ranked))) - 1]
    # The top 20 % earn well over all of the profit (Kaplan & Cooper: typically 150–300 %; the default
    # demo shop gives ~150 %, this small one a little less) — but the shop as a whole still earns.
    assert ranked.sum() > 0 and 1.2 < top < 4, top
    assert (ranked < 0).sum() >= 0.1 * len(ranked)  # a tenth or more of the customers lose money
