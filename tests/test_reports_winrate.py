"""Win rate per month and salesperson: won / (won + lost), by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crmdesk.db.models import Customer, Opportunity, OpportunityStage, User
from crmdesk.money import to_units
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.pipeline import win_rate, win_rate_columns

D = dt.date


@pytest.fixture
def closed(db, owner):
    """张三: Jan won 1000 + lost; Feb lost, lost, won 300. 店主 (owner): Jan won 500.
    An open opportunity with a close date and one closed in March are noise for some filters."""
    with db.sessions.begin() as s:
        stage = {st.name: st.id for st in s.scalars(select(OpportunityStage))}
        zhang = User(username="zhang", display_name="张三", role="sales")
        c = Customer(code="C1", name="一中")
        s.add_all([zhang, c])
        s.flush()
        rows = [
            ("成交", "1000", D(2026, 1, 15), zhang.id), ("失败", "80", D(2026, 1, 20), zhang.id),
            ("成交", "500", D(2026, 1, 31), owner.user_id),
            ("失败", "10", D(2026, 2, 1), zhang.id), ("失败", "20", D(2026, 2, 28), zhang.id),
            ("成交", "300", D(2026, 2, 3), zhang.id),
            ("报价", "999", D(2026, 2, 5), zhang.id),  # open stage: not closed
            ("成交", "50", D(2026, 3, 2), zhang.id),
        ]
        for stage_name, amount, closed_on, owner_id in rows:
            s.add(Opportunity(customer_id=c.id, stage_id=stage[stage_name], name="x", amount=to_units(amount),
                              opened_on=D(2025, 12, 1), closed_on=closed_on, owner_id=owner_id))
    return db


def _run(db, owner, by, f=ReportFilters(date_from=D(2026, 1, 1), date_to=D(2026, 2, 28))):
    with db.sessions() as s:
        return win_rate(s, owner, f, {"by": by})


def test_win_rate_by_month_and_salesperson(closed, owner):
    df = _run(closed, owner, "both")
    assert list(df.columns) == win_rate_columns("both")
    rows = [tuple(r) for r in df[["month", "salesperson", "won", "lost", "closed"]].itertuples(index=False)]
    assert rows == [("2026-01", "店主", 1, 0, 1), ("2026-01", "张三", 1, 1, 2), ("2026-02", "张三", 1, 2, 3)]
    assert list(df["win_rate_pct"]) == [100.0, 50.0, 33.33]
    assert list(df["won_amount"]) == [500.0, 1000.0, 300.0]


def test_win_rate_by_month(closed, owner):
    df = _run(closed, owner, "month")
    assert list(df["month"]) == ["2026-01", "2026-02"]
    assert list(df["win_rate_pct"]) == [66.67, 33.33]
    assert list(df["won_amount"]) == [1500.0, 300.0]


def test_win_rate_by_salesperson_without_dates(closed, owner):
    df = _run(closed, owner, "salesperson", ReportFilters())
    got = dict(zip(df["salesperson"], zip(df["won"], df["closed"], df["win_rate_pct"], strict=True), strict=True))
    assert got == {"张三": (3, 6, 50.0), "店主": (1, 1, 100.0)}


def test_bad_grouping_is_a_report_error(closed, owner):
    with pytest.raises(ReportError):
        _run(closed, owner, "weekday")


def test_win_rate_chart(closed, owner):
    from crmdesk.charts.part2_charts import win_rate_chart

    fig = win_rate_chart(_run(closed, owner, "both"), {})
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_ydata()) == pytest.approx([200 / 3, 100 / 3])
