"""Gross margin by a dimension: revenue, cost, gross profit, margin % and quantity.

SQL groups the lines by the finest key the dimension needs (product, customer,
order date or the order's salesperson); the small result is then rolled up to
brand, category, customer type, territory or month in pandas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import SalesLine, SalesOrder
from crmdesk.i18n import N_
from crmdesk.reports.common import (L, add_money, customers_frame, empty, frame, line_conditions, period_key,
                                    products_frame,
                                    sums_select, user_names)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

DIMENSIONS = ("product", "brand", "category", "customer", "customer_type", "territory", "salesperson", "month")
VALUE_COLUMNS = ["revenue", "cost", "gross_profit", "margin_pct", "quantity"]


def columns_for(by: str) -> list[str]:
    if by in ("product", "customer"):
        return [by, f"{by}_name", *VALUE_COLUMNS]
    return [by, *VALUE_COLUMNS]


def _grouped(session: Session, actor: Actor, f: ReportFilters, by: str) -> pd.DataFrame:
    """DataFrame with column ``by`` (and ``by_name``), revenue_u, cost_u, quantity."""
    if by in ("product", "brand", "category"):
        df = frame(session, sums_select(f, actor, [L.product_id]))
        prods = products_frame(session)
        if by == "product":
            df[by] = df["product_id"].map(prods["code"])
            df[f"{by}_name"] = df["product_id"].map(prods["name"])
            return df
        df[by] = df["product_id"].map(prods[by]).fillna("")
    elif by in ("customer", "customer_type", "territory"):
        df = frame(session, sums_select(f, actor, [L.customer_id]))
        custs = customers_frame(session)
        if by == "customer":
            df[by] = df["customer_id"].map(custs["code"])
            df[f"{by}_name"] = df["customer_id"].map(custs["name"])
            return df
        df[by] = df["customer_id"].map(custs[by]).fillna("")
    elif by == "month":
        df = frame(session, sums_select(f, actor, [period_key(session, L.order_date).label(by)]))
        df[by] = df[by].astype(str)
    elif by == "salesperson":
        o = SalesOrder.__table__.c
        stmt = (select(o.salesperson_id, func.sum(L.amount).label("revenue_u"),
                       func.sum(L.cost_amount).label("cost_u"), func.sum(L.quantity).label("quantity"))
                .select_from(SalesLine.__table__.join(SalesOrder.__table__, o.id == L.order_id))
                .where(*line_conditions(f, actor)).group_by(o.salesperson_id))
        df = frame(session, stmt)
        names = user_names(session)
        df[by] = df["salesperson_id"].map(lambda i: names.get(i, "") if pd.notna(i) else "")
    else:
        raise ValueError(f"unknown dimension {by!r}")
    return df.groupby(by, as_index=False)[["revenue_u", "cost_u", "quantity"]].sum()


def margin(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    by = options.get("by") or "category"
    cols = columns_for(by)
    df = _grouped(session, actor, f, by)
    if df.empty:
        return empty(cols)
    df = add_money(df)
    df["quantity"] = df["quantity"].astype("float64").round(2)
    if by == "month":
        df = df.sort_values("month")
    else:
        df = df.sort_values(["gp_u", by], ascending=[False, True], kind="stable")
    return df[cols].reset_index(drop=True)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import margin_chart

    return margin_chart(df, options)


SPECS = [
    ReportSpec(
        name="margin",
        title=N_("Gross margin"),
        fn=margin,
        description=N_("Revenue, cost, gross profit and margin % by product, brand, category, customer, "
                       "customer type, territory, salesperson or month."),
        options=(ReportOption("by", N_("dimension to group by"), default="category", choices=DIMENSIONS),),
        chart=_chart,
        money_columns=("revenue", "cost", "gross_profit"),
        pct_columns=("margin_pct",),
    ),
]
