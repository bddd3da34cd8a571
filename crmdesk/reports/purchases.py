"""Purchases per customer and month (or year): sale orders, quantity and net amount."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.reports.common import empty, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import customers as cached_customers, line_frame, period_index, period_labels
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor


PERIODS = 100_000  # more months than any history holds


def columns_for(by: str) -> list[str]:
    return ["customer_code", "customer_name", by, "orders", "quantity", "amount"]


def purchases(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    by = options.get("by") or "month"
    cols = columns_for(by)
    lines = line_frame(session, actor, f, ("day", "customer_id", "order_id", "revenue_u", "quantity"))
    if lines.empty:
        return empty(cols)
    unit = "M" if by == "month" else "Y"
    period = period_index(lines["day"].to_numpy(), unit)
    # One int64 key (customer × period) groups much faster than two columns.
    lines["key"] = lines["customer_id"].to_numpy(dtype="int64") * PERIODS + period
    df = lines.groupby("key", as_index=False)[["quantity", "revenue_u"]].sum()
    # Orders = sale documents (a return document has only negative lines and is not an order).
    sales = lines.loc[lines["revenue_u"] > 0, ["key", "order_id"]].drop_duplicates("order_id")
    df = df.join(sales.groupby("key").size().rename("orders"), on="key")
    df["customer_id"], df["period"] = np.divmod(df["key"].to_numpy(), PERIODS)
    df["orders"] = df["orders"].fillna(0)
    df["amount_u"] = df["revenue_u"]
    custs = cached_customers(session)
    df["customer_code"] = df["customer_id"].map(custs["code"])
    df["customer_name"] = df["customer_id"].map(custs["name"])
    uniq, inverse = np.unique(df["period"].to_numpy(), return_inverse=True)
    df[by] = period_labels(uniq, unit)[inverse]
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
