"""Order fulfilment: what is still to ship, and how completely orders ship per month.

``--view orders`` (default): sale orders still open or partly shipped (status ``open`` /
``partial``) dated up to as_of, oldest first. Columns: order_number, order_date,
customer_code, customer_name, salesperson, status, ordered_qty, shipped_qty,
fill_rate_pct = shipped / ordered × 100, amount (yuan), days_open = as_of − order date.

``--view monthly``: all sale orders not cancelled, by order month. Columns: month, orders,
open_orders (open or partial), ordered_qty, shipped_qty, fill_rate_pct, complete_pct
(share of orders with status completed). A completed order counts as fully shipped even
when its lines carry no shipped quantity (imports often leave it empty).

Filters: the date range on order dates; product filters keep the matching lines; customer
and salesperson (the order's) filters as everywhere.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import DocType, OrderStatus, SalesLine, SalesOrder
from crmdesk.i18n import N_
from crmdesk.reports import linecache
from crmdesk.reports.common import (L, choose_view, customers_frame, empty, frame, line_conditions, pct,
                                    resolve_as_of, user_names, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

VIEWS = ("orders", "monthly")
ORDER_COLUMNS = ["order_number", "order_date", "customer_code", "customer_name", "salesperson", "status",
                 "ordered_qty", "shipped_qty", "fill_rate_pct", "amount", "days_open"]
MONTH_COLUMNS = ["month", "orders", "open_orders", "ordered_qty", "shipped_qty", "fill_rate_pct", "complete_pct"]
OPEN_STATUSES = (OrderStatus.OPEN.value, OrderStatus.PARTIAL.value)

O = SalesOrder.__table__.c


def open_orders(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    as_of = resolve_as_of(session, f)
    stmt = (select(O.number.label("order_number"), O.order_date, O.customer_id, O.salesperson_id, O.status,
                   func.sum(L.quantity).label("ordered_qty"), func.sum(L.shipped_quantity).label("shipped_qty"),
                   func.sum(L.amount).label("amount_u"))
            .join_from(SalesLine.__table__, SalesOrder.__table__, O.id == L.order_id)
            .where(O.status.in_(OPEN_STATUSES), O.doc_type == DocType.SALE.value,
                   *line_conditions(f, actor, session=session, date_to=min(as_of, f.date_to or as_of)))
            .group_by(O.id, O.number, O.order_date, O.customer_id, O.salesperson_id, O.status))
    df = frame(session, stmt)
    if df.empty:
        return empty(ORDER_COLUMNS)
    custs = customers_frame(session)
    names = user_names(session)
    df["customer_code"] = df["customer_id"].map(custs["code"])
    df["customer_name"] = df["customer_id"].map(custs["name"])
    df["salesperson"] = df["salesperson_id"].map(lambda i: names.get(int(i), "") if pd.notna(i) else "")
    df["ordered_qty"] = df["ordered_qty"].astype("float64").round(3)
    df["shipped_qty"] = df["shipped_qty"].astype("float64").round(3)
    df["fill_rate_pct"] = pct(df["shipped_qty"], df["ordered_qty"])
    df["amount"] = yuan(df["amount_u"].astype("int64"))
    df["order_date"] = pd.to_datetime(df["order_date"]).dt.date
    df["days_open"] = (pd.Timestamp(as_of) - pd.to_datetime(df["order_date"])).dt.days.astype("int64")
    df = df.sort_values(["days_open", "order_number"], ascending=[False, True], kind="stable")
    return df.reset_index(drop=True)[ORDER_COLUMNS]


def monthly(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    # The million lines come from the columnar line cache; SQL only lists the few orders that
    # are not completed sales (open, partial, cancelled, returns) and the open ones' shipments.
    lines = linecache.line_frame(session, actor, f)
    if lines.empty:
        return empty(MONTH_COLUMNS)
    per_order = lines.groupby("order_id").agg(day=("day", "first"), ordered_qty=("quantity", "sum"))
    others = frame(session, select(O.id, O.status, O.doc_type).where(
        (O.status != OrderStatus.COMPLETED.value) | (O.doc_type != DocType.SALE.value))).set_index("id")
    status = others["status"].where(others["doc_type"] == DocType.SALE.value, "")  # "" = a return: left out
    per_order["status"] = per_order.index.map(status).fillna(OrderStatus.COMPLETED.value)
    per_order = per_order[per_order["status"].isin((*OPEN_STATUSES, OrderStatus.COMPLETED.value))]
    if per_order.empty:
        return empty(MONTH_COLUMNS)
    shipped_open = frame(session, (
        select(O.id, func.sum(L.shipped_quantity).label("shipped"))
        .join_from(SalesLine.__table__, SalesOrder.__table__, O.id == L.order_id)
        .where(O.status.in_(OPEN_STATUSES), O.doc_type == DocType.SALE.value, *line_conditions(f, actor, session=session))
        .group_by(O.id))).set_index("id")["shipped"]
    is_open = per_order["status"].isin(OPEN_STATUSES)
    per_order["shipped_qty"] = per_order["ordered_qty"].where(
        ~is_open, per_order.index.to_series().map(shipped_open).fillna(0.0).to_numpy())
    per_order["month"] = linecache.month_labels(per_order["day"].to_numpy())
    per_order["is_open"] = is_open
    per_order["is_complete"] = ~is_open
    g = per_order.groupby("month", as_index=False).agg(
        orders=("day", "size"), open_orders=("is_open", "sum"), complete=("is_complete", "sum"),
        ordered_qty=("ordered_qty", "sum"), shipped_qty=("shipped_qty", "sum"))
    g["open_orders"] = g["open_orders"].astype("int64")
    g["ordered_qty"] = g["ordered_qty"].astype("float64").round(3)
    g["shipped_qty"] = g["shipped_qty"].astype("float64").round(3)
    g["fill_rate_pct"] = pct(g["shipped_qty"], g["ordered_qty"])
    g["complete_pct"] = pct(g["complete"], g["orders"])
    return g.sort_values("month").reset_index(drop=True)[MONTH_COLUMNS]


def fulfilment(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    view = choose_view(options, VIEWS)
    return open_orders(session, actor, f) if view == "orders" else monthly(session, actor, f)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.part2_charts import fulfilment_chart

    return fulfilment_chart(df, options)


SPECS = [
    ReportSpec(
        name="fulfilment",
        title=N_("Order fulfilment"),
        fn=fulfilment,
        description=N_("Open and partly shipped orders with fill rate and days open; or the fill rate per month."),
        options=(ReportOption("view", N_("orders: open orders; monthly: fill rate per month"), default="orders",
                              choices=VIEWS),),
        chart=_chart,
        money_columns=("amount",),
        pct_columns=("fill_rate_pct", "complete_pct"),
    ),
]
