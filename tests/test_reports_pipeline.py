"""Pipeline by stage: counts, amounts, probability and weighted forecast, by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import select

from crmdesk.db.models import Customer, CustomerType, Opportunity, OpportunityStage, User
from crmdesk.money import to_units
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.pipeline import PIPELINE_COLUMNS, pipeline

D = dt.date


@pytest.fixture
def opps(db, owner):
    with db.sessions.begin() as s:
        stage = {st.name: st.id for st in s.scalars(select(OpportunityStage))}
        dealer = s.scalar(select(CustomerType).where(CustomerType.code == "dealer"))
        zhang = User(username="zhang", display_name="张三", role="sales")
        s.add(zhang)
        c1 = Customer(code="C1", name="一中", type_id=dealer.id)
        c2 = Customer(code="C2", name="二中")
        s.add_all([c1, c2])
        s.flush()

        def opp(customer, stage_name, amount, opened, owner_id=None, expected=None, closed=None):
            s.add(Opportunity(customer_id=customer.id, stage_id=stage[stage_name], name=f"{stage_name}{amount}",
                              amount=to_units(amount), opened_on=opened, expected_close=expected,
                              closed_on=closed, owner_id=owner_id))

        opp(c1, "线索", "1000", D(2026, 1, 1), zhang.id, expected=D(2026, 4, 10))
        opp(c2, "线索", "3000", D(2026, 2, 1), owner.user_id, expected=D(2026, 5, 10))
        opp(c2, "报价", "2000.50", D(2026, 3, 1), zhang.id, expected=D(2026, 4, 20))
        opp(c1, "谈判", "400", D(2026, 3, 11), zhang.id)
        opp(c1, "成交", "5000", D(2026, 1, 5), zhang.id, closed=D(2026, 2, 1))
        opp(c2, "失败", "700", D(2026, 1, 5), zhang.id, closed=D(2026, 2, 1))
        zhang_id = zhang.id
    return db, zhang_id


def _run(db, owner, f):
    with db.sessions() as s:
        return pipeline(s, owner, f, {})


def test_pipeline_by_stage(opps, owner):
    db, _zhang = opps
    df = _run(db, owner, ReportFilters(as_of=D(2026, 3, 31)))
    assert list(df.columns) == PIPELINE_COLUMNS
    assert list(df["stage"]) == ["线索", "需求确认", "报价", "谈判"]  # sort order; closed stages left out
    assert list(df["opportunities"]) == [2, 0, 1, 1]
    assert list(df["amount"]) == [4000.0, 0.0, 2000.5, 400.0]
    assert list(df["probability_pct"]) == [10.0, 25.0, 50.0, 75.0]
    assert list(df["weighted_amount"]) == [400.0, 0.0, 1000.25, 300.0]
    assert df["avg_days_open"].iloc[0] == 73.5  # (89 + 58) / 2
    assert math.isnan(df["avg_days_open"].iloc[1])
    assert list(df["avg_days_open"].iloc[2:]) == [30.0, 20.0]
    assert df.attrs["total_weighted"] == 1700.25


def test_pipeline_filters(opps, owner):
    db, zhang = opps
    mine = _run(db, owner, ReportFilters(as_of=D(2026, 3, 31), salesperson_ids=(zhang,)))
    assert list(mine["opportunities"]) == [1, 0, 1, 1]
    dealers = _run(db, owner, ReportFilters(as_of=D(2026, 3, 31), customer_types=("dealer",)))
    assert list(dealers["amount"]) == [1000.0, 0.0, 0.0, 400.0]
    april = _run(db, owner, ReportFilters(date_from=D(2026, 4, 1), date_to=D(2026, 4, 30)))
    assert list(april["opportunities"]) == [1, 0, 1, 0]  # by expected close; none set → out


def test_pipeline_chart_draws(opps, owner):
    from crmdesk.charts.part2_charts import pipeline_chart

    db, _zhang = opps
    df = _run(db, owner, ReportFilters(as_of=D(2026, 3, 31)))
    fig = pipeline_chart(df, {})
    assert len(fig.axes[0].patches) == 2 * len(df)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(df["stage"])


def test_pipeline_follows_customer_scoping(opps, owner, monkeypatch):
    """When permissions limit the customers an actor sees, the pipeline counts only theirs."""
    import crmdesk.reports.common as common

    monkeypatch.setattr(common, "scope_customers", lambda stmt, actor: stmt.where(Customer.code == "C1"))
    db, _zhang = opps
    df = _run(db, owner, ReportFilters(as_of=D(2026, 3, 31)))
    assert list(df["amount"]) == [1000.0, 0.0, 0.0, 400.0]
