"""Purchases per customer and month (or year): sale orders, quantity and net amount."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.reports.common import L, customers_frame, empty, frame, line_conditions, period_key, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor


def columns_for(by: str) -> list[str]:
    return ["customer_code", "customer_name", by, "orders", "quantity", "amount"]


def purchases(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    by = options.get("by") or "month"
    cols = columns_for(by)
    period = period_key(session, L.order_date, by).label("period")
    # Orders = sale documents (a return document has only negative lines and is not an order).
    stmt = (select(L.customer_id, period, func.count(func.distinct(case((L.amount > 0, L.order_id)))).label("orders"),
                   func.sum(L.quantity).label("quantity"), func.sum(L.amount).label("amount_u"))
            .where(*line_conditions(f, actor)).group_by(L.customer_id, period))
    df = frame(session, stmt)
    if df.empty:
        return empty(cols)
    custs = customers_frame(session)
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
