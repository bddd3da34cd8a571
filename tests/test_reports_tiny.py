"""Every report on the tiny shop of test_reports_tiny_data, against figures
computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from test_reports_tiny_data import build_tiny_shop

from crmdesk.reports import registry
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor


@pytest.fixture
def run(db):
    build_tiny_shop(db)

    def _run(name: str, filters: ReportFilters | None = None, **options):
        spec = registry.get(name)
        opts = {o.name: o.default for o in spec.options} | options
        with db.sessions() as s:
            return spec.fn(s, Actor.system(), filters or ReportFilters(), opts)
    return _run


def rows(df, *cols):
    return [tuple(r) for r in df[list(cols)].itertuples(index=False, name=None)]


def test_margin_by_category(run):
    df = run("margin", by="category")
    assert list(df.columns) == ["category", "revenue", "cost", "gross_profit", "margin_pct", "quantity"]
    # 文具 = P1 (1000 − 100 + 450 = 1350, cost 600 − 60 + 300 = 840) + P3 (200 + 500 = 700, cost 120 + 300 = 420)
    #      = 2050 / 1260 / gp 790 / 790 ÷ 2050 = 38.536 % / qty 100 − 10 + 50 + 2 + 5 = 147
    # 纸品 = P2 300 + 600 = 900 / 200 + 400 = 600 / gp 300 / 33.33 % / qty 30
    assert rows(df, "category", "revenue", "cost", "gross_profit", "margin_pct", "quantity") == [
        ("文具", 2050.0, 1260.0, 790.0, 38.54, 147.0), ("纸品", 900.0, 600.0, 300.0, 33.33, 30.0)]


def test_margin_by_customer_product_month_salesperson(run):
    # C001: 1300 + 500 − 100 = 1700, cost 800 + 300 − 60 = 1040, gp 660 (38.82 %); C003 1050/700/350; C002 200/120/80
    df = run("margin", by="customer")
    assert list(df.columns[:2]) == ["customer", "customer_name"]
    assert rows(df, "customer", "customer_name", "gross_profit", "margin_pct") == [
        ("C001", "甲公司", 660.0, 38.82), ("C003", "丙学校", 350.0, 33.33), ("C002", "乙商店", 80.0, 40.0)]
    assert rows(run("margin", by="product"), "product", "product_name", "revenue") == [
        ("P1", "Pen", 1350.0), ("P2", "Paper", 900.0), ("P3", "Stapler", 700.0)]
    # months ascending: Jan 1300/800, Feb 200/120, Mar 500 − 100 + 1050 = 1450 / 300 − 60 + 700 = 940
    assert rows(run("margin", by="month"), "month", "revenue", "cost", "gross_profit") == [
        ("2024-01", 1300.0, 800.0, 500.0), ("2024-02", 200.0, 120.0, 80.0), ("2024-03", 1450.0, 940.0, 510.0)]
    # 张三 sold O1, O3, R1, O4: 1300 + 500 − 100 + 1050 = 2750, gp 1010; O2 has no salesperson
    assert rows(run("margin", by="salesperson"), "salesperson", "revenue", "gross_profit") == [
        ("张三", 2750.0, 1010.0), ("", 200.0, 80.0)]
    assert rows(run("margin", by="customer_type"), "customer_type", "revenue") == [
        ("经销商", 1700.0), ("直销客户", 1050.0), ("零售客户", 200.0)]
    assert rows(run("margin", by="territory"), "territory", "gross_profit") == [("East", 1010.0), ("West", 80.0)]
    # 得力 = P2 + P3 = 900 + 700 = 1600, gp 300 + 280 = 580; 晨光 = P1 1350, gp 510
    assert rows(run("margin", by="brand"), "brand", "revenue", "gross_profit") == [
        ("得力", 1600.0, 580.0), ("晨光", 1350.0, 510.0)]


def test_filters(run):
    # only dealers: C001
    assert rows(run("margin", ReportFilters(customer_types=("dealer",)), by="customer"), "customer") == [("C001",)]
    # type by name works too
    assert rows(run("margin", ReportFilters(customer_types=("零售客户",)), by="customer"), "customer") == [("C002",)]
    # paper only: C001 300 / 200, C003 600 / 400
    df = run("margin", ReportFilters(categories=("纸品",)), by="customer")
    assert rows(df, "customer", "revenue", "cost") == [("C003", 600.0, 400.0), ("C001", 300.0, 200.0)]
    # list price ≥ 50: only P3 (100)
    assert rows(run("margin", ReportFilters(price_min=50), by="product"), "product") == [("P3",)]
    # February only
    feb = ReportFilters(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 29))
    assert rows(run("margin", feb, by="customer"), "customer", "revenue") == [("C002", 200.0)]
    # grade A in East via salesperson 张三's orders: C001 + C003
    assert rows(run("margin", ReportFilters(grades=("A",)), by="customer"), "customer") == [("C001",), ("C003",)]
    empty = run("margin", ReportFilters(brands=("nobody",)), by="brand")
    assert empty.empty and list(empty.columns) == ["brand", "revenue", "cost", "gross_profit", "margin_pct", "quantity"]


def test_key_customers(run):
    df = run("key-customers")
    # total gp 1090: C001 660 → 60.55 %, C003 350 → 32.11 % (cum 1010 → 92.66 %), C002 80 → 7.34 % (cum 100 %)
    # A while the share before the customer < 80 %: C001 (0) and C003 (60.55); B below 95 %: C002 (92.66)
    assert rows(df, "customer_code", "customer_type", "gp_share_pct", "cumulative_share_pct", "abc_class") == [
        ("C001", "经销商", 60.55, 60.55, "A"), ("C003", "直销客户", 32.11, 92.66, "A"),
        ("C002", "零售客户", 7.34, 100.0, "B")]


def test_rfm_scores_segments_and_moves(run):
    df = run("rfm", previous_days=60)
    # as_of 2024-03-31. C001: last sale 03-01 → 30 days, 2 orders, 1700; C002: 02-10 → 50 days, 1, 200;
    # C003: 03-31 → 0 days, 1, 1050. score = ceil(5 × rank / 3), ties ranked low:
    # r: C002 1 → 2, C001 2 → 4, C003 3 → 5; f: C002, C003 tie at rank 1 → 2, C001 → 5; m: C002 2, C003 4, C001 5
    assert rows(df, "customer_code", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score") == [
        ("C003", 0, 1, 1050.0, 5, 2, 4), ("C001", 30, 2, 1700.0, 4, 5, 5), ("C002", 50, 1, 200.0, 2, 2, 2)]
    # fm = round((f + m) / 2): C003 3 → potential loyalist; C001 5 → champions; C002 r 2 → hibernating.
    # 60 days earlier (2024-01-31) only C001 had bought (alone, so all scores 5): champions.
    assert rows(df, "segment", "previous_segment") == [
        ("potential loyalist", ""), ("champions", "champions"), ("hibernating", "")]
    moves = run("rfm", previous_days=60, view="moves")
    assert rows(moves, "previous_segment", "segment", "customers") == [
        ("", "hibernating", 1), ("", "potential loyalist", 1), ("champions", "champions", 1)]


def test_purchases(run):
    # C001 in March: O3 (500, 5 pcs) and return R1 (−100, −10 pcs): 1 order, −5 pcs, 400
    assert rows(run("purchases"), "customer_code", "month", "orders", "quantity", "amount") == [
        ("C001", "2024-01", 1, 110.0, 1300.0), ("C001", "2024-03", 1, -5.0, 400.0),
        ("C002", "2024-02", 1, 2.0, 200.0), ("C003", "2024-03", 1, 70.0, 1050.0)]
    assert rows(run("purchases", by="year"), "customer_code", "year", "orders", "amount") == [
        ("C001", "2024", 2, 1700.0), ("C002", "2024", 1, 200.0), ("C003", "2024", 1, 1050.0)]


def test_preferences(run):
    df = run("preferences")
    # window 2023-04-01..2024-03-31, nothing before → trend "new". Revenue 1700, 1050, 200 of 2950:
    # share before C003 = 1700/2950 = 57.6 % → high; before C002 = 2750/2950 = 93.2 % → medium.
    # C001 categories: 文具 900 + 500 = 1400 / 1700 = 82.4 %, 纸品 300 → 17.6 %; brands 晨光 900 → 52.9 %,
    # 得力 800 → 47.1 %; bands: 10-50 (P1 list 10, P2 30) 1200 → 70.59 %, 50-200 (P3) 500
    assert rows(df, "customer_code", "spend_level", "revenue_12m", "trend", "top_categories", "top_brands",
                "preferred_price_band", "price_band_share_pct") == [
        ("C001", "high", 1700.0, "new", "文具 82.4%; 纸品 17.6%", "晨光 52.9%; 得力 47.1%", "10-50", 70.59),
        ("C003", "high", 1050.0, "new", "纸品 57.1%; 文具 42.9%", "得力 57.1%; 晨光 42.9%", "10-50", 100.0),
        ("C002", "medium", 200.0, "new", "文具 100.0%", "得力 100.0%", "50-200", 100.0)]
    assert math.isnan(df["trend_pct"].iloc[0])


def test_preferences_trend(run):
    # 3 months windows: Jan–Mar 2024 vs Oct–Dec 2023 (nothing) → new; with as_of 2024-02-29 and 1 month:
    # Feb (C002 200) vs Jan (C001 1300, C002 0): C002 new; C001 has no Feb revenue so is not listed.
    df = run("preferences", ReportFilters(as_of=dt.date(2024, 2, 29)), months=1)
    assert rows(df, "customer_code", "revenue_12m", "previous_12m", "trend") == [("C002", 200.0, 0.0, "new")]
    # 2 months to 03-31: Feb–Mar vs Dec–Jan. C001: 400 vs 1300 → (400 − 1300) / 1300 = −69.23 % declining
    df = run("preferences", ReportFilters(as_of=dt.date(2024, 3, 31)), months=2)
    c001 = df[df["customer_code"] == "C001"].iloc[0]
    assert (c001["trend"], c001["trend_pct"], c001["previous_12m"]) == ("declining", -69.23, 1300.0)


def test_restock_and_overstock(run):
    # window 90 days to 03-31 holds every line. P2: 30 sold → 0.333/day, stock 5 → 15 days < 10 + 7
    # → suggested ceil(0.3333 × (10 + 7 + 30) − 5) = ceil(10.67) = 11
    assert rows(run("restock"), "product", "stock", "avg_daily_sales", "days_of_cover", "suggested_order_qty") == [
        ("P2", 5.0, 0.33, 15.0, 11)]
    # P3: stock 400 (02-29 snapshot), 7 sold → 0.0778/day → 5142.9 days > 180; P1: 300 + 40 = 340 (03-31, two
    # warehouses), 140 sold → 1.556/day → 218.6 days > 180. List-price margin (10 − 6) / 10 = (100 − 60) / 100 = 40 %.
    df = run("overstock")
    assert rows(df, "product", "stock", "stock_value", "avg_daily_sales", "days_of_cover", "last_sale_date",
                "days_since_sale", "margin_pct") == [
        ("P3", 400.0, 24000.0, 0.08, 5142.9, dt.date(2024, 3, 1), 30, 40.0),
        ("P1", 340.0, 2040.0, 1.56, 218.6, dt.date(2024, 3, 31), 0, 40.0)]
    # an idle rule: with idle_days 20 and a huge max cover only P3 (last sale 30 days ago) stays
    assert rows(run("overstock", max_cover_days=100000, idle_days=20), "product") == [("P3",)]


def test_promotion_targets(run):
    df = run("promotion-targets", product="P3")
    # P3 is 文具/得力: every line matches (P1 文具, P2 得力). Percentile ranks (amount, −days, orders):
    # C001 (1, 2/3, 1) → 40 + 23.33 + 25 = 88.33; C002 (1/3, 1/3, 0.5) → 13.33 + 11.67 + 12.5 = 37.5;
    # C003 (2/3, 1, 0.5) → 26.67 + 35 + 12.5 = 74.17. Buyers of P3 itself (C001, C002) first.
    assert rows(df, "rank", "customer_code", "contact_name", "phone", "bought_product", "score") == [
        (1, "C001", "王经理", "13800000001", True, 88.33), (2, "C002", "", "021-1234", True, 37.5),
        (3, "C003", "", "", False, 74.17)]
    by_brand = run("promotion-targets", ReportFilters(brands=("晨光",)))
    assert sorted(by_brand["customer_code"]) == ["C001", "C003"]
    with pytest.raises(ReportError):
        run("promotion-targets")
    with pytest.raises(ReportError):
        run("promotion-targets", product="NOPE")


def test_trends(run):
    # receivables at month end: Jan 1300 − 800 = 500; Feb + 200 − 200 = 500; Mar + 1450 = 1950.
    # stock: Jan P1 3000; Feb P1 3000 + P3 24000 = 27000; Mar P1 1800 + 240 + P2 100 + P3 24000 = 26140
    assert rows(run("trends"), "month", "revenue", "gross_profit", "receivable_balance", "stock_value") == [
        ("2024-01", 1300.0, 500.0, 500.0, 3000.0), ("2024-02", 200.0, 80.0, 500.0, 27000.0),
        ("2024-03", 1450.0, 510.0, 1950.0, 26140.0)]


def test_receivables_ageing(run):
    df = run("receivables")
    # C001: billed 1300 (01-05) + 500 (03-01) − 100 (return), paid 800 → balance 900. FIFO: credits 800 + 100
    # cover 900 of O1, leaving 400 aged 86 days (61–90) and O3 500 aged 30 days (0–30). Limit 800 → over.
    # C003: 1050 on 03-31 → 0–30. C002: 200 − 200 = 0 → not listed.
    assert rows(df, "customer_code", "balance", "age_0_30", "age_31_60", "age_61_90", "age_over_90", "credit_limit",
                "over_limit") == [
        ("C003", 1050.0, 1050.0, 0.0, 0.0, 0.0, 5000.0, False), ("C001", 900.0, 500.0, 0.0, 400.0, 0.0, 800.0, True)]
    # at 2024-02-15 C001 owes 1300 − 800 = 500 from 01-05 (41 days: 31–60)
    early = run("receivables", ReportFilters(as_of=dt.date(2024, 2, 15)))
    assert rows(early, "customer_code", "balance", "age_31_60") == [("C001", 500.0, 500.0)]


def test_receivables_collection(run):
    df = run("receivables", view="collection")
    # DSO = balance ÷ billed in the trailing 3 months × their days:
    # Jan 500 / 1300 × 31 = 11.9; Feb 500 / 1500 × 60 = 20.0; Mar 1950 / 2950 × 91 = 60.2
    assert rows(df, "month", "billed", "collected", "balance", "dso_days") == [
        ("2024-01", 1300.0, 800.0, 500.0, 11.9), ("2024-02", 200.0, 200.0, 500.0, 20.0),
        ("2024-03", 1450.0, 0.0, 1950.0, 60.2)]
