"""RFM: recency, frequency and monetary value per customer, scored 1–5 and
named into segments, with each customer's segment one period earlier.

* window: the filter's date range, ending at ``as_of`` (all history when no
  ``date_from``);
* recency_days: days from the last sale (not return) order to ``as_of``;
  frequency: number of sale orders; monetary: net amount (returns subtract);
* scores: ``ceil(5 × rank / n)`` with ties ranked low, so 5 is the best fifth;
  recency is ranked reversed (recent = high);
* previous_segment: the same computation at ``as_of − previous_days`` (the
  window shifted by the same amount), "" when the customer had bought nothing
  then. ``--view moves`` counts customers per (previous_segment, segment).

Both snapshots come from one pass over the cached lines. ``--measure profit`` (issue 15) makes
``monetary`` the customer's profit in the window (gross profit less direct and allocated expenses,
``reports.profit``, the window being the allocation period) instead of the net amount.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_, _
from crmdesk.reports.common import empty, resolve_as_of, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import (customers as cached_customers, day_number, line_arrays, order_customers,
                                       order_days)
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied, sees_cost

COLUMNS = ["customer_code", "customer_name", "recency_days", "frequency", "monetary", "r_score", "f_score",
           "m_score", "segment", "previous_segment"]
MOVES_COLUMNS = ["previous_segment", "segment", "customers"]

# Segment names (data values; the GUI translates them). First matching rule wins.
SEGMENTS = (N_("champions"), N_("loyal"), N_("new"), N_("potential loyalist"), N_("promising"),
            N_("need attention"), N_("about to sleep"), N_("cannot lose"), N_("at risk"), N_("hibernating"),
            N_("lost"))


def segment_of(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    fm = np.floor((f + m) / 2 + 0.5)
    rules = [
        (r >= 4) & (fm >= 4),
        (r >= 3) & (fm >= 4),
        (r == 5) & (f == 1),
        (r >= 4) & (fm >= 2),
        r >= 4,
        (r == 3) & (fm == 3),
        r == 3,
        (r == 1) & (fm == 5),
        fm >= 4,
        r == 2,
        np.ones_like(r, dtype=bool),
    ]
    return np.select(rules, list(SEGMENTS), default="lost")


def score(values: pd.Series, reverse: bool = False) -> pd.Series:
    ranked = (-values if reverse else values).rank(method="min")
    return np.clip(np.ceil(5 * ranked / len(values)), 1, 5).astype("int64")


def _snapshot(lines: dict[str, np.ndarray], owner_of: np.ndarray, day_of: np.ndarray, lower: dt.date | None,
              as_of: dt.date, money_of: pd.Series | None = None) -> pd.DataFrame:
    """RFM per customer id over the lines dated lower..as_of (O(lines): bincounts, no sort)."""
    day, cust, amount = lines["day"], lines["customer_id"], lines["revenue_u"]
    m = day <= day_number(as_of)
    if lower is not None:
        m &= day >= day_number(lower)
    size = int(max(cust.max(initial=0), owner_of.max(initial=0))) + 1
    money = np.round(np.bincount(cust[m], weights=amount[m], minlength=size)).astype("int64")
    sale = m & (amount > 0)
    order_ids = np.nonzero(np.bincount(lines["order_id"][sale]))[0] if sale.any() else np.zeros(0, dtype="int64")
    freq = np.bincount(owner_of[order_ids], minlength=size)
    last = np.full(size, -1, dtype="int64")
    np.maximum.at(last, owner_of[order_ids], day_of[order_ids])  # per order, not per line: 5× fewer
    ids = np.nonzero(freq > 0)[0]
    if money_of is not None:  # profit per customer id instead of the net amount
        money = np.zeros(size, dtype="int64")
        known = money_of[money_of.index < size]
        money[known.index.to_numpy(dtype="int64")] = known.to_numpy(dtype="int64")
    df = pd.DataFrame({"last": last[ids], "frequency": freq[ids].astype("int64"), "money_u": money[ids]}, index=ids)
    df["recency_days"] = (day_number(as_of) - df["last"]).astype("int64")
    if df.empty:
        df["r_score"] = df["f_score"] = df["m_score"] = pd.Series(dtype="int64")
        df["segment"] = pd.Series(dtype="object")
        return df
    df["r_score"] = score(df["recency_days"], reverse=True)
    df["f_score"] = score(df["frequency"])
    df["m_score"] = score(df["money_u"].astype("float64"))
    df["segment"] = segment_of(df["r_score"].to_numpy(), df["f_score"].to_numpy(), df["m_score"].to_numpy())
    return df


def _profits(session: Session, actor: Actor, f: ReportFilters, lower: dt.date | None, as_of: dt.date) -> pd.Series:
    """customer id → profit units over lower..as_of."""
    from crmdesk.reports.profit import profit_units
    from crmdesk.reports.profit_allocation import NO_SALES, OVERHEAD

    df = profit_units(session, actor, f.with_(date_from=lower, date_to=as_of), "customer")
    df = df[~df["customer"].isin([OVERHEAD, NO_SALES])]
    values = df["revenue_u"] - df["cost_u"] - df["direct_u"] - df["allocated_u"]
    return pd.Series(values.to_numpy(dtype="int64"), index=df["customer_id"].to_numpy(dtype="int64"))


def rfm_frames(session: Session, actor: Actor, f: ReportFilters, previous_days: int, measure: str = "revenue"
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(current, previous) snapshots indexed by customer id."""
    as_of = resolve_as_of(session, f)
    prev_as_of = as_of - dt.timedelta(days=previous_days)
    lo = f.date_from
    prev_lo = lo - dt.timedelta(days=previous_days) if lo else None
    lines = line_arrays(session, actor, f, ("day", "customer_id", "order_id", "revenue_u"), date_from=prev_lo,
                        date_to=as_of)
    owner_of, day_of = order_customers(session), order_days(session)
    now = prev = None
    if measure == "profit":
        now, prev = _profits(session, actor, f, lo, as_of), _profits(session, actor, f, prev_lo, prev_as_of)
    return (_snapshot(lines, owner_of, day_of, lo, as_of, now),
            _snapshot(lines, owner_of, day_of, prev_lo, prev_as_of, prev))


def rfm(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    previous_days = int(options.get("previous_days") or 90)
    view = options.get("view") or "customers"
    measure = options.get("measure") or "revenue"
    if measure == "profit" and not sees_cost(actor):  # profit is made of cost: not for counter staff
        raise PermissionDenied("reports.cost", _("rfm --measure profit shows profit"))
    current, previous = rfm_frames(session, actor, f, previous_days, measure)
    if view == "moves":
        if current.empty:
            return empty(MOVES_COLUMNS)
        moves = pd.DataFrame({"previous_segment": previous["segment"].reindex(current.index).fillna(""),
                              "segment": current["segment"]})
        out = moves.groupby(["previous_segment", "segment"]).size().rename("customers").reset_index()
        return out.sort_values(["customers", "previous_segment", "segment"], ascending=[False, True, True],
                               kind="stable").reset_index(drop=True)
    if current.empty:
        return empty(COLUMNS)
    custs = cached_customers(session)
    df = current.copy()
    df["customer_code"] = custs["code"].reindex(df.index).to_numpy()
    df["customer_name"] = custs["name"].reindex(df.index).to_numpy()
    df["monetary"] = yuan(df["money_u"].astype("int64"))
    df["previous_segment"] = previous["segment"].reindex(df.index).fillna("")
    df = df.sort_values(["r_score", "f_score", "m_score", "monetary", "customer_code"],
                        ascending=[False, False, False, False, True], kind="stable")
    return df[COLUMNS].reset_index(drop=True)


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.report_charts import rfm_chart

    return rfm_chart(df, options)


SPECS = [
    ReportSpec(
        name="rfm",
        title=N_("RFM segments"),
        fn=rfm,
        description=N_("Recency, frequency and monetary scores per customer, named segments, and the segment "
                       "one period earlier."),
        options=(
            ReportOption("view", N_("customers: one row per customer; moves: customers per segment change"),
                         default="customers", choices=("customers", "moves")),
            ReportOption("previous_days", N_("length of the comparison period in days"), default=90, type=int),
            ReportOption("measure", N_("monetary value: net revenue or profit (after expenses)"), default="revenue",
                         choices=("revenue", "profit")),
        ),
        chart=_chart,
        money_columns=("monetary",),
    ),
]
