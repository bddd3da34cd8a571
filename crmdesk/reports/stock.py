"""Stock reports: what to restock and what is overstocked (promotion candidates).

Stock is product-level: the product filters (category, brand, price band)
choose the products; customer and salesperson filters are ignored (and so is
the actor's customer scope: stock is not a customer's secret). A salesperson
sees the products of their product lines (their territories' categories and
brands; every product when a territory of theirs covers all), with the shop's
sales of them: stock is the shop's, so is the speed it sells at. Counter staff
see stock but not its value or margin (both at cost: ``cost_columns``). Stock of a
product = its newest snapshot on or before ``as_of`` (summed over the
warehouses of that date). A product with no snapshot on or before ``as_of`` has
no stock figure: its stock is NaN and ``stock_note`` says so, never 0 (0 would
suggest an order for goods that may be on the shelf); restock lists it without a
suggested quantity, overstock cannot judge it. ``DataFrame.attrs["note"]`` counts
them. Average daily sales = net quantity sold in the ``window_days`` ending at
``as_of`` ÷ ``window_days``; days of cover = stock ÷ average daily sales.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_, _
from crmdesk.reports.common import (effective_branches, empty, pct, product_conditions, product_ids_select,
                                    product_scope_ids, resolve_as_of, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import (day_number, line_frame, products as cached_products,
                                       snapshots as cached_snapshots)
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

RESTOCK_COLUMNS = ["product", "product_name", "category", "brand", "stock", "avg_daily_sales", "days_of_cover",
                   "lead_time_days", "suggested_order_qty", "stock_note"]
OVERSTOCK_COLUMNS = ["product", "product_name", "category", "brand", "stock", "stock_value", "avg_daily_sales",
                     "days_of_cover", "last_sale_date", "days_since_sale", "margin_pct", "stock_note"]


def stock_at(session: Session, as_of: dt.date, branches: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Per product id: stock (quantity) and stock_value_u of its newest snapshot ≤ as_of (of the
    stock counted at ``branches``: ``common.effective_branches``; None = every branch)."""
    snaps = cached_snapshots(session, branches)  # sorted by product, day; summed over warehouses
    latest = snaps[snaps["day"].to_numpy() <= day_number(as_of)].drop_duplicates("product_id", keep="last")
    return latest.rename(columns={"quantity": "stock", "value": "stock_value_u"}).set_index("product_id")


def product_activity(session: Session, f: ReportFilters, as_of: dt.date, window_days: int,
                     actor: Actor | None = None) -> pd.DataFrame:
    """Products passing the product filters (in the actor's product lines) with stock, window
    sales (the whole shop's, or the filter's branches') and last sale date."""
    prods = cached_products(session)
    if product_conditions(f):
        keep = set(session.scalars(product_ids_select(f)).all())
        prods = prods[prods.index.isin(keep)]
    allowed = product_scope_ids(session, actor) if actor is not None else None
    if allowed is not None:
        prods = prods[prods.index.isin(allowed)]
    start = as_of - dt.timedelta(days=window_days - 1)
    lines = line_frame(session, Actor.system(), f, date_from=None, date_to=as_of, customer_filters=False)
    in_window = lines[lines["day"].to_numpy() >= day_number(start)]
    sold = in_window.groupby("product_id").agg(qty=("quantity", "sum"))
    last = lines.groupby("product_id").agg(last_sale=("day", "max"))
    stock = stock_at(session, as_of, effective_branches(session, actor or Actor.system(), f))
    df = prods.copy()
    df["stock"] = stock["stock"].reindex(df.index).astype("float64")  # NaN: no stock figure
    df["stock_value_u"] = stock["stock_value_u"].reindex(df.index).fillna(0).astype("int64")
    df["stock_note"] = np.where(df["stock"].isna(), _("no stock figure"), "")
    df["window_qty"] = sold["qty"].reindex(df.index).fillna(0.0).astype("float64")
    df["avg_daily_sales"] = (df["window_qty"] / window_days).clip(lower=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["cover"] = np.where(df["stock"].isna(), np.nan,
                               np.where(df["avg_daily_sales"] > 0, df["stock"] / df["avg_daily_sales"], np.inf))
    last_day = last["last_sale"].reindex(df.index)
    df["last_sale"] = pd.to_datetime(last_day.astype("float64") * 86400, unit="s")
    return df


def _product_cols(df: pd.DataFrame) -> pd.DataFrame:
    df = df.rename(columns={"code": "product", "name": "product_name"})
    df["avg_daily_sales"] = df["avg_daily_sales"].round(2)
    df["stock"] = df["stock"].round(2)
    return df


def restock(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    window = int(options.get("window_days") or 90)
    safety = int(options.get("safety_days") if options.get("safety_days") is not None else 7)
    review = int(options.get("review_days") if options.get("review_days") is not None else 30)
    as_of = resolve_as_of(session, f)
    df = product_activity(session, f, as_of, window, actor)
    unknown = df["stock"].isna()
    # Selling products without a stock figure are listed too, without a suggested order.
    df = df[(df["avg_daily_sales"] > 0) & ((df["cover"] < df["lead_time_days"] + safety) | unknown)].copy()
    if df.empty:
        return _noted(empty(RESTOCK_COLUMNS), unknown, as_of)
    need = df["avg_daily_sales"] * (df["lead_time_days"] + safety + review) - df["stock"].clip(lower=0)
    df["suggested_order_qty"] = pd.array(np.ceil(need.clip(lower=0) - 1e-9), dtype="Int64")
    df["days_of_cover"] = df["cover"].round(1)
    df = _product_cols(df).sort_values(["days_of_cover", "product"], kind="stable")
    return _noted(df[RESTOCK_COLUMNS].reset_index(drop=True), unknown, as_of)


def _noted(out: pd.DataFrame, unknown: pd.Series, as_of: dt.date) -> pd.DataFrame:
    """``attrs["note"]``: how many products of the report's scope have no stock figure."""
    n = int(unknown.sum())
    if n:
        out.attrs["note"] = _("{n} products have no stock figure on or before {date} (no stock snapshot "
                              "imported for them by then)").format(n=n, date=as_of.isoformat())
    return out


def overstock(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    window = int(options.get("window_days") or 90)
    max_cover = float(options.get("max_cover_days") or 180)
    idle = int(options.get("idle_days") or 90)
    as_of = resolve_as_of(session, f)
    df = product_activity(session, f, as_of, window, actor)
    unknown = df["stock"].isna()  # cannot be judged: left out, counted in attrs["note"]
    df["days_since_sale"] = (pd.Timestamp(as_of) - df["last_sale"]).dt.days
    idle_mask = df["days_since_sale"].isna() | (df["days_since_sale"] > idle)
    df = df[(df["stock"] > 0) & ((df["cover"] > max_cover) | idle_mask)].copy()
    if df.empty:
        return _noted(empty(OVERSTOCK_COLUMNS), unknown, as_of)
    df["stock_value"] = yuan(df["stock_value_u"])
    df["days_of_cover"] = df["cover"].replace(np.inf, np.nan).round(1)
    df["last_sale_date"] = df["last_sale"].dt.date
    df["days_since_sale"] = df["days_since_sale"].astype("Int64")
    # Margin at list price: the room there is for a promotional discount.
    df["margin_pct"] = pct(df["list_price"] - df["cost"], df["list_price"])
    df = _product_cols(df).sort_values(["stock_value", "product"], ascending=[False, True], kind="stable")
    return _noted(df[OVERSTOCK_COLUMNS].reset_index(drop=True), unknown, as_of)


def _restock_chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import cover_chart

    return cover_chart(df, options)


def _overstock_chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import overstock_chart

    return overstock_chart(df, options)


WINDOW = ReportOption("window_days", N_("days of sales used for the average daily sales"), default=90, type=int)

SPECS = [
    ReportSpec(
        name="restock",
        title=N_("Restock"),
        fn=restock,
        description=N_("Products whose days of cover are below lead time plus a safety margin, with a "
                       "suggested order quantity."),
        options=(WINDOW,
                 ReportOption("safety_days", N_("safety margin in days added to the lead time"), default=7, type=int),
                 ReportOption("review_days", N_("days of sales the suggested order should cover beyond lead time "
                                                "and safety"), default=30, type=int)),
        chart=_restock_chart,
    ),
    ReportSpec(
        name="overstock",
        title=N_("Overstock (promotion candidates)"),
        fn=overstock,
        description=N_("Products with too many days of cover or no sale for a long time."),
        options=(WINDOW,
                 ReportOption("max_cover_days", N_("days of cover above which stock is overstock"), default=180,
                              type=int),
                 ReportOption("idle_days", N_("days without a sale that make stock overstock"), default=90,
                              type=int)),
        chart=_overstock_chart,
        money_columns=("stock_value",),
        pct_columns=("margin_pct",),
        cost_columns=("stock_value", "margin_pct"),  # value at cost; margin at list price
    ),
]
