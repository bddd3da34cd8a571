"""The lifetime models' numpy special functions and minimiser (crmdesk/reports/special_functions.py)
against SciPy, which the app no longer ships but the tests keep as the reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special
from scipy.optimize import minimize

from crmdesk.reports import bgnbd
from crmdesk.reports import special_functions as sf


@pytest.mark.parametrize("name", ["gammaln", "digamma"])
def test_gamma_functions_match_scipy(name):
    x = np.concatenate([np.logspace(-9, 7, 3000), np.linspace(0.01, 60, 3000)])
    ours, reference = getattr(sf, name)(x), getattr(special, name)(x)
    assert np.max(np.abs(ours - reference) / np.maximum(np.abs(reference), 1.0)) < 1e-13


def test_gammaln_matches_the_standard_library_at_integers_and_halves():
    x = np.arange(1, 400) / 2
    assert sf.gammaln(x) == pytest.approx([math.lgamma(v) for v in x], rel=1e-14, abs=1e-13)


def test_hyp2f1_matches_scipy_and_closed_forms():
    rng = np.random.default_rng(7)
    a, b = rng.uniform(-3, 6, 2000), rng.uniform(0, 6, 2000)
    c, z = rng.uniform(0.1, 300, 2000), rng.uniform(0, 0.97, 2000)
    ours, reference = sf.hyp2f1(a, b, c, z), special.hyp2f1(a, b, c, z)
    assert np.max(np.abs(ours - reference) / np.abs(reference)) < 1e-12
    z = np.linspace(0.01, 0.99, 50)
    assert sf.hyp2f1(1, 1, 2, z) == pytest.approx(-np.log1p(-z) / z, rel=1e-12)  # 2F1(1,1;2;z) = −ln(1−z)/z
    assert sf.hyp2f1(2.5, 0.7, 0.7, z) == pytest.approx((1 - z) ** -2.5, rel=1e-12)  # 2F1(a,b;b;z) = (1−z)^−a


def test_hyp2f1_with_a_negative_c_as_a_real_fit_gives_it():
    """lifetime on a demo shop called it with c = a + b + x − 1 = −0.77 (x = 0, a + b < 1)."""
    rng = np.random.default_rng(11)
    a, b = rng.uniform(-1, 3, 500), rng.uniform(-1, 2, 500)
    c = rng.uniform(-0.95, -0.05, 500) - rng.integers(0, 3, 500)
    z = rng.uniform(0, 0.7, 500)
    ours, reference = sf.hyp2f1(a, b, c, z), special.hyp2f1(a, b, c, z)
    assert np.max(np.abs(ours - reference) / np.maximum(np.abs(reference), 1e-300)) < 1e-9


def test_special_functions_refuse_what_they_do_not_cover():
    with pytest.raises(ValueError):
        sf.gammaln([1.0, 0.0])
    with pytest.raises(ValueError):
        sf.hyp2f1(1, 1, 2, 1.0)


def test_minimiser_stops_at_a_bound_and_finds_an_interior_minimum():
    def bowl(x):  # minimum at (3, −20): the second coordinate ends on the bound −12
        return (x[0] - 3) ** 2 + (x[1] + 20) ** 2, np.array([2 * (x[0] - 3), 2 * (x[1] + 20)])

    found = sf.minimize_box(bowl, np.array([0.0, 0.0]), bound=12.0)
    assert found.x == pytest.approx([3.0, -12.0], abs=1e-9)

    def rosenbrock(x):
        value = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        return value, np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])

    assert sf.minimize_box(rosenbrock, np.array([-1.2, 1.0]), bound=5.0).x == pytest.approx([1.0, 1.0], abs=1e-7)


def _scipy_fit(objective, start, bound):
    return minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(-bound, bound)] * len(start),
                    options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})


def test_fits_match_scipys_l_bfgs_b_on_the_cdnow_sample(shared_data, monkeypatch):
    raw = pd.read_csv(shared_data / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["customer", "full_id", "date", "quantity", "amount"], dtype={"date": str})
    s = bgnbd.summarize(raw["customer"], pd.to_datetime(raw["date"], format="%Y%m%d"), raw["amount"], "1997-09-30")

    def fits():
        bg = bgnbd.fit_bgnbd(s["frequency"], s["recency"], s["T"])
        gg = bgnbd.fit_gamma_gamma(s["frequency"], s["monetary"])
        return np.array([bg.r, bg.alpha, bg.a, bg.b, gg.p, gg.q, gg.gamma])

    ours = fits()
    monkeypatch.setattr(bgnbd, "_minimise", _scipy_fit)
    reference = fits()
    assert np.max(np.abs(ours - reference) / reference) < 1e-6
