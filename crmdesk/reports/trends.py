"""Monthly trends: revenue, cost, gross profit, receivable balance at month end
and stock value at month end.

Stock value at a month end = the newest snapshot of each product on or before
that day (summed over that date's warehouses), summed over products passing
the product filters. The receivable balance follows the customer filters only
(see receivables). Months run from the first month of the date range (or of
the data) to the month of ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.reports.common import (add_money, effective_branches, empty, has_product_filter, product_ids_select,
                                    product_scope_ids, resolve_as_of, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import day_number, line_frame, month_labels, snapshots as cached_snapshots
from crmdesk.reports.receivables import monthly_billing
from crmdesk.reports.spec import ReportSpec
from crmdesk.services.actor import Actor

COLUMNS = ["month", "revenue", "cost", "gross_profit", "margin_pct", "receivable_balance", "stock_value"]


def monthly_stock_value(session: Session, f: ReportFilters, months: pd.Index, as_of: dt.date,
                        actor: Actor | None = None) -> pd.Series:
    """Stock value (units) at each month end in ``months`` (YYYY-MM; the last month ends at as_of),
    of the products passing the product filters in the actor's product lines."""
    snaps = cached_snapshots(session, effective_branches(session, actor or Actor.system(), f))
    snaps = snaps[snaps["day"].to_numpy() <= day_number(as_of)].rename(columns={"value": "v"})
    if has_product_filter(f):
        snaps = snaps[snaps["product_id"].isin(session.scalars(product_ids_select(f)).all())]
    allowed = product_scope_ids(session, actor) if actor is not None else None
    if allowed is not None:
        snaps = snaps[snaps["product_id"].isin(allowed)]
    if snaps.empty or len(months) == 0:
        return pd.Series(0, index=months, dtype="int64")
    snaps = snaps.assign(month=month_labels(snaps["day"]))
    last_in_month = snaps.groupby(["product_id", "month"])["v"].last().unstack("month")
    every = sorted(set(last_in_month.columns) | set(months))
    filled = last_in_month.reindex(columns=every).ffill(axis=1).fillna(0)
    return filled.sum(axis=0).reindex(months).fillna(0).round().astype("int64")


def trends(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    as_of = resolve_as_of(session, f)
    lines = line_frame(session, actor, f, date_to=as_of)
    per_day = lines.groupby("day")[["revenue_u", "cost_u"]].sum()
    sums = per_day.groupby(month_labels(per_day.index.to_numpy())).sum()
    if sums.empty and f.date_from is None:
        return empty(COLUMNS)
    start = f.date_from.strftime("%Y-%m") if f.date_from else min(sums.index)
    months = pd.period_range(pd.Period(start, "M"), pd.Period(as_of, "M"), freq="M").strftime("%Y-%m")
    df = sums.reindex(months).fillna(0)
    df = add_money(df)
    billing = monthly_billing(session, actor, f, as_of)
    df["receivable_balance"] = yuan(billing["balance_u"].reindex(months).ffill().fillna(0).astype("int64"))
    df["stock_value"] = yuan(monthly_stock_value(session, f, months, as_of, actor))
    df["month"] = months
    return df[COLUMNS].reset_index(drop=True)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import trends_chart

    return trends_chart(df, options)


SPECS = [
    ReportSpec(
        name="trends",
        title=N_("Monthly trends"),
        fn=trends,
        description=N_("Revenue, cost, gross profit, receivables and stock value per month."),
        chart=_chart,
        money_columns=("revenue", "cost", "gross_profit", "receivable_balance", "stock_value"),
        pct_columns=("margin_pct",),
        cost_columns=("cost", "gross_profit", "margin_pct", "stock_value"),  # stock is valued at cost
    ),
]
