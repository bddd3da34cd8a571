"""Contact activity per customer and month, and win rate by contacts while open, by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import select

from crmdesk.db.models import Customer, CustomerType, Interaction, Opportunity, OpportunityStage
from crmdesk.reports.activity import EFFECT_COLUMNS, MONTHLY_COLUMNS, band_of, contact_activity
from crmdesk.reports.filters import ReportFilters

D, T = dt.date, dt.datetime


@pytest.fixture
def log(db, owner):
    with db.sessions.begin() as s:
        stage = {st.name: st.id for st in s.scalars(select(OpportunityStage))}
        dealer = s.scalar(select(CustomerType).where(CustomerType.code == "dealer"))
        c1, c2 = Customer(code="C1", name="华联文具店", type_id=dealer.id), Customer(code="C2", name="二中")
        s.add_all([c1, c2])
        s.flush()
        for customer, when, channel in [
            (c1, T(2026, 1, 3, 9), "call"), (c1, T(2026, 1, 10, 15), "visit"), (c1, T(2026, 1, 20, 18), "wechat"),
            (c1, T(2026, 2, 5, 9), "call"), (c1, T(2026, 2, 6, 23, 59), "call"),
            (c2, T(2026, 1, 15, 8), "visit"), (c2, T(2026, 3, 1, 17, 30), "email"),
        ]:
            s.add(Interaction(customer_id=customer.id, occurred_at=when, channel=channel, user_id=owner.user_id))
        for customer, opened, closed, won in [
            (c1, D(2026, 1, 1), D(2026, 1, 31), True),  # 3 contacts
            (c1, D(2026, 2, 5), D(2026, 2, 6), False),  # 2 (both ends count)
            (c2, D(2026, 2, 1), D(2026, 2, 28), False),  # 0
            (c2, D(2026, 1, 15), D(2026, 3, 1), True),  # 2
            (c2, D(2026, 4, 1), D(2026, 4, 10), False),  # 0
        ]:
            s.add(Opportunity(customer_id=customer.id, stage_id=stage["成交" if won else "失败"], name="x",
                              amount=0, opened_on=opened, closed_on=closed))
    return db


def _run(db, owner, view, f=ReportFilters()):
    with db.sessions() as s:
        return contact_activity(s, owner, f, {"view": view})


def test_monthly_contacts(log, owner):
    df = _run(log, owner, "monthly")
    assert list(df.columns) == MONTHLY_COLUMNS
    rows = [tuple(r) for r in df[["customer_code", "month", "contacts", "visit", "call", "wechat", "email"]]
            .itertuples(index=False)]
    assert rows == [("C1", "2026-01", 3, 1, 1, 1, 0), ("C1", "2026-02", 2, 0, 2, 0, 0),
                    ("C2", "2026-01", 1, 1, 0, 0, 0), ("C2", "2026-03", 1, 0, 0, 0, 1)]
    assert df["customer_name"].iloc[0] == "华联文具店"
    dealers_feb = _run(log, owner, "monthly", ReportFilters(customer_types=("dealer",), date_from=D(2026, 2, 1)))
    assert list(dealers_feb["contacts"]) == [2]


def test_win_rate_by_contact_band(log, owner):
    df = _run(log, owner, "effect")
    assert list(df.columns) == EFFECT_COLUMNS
    assert list(df["contact_band"]) == ["0", "1-2", "3-5", "6+"]
    assert list(df["opportunities"]) == [2, 2, 1, 0]
    assert list(df["won"]) == [0, 1, 1, 0]
    assert list(df["lost"]) == [2, 1, 0, 0]
    assert list(df["win_rate_pct"][:3]) == [0.0, 50.0, 100.0]
    assert list(df["avg_contacts"][:3]) == [0.0, 2.0, 3.0]
    assert list(df["avg_days_open"][:3]) == [18.0, 23.0, 30.0]
    assert list(df["lift_pct_points"][:3]) == [-40.0, 10.0, 60.0]
    assert math.isnan(df["win_rate_pct"].iloc[3])
    assert df.attrs["overall_win_rate_pct"] == 40.0


def test_effect_respects_the_close_date_range(log, owner):
    df = _run(log, owner, "effect", ReportFilters(date_from=D(2026, 2, 1), date_to=D(2026, 3, 31)))
    assert list(df["opportunities"]) == [1, 2, 0, 0]


def test_bands():
    assert list(band_of([0, 1, 2, 3, 5, 6, 40])) == ["0", "1-2", "1-2", "3-5", "3-5", "6+", "6+"]


def test_activity_charts(log, owner):
    from crmdesk.charts.part2_charts import activity_chart

    fig = activity_chart(_run(log, owner, "effect"), {})
    assert [p.get_height() for p in fig.axes[0].patches] == [0.0, 50.0, 100.0, 0.0]
    monthly = activity_chart(_run(log, owner, "monthly"), {})
    assert [p.get_height() for p in monthly.axes[0].patches] == [4, 2, 1]
