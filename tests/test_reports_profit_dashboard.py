"""The dashboard's 利润 tile and whale curve (issue 15), and the drill-down to the losers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_reports_profit_data import build_profit_shop

from crmdesk.db.models.expenses import Expense, ExpenseItem
from crmdesk.reports.dashboard import clear_memo, dashboard_data
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

Q1 = ReportFilters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 3, 31))


@pytest.fixture
def shop(db):
    clear_memo()
    return build_profit_shop(db)


def test_profit_tile_next_to_gross_profit(db, shop):
    with db.sessions() as s:
        d = dashboard_data(s, Actor.system(), Q1)
    keys = [k.key for k in d.kpis]
    assert keys[keys.index("gross_profit") + 1] == "profit"
    # gross profit 1080 − every expense of the quarter 709 = 371
    assert d.kpi("profit").value == 371.0
    assert d.whale["customer"].tolist() == ["C003", "C001", "C002", "C004"]
    assert d.whale.attrs["peak_pct"] == 111.78


def test_an_expense_changes_the_tile_at_once(db, shop):
    with db.sessions() as s:
        assert dashboard_data(s, Actor.system(), Q1).kpi("profit").value == 371.0
    with db.sessions.begin() as s:
        other = s.scalar(select(ExpenseItem.id).where(ExpenseItem.name == "其他"))
        s.add(Expense(expense_date=dt.date(2024, 3, 3), doc_number="E9", item_id=other, amount=10_000))  # 1 yuan
    with db.sessions() as s:
        assert dashboard_data(s, Actor.system(), Q1).kpi("profit").value == 370.0


def test_counter_gets_no_profit(db, shop):
    counter = Actor(user_id=None, username="c", role="counter")
    with db.sessions() as s:
        d = dashboard_data(s, counter, Q1)
    assert not d.has_kpi("profit") and d.whale is None


def test_whale_drill_lists_the_losers(db, shop):
    from crmdesk.ui.analysis.drill_targets import DrillTarget, level_for

    level = level_for(DrillTarget("losers", "profit-curve", "Customers that lose money"))
    with db.sessions() as s:
        df = level.compute(s, Actor.system(), Q1)
    assert df["customer"].tolist() == ["C004"] and df["profit"].tolist() == [-46.67]


def test_whale_chart_has_a_clickable_curve(db, shop):
    from crmdesk.charts.profit_charts import whale_chart

    with db.sessions() as s:
        d = dashboard_data(s, Actor.system(), Q1)
    fig = whale_chart(d.whale, {})
    gids = {a.get_gid() for ax in fig.axes for a in [*ax.lines, *ax.patches]}
    assert "loss" in gids


@pytest.mark.parametrize("who", ["owner", "sales1"])
def test_the_previous_periods_tile_from_line_arrays_equals_the_reports_total(demo_db, who):
    """The dashboard sums the previous period's profit from its own line arrays (no grouping by
    customer); it must equal the sum of ``profit --by customer`` rows, scoped and filtered alike."""
    from crmdesk.reports import dashboard_profit, linecache
    from crmdesk.services.actor import actor_for_username

    lo, hi = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    with demo_db.sessions() as s:
        actor = actor_for_username(s, who)
        for f in (ReportFilters(), ReportFilters(customer_types=("dealer",)), ReportFilters(grades=("A", "B"))):
            c = linecache.get(s)
            base = c.base_mask(s, actor, f.with_(date_from=lo, date_to=hi))
            m = (c.day >= linecache.day_number(lo)) & (c.day <= linecache.day_number(hi))
            m = m if base is None else m & base
            fast = dashboard_profit.line_profit(s, actor, f, c.amount[m], c.cost[m], lo, hi)
            slow = dashboard_profit.period_profit(dashboard_profit.period_units(s, actor, f, lo, hi))
            assert fast == pytest.approx(slow, abs=0.005), (who, f)
            if f == ReportFilters():
                assert slow != 0  # the period has sales and expenses: the check is not of two zeros
