"""The dashboard's profit parts (issue 15): the 利润 (profit) tile's values for the period and
the previous one, and the whale curve of the period. Only for those who see cost.

The tile is the sum of the ``profit --by customer`` rows of the period: the actor's customers'
profit, less the unallocated overhead when the view is the whole shop (so for the owner it is
the shop's gross profit less every expense of the period).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.reports.common import yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.common import has_product_filter
from crmdesk.reports.profit import customer_expenses, profit_units, whole_shop
from crmdesk.reports.profit_allocation import allocate, signature
from crmdesk.reports.profit_curve import profit_curve
from crmdesk.services.actor import Actor

WHALE_COLUMNS = ["rank", "customer", "customer_name", "profit", "cum_profit_pct", "cum_customers_pct"]


def expenses_key(session: Session) -> tuple:
    """Part of the dashboard's memo key: an expense typed or imported changes the profit."""
    return signature(session)


def period_units(session: Session, actor: Actor, f: ReportFilters, lo: dt.date, hi: dt.date) -> pd.DataFrame:
    """``profit --by customer`` in units for the period: the tile and the whale curve share it
    (computing it once per period keeps a salesperson's dashboard within its time)."""
    return profit_units(session, actor, f.with_(date_from=lo, date_to=hi), "customer")


def period_profit(units: pd.DataFrame) -> float:
    if units.empty:
        return 0.0
    return float(yuan(int((units["revenue_u"] - units["cost_u"] - units["direct_u"] - units["allocated_u"]).sum())))


def line_profit(session: Session, actor: Actor, f: ReportFilters, amount, cost, lo: dt.date,
                hi: dt.date) -> float:
    """The tile's profit from the dashboard's own line arrays of the period (``amount``/``cost``:
    the period's lines the actor sees, in units) and the period's expenses: the same total as
    summing ``period_units`` rows — gross profit of those lines less the visible customers'
    direct and allocated expenses, less the overhead for the whole shop — without grouping the
    lines by customer (the previous period's tile only needs the total). With product,
    salesperson or branch filters the expenses follow the kept lines: then ``period_units`` it is."""
    if has_product_filter(f) or f.salesperson_ids or f.branch_ids:
        return period_profit(period_units(session, actor, f, lo, hi))
    alloc = allocate(session, lo, hi)
    exp = customer_expenses(session, actor, f.with_(date_from=lo, date_to=hi), alloc)
    total = int(amount.sum()) - int(cost.sum()) - int(exp["direct_u"].sum()) - int(exp["allocated_u"].sum())
    if whole_shop(actor, f):
        total -= int(alloc.overhead.sum())
    return float(yuan(total))


def whale(session: Session, actor: Actor, f: ReportFilters, lo: dt.date, hi: dt.date,
          units: pd.DataFrame | None = None) -> pd.DataFrame:
    df = profit_curve(session, actor, f.with_(date_from=lo, date_to=hi), {}, units)
    out = df[WHALE_COLUMNS].copy()
    out.attrs = dict(df.attrs)
    return out
