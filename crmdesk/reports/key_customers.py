"""Key customers: customers ranked by the gross profit they bring, with their
share, the cumulative share and an ABC class (Pareto).

A customer is class A while the gross profit of the customers ranked above it
is below 80 % of the total (so the customer crossing 80 % is still A), B
likewise up to 95 %, C the rest; customers with no positive gross profit are C.

``--measure profit`` (issue 15) ranks by profit instead (gross profit less direct and allocated
expenses, ``reports.profit``): a ``profit`` column follows ``gross_profit`` and the shares and
classes are of profit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.reports.common import add_money, empty, pct, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import customers as cached_customers, line_frame
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

COLUMNS = ["customer_code", "customer_name", "customer_type", "revenue", "cost", "gross_profit", "margin_pct",
           "gp_share_pct", "cumulative_share_pct", "abc_class"]
A_LIMIT = 80.0
B_LIMIT = 95.0


def abc_classes(gp_units: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For gross profits sorted descending: share %, cumulative share % and ABC class."""
    total = int(gp_units.sum())
    share = pct(gp_units, total) if total else pd.Series(np.nan, index=gp_units.index)
    cum_units = gp_units.cumsum()
    cumulative = pct(cum_units, total) if total else pd.Series(np.nan, index=gp_units.index)
    before = (cum_units - gp_units) * 100.0 / total if total else pd.Series(np.inf, index=gp_units.index)
    cls = np.where(gp_units <= 0, "C", np.where(before < A_LIMIT, "A", np.where(before < B_LIMIT, "B", "C")))
    return share, cumulative, pd.Series(cls, index=gp_units.index)


def _by_profit(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    from crmdesk.reports.profit import profit_units
    from crmdesk.reports.profit_allocation import NO_SALES, OVERHEAD

    df = profit_units(session, actor, f, "customer")
    df = df[~df["customer"].isin([OVERHEAD, NO_SALES])]
    df = df.assign(rank_u=df["revenue_u"] - df["cost_u"] - df["direct_u"] - df["allocated_u"])
    return df[["customer_id", "revenue_u", "cost_u", "rank_u"]]


def key_customers(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    by_profit = options.get("measure") == "profit"
    columns = COLUMNS[:6] + ["profit"] + COLUMNS[6:] if by_profit else COLUMNS
    if by_profit:
        df = _by_profit(session, actor, f)
    else:
        lines = line_frame(session, actor, f, ("customer_id", "revenue_u", "cost_u"))
        df = lines.groupby("customer_id", as_index=False)[["revenue_u", "cost_u"]].sum()
    if df.empty:
        return empty(columns)
    custs = cached_customers(session)
    df["customer_code"] = df["customer_id"].map(custs["code"])
    df["customer_name"] = df["customer_id"].map(custs["name"])
    df["customer_type"] = df["customer_id"].map(custs["customer_type"]).fillna("")
    df = add_money(df)
    if not by_profit:
        df["rank_u"] = df["gp_u"]
    df["profit"] = yuan(df["rank_u"])
    df = df.sort_values(["rank_u", "customer_code"], ascending=[False, True], kind="stable").reset_index(drop=True)
    df["gp_share_pct"], df["cumulative_share_pct"], df["abc_class"] = abc_classes(df["rank_u"])
    limit = options.get("limit")
    if limit:
        df = df.head(int(limit))
    return df[columns]


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import pareto_chart

    return pareto_chart(df, options)


SPECS = [
    ReportSpec(
        name="key-customers",
        title=N_("Key customers (gross profit Pareto)"),
        fn=key_customers,
        description=N_("Customers ranked by gross profit with share, cumulative share and ABC class."),
        options=(ReportOption("limit", N_("show only the top N customers"), type=int),
                 ReportOption("measure", N_("rank by gross profit or by profit (after expenses)"),
                              default="gross_profit", choices=("gross_profit", "profit"))),
        chart=_chart,
        money_columns=("revenue", "cost", "gross_profit", "profit"),
        pct_columns=("margin_pct", "gp_share_pct", "cumulative_share_pct"),
        needs_cost=True,  # ranked and classed by gross profit
        cost_columns=("cost", "gross_profit", "profit", "margin_pct", "gp_share_pct", "cumulative_share_pct",
                      "abc_class"),
    ),
]
