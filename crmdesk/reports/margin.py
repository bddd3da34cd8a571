"""Gross margin by a dimension: revenue, cost, gross profit, margin % and quantity.

The filtered lines (from the columnar line cache) are grouped by the finest key
the dimension needs (product, customer, day or the order's salesperson); the
small result is then rolled up to brand, category, customer type, territory or
month.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.core.search_text import pinyin_sort_series
from crmdesk.i18n import N_
from crmdesk.reports.common import add_money, empty, user_names
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import (customers as cached_customers, line_frame, month_labels,
                                       products as cached_products)
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

DIMENSIONS = ("product", "brand", "category", "customer", "customer_type", "territory", "salesperson", "month",
              "branch")
VALUE_COLUMNS = ["revenue", "cost", "gross_profit", "margin_pct", "quantity"]



def _sums_by_id(lines: pd.DataFrame, id_col: str, sums: list[str]) -> pd.DataFrame:
    """``groupby(id_col).sum()`` by bincount: ids are small positive integers, and a pandas
    groupby of a salesperson's half a million lines cost 25 ms of their dashboard's 300.
    Integer money is summed in float64 and rounded back: exact while a sum stays below 2**53
    units (900 billion yuan)."""
    ids = lines[id_col].to_numpy()
    if not len(ids) or ids.min() < 0:
        return lines.groupby(id_col, as_index=False)[sums].sum()
    ids = ids.astype("int64", copy=False)
    size = int(ids.max()) + 1
    present = np.flatnonzero(np.bincount(ids, minlength=size))
    out = {id_col: present}
    for col in sums:
        values = lines[col].to_numpy()
        total = np.bincount(ids, weights=values, minlength=size)[present]
        out[col] = np.round(total).astype(values.dtype) if values.dtype.kind in "iu" else total
    return pd.DataFrame(out)


def _by_entity(lines, sums, id_col: str, entities, by: str, detail: str):
    """Sums per product or customer, labelled: the entity itself gets code and name
    (``product`` + ``product_name``), a grouping attribute (brand, customer_type …) its value."""
    df = _sums_by_id(lines, id_col, sums)
    if by == detail:
        df[by] = df[id_col].map(entities["code"])
        df[f"{by}_name"] = df[id_col].map(entities["name"])
    else:
        df[by] = df[id_col].map(entities[by]).fillna("")
    return df

def branch_labels(session: Session, ids: pd.Series) -> pd.Series:
    """Branch ids → "code name"; lines of orders without a branch (0) → "(no branch)"."""
    from crmdesk.services.branches import names

    labels = names(session)
    return ids.map(lambda i: labels.get(int(i), NO_BRANCH))


NO_BRANCH = "(no branch)"


def columns_for(by: str) -> list[str]:
    if by in ("product", "customer"):
        return [by, f"{by}_name", *VALUE_COLUMNS]
    return [by, *VALUE_COLUMNS]


def _grouped(session: Session, actor: Actor, f: ReportFilters, by: str) -> pd.DataFrame:
    """DataFrame with column ``by`` (and ``by_name``), revenue_u, cost_u, quantity."""
    sums = ["revenue_u", "cost_u", "quantity"]
    key = {"product": "product_id", "brand": "product_id", "category": "product_id", "customer": "customer_id",
           "customer_type": "customer_id", "territory": "customer_id", "month": "day",
           "salesperson": "salesperson_id", "branch": "branch_id"}.get(by)
    if key is None:
        raise ValueError(f"unknown dimension {by!r}")
    lines = line_frame(session, actor, f, (key, *sums))
    if by in ("product", "brand", "category"):
        df = _by_entity(lines, sums, "product_id", cached_products(session), by, detail="product")
        if by == "product":
            return df
    elif by in ("customer", "customer_type", "territory"):
        df = _by_entity(lines, sums, "customer_id", cached_customers(session), by, detail="customer")
        if by == "customer":
            return df
    elif by == "month":
        df = lines.groupby("day", as_index=False)[sums].sum()
        df[by] = month_labels(df["day"])
    elif by == "salesperson":
        df = lines.groupby("salesperson_id", as_index=False)[sums].sum()
        names = user_names(session)
        df[by] = df["salesperson_id"].map(lambda i: names.get(int(i), ""))
    elif by == "branch":
        df = _sums_by_id(lines, "branch_id", sums)
        df[by] = branch_labels(session, df["branch_id"])
    else:
        raise ValueError(f"unknown dimension {by!r}")
    return df.groupby(by, as_index=False)[sums].sum()


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
        df = df.sort_values(["gp_u", by], ascending=[False, True], kind="stable", key=pinyin_sort_series)
    return df[cols].reset_index(drop=True)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import margin_chart

    return margin_chart(df, options)


SPECS = [
    ReportSpec(
        name="margin",
        title=N_("Margin analysis"),
        fn=margin,
        description=N_("Revenue, cost, gross profit and margin % by product, brand, category, customer, "
                       "customer type, territory, salesperson, month or branch."),
        options=(ReportOption("by", N_("dimension to group by"), default="category", choices=DIMENSIONS),),
        chart=_chart,
        money_columns=("revenue", "cost", "gross_profit"),
        pct_columns=("margin_pct",),
        needs_cost=True,  # a margin analysis without cost is the purchases report
        cost_columns=("cost", "gross_profit", "margin_pct"),
    ),
]
