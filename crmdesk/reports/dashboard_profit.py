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
from crmdesk.reports.profit import profit_units
from crmdesk.reports.profit_allocation import signature
from crmdesk.reports.profit_curve import profit_curve
from crmdesk.services.actor import Actor

WHALE_COLUMNS = ["rank", "customer", "customer_name", "profit", "cum_profit_pct", "cum_customers_pct"]


def expenses_key(session: Session) -> tuple:
    """Part of the dashboard's memo key: an expense typed or imported changes the profit."""
    return signature(session)


def period_profit(session: Session, actor: Actor, f: ReportFilters, lo: dt.date, hi: dt.date) -> float:
    df = profit_units(session, actor, f.with_(date_from=lo, date_to=hi), "customer")
    if df.empty:
        return 0.0
    return float(yuan(int((df["revenue_u"] - df["cost_u"] - df["direct_u"] - df["allocated_u"]).sum())))


def whale(session: Session, actor: Actor, f: ReportFilters, lo: dt.date, hi: dt.date) -> pd.DataFrame:
    df = profit_curve(session, actor, f.with_(date_from=lo, date_to=hi), {})
    out = df[WHALE_COLUMNS].copy()
    out.attrs = dict(df.attrs)
    return out
