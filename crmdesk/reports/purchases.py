"""Purchases per customer and month (or year): sale orders, quantity and net amount."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.reports.common import empty, yuan
from crmdesk.reports.linecache import customers as cached_customers, line_frame, month_labels
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor


def columns_for(by: str) -> list[str]:
    return ["customer_code", "customer_name", by, "orders", "quantity", "amount"]


def purchases(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    by = options.get("by") or "month"
    cols = columns_for(by)
    lines = line_frame(session, actor, f)
    if lines.empty:
        return empty(cols)
    lines["period"] = month_labels(lines["day"], "M" if by == "month" else "Y")
    df = lines.groupby(["customer_id", "period"], as_index=False)[["quantity", "revenue_u"]].sum()
    # Orders = sale documents (a return document has only negative lines and is not an order).
    sales = lines.loc[lines["revenue_u"] > 0, ["customer_id", "period", "order_id"]].drop_duplicates("order_id")
    orders = sales.groupby(["customer_id", "period"]).size().rename("orders")
    df = df.join(orders, on=["customer_id", "period"])
    df["orders"] = df["orders"].fillna(0)
    df["amount_u"] = df["revenue_u"]
    custs = cached_customers(session)
    df["customer_code"] = df["customer_id"].map(custs["code"])
    df["customer_name"] = df["customer_id"].map(custs["name"])
    df[by] = df["period"].astype(str)
    df["orders"] = df["orders"].astype("int64")
    df["quantity"] = df["quantity"].astype("float64").round(2)
    df["amount"] = yuan(df["amount_u"].astype("int64"))
    return df.sort_values(["customer_code", by], kind="stable")[cols].reset_index(drop=True)


SPECS = [
    ReportSpec(
        name="purchases",
        title=N_("Purchases per customer"),
        fn=purchases,
        description=N_("Orders, quantity and amount per customer and month or year."),
        options=(ReportOption("by", N_("period"), default="month", choices=("month", "year")),),
        money_columns=("amount",),
    ),
]
