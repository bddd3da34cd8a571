"""Service cases: workload, time to close and satisfaction.

A case counts as closed when its status is ``resolved`` or ``closed``; its close time is
``closed_at``, else ``resolved_at`` (the service desk sets ``resolved_at`` on resolving and
``closed_at`` only on closing); time to close = that time − opened_at. Satisfaction is the 1–5 score asked at closing;
averages count only cases that have one (``rated``).

``--view by-type`` (default): cases opened in the date range, per ``case_type`` (complaint,
repair, return, delivery, consult …), most cases first. Columns: case_type, cases,
open_cases, closed_cases, avg_hours_to_close, avg_days_to_close, rated, avg_satisfaction.

``--view trend``: per month. ``opened`` counts cases by the month they were opened;
``closed``, ``avg_days_to_close``, ``rated`` and ``avg_satisfaction`` by the month they
were closed (when the score is given). The date range applies to each date. Columns:
month, opened, closed, avg_days_to_close, rated, avg_satisfaction.

Filters: customer type/grade/territory; salesperson = the case's assignee.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import CaseStatus, ServiceCase
from crmdesk.i18n import N_
from crmdesk.reports.common import choose_view, customer_ids_select, empty, frame, has_customer_filter, scoped
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

VIEWS = ("by-type", "trend")
TYPE_COLUMNS = ["case_type", "cases", "open_cases", "closed_cases", "avg_hours_to_close", "avg_days_to_close",
                "rated", "avg_satisfaction"]
TREND_COLUMNS = ["month", "opened", "closed", "avg_days_to_close", "rated", "avg_satisfaction"]
CLOSED_STATUSES = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


def cases_frame(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    """All cases passing the customer/assignee filters, with is_closed and hours_to_close."""
    c = ServiceCase.__table__.c
    stmt = select(c.id, c.case_type, c.status, c.opened_at,
                  func.coalesce(c.closed_at, c.resolved_at).label("closed_at"), c.satisfaction)
    if has_customer_filter(f) or scoped(actor):  # scoped: the actor may see only some customers
        stmt = stmt.where(c.customer_id.in_(customer_ids_select(f, actor)))
    if f.salesperson_ids:
        stmt = stmt.where(c.assignee_id.in_(f.salesperson_ids))
    df = frame(session, stmt)
    df["opened_at"] = pd.to_datetime(df["opened_at"])
    df["closed_at"] = pd.to_datetime(df["closed_at"])
    df["is_closed"] = df["status"].isin(CLOSED_STATUSES) & df["closed_at"].notna()
    hours = (df["closed_at"] - df["opened_at"]).dt.total_seconds() / 3600.0
    df["hours_to_close"] = hours.where(df["is_closed"])
    df["satisfaction"] = pd.to_numeric(df["satisfaction"], errors="coerce").astype("float64")
    return df


def _in_range(times: pd.Series, f: ReportFilters) -> pd.Series:
    keep = times.notna()
    if f.date_from is not None:
        keep &= times >= pd.Timestamp(_day_start(f.date_from))
    if f.date_to is not None:
        keep &= times < pd.Timestamp(_day_start(f.date_to + dt.timedelta(days=1)))
    return keep


def by_type(df: pd.DataFrame, f: ReportFilters) -> pd.DataFrame:
    df = df[_in_range(df["opened_at"], f)]
    if df.empty:
        return empty(TYPE_COLUMNS)
    g = df.groupby("case_type", as_index=False).agg(
        cases=("id", "size"), closed_cases=("is_closed", "sum"), avg_hours_to_close=("hours_to_close", "mean"),
        rated=("satisfaction", "count"), avg_satisfaction=("satisfaction", "mean"))
    g["closed_cases"] = g["closed_cases"].astype("int64")
    g["open_cases"] = g["cases"] - g["closed_cases"]
    g["avg_days_to_close"] = (g["avg_hours_to_close"] / 24.0).round(2)
    g["avg_hours_to_close"] = g["avg_hours_to_close"].round(1)
    g["avg_satisfaction"] = g["avg_satisfaction"].round(2)
    g = g.sort_values(["cases", "case_type"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return g[TYPE_COLUMNS]


def trend(df: pd.DataFrame, f: ReportFilters) -> pd.DataFrame:
    opened = df[_in_range(df["opened_at"], f)]
    closed = df[df["is_closed"] & _in_range(df["closed_at"], f)]
    if opened.empty and closed.empty:
        return empty(TREND_COLUMNS)
    by_open = opened.groupby(opened["opened_at"].dt.strftime("%Y-%m")).size().rename("opened")
    close_month = closed["closed_at"].dt.strftime("%Y-%m")
    by_close = closed.groupby(close_month).agg(closed=("id", "size"), avg_hours=("hours_to_close", "mean"),
                                               rated=("satisfaction", "count"),
                                               avg_satisfaction=("satisfaction", "mean"))
    out = pd.concat([by_open, by_close], axis=1).sort_index()
    out.index.name = "month"
    out = out.reset_index()
    for col in ("opened", "closed", "rated"):
        out[col] = out[col].fillna(0).astype("int64")
    out["avg_days_to_close"] = (out["avg_hours"].astype("float64") / 24.0).round(2)
    out["avg_satisfaction"] = out["avg_satisfaction"].astype("float64").round(2)
    return out[TREND_COLUMNS]


def service(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    view = choose_view(options, VIEWS)
    df = cases_frame(session, actor, f)
    if df.empty:
        return empty(TYPE_COLUMNS if view == "by-type" else TREND_COLUMNS)
    out = by_type(df, f) if view == "by-type" else trend(df, f)
    rated = df["satisfaction"].notna() & _in_range(df["opened_at"], f)
    out.attrs["avg_satisfaction"] = float(np.round(df.loc[rated, "satisfaction"].mean(), 2)) if rated.any() else None
    return out


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.part2_charts import service_chart

    return service_chart(df, options)


SPECS = [
    ReportSpec(
        name="service",
        branches=False,  # opportunities, cases and contacts have no branch
        title=N_("Service cases and satisfaction"),
        fn=service,
        description=N_("Cases by type with time to close and satisfaction, or the monthly trend."),
        options=(ReportOption("view", N_("by-type: per case type; trend: per month"), default="by-type",
                              choices=VIEWS),),
        chart=_chart,
    ),
]
