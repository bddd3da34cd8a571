"""Profit by a dimension: gross profit less the expenses of serving the customers (issue 15).

``profit = gross_profit − direct_expenses − allocated_expenses`` on every row; how expenses reach
customers is ``profit_allocation`` (direct; shared by the item's rule over the report's date range,
shop-wide; ``none`` = overhead). For the dimensions that are not a customer attribute (product,
brand, category, month, salesperson) each customer's expenses are spread over that customer's
sales in proportion to its revenue in each (largest remainder: exact); a customer with expenses but
no positive revenue in the range puts them on a ``(no sales)`` row. Product and salesperson
filters keep the share of the expenses that falls on the kept lines (the same spreading), customer
filters and the actor's scope keep whole customers; a branch filter, like the product filters, keeps
the share on the branch's lines. The unallocated overhead is one explicit
``(overhead)`` row, shown when the view is the whole shop (no customer, product or salesperson
filter, an actor who sees every customer); then the column sums equal the sources' totals exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.core.search_text import pinyin_sort_series
from crmdesk.i18n import N_
from crmdesk.reports import linecache
from crmdesk.reports.common import (customer_ids_select, empty, has_customer_filter, has_product_filter, ids_of,
                                    pct, product_ids_select, scoped, user_names, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import (customers as cached_customers, line_frame, month_labels,
                                       products as cached_products)
from crmdesk.reports.margin import DIMENSIONS, _grouped, branch_labels
from crmdesk.reports.profit_allocation import NO_SALES, OVERHEAD, Allocated, allocate, split_exact
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

VALUE_COLUMNS = ["revenue", "cost", "gross_profit", "direct_expenses", "allocated_expenses", "profit",
                 "profit_margin_pct"]
CUSTOMER_ATTRS = ("customer", "customer_type", "territory")


def columns_for(by: str) -> list[str]:
    if by in ("product", "customer"):
        return [by, f"{by}_name", *VALUE_COLUMNS]
    return [by, *VALUE_COLUMNS]


def whole_shop(actor: Actor, f: ReportFilters) -> bool:
    """No filter but the dates and an actor who sees everything: the overhead row belongs here."""
    return not (scoped(actor) or has_customer_filter(f) or has_product_filter(f) or f.salesperson_ids
                or f.branch_ids)


def customer_expenses(session: Session, actor: Actor, f: ReportFilters, alloc: Allocated) -> pd.DataFrame:
    """customer_id → direct_u, allocated_u for the customers the actor sees and the customer
    filters keep (whole customers)."""
    pc = alloc.per_customer()
    if scoped(actor) or has_customer_filter(f):
        pc = pc[pc.index.isin(_visible_ids(session, actor, f))]
    return pc


def _visible_ids(session: Session, actor: Actor, f: ReportFilters):
    """The customers the actor sees and the filters keep (memoised with the line cache)."""
    return linecache.customer_ids(session, customer_ids_select(f, actor))


def _key_of(session: Session, lines: pd.DataFrame, by: str) -> pd.Series:
    """The label of each line on dimension ``by`` (ids for product/customer)."""
    if by in ("product", "customer"):
        return lines[f"{by}_id"]
    if by in ("brand", "category"):
        return lines["product_id"].map(cached_products(session)[by]).fillna("")
    if by in ("customer_type", "territory"):
        return lines["customer_id"].map(cached_customers(session)[by]).fillna("")
    if by == "month":
        return pd.Series(month_labels(lines["day"]), index=lines.index)
    if by == "branch":
        return branch_labels(session, lines["branch_id"])
    names = user_names(session)
    return lines["salesperson_id"].map(lambda i: names.get(int(i), ""))


def spread(session: Session, actor: Actor, f: ReportFilters, exp: pd.DataFrame, by: str) -> pd.DataFrame:
    """Each customer's expenses over its lines by revenue → key, direct_u, allocated_u; only the
    shares on lines that pass the product, salesperson and branch filters are kept."""
    narrowed = has_product_filter(f) or bool(f.salesperson_ids) or bool(f.branch_ids)
    lines = line_frame(session, actor, f.with_(salesperson_ids=(), branch_ids=()),
                       ("day", "customer_id", "product_id", "salesperson_id", "revenue_u", "branch_id"),
                       product_filters=False)
    keep = np.ones(len(lines), dtype=bool)
    if has_product_filter(f):
        keep &= lines["product_id"].isin(ids_of(session, product_ids_select(f))).to_numpy()
    if f.salesperson_ids:
        keep &= lines["salesperson_id"].isin(f.salesperson_ids).to_numpy()
    if f.branch_ids:
        keep &= lines["branch_id"].isin(f.branch_ids).to_numpy()
    lines = lines.assign(key=_key_of(session, lines, by), keep=keep)
    pairs = lines.groupby(["customer_id", "key", "keep"], as_index=False, sort=True)["revenue_u"].sum()
    pairs = pairs[(pairs["revenue_u"] > 0) & pairs["customer_id"].isin(exp.index)]
    cust = pairs["customer_id"].to_numpy()
    ids, group = np.unique(cust, return_inverse=True)
    out = pd.DataFrame({"key": pairs["key"].to_numpy(), "keep": pairs["keep"].to_numpy()})
    for col in ("direct_u", "allocated_u"):
        out[col] = split_exact(group, exp[col].reindex(ids).to_numpy(), pairs["revenue_u"].to_numpy())
    out = out[out["keep"]]
    orphans = exp[~exp.index.isin(ids)]  # expenses but no positive revenue in the range
    if not narrowed and len(orphans):
        out = pd.concat([out, pd.DataFrame({"key": [NO_SALES], "keep": [True],
                                            "direct_u": [int(orphans["direct_u"].sum())],
                                            "allocated_u": [int(orphans["allocated_u"].sum())]})])
    return out.groupby("key")[["direct_u", "allocated_u"]].sum()


def _labels(session: Session, df: pd.DataFrame, by: str) -> None:
    """Code and name of rows that have expenses but no sales (the sales rows have them already)."""
    entities = cached_customers(session) if by == "customer" else cached_products(session)
    missing = df[by].isna() & df.index.to_series().ne(NO_SALES).to_numpy()
    ids = pd.Series(df.index[missing])
    df.loc[missing, by] = ids.map(entities["code"]).to_numpy()
    df.loc[missing, f"{by}_name"] = ids.map(entities["name"]).to_numpy()


def profit_units(session: Session, actor: Actor, f: ReportFilters, by: str) -> pd.DataFrame:
    """Rows keyed like ``margin._grouped`` (ids for product/customer) with revenue_u, cost_u,
    direct_u, allocated_u; the overhead row last when the view is the whole shop."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    alloc = allocate(session, f.date_from, f.date_to)
    exp = customer_expenses(session, actor, f, alloc)
    sales = _grouped(session, actor, f, by)
    key = f"{by}_id" if by in ("product", "customer") else by
    sales = sales.set_index(key)
    if by in CUSTOMER_ATTRS and not (has_product_filter(f) or f.salesperson_ids or f.branch_ids):
        if by == "customer":
            costs = exp
        else:
            label = cached_customers(session)[by].reindex(exp.index).fillna("")
            costs = exp.groupby(label.to_numpy()).sum()
    else:
        costs = spread(session, actor, f, exp, by)
    df = sales.join(costs, how="outer")
    for col in ("revenue_u", "cost_u", "direct_u", "allocated_u"):
        df[col] = df[col].fillna(0).astype("int64")
    if by in ("product", "customer"):
        _labels(session, df, by)
        df.loc[df.index == NO_SALES, by] = NO_SALES
        df[f"{by}_name"] = df[f"{by}_name"].fillna("")
    else:
        df[by] = df.index
    df[key] = df.index
    df = df.reset_index(drop=True)
    overhead = int(alloc.overhead.sum())
    if overhead and whole_shop(actor, f):
        row = {by: OVERHEAD, "revenue_u": 0, "cost_u": 0, "direct_u": 0, "allocated_u": overhead}
        if by in ("product", "customer"):
            row[f"{by}_name"] = ""
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    return df


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """Units → yuan columns, profit and profit_margin_pct (keeps profit_u for sorting)."""
    gp = df["revenue_u"] - df["cost_u"]
    df["profit_u"] = gp - df["direct_u"] - df["allocated_u"]
    df["revenue"], df["cost"], df["gross_profit"] = yuan(df["revenue_u"]), yuan(df["cost_u"]), yuan(gp)
    df["direct_expenses"], df["allocated_expenses"] = yuan(df["direct_u"]), yuan(df["allocated_u"])
    df["profit"] = yuan(df["profit_u"])
    df["profit_margin_pct"] = pct(df["profit_u"], df["revenue_u"])
    return df


def profit(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    by = options.get("by") or "customer"
    cols = columns_for(by)
    df = profit_units(session, actor, f, by)
    if df.empty:
        return empty(cols)
    df = finish(df)
    special = df[by].isin([OVERHEAD, NO_SALES])
    body, tail = df[~special], df[special].sort_values(by, ascending=False)  # (overhead) last
    if by == "month":
        body = body.sort_values("month")
    else:
        body = body.sort_values(["profit_u", by], ascending=[False, True], kind="stable", key=pinyin_sort_series)
    return pd.concat([body, tail])[cols].reset_index(drop=True)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.profit_charts import profit_chart

    return profit_chart(df, options)


SPECS = [
    ReportSpec(
        name="profit",
        title=N_("Profit analysis"),
        fn=profit,
        description=N_("Gross profit less direct and allocated expenses, by customer, product, brand, category, "
                       "customer type, salesperson, territory, month or branch; unallocated overhead is its own "
                       "row."),
        options=(ReportOption("by", N_("dimension to group by"), default="customer", choices=DIMENSIONS),),
        chart=_chart,
        money_columns=("revenue", "cost", "gross_profit", "direct_expenses", "allocated_expenses", "profit"),
        pct_columns=("profit_margin_pct",),
        needs_cost=True,  # profit is gross profit less expenses: counter staff see none of it
        cost_columns=("cost", "gross_profit", "direct_expenses", "allocated_expenses", "profit",
                      "profit_margin_pct"),
    ),
]
