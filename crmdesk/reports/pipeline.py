"""Sales pipeline and win rate.

``pipeline``: open opportunities (stage neither won nor lost) by stage, stages in their
``sort_order``, every open stage listed even when empty. Columns: stage, opportunities,
amount (yuan), probability_pct (the stage's probability), weighted_amount = amount ×
probability (the forecast), avg_days_open (since ``opened_on`` to as_of). Filters:
customer type/grade/territory; salesperson = the opportunity's owner; the date range
restricts ``expected_close`` (opportunities without one are then left out).

``win-rate``: opportunities in a won or lost stage, by the month of ``closed_on`` and/or
the owner (those without ``closed_on`` are left out; salesperson "" = no owner).
Columns: [month] [salesperson], won, lost, closed, win_rate_pct = won / (won + lost) × 100,
won_amount (yuan). ``--by month|salesperson|both`` (default
both). The date range restricts ``closed_on``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from crmdesk.core.search_text import pinyin_sort_series
from crmdesk.db.models import Opportunity, OpportunityStage
from crmdesk.i18n import N_, _
from crmdesk.reports.common import (ReportError, customer_ids_select, empty, frame, has_customer_filter, pct,
                                    resolve_as_of, scoped, user_names, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

PIPELINE_COLUMNS = ["stage", "opportunities", "amount", "probability_pct", "weighted_amount", "avg_days_open"]
WIN_RATE_BY = ("both", "month", "salesperson")


def opportunity_conditions(f: ReportFilters, actor: Actor) -> list[ColumnElement[bool]]:
    """Customer and salesperson (owner) filters on ``opportunities``."""
    o = Opportunity.__table__.c
    cond: list[ColumnElement[bool]] = []
    if has_customer_filter(f) or scoped(actor):  # scoped: the actor may see only some customers
        cond.append(o.customer_id.in_(customer_ids_select(f, actor)))
    if f.salesperson_ids:
        cond.append(o.owner_id.in_(f.salesperson_ids))
    return cond


def pipeline(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    o = Opportunity.__table__.c
    st = OpportunityStage.__table__.c
    stages = frame(session, select(st.id, st.name, st.sort_order, st.probability)
                   .where(st.is_won.is_(False), st.is_lost.is_(False)).order_by(st.sort_order, st.id))
    if stages.empty:
        return empty(PIPELINE_COLUMNS)
    stmt = select(o.stage_id, o.amount, o.opened_on).where(o.stage_id.in_(stages["id"].tolist()),
                                                           *opportunity_conditions(f, actor))
    if f.date_from is not None:
        stmt = stmt.where(o.expected_close >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(o.expected_close <= f.date_to)
    opps = frame(session, stmt)
    as_of = pd.Timestamp(resolve_as_of(session, f))
    opps["days_open"] = (as_of - pd.to_datetime(opps["opened_on"])).dt.days if len(opps) else []
    grouped = opps.groupby("stage_id").agg(opportunities=("amount", "size"), amount_u=("amount", "sum"),
                                           avg_days_open=("days_open", "mean"))
    df = stages.set_index("id").join(grouped)
    df["opportunities"] = df["opportunities"].fillna(0).astype("int64")
    amount_u = df["amount_u"].fillna(0).astype("int64")
    # Probability is a stage setting in percent; weight in integer units, round once.
    weighted_u = np.rint(amount_u.to_numpy(dtype="float64") * df["probability"].to_numpy() / 100.0).astype("int64")
    out = pd.DataFrame({
        "stage": df["name"].to_numpy(),
        "opportunities": df["opportunities"].to_numpy(),
        "amount": yuan(amount_u).to_numpy(),
        "probability_pct": df["probability"].astype("float64").round(2).to_numpy(),
        "weighted_amount": yuan(weighted_u),
        "avg_days_open": df["avg_days_open"].astype("float64").round(1).to_numpy(),
    })
    out.attrs["total_amount"] = yuan(int(amount_u.sum()))
    out.attrs["total_weighted"] = yuan(int(weighted_u.sum()))
    return out


def win_rate_columns(by: str) -> list[str]:
    keys = {"both": ["month", "salesperson"], "month": ["month"], "salesperson": ["salesperson"]}[by]
    return [*keys, "won", "lost", "closed", "win_rate_pct", "won_amount"]


def closed_opportunities(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    """Won/lost opportunities with closed_on in the range: owner_id, closed_on, amount, won (bool)."""
    o = Opportunity.__table__.c
    st = OpportunityStage.__table__.c
    stmt = (select(o.id, o.customer_id, o.owner_id, o.opened_on, o.closed_on, o.amount, st.is_won)
            .join_from(Opportunity.__table__, OpportunityStage.__table__, st.id == o.stage_id)
            .where((st.is_won.is_(True)) | (st.is_lost.is_(True)), o.closed_on.is_not(None),
                   *opportunity_conditions(f, actor)))
    if f.date_from is not None:
        stmt = stmt.where(o.closed_on >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(o.closed_on <= f.date_to)
    df = frame(session, stmt)
    df["is_won"] = df["is_won"].astype(bool)
    return df


def win_rate(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    by = options.get("by") or "both"
    if by not in WIN_RATE_BY:
        raise ReportError(_("--by must be one of: {choices}").format(choices=", ".join(WIN_RATE_BY)))
    cols = win_rate_columns(by)
    df = closed_opportunities(session, actor, f)
    if df.empty:
        return empty(cols)
    names = user_names(session)
    df["month"] = pd.to_datetime(df["closed_on"]).dt.strftime("%Y-%m")
    df["salesperson"] = df["owner_id"].map(lambda i: names.get(int(i), "") if pd.notna(i) else "")
    df["won_u"] = df["amount"].where(df["is_won"], 0)
    keys = cols[: cols.index("won")]
    g = df.groupby(keys, as_index=False).agg(won=("is_won", "sum"), closed=("is_won", "size"),
                                             won_u=("won_u", "sum"))
    g["won"] = g["won"].astype("int64")
    g["lost"] = g["closed"] - g["won"]
    g["win_rate_pct"] = pct(g["won"], g["closed"])
    g["won_amount"] = yuan(g["won_u"].astype("int64"))
    g = g.sort_values(keys, kind="stable", key=pinyin_sort_series).reset_index(drop=True)
    return g[cols]


def _pipeline_chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.part2_charts import pipeline_chart

    return pipeline_chart(df, options)


def _win_rate_chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.part2_charts import win_rate_chart

    return win_rate_chart(df, options)


SPECS = [
    ReportSpec(
        name="pipeline",
        branches=False,  # opportunities, cases and contacts have no branch
        title=N_("Sales pipeline"),
        fn=pipeline,
        description=N_("Open opportunities by stage: count, amount, stage probability and weighted forecast."),
        chart=_pipeline_chart,
        money_columns=("amount", "weighted_amount"),
        pct_columns=("probability_pct",),
    ),
    ReportSpec(
        name="win-rate",
        branches=False,  # opportunities, cases and contacts have no branch
        title=N_("Win rate"),
        fn=win_rate,
        description=N_("Opportunities won out of those closed (won + lost), per month and salesperson."),
        options=(ReportOption("by", N_("group by month, salesperson or both"), default="both",
                              choices=WIN_RATE_BY),),
        chart=_win_rate_chart,
        money_columns=("won_amount",),
        pct_columns=("win_rate_pct",),
    ),
]
