"""BG/NBD + Gamma-Gamma: the CDNOW parameters of Fader, Hardie & Lee, the closed-form
likelihood against the textbook formula, and the lifetime report on a hand-made shop."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import beta, gamma

from crmdesk.db.models import Customer, Product, SalesLine, SalesOrder
from crmdesk.money import to_units
from crmdesk.reports import bgnbd
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.lifetime import COLUMNS, HORIZON_WEEKS, lifetime

D = dt.date


@pytest.fixture
def cdnow_summary(shared_data):
    raw = pd.read_csv(shared_data / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["customer", "full_id", "date", "quantity", "amount"], dtype={"date": str})
    return raw, bgnbd.summarize(raw["customer"], pd.to_datetime(raw["date"], format="%Y%m%d"), raw["amount"],
                                "1997-09-30")


def test_cdnow_summary(cdnow_summary):
    raw, summary = cdnow_summary
    assert len(raw) == 6919 and raw["amount"].sum() == pytest.approx(244091.94)
    assert len(summary) == 2357
    first = summary.loc[4]  # bought 1997-01-01, -01-18, -08-02 (and -12-12, after calibration)
    assert first["frequency"] == 2
    assert first["recency"] == pytest.approx(213 / 7)  # 30.43 weeks
    assert first["T"] == pytest.approx(272 / 7)  # 38.86 weeks, to the end of 1997-09-30
    assert first["monetary"] == pytest.approx((29.73 + 14.96) / 2)
    assert (summary["frequency"] > 0).sum() == 946


def test_cdnow_bgnbd_parameters_match_the_paper(cdnow_summary):
    _raw, s = cdnow_summary
    p = bgnbd.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    for got, paper in ((p.r, 0.243), (p.alpha, 4.414), (p.a, 0.793), (p.b, 2.426)):
        assert got == pytest.approx(paper, abs=0.002)
    assert bgnbd.bgnbd_log_likelihood(p, s["frequency"], s["recency"], s["T"]) == pytest.approx(-9582.43, abs=0.05)
    # The paper's worked example: x = 2, t_x = 30.43, T = 38.86 → 1.226 purchases in the next 39 weeks.
    assert float(bgnbd.expected_purchases(p, 39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=0.001)


def test_cdnow_gamma_gamma_parameters(cdnow_summary):
    _raw, s = cdnow_summary
    gg = bgnbd.fit_gamma_gamma(s["frequency"], s["monetary"])
    # Published for this sample (the Lifetimes documentation): p 6.25, q 3.74, γ 15.44.
    assert (gg.p, gg.q, gg.gamma) == (pytest.approx(6.25, abs=0.01), pytest.approx(3.74, abs=0.01),
                                      pytest.approx(15.44, abs=0.02))
    spend = bgnbd.expected_average_spend(gg, np.array([0, 2]), np.array([0, 22.345]))
    assert spend[0] == pytest.approx(gg.p * gg.gamma / (gg.q - 1))
    assert spend[1] == pytest.approx(gg.p * (gg.gamma + 2 * 22.345) / (gg.p * 2 + gg.q - 1))


def _textbook_likelihood(r, alpha, a, b, x, t_x, T):
    """FHL 2005 eq. (6) written out with Γ and B, no logs."""
    common = gamma(r + x) * alpha**r / gamma(r)
    alive = beta(a, b + x) / beta(a, b) * common / (alpha + T) ** (r + x)
    dropped = (beta(a + 1, b + x - 1) / beta(a, b) * common / (alpha + t_x) ** (r + x)) if x > 0 else 0.0
    return alive + dropped


@pytest.mark.parametrize("x,t_x,T", [(0, 0.0, 10.0), (1, 3.5, 12.0), (4, 20.0, 30.0), (7, 29.0, 39.0)])
def test_closed_form_likelihood_matches_the_formula(x, t_x, T):
    params = bgnbd.BGNBDParams(r=0.7, alpha=3.2, a=1.3, b=2.9)
    got = bgnbd.bgnbd_log_likelihood(params, [x], [t_x], [T])
    assert got == pytest.approx(np.log(_textbook_likelihood(0.7, 3.2, 1.3, 2.9, x, t_x, T)), rel=1e-10)


def test_p_alive_and_value():
    p = bgnbd.BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    alive = bgnbd.p_alive(p, [0, 2, 2], [0.0, 30.0, 5.0], [38.0, 38.0, 38.0])
    assert alive[0] == 1.0
    expected = 1 / (1 + 0.793 / (2.426 + 1) * ((4.414 + 38) / (4.414 + 30)) ** 2.243)
    assert alive[1] == pytest.approx(expected)
    assert alive[2] < alive[1]  # a long silence makes a drop-out likelier
    gg = bgnbd.GammaGammaParams(6.25, 3.74, 15.44)
    args = ([2, 0], [30.0, 0.0], [38.0, 20.0], [22.0, 0.0])
    plain = bgnbd.customer_value(p, gg, 52, *args)
    assert plain == pytest.approx(bgnbd.expected_purchases(p, 52, *args[:3]) * bgnbd.expected_average_spend(
        gg, args[0], args[3]))
    discounted = bgnbd.customer_value(p, gg, 52, *args, discount_rate=0.01)
    assert np.all(discounted < plain) and np.all(discounted > plain / 1.01**12)


@pytest.fixture
def shop(db, owner):
    """As of 2026-03-29. C1: 01-04 (100 + 50 the same day), 01-18 (200), 02-15 (300) → x 2, t_x 6 weeks,
    T 12 weeks, monetary 250. C2: 02-01 (80) + a cancelled order and a return → x 0, T 8.
    C3: 01-11 (40), 03-22 (60) → x 1, t_x 10, T 11, monetary 60. C4: 03-29 (10) → x 0, T 0.
    C5 only buys after as_of."""
    with db.sessions.begin() as s:
        p = Product(code="P1", name="笔", list_price=0, cost=0)
        custs = {code: Customer(code=code, name=f"客户{code}") for code in ("C1", "C2", "C3", "C4", "C5")}
        s.add(p)
        s.add_all(custs.values())
        s.flush()
        orders = [
            ("C1", D(2026, 1, 4), "100", "sale", "completed"), ("C1", D(2026, 1, 4), "50", "sale", "completed"),
            ("C1", D(2026, 1, 18), "200", "sale", "completed"), ("C1", D(2026, 2, 15), "300", "sale", "open"),
            ("C2", D(2026, 2, 1), "80", "sale", "completed"), ("C2", D(2026, 3, 1), "500", "sale", "cancelled"),
            ("C2", D(2026, 3, 2), "-30", "return", "completed"),
            ("C3", D(2026, 1, 11), "40", "sale", "completed"), ("C3", D(2026, 3, 22), "60", "sale", "completed"),
            ("C4", D(2026, 3, 29), "10", "sale", "completed"), ("C5", D(2026, 4, 5), "70", "sale", "completed"),
        ]
        for n, (code, day, amount, doc_type, status) in enumerate(orders):
            o = SalesOrder(number=f"SO-{n}", order_date=day, customer_id=custs[code].id, doc_type=doc_type,
                           status=status, total_amount=to_units(amount))
            s.add(o)
            s.flush()
            s.add(SalesLine(order_id=o.id, line_no=1, product_id=p.id, order_date=day, customer_id=custs[code].id,
                            quantity=1, unit_price=to_units(amount), amount=to_units(amount), cost_amount=0))
    return db


def test_lifetime_report(shop, owner):
    with shop.sessions() as s:
        df = lifetime(s, owner, ReportFilters(as_of=D(2026, 3, 29)), {})
    assert list(df.columns) == COLUMNS
    by_code = df.set_index("customer_code")
    assert sorted(by_code.index) == ["C1", "C2", "C3", "C4"]
    summary = by_code[["frequency", "recency_weeks", "age_weeks", "monetary"]].loc[["C1", "C2", "C3", "C4"]]
    assert summary.values.tolist() == [[2, 6.0, 12.0, 250.0], [0, 0.0, 8.0, 0.0], [1, 10.0, 11.0, 60.0],
                                       [0, 0.0, 0.0, 0.0]]
    assert by_code.loc["C1", "customer_name"] == "客户C1"
    assert list(df["expected_value_12m"]) == sorted(df["expected_value_12m"], reverse=True)
    assert df["p_alive"].between(0, 1).all()

    # The same numbers straight from the model functions.
    x, t_x, T, m = (np.array(v, dtype=float) for v in ([2, 0, 1, 0], [6, 0, 10, 0], [12, 8, 11, 0], [250, 0, 60, 0]))
    params = bgnbd.fit_bgnbd(x, t_x, T)
    gg = bgnbd.fit_gamma_gamma(x, m)
    purchases = bgnbd.expected_purchases(params, HORIZON_WEEKS, x, t_x, T)
    # Customers without a repeat purchase: their first purchase (C2 80, C4 10) as one observation.
    spend = bgnbd.expected_average_spend(gg, np.array([2, 1, 1, 1]), np.array([250, 80, 60, 10]))
    got = by_code.loc[["C1", "C2", "C3", "C4"]]
    assert got["expected_purchases_12m"].tolist() == pytest.approx(purchases, abs=0.0005)
    assert got["p_alive"].tolist() == pytest.approx(bgnbd.p_alive(params, x, t_x, T), abs=0.00005)
    assert got["expected_avg_spend"].tolist() == pytest.approx(spend, abs=0.005)
    assert got["expected_value_12m"].tolist() == pytest.approx(purchases * spend, abs=0.005)
    assert df.attrs["model"]["r"] == pytest.approx(params.r)
    with shop.sessions() as s:
        discounted = lifetime(s, owner, ReportFilters(as_of=D(2026, 3, 29)), {"discount": 0.01})
    assert (discounted["expected_value_12m"].sum() < df["expected_value_12m"].sum())
    assert discounted["expected_purchases_12m"].sum() == pytest.approx(df["expected_purchases_12m"].sum())


def test_spend_with_heavy_tails_stays_finite():
    from crmdesk.reports.lifetime import expected_spend

    # Walk-in buyers and dealers together: q < 1, so the population mean does not exist.
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, 400).astype(float)
    m = np.exp(rng.normal(4, 1.8, 400))
    x[:100] = 0
    first = m.copy()
    m[:100] = 0
    spend, params = expected_spend(x, m, first, fallback=99.0)
    assert params["q"] < 1  # the case this guards against
    assert np.isfinite(spend).all() and (spend > 0).all()
    assert spend[0] != spend[1]  # each new customer judged by their own first purchase


def test_lifetime_needs_some_customers(shop, owner):
    with shop.sessions() as s, pytest.raises(ReportError):
        lifetime(s, owner, ReportFilters(as_of=D(2026, 1, 10)), {})  # only C1 so far
    with shop.sessions() as s:
        df = lifetime(s, owner, ReportFilters(as_of=D(2025, 1, 1)), {})
    assert df.empty and list(df.columns) == COLUMNS


def test_lifetime_chart(shop, owner):
    from crmdesk.charts.part2_charts import lifetime_chart

    with shop.sessions() as s:
        df = lifetime(s, owner, ReportFilters(as_of=D(2026, 3, 29)), {"limit": 2})
    assert len(df) == 2
    fig = lifetime_chart(df, {})
    assert sorted(p.get_width() for p in fig.axes[0].patches) == pytest.approx(sorted(df["expected_value_12m"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(0, 120), st.integers(1, 500)), min_size=1, max_size=40))
def test_summary_properties(purchases):
    """frequency = purchase days − 1; 0 ≤ recency ≤ T; monetary = mean of the repeat days' totals."""
    customers = [c for c, _d, _a in purchases]
    dates = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for _c, d, _a in purchases]
    amounts = [float(a) for _c, _d, a in purchases]
    end = dt.date(2026, 5, 1)
    s = bgnbd.summarize(customers, dates, amounts, end)
    for cust, row in s.iterrows():
        days = {}
        for c, day, a in zip(customers, dates, amounts, strict=True):
            if c == cust:
                days[day] = days.get(day, 0.0) + a
        ordered = sorted(days)
        assert row["frequency"] == len(ordered) - 1
        assert row["recency"] == pytest.approx((ordered[-1] - ordered[0]).days / 7)
        assert row["T"] == pytest.approx((end - ordered[0]).days / 7)
        repeat = [days[d] for d in ordered[1:]]
        assert row["monetary"] == pytest.approx(sum(repeat) / len(repeat) if repeat else 0.0)
        assert 0 <= row["recency"] <= row["T"]


def test_expected_purchases_matches_the_untransformed_formula():
    """eq. 10 as printed (hypergeometric with r+x, b+x) against the Euler-transformed form used."""
    from scipy.special import hyp2f1

    p = bgnbd.BGNBDParams(r=0.63, alpha=7.35, a=0.18, b=6.17)
    x, t_x, T, t = np.array([0, 2, 42, 300]), np.array([0, 30.4, 150, 154]), np.array([10, 38.9, 155, 156]), 52.18
    z = t / (p.alpha + T + t)
    printed = ((p.a + p.b + x - 1) / (p.a - 1)
               * (1 - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x) * hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z))
               * bgnbd.p_alive(p, x, t_x, T))
    assert bgnbd.expected_purchases(p, t, x, t_x, T) == pytest.approx(printed, rel=1e-9)
    assert np.isfinite(bgnbd.expected_purchases(p, t, [2000], [155.0], [156.0])).all()
