"""Contact activity: how often customers are contacted, and whether it pays.

``--view monthly`` (default): interactions (the contact log) per customer and month in
the date range. Columns: customer_code, customer_name, month, contacts, and one count per
channel: visit, call, wechat, email, store (other channels count only in ``contacts``).

``--view effect``: does following an opportunity up more often go with winning it? Every
opportunity closed (won or lost) in the date range is put in a band by the number of
contacts logged with its customer while it was open (``opened_on`` … ``closed_on``, both
days included, any channel, linked to the opportunity or not). Per band: opportunities,
won, lost, win_rate_pct, avg_contacts, avg_days_open, and lift_pct_points = the band's
win rate − the win rate of all those opportunities. Bands: 0, 1-2, 3-5, 6+ contacts.
This is an association, not proof: long negotiations collect more contacts, which is
why avg_days_open is shown beside it.

Filters: customer type/grade/territory; salesperson = the interaction's user (monthly) or
the opportunity's owner (effect).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Channel, Interaction
from crmdesk.i18n import N_
from crmdesk.reports.common import (choose_view, customer_ids_select, customers_frame, empty, frame,
                                    has_customer_filter, scoped, pct)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.pipeline import closed_opportunities
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

VIEWS = ("monthly", "effect")
CHANNELS = tuple(c.value for c in Channel)
MONTHLY_COLUMNS = ["customer_code", "customer_name", "month", "contacts", *CHANNELS]
EFFECT_COLUMNS = ["contact_band", "opportunities", "won", "lost", "win_rate_pct", "avg_contacts", "avg_days_open",
                  "lift_pct_points"]
# (label, lowest count in the band); the last band is open-ended.
BANDS = (("0", 0), ("1-2", 1), ("3-5", 3), ("6+", 6))
_DAY_KEY = 1_000_000  # customer_id × this + day number: one sortable key per customer and day


def _interactions(session: Session, actor: Actor, f: ReportFilters, *, start: dt.date | None,
                  end: dt.date | None, by_user: bool) -> pd.DataFrame:
    i = Interaction.__table__.c
    stmt = select(i.customer_id, i.channel, i.occurred_at)
    if start is not None:
        stmt = stmt.where(i.occurred_at >= dt.datetime.combine(start, dt.time.min))
    if end is not None:
        stmt = stmt.where(i.occurred_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    if has_customer_filter(f) or scoped(actor):  # scoped: the actor may see only some customers
        stmt = stmt.where(i.customer_id.in_(customer_ids_select(f, actor)))
    if by_user and f.salesperson_ids:
        stmt = stmt.where(i.user_id.in_(f.salesperson_ids))
    df = frame(session, stmt)
    df["occurred_at"] = pd.to_datetime(df["occurred_at"])
    return df


def monthly(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    df = _interactions(session, actor, f, start=f.date_from, end=f.date_to, by_user=True)
    if df.empty:
        return empty(MONTHLY_COLUMNS)
    df["month"] = df["occurred_at"].dt.strftime("%Y-%m")
    counts = pd.crosstab([df["customer_id"], df["month"]], df["channel"])
    counts = counts.reindex(columns=list(CHANNELS), fill_value=0)
    counts["contacts"] = df.groupby(["customer_id", "month"]).size()
    out = counts.reset_index()
    custs = customers_frame(session)
    out["customer_code"] = out["customer_id"].map(custs["code"])
    out["customer_name"] = out["customer_id"].map(custs["name"])
    for col in ("contacts", *CHANNELS):
        out[col] = out[col].astype("int64")
    out = out.sort_values(["customer_code", "month"], kind="stable").reset_index(drop=True)
    out.columns.name = None
    return out[MONTHLY_COLUMNS]


def contacts_while_open(opps: pd.DataFrame, contacts: pd.DataFrame) -> np.ndarray:
    """Per opportunity: contacts with its customer from opened_on to closed_on (inclusive)."""
    epoch = np.datetime64("1970-01-01", "D")
    days = (contacts["occurred_at"].to_numpy(dtype="datetime64[D]") - epoch).astype("int64")
    keys = np.sort(contacts["customer_id"].to_numpy(dtype="int64") * _DAY_KEY + days)
    cust = opps["customer_id"].to_numpy(dtype="int64") * _DAY_KEY
    lo = (pd.to_datetime(opps["opened_on"]).to_numpy(dtype="datetime64[D]") - epoch).astype("int64")
    hi = (pd.to_datetime(opps["closed_on"]).to_numpy(dtype="datetime64[D]") - epoch).astype("int64")
    lo = np.minimum(lo, hi)  # a close date before the open date: count the close day only
    return np.searchsorted(keys, cust + hi, side="right") - np.searchsorted(keys, cust + lo, side="left")


def band_of(counts: np.ndarray) -> np.ndarray:
    lows = np.array([low for _label, low in BANDS])
    labels = np.array([label for label, _low in BANDS])
    return labels[np.searchsorted(lows, counts, side="right") - 1]


def effect(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    opps = closed_opportunities(session, actor, f)
    if opps.empty:
        return empty(EFFECT_COLUMNS)
    opps["opened_on"] = opps["opened_on"].fillna(opps["closed_on"])
    start = pd.to_datetime(opps["opened_on"]).min().date()
    end = pd.to_datetime(opps["closed_on"]).max().date()
    contacts = _interactions(session, actor, f, start=start, end=end, by_user=False)
    opps["contacts"] = contacts_while_open(opps, contacts) if len(contacts) else 0
    opps["contact_band"] = band_of(opps["contacts"].to_numpy())
    opps["days_open"] = (pd.to_datetime(opps["closed_on"]) - pd.to_datetime(opps["opened_on"])).dt.days
    g = opps.groupby("contact_band").agg(opportunities=("id", "size"), won=("is_won", "sum"),
                                         avg_contacts=("contacts", "mean"), avg_days_open=("days_open", "mean"))
    g = g.reindex([label for label, _low in BANDS])
    g["opportunities"] = g["opportunities"].fillna(0).astype("int64")
    g["won"] = g["won"].fillna(0).astype("int64")
    g["lost"] = g["opportunities"] - g["won"]
    g["win_rate_pct"] = pct(g["won"], g["opportunities"])
    overall = pct(float(g["won"].sum()), float(g["opportunities"].sum()))
    g["lift_pct_points"] = (g["win_rate_pct"] - overall).round(2)
    g["avg_contacts"] = g["avg_contacts"].astype("float64").round(2)
    g["avg_days_open"] = g["avg_days_open"].astype("float64").round(1)
    out = g.reset_index()
    out.attrs["overall_win_rate_pct"] = overall
    return out[EFFECT_COLUMNS]


def contact_activity(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    view = choose_view(options, VIEWS)
    return monthly(session, actor, f) if view == "monthly" else effect(session, actor, f)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.part2_charts import activity_chart

    return activity_chart(df, options)


SPECS = [
    ReportSpec(
        name="contact-activity",
        branches=False,  # opportunities, cases and contacts have no branch
        title=N_("Contact activity"),
        fn=contact_activity,
        description=N_("Contacts per customer and month; or the win rate of opportunities by how often the "
                       "customer was contacted while they were open."),
        options=(ReportOption("view", N_("monthly: contacts per customer and month; effect: win rate by contacts"),
                              default="monthly", choices=VIEWS),),
        chart=_chart,
        pct_columns=("win_rate_pct",),
    ),
]
