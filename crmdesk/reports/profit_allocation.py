"""Expenses per customer, allocated on the fly (issue 15): nothing derived is stored.

* **direct**: an expense with a customer, or with an order (→ the order's customer);
* **shared**: every other expense, spread per expense item by the item's ``allocation`` over the
  customers in proportion to their revenue, gross profit, number of orders or number of order
  lines **in the report's date range** (all history without one). Only customers with a positive
  base get a share (positive revenue / positive gross profit: a customer who loses gross profit is
  not asked to carry the rent on top). ``none`` — and an item whose base is empty in the range —
  stays overhead: one explicit ``(overhead)`` row in the reports.
* shares are computed **shop-wide** (every line of the range, whoever asks and whatever the other
  filters), so a customer's share does not change with the view; the filters then pick the rows.
* money is integer units; every split uses the largest-remainder method, so the shares of an
  amount add up to it exactly.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.columnar import plain_rows
from crmdesk.db.models import Expense, ExpenseItem, SalesOrder
from crmdesk.reports import linecache
from crmdesk.reports.linecache import day_number

OVERHEAD = "(overhead)"
NO_SALES = "(no sales)"
RULES = ("revenue", "gross_profit", "orders", "lines", "none")

_memo: dict[str, tuple[tuple, pd.DataFrame]] = {}
_memo_lock = threading.Lock()


# --- exact splitting ---------------------------------------------------------------------------

def split_exact(group: np.ndarray, totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """For pairs sorted by ``group`` (0..n-1, each group's weights > 0): the integer share of the
    group's total ``totals[group]`` per pair, proportional to ``weights``, by largest remainder
    (ties to the earlier pair). Shares of a group sum exactly to its total; negative totals split
    like their absolute value."""
    if not len(group):
        return np.zeros(0, dtype="int64")
    group = np.asarray(group, dtype="int64")
    w = np.asarray(weights, dtype="int64")
    wsum = np.bincount(group, weights=w.astype("float64"))
    wsum_i = np.zeros(len(wsum), dtype="int64")
    np.add.at(wsum_i, group, w)
    sign = np.sign(totals).astype("int64")
    amount = np.abs(np.asarray(totals, dtype="int64"))
    a, W = amount[group], wsum_i[group]
    if float(np.abs(a).max(initial=0)) * float(w.max(initial=0)) < 2.0 ** 62:
        prod = a * w
        q, r = prod // W, prod % W
    else:  # would overflow int64: Python integers (slow but exact, only for huge amounts)
        prod = a.astype(object) * w.astype(object)
        q = (prod // W.astype(object)).astype("int64")
        r = (prod % W.astype(object)).astype("float64")
    left = amount - np.bincount(group, weights=q.astype("float64"), minlength=len(amount)).round().astype("int64")
    # rank within each group by remainder, largest first; the first ``left`` pairs get one more unit
    order = np.lexsort((np.arange(len(group)), -np.asarray(r, dtype="float64"), group))
    starts = np.searchsorted(group[order], group[order], side="left")
    rank = np.arange(len(group)) - starts
    extra = np.zeros(len(group), dtype="int64")
    extra[order] = (rank < left[group[order]]).astype("int64")
    return (q + extra) * sign[group]


# --- expenses ----------------------------------------------------------------------------------

def signature(session: Session) -> tuple:
    """Changes whenever an expense is added, changed or removed (cheap: one aggregate)."""
    e = Expense.__table__.c
    row = session.execute(select(func.count(), func.max(e.id), func.sum(e.amount), func.max(e.updated_at),
                                 func.sum(func.coalesce(e.customer_id, 0)), func.sum(e.item_id))).one()
    return tuple(row)


def expenses(session: Session) -> pd.DataFrame:
    """Every expense: day (days since 1970), item_id, amount (units), customer_id (the order's
    customer when only an order is given; -1 = shared), product_id (-1 = none); memoised per
    database until an expense changes."""
    key = str(session.get_bind().url)
    sig = signature(session)
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None and hit[0] == sig:
            return hit[1]
    e, o = Expense.__table__.c, SalesOrder.__table__.c
    stmt = (select(e.expense_date, e.item_id, e.amount, func.coalesce(e.customer_id, o.customer_id, -1),
                   func.coalesce(e.product_id, -1))
            .outerjoin(SalesOrder.__table__, o.id == e.order_id))
    rows = plain_rows(session, stmt)
    df = pd.DataFrame(rows, columns=["date", "item_id", "amount", "customer_id", "product_id"])
    days = pd.to_datetime(df["date"]).to_numpy().astype("datetime64[D]").astype("int64") if len(df) else []
    df = pd.DataFrame({"day": np.asarray(days, dtype="int64"), "item_id": df["item_id"].astype("int64"),
                       "amount": df["amount"].astype("int64"), "customer_id": df["customer_id"].astype("int64"),
                       "product_id": df["product_id"].astype("int64")})
    with _memo_lock:
        _memo[key] = (sig, df)
    return df


def items(session: Session) -> pd.DataFrame:
    """Expense items indexed by id: name, allocation, sort_order."""
    rows = session.execute(select(ExpenseItem.id, ExpenseItem.name, ExpenseItem.allocation,
                                  ExpenseItem.sort_order)).all()
    return pd.DataFrame(rows, columns=["id", "name", "allocation", "sort_order"]).set_index("id")


def in_range(df: pd.DataFrame, date_from: dt.date | None, date_to: dt.date | None) -> pd.DataFrame:
    m = np.ones(len(df), dtype=bool)
    if date_from is not None:
        m &= df["day"].to_numpy() >= day_number(date_from)
    if date_to is not None:
        m &= df["day"].to_numpy() <= day_number(date_to)
    return df[m]


# --- the allocation bases ----------------------------------------------------------------------

def bases(session: Session, date_from: dt.date | None, date_to: dt.date | None) -> dict[str, np.ndarray]:
    """Per customer id (array index), shop-wide over the range: revenue, gross_profit, orders, lines."""
    c = linecache.get(session)
    m = np.ones(len(c), dtype=bool)
    if date_from is not None:
        m &= c.day >= day_number(date_from)
    if date_to is not None:
        m &= c.day <= day_number(date_to)
    cust = c.customer[m]
    size = int(c.customer.max(initial=0)) + 1
    revenue = np.bincount(cust, weights=c.amount[m], minlength=size).round().astype("int64")
    cost = np.bincount(cust, weights=c.cost[m], minlength=size).round().astype("int64")
    order_ids = np.nonzero(np.bincount(c.order[m]))[0] if m.any() else np.zeros(0, dtype="int64")
    owner = linecache.order_customers(session)
    return {"revenue": revenue, "gross_profit": revenue - cost,
            "orders": np.bincount(owner[order_ids], minlength=size).astype("int64"),
            "lines": np.bincount(cust, minlength=size).astype("int64")}


@dataclass
class Allocated:
    """Expenses per customer and item in the range (long format, units)."""
    direct: pd.DataFrame  # customer_id, item_id, product_id, amount
    allocated: pd.DataFrame  # customer_id, item_id, amount
    overhead: pd.Series  # item_id → amount left as overhead

    def per_customer(self) -> pd.DataFrame:
        """customer_id → direct_u, allocated_u."""
        d = self.direct.groupby("customer_id")["amount"].sum().rename("direct_u")
        a = self.allocated.groupby("customer_id")["amount"].sum().rename("allocated_u")
        return pd.concat([d, a], axis=1).fillna(0).astype("int64")


def allocate(session: Session, date_from: dt.date | None, date_to: dt.date | None) -> Allocated:
    exp = in_range(expenses(session), date_from, date_to)
    direct = exp[exp["customer_id"] >= 0]
    shared = exp[exp["customer_id"] < 0].groupby("item_id")["amount"].sum()
    shared = shared[shared != 0]
    rules = items(session)["allocation"].reindex(shared.index).fillna("none")
    base = bases(session, date_from, date_to) if (rules != "none").any() else {}
    parts, overhead = [], {}
    for item_id, total in shared.items():
        rule = rules[item_id]
        w = base.get(rule)
        ids = np.nonzero(w > 0)[0] if w is not None else np.zeros(0, dtype="int64")
        if not len(ids):  # "none", or nobody to carry it in the range: overhead
            overhead[item_id] = int(total)
            continue
        share = split_exact(np.zeros(len(ids), dtype="int64"), np.array([int(total)]), w[ids])
        parts.append(pd.DataFrame({"customer_id": ids, "item_id": item_id, "amount": share}))
    allocated = (pd.concat(parts, ignore_index=True) if parts
                 else pd.DataFrame({"customer_id": [], "item_id": [], "amount": []}, dtype="int64"))
    return Allocated(direct=direct[["customer_id", "item_id", "product_id", "amount"]].reset_index(drop=True),
                     allocated=allocated, overhead=pd.Series(overhead, dtype="int64"))
