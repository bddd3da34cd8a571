"""profit, profit-curve and cost-to-serve on the hand-computed shop of test_reports_profit_data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import func, select
from test_reports_profit_data import build_profit_shop

from crmdesk.db.models import SalesLine
from crmdesk.db.models.expenses import Expense
from crmdesk.reports import registry
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.profit import profit_units
from crmdesk.reports.profit_allocation import allocate, items, split_exact
from crmdesk.services.actor import Actor


@pytest.fixture
def shop(db):
    return build_profit_shop(db)


def _run(db, name, actor=None, filters=None, **options):
    spec = registry.get(name)
    opts = {o.name: o.default for o in spec.options} | options
    with db.sessions() as s:
        return spec.fn(s, actor or Actor.system(), filters or ReportFilters(), opts)


def _shares(db, ids, item_name):
    """code → allocated units of one expense item."""
    with db.sessions() as s:
        a = allocate(s, None, None)
        item_id = int(items(s).index[items(s)["name"] == item_name][0])
    part = a.allocated[a.allocated["item_id"] == item_id]
    code = {v: k for k, v in ids.items()}
    return {code[int(c)]: int(v) for c, v in zip(part["customer_id"], part["amount"], strict=True)}, a


def test_split_exact_largest_remainder():
    # 10 over weights 1,1,1: 3.33 each → 4,3,3 (ties to the first); sums exact; negative totals mirror
    assert split_exact(np.zeros(3, dtype="int64"), np.array([10]), np.array([1, 1, 1])).tolist() == [4, 3, 3]
    assert split_exact(np.zeros(3, dtype="int64"), np.array([-10]), np.array([1, 1, 1])).tolist() == [-4, -3, -3]
    # two groups: 7 over 2:1 → 4.67, 2.33 → 5, 2 ; 5 over 1:1:3 → 1, 1, 3
    got = split_exact(np.array([0, 0, 1, 1, 1]), np.array([7, 5]), np.array([2, 1, 1, 1, 3]))
    assert got.tolist() == [5, 2, 1, 1, 3]
    # huge amounts take the exact (Python integer) path
    big = split_exact(np.zeros(2, dtype="int64"), np.array([10 ** 15 + 1]), np.array([10 ** 9, 10 ** 9]))
    assert big.tolist() == [5 * 10 ** 14 + 1, 5 * 10 ** 14]


def test_revenue_rule(db, shop):
    # 房租 1,000,000 units × 1700/200/1050/50 of 3000: 566,666.67 / 66,666.67 / 350,000 / 16,666.67;
    # floors sum to 999,998, the 2 left go to the equal largest remainders, earliest first (C001, C002)
    shares, _ = _shares(db, shop, "房租")
    assert shares == {"C001": 566_667, "C002": 66_667, "C003": 350_000, "C004": 16_666}
    assert sum(shares.values()) == 1_000_000


def test_gross_profit_rule_skips_customers_without_positive_gp(db, shop):
    # 招待费 1,090,000 units over gross profit 660 / 80 / 350 (C004 has −10: no share)
    shares, _ = _shares(db, shop, "招待费")
    assert shares == {"C001": 660_000, "C002": 80_000, "C003": 350_000}


def test_orders_rule(db, shop):
    # shared 运费 600,000 over 3 / 1 / 1 / 1 documents; the 运费 on order O4 is C003's direct cost
    shares, a = _shares(db, shop, "运费")
    assert shares == {"C001": 300_000, "C002": 100_000, "C003": 100_000, "C004": 100_000}
    assert a.per_customer().loc[shop["C003"], "direct_u"] == 200_000


def test_lines_rule(db, shop):
    shares, _ = _shares(db, shop, "仓储费")  # 800,000 over 4 / 1 / 2 / 1 lines
    assert shares == {"C001": 400_000, "C002": 100_000, "C003": 200_000, "C004": 100_000}


def test_none_rule_is_overhead(db, shop):
    shares, a = _shares(db, shop, "其他")
    assert shares == {}
    assert int(a.overhead.sum()) == 250_000


def test_profit_by_customer_hand_computed(db, shop):
    df = _run(db, "profit", by="customer")
    assert list(df.columns) == ["customer", "customer_name", "revenue", "cost", "gross_profit", "direct_expenses",
                                "allocated_expenses", "profit", "profit_margin_pct"]
    # C003 3,500,000 − 200,000 − 1,000,000 = 2,300,000; C001 6,600,000 − 3,000,000 − 1,926,667 = 1,673,333;
    # C002 800,000 − 0 − 346,667 = 453,333; C004 −100,000 − 150,000 − 216,666 = −466,666; overhead −250,000
    assert [tuple(r) for r in df[["customer", "direct_expenses", "allocated_expenses", "profit"]].values] == [
        ("C003", 20.0, 100.0, 230.0), ("C001", 300.0, 192.67, 167.33), ("C002", 0.0, 34.67, 45.33),
        ("C004", 15.0, 21.67, -46.67), ("(overhead)", 0.0, 25.0, -25.0)]
    assert df["profit_margin_pct"].iloc[0] == pytest.approx(21.9, abs=0.01)  # 230 / 1050


@pytest.mark.parametrize("by", ["customer", "product", "brand", "category", "customer_type", "salesperson",
                                "territory", "month"])
def test_column_sums_equal_the_sources_exactly(db, shop, by):
    with db.sessions() as s:
        df = profit_units(s, Actor.system(), ReportFilters(), by)
        revenue = s.scalar(select(func.sum(SalesLine.amount)))
        cost = s.scalar(select(func.sum(SalesLine.cost_amount)))
        expenses = s.scalar(select(func.sum(Expense.amount)))
        direct = s.scalar(select(func.sum(Expense.amount)).where(
            (Expense.customer_id.is_not(None)) | (Expense.order_id.is_not(None))))
    assert int(df["revenue_u"].sum()) == revenue and int(df["cost_u"].sum()) == cost
    assert int(df["direct_u"].sum()) == direct == 3_350_000
    assert int(df["direct_u"].sum() + df["allocated_u"].sum()) == expenses == 7_090_000
    out = _run(db, "profit", by=by)
    assert out[by].iloc[-1] == "(overhead)"
    # gross profit 1080 − expenses 709 (exact in units above; the yuan columns are rounded to fen each)
    assert out["profit"].sum() == pytest.approx(371.0, abs=0.03)


def test_by_product_spreads_customer_expenses_by_revenue(db, shop):
    # C003's 1,200,000 units of expenses over P2 600 / P1 450 of its 1050 revenue → 685,714.29 / 514,285.71
    with db.sessions() as s:
        df = profit_units(s, Actor.system(), ReportFilters(), "product")
    assert int(df["direct_u"].sum() + df["allocated_u"].sum()) == 7_090_000
    assert set(df["product"]) == {"P1", "P2", "P3", "(overhead)"}


def test_date_range_is_the_allocation_period(db, shop):
    # March only: lines O3, R1 (C001 400 revenue), O4 (C003 1050), O5 (C004 50); expenses E2, E3, E7, E8.
    # 仓储费 800,000 over lines C001 2, C003 2, C004 1 → 320,000 / 320,000 / 160,000
    march = ReportFilters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    with db.sessions() as s:
        a = allocate(s, march.date_from, march.date_to)
    assert sorted(a.allocated["amount"].tolist()) == [160_000, 320_000, 320_000]
    df = _run(db, "profit", filters=march, by="customer")
    assert set(df["customer"]) == {"C001", "C003", "C004", "(overhead)"}


def test_profit_curve_orders_and_percentages(db, shop):
    df = _run(db, "profit-curve")
    assert list(df.columns) == ["rank", "customer", "customer_name", "profit", "cum_profit", "cum_profit_pct",
                                "cum_customers_pct"]
    # customers' total 3,960,000: 2,300,000 → 58.08 %, 3,973,333 → 100.34 %, 4,426,666 → 111.78 %, 100 %
    assert df["customer"].tolist() == ["C003", "C001", "C002", "C004"]
    assert df["cum_profit_pct"].tolist() == [58.08, 100.34, 111.78, 100.0]
    assert df["cum_customers_pct"].tolist() == [25.0, 50.0, 75.0, 100.0]
    assert df.attrs["peak_pct"] == 111.78 and df.attrs["losers"] == 1
    losers = _run(db, "profit-curve", losers=True)
    assert losers["customer"].tolist() == ["C004"] and losers["profit"].tolist() == [-46.67]


def test_cost_to_serve(db, shop):
    df = _run(db, "cost-to-serve")
    assert df.columns[:2].tolist() == ["customer", "customer_name"]
    assert df.columns[-8:].tolist() == ["expenses", "orders", "lines", "returns", "days_to_pay", "revenue",
                                        "gross_profit", "profit"]
    row = df.set_index("customer").loc["C001"]
    # C001: 返利 300, 房租 56.67, 招待费 66, 运费 30, 仓储费 40; O1 + O3 sales, R1 return, 4 lines;
    # FIFO: receipt 800 on 01-20 pays O1 (1300)? no → O1 never fully paid: days_to_pay empty
    assert (row["返利"], row["房租"], row["招待费"], row["运费"], row["仓储费"]) == (300.0, 56.67, 66.0, 30.0, 40.0)
    assert (row["orders"], row["returns"], row["lines"]) == (2, 1, 4)
    assert row["expenses"] == 492.67
    assert df["customer"].iloc[0] == "C004"  # the costliest first
    c002 = df.set_index("customer").loc["C002"]
    assert c002["days_to_pay"] == 0.0  # O2 200 on 02-10 paid by the 200 received that day
    assert "其他" not in df.columns  # overhead is nobody's cost to serve


@pytest.mark.parametrize("by", ["customer", "product", "brand", "month", "salesperson"])
def test_profit_chart_for_every_dimension(db, shop, by):
    spec = registry.get("profit")
    df = _run(db, "profit", by=by)
    fig = spec.chart(df, {"by": by})
    assert fig.axes and fig.axes[0].get_title()
