"""Receivables: balance and ageing per customer, or collection per month.

A customer's balance at ``as_of`` = its line amounts − its receipts, both up to
``as_of`` and over all history (the date range does not cut a balance). Ageing
applies the receipts and the returns (negative documents) to the oldest sale
documents first (FIFO) and ages what remains by the document date.
Customer filters apply (the salesperson filter means the customer's owner);
product filters do not — a receivable belongs to the customer. Sales settled at
sale (``services.settlement``: paid on the spot) are never owed: they count in
neither the balance, the ageing nor the billed column.

``--view collection``: per month, billed (line amounts), collected (receipts),
balance at month end and DSO = balance ÷ billed in the trailing three months ×
the days of those months.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Receipt
from crmdesk.i18n import N_
from crmdesk.reports.common import (customer_ids_select, effective_branches, empty, frame, has_customer_filter,
                                    period_key, resolve_as_of, scoped, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import (credit_orders, customers as cached_customers, day_number, line_frame,
                                       month_labels, settled_orders)
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

BUCKETS = ("age_0_30", "age_31_60", "age_61_90", "age_over_90")
COLUMNS = ["customer_code", "customer_name", "balance", *BUCKETS, "credit_limit", "over_limit"]
COLLECTION_COLUMNS = ["month", "billed", "collected", "balance", "dso_days"]
R = Receipt.__table__.c


def _customer_conds(f: ReportFilters, actor: Actor, column) -> list:
    if has_customer_filter(f) or f.salesperson_ids or scoped(actor):
        return [column.in_(customer_ids_select(f, actor, owner_for_salesperson=True))]
    return []


def _receipt_conds(session: Session, actor: Actor, f: ReportFilters) -> list:
    """Customer filters and scope on receipts, and their branch (the filter's, within the actor's)."""
    branches = effective_branches(session, actor, f)
    return _customer_conds(f, actor, R.customer_id) + ([] if branches is None else [R.branch_id.in_(branches)])


def customer_lines(session: Session, actor: Actor, f: ReportFilters, as_of: dt.date) -> pd.DataFrame:
    """All lines owed (not settled at sale) up to as_of of the customers passing the customer
    filters (owner = salesperson) and visible to ``actor``: a balance is the customer's, every
    product line of it, so the lines are the shop's (not the actor's ``LineScope``) cut to the
    actor's customers."""
    branches = effective_branches(session, actor, f)
    lines = line_frame(session, Actor.system(), ReportFilters(branch_ids=branches or ()), date_from=None, date_to=as_of)
    settled = settled_orders(session)
    if settled.any():
        lines = lines[~settled[lines["order_id"].to_numpy()]]
    if has_customer_filter(f) or f.salesperson_ids or scoped(actor):
        ids = session.scalars(customer_ids_select(f, actor, owner_for_salesperson=True)).all()
        lines = lines[lines["customer_id"].isin(ids)]
    return lines


def ageing_units(session: Session, actor: Actor, f: ReportFilters, as_of: dt.date) -> pd.DataFrame:
    """Per customer id: balance_u and the four ageing buckets in money units."""
    docs = credit_orders(session)
    docs = docs[docs["day"].to_numpy() <= day_number(as_of)]
    branches = effective_branches(session, actor, f)
    if branches is not None:  # a branch's balance: its own sales less its own receipts
        docs = docs[docs["branch_id"].isin(branches)]
    if has_customer_filter(f) or f.salesperson_ids or scoped(actor):
        docs = docs[docs["customer_id"].isin(session.scalars(
            customer_ids_select(f, actor, owner_for_salesperson=True)).all())]
    paid = frame(session, select(R.customer_id, func.sum(R.amount).label("paid"))
                 .where(R.receipt_date <= as_of, *_receipt_conds(session, actor, f))
                 .group_by(R.customer_id)).set_index("customer_id")["paid"]
    return age_documents(docs, paid, as_of, presorted=True)


def age_documents(docs: pd.DataFrame, paid: pd.Series, as_of: dt.date | pd.Timestamp,
                  presorted: bool = False) -> pd.DataFrame:
    """FIFO ageing. ``docs``: customer_id, order_id, day (days since 1970), amt (units, one row per
    document up to as_of); ``paid``: receipts per customer id. Returns per customer id
    balance_u and the BUCKETS (units). Vectorised with numpy: the dashboard calls it per filter.
    ``presorted``: docs already sorted by customer_id, day, order_id (``linecache.orders``)."""
    cust_all = docs["customer_id"].to_numpy(dtype="int64")
    amt_all = docs["amt"].to_numpy(dtype="int64")
    paid_ids = paid.index.to_numpy(dtype="int64")
    size = int(max(cust_all.max(initial=-1), paid_ids.max(initial=-1))) + 1
    billed = np.bincount(cust_all, weights=amt_all, minlength=size)
    paid_u = np.bincount(paid_ids, weights=paid.to_numpy(dtype="float64"), minlength=size)
    returned = np.bincount(cust_all[amt_all < 0], weights=-amt_all[amt_all < 0], minlength=size)
    seen = (np.bincount(cust_all, minlength=size) > 0) | (np.bincount(paid_ids, minlength=size) > 0)
    ids = np.nonzero(seen)[0]
    out = pd.DataFrame({"balance_u": np.round(billed - paid_u)[ids].astype("int64")}, index=ids)
    sales = docs[amt_all > 0]
    if not presorted:
        sales = sales.sort_values(["customer_id", "day", "order_id"], kind="stable")
    cust = sales["customer_id"].to_numpy(dtype="int64")
    amt = sales["amt"].to_numpy(dtype="int64")
    total = np.cumsum(amt)
    starts = np.r_[True, cust[1:] != cust[:-1]] if len(cust) else np.zeros(0, dtype=bool)
    group = np.cumsum(starts) - 1
    within = total - (total - amt)[starts][group]  # running total per customer, oldest first
    credit = (paid_u + returned)[cust]
    remaining = np.minimum(np.clip(within - credit, 0, None), amt)
    age = day_number(as_of) - sales["day"].to_numpy()
    bucket = np.select([age <= 30, age <= 60, age <= 90], [0, 1, 2], default=3)
    for i, b in enumerate(BUCKETS):
        sel = bucket == i
        out[b] = np.round(np.bincount(cust[sel], weights=remaining[sel], minlength=size))[ids].astype("int64")
    return out


def _ageing(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    as_of = resolve_as_of(session, f)
    df = ageing_units(session, actor, f, as_of)
    df = df[df["balance_u"] != 0]
    if df.empty:
        return empty(COLUMNS)
    custs = cached_customers(session)
    df["customer_code"] = custs["code"].reindex(df.index).to_numpy()
    df["customer_name"] = custs["name"].reindex(df.index).to_numpy()
    limit_u = custs["credit_limit"].reindex(df.index).fillna(0).astype("int64")
    df["over_limit"] = (limit_u > 0) & (df["balance_u"] > limit_u)
    df["balance"] = yuan(df["balance_u"])
    df["credit_limit"] = yuan(limit_u)
    for b in BUCKETS:
        df[b] = yuan(df[b].astype("int64"))
    df = df.sort_values(["balance", "customer_code"], ascending=[False, True], kind="stable")
    return df[COLUMNS].reset_index(drop=True)


def monthly_billing(session: Session, actor: Actor, f: ReportFilters, as_of: dt.date) -> pd.DataFrame:
    """Index month (YYYY-MM) over all history up to as_of: billed_u, collected_u, balance_u at month end."""
    lines = customer_lines(session, actor, f, as_of)
    per_day = lines.groupby("day")["revenue_u"].sum()
    billed = per_day.groupby(month_labels(per_day.index.to_numpy())).sum().rename("billed_u")
    rmonth = period_key(session, R.receipt_date).label("month")
    paid = frame(session, select(rmonth, func.sum(R.amount).label("collected_u"))
                 .where(R.receipt_date <= as_of, *_receipt_conds(session, actor, f)).group_by(rmonth))
    df = pd.DataFrame({"billed_u": billed}).join(paid.set_index("month"), how="outer").fillna(0)
    if df.empty:
        return pd.DataFrame(columns=["billed_u", "collected_u", "balance_u"])
    first = pd.Period(min(df.index), "M")
    months = pd.period_range(first, pd.Period(as_of, "M"), freq="M").strftime("%Y-%m")
    df = df.reindex(months, fill_value=0).astype("int64")
    df["balance_u"] = (df["billed_u"] - df["collected_u"]).cumsum()
    return df


def _collection(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    as_of = resolve_as_of(session, f)
    df = monthly_billing(session, actor, f, as_of)
    if df.empty:
        return empty(COLLECTION_COLUMNS)
    days = pd.PeriodIndex(df.index, freq="M").days_in_month.to_numpy()
    billed3 = df["billed_u"].rolling(3, min_periods=1).sum()
    days3 = pd.Series(days, index=df.index).rolling(3, min_periods=1).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        dso = np.where(billed3 > 0, df["balance_u"] / billed3 * days3, np.nan)
    out = pd.DataFrame({"month": df.index, "billed": yuan(df["billed_u"]).to_numpy(),
                        "collected": yuan(df["collected_u"]).to_numpy(), "balance": yuan(df["balance_u"]).to_numpy(),
                        "dso_days": np.round(dso, 1)})
    if f.date_from is not None:
        out = out[out["month"] >= f.date_from.strftime("%Y-%m")]
    return out.reset_index(drop=True)


def receivables(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    if (options.get("view") or "ageing") == "collection":
        return _collection(session, actor, f)
    return _ageing(session, actor, f)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import receivables_chart

    return receivables_chart(df, options)


SPECS = [
    ReportSpec(
        name="receivables",
        title=N_("Receivables and ageing"),
        fn=receivables,
        description=N_("Balance per customer with ageing buckets and credit limit, or collection and DSO per "
                       "month."),
        options=(ReportOption("view", N_("ageing: per customer; collection: per month with DSO"), default="ageing",
                              choices=("ageing", "collection")),),
        chart=_chart,
        money_columns=("balance", *BUCKETS, "credit_limit", "billed", "collected"),
    ),
]
