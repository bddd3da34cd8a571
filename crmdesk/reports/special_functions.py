"""The few pieces of numerical analysis the lifetime models (``reports.bgnbd``) need, in numpy:
log-gamma, digamma, the Gauss hypergeometric series ₂F₁ for 0 ≤ z < 1, and a box-bounded
quasi-Newton minimiser for 3–4 parameters.

They replace SciPy (73 MB in the packaged app) for one report. Accuracy against SciPy
(tests/test_special_functions.py): gammaln and digamma to ~1e-14 relative, ₂F₁ to ~1e-13, and
the fitted BG/NBD and Gamma-Gamma parameters to better than 1e-6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_SHIFT = 15.0  # below this, the recurrences move the argument up to where the asymptotic series is exact
_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)
# Stirling's series for log Γ(x): B₂ₖ / (2k (2k − 1) x^(2k−1)), k = 1 … 7.
_LGAMMA_TERMS = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# The asymptotic series of ψ(x): − B₂ₖ / (2k x^(2k)), k = 1 … 7.
_DIGAMMA_TERMS = (-1 / 12, 1 / 120, -1 / 252, 1 / 240, -1 / 132, 691 / 32760, -1 / 12)


def _as_float(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def gammaln(x) -> np.ndarray:
    """log Γ(x) for x > 0 (elementwise)."""
    y = _as_float(x).copy()
    if np.any(y <= 0):
        raise ValueError("gammaln: arguments must be positive")
    below = np.zeros_like(y)  # log of x (x+1) … (x+n−1): Γ(x) = Γ(x+n) / that product
    while True:
        small = y < _SHIFT
        if not small.any():
            break
        below += np.where(small, np.log(y), 0.0)
        y = np.where(small, y + 1.0, y)
    inv, inv2 = 1.0 / y, 1.0 / (y * y)
    series = np.zeros_like(y)
    power = inv
    for coefficient in _LGAMMA_TERMS:
        series += coefficient * power
        power = power * inv2
    return (y - 0.5) * np.log(y) - y + _HALF_LOG_2PI + series - below


def digamma(x) -> np.ndarray:
    """ψ(x) = d/dx log Γ(x) for x > 0 (elementwise)."""
    y = _as_float(x).copy()
    if np.any(y <= 0):
        raise ValueError("digamma: arguments must be positive")
    below = np.zeros_like(y)  # ψ(x) = ψ(x+n) − Σ 1/(x+k)
    while True:
        small = y < _SHIFT
        if not small.any():
            break
        below += np.where(small, 1.0 / y, 0.0)
        y = np.where(small, y + 1.0, y)
    inv2 = 1.0 / (y * y)
    series = np.zeros_like(y)
    power = inv2
    for coefficient in _DIGAMMA_TERMS:
        series += coefficient * power
        power = power * inv2
    return np.log(y) - 0.5 / y + series - below


def hyp2f1(a, b, c, z, max_terms: int = 1_000_000) -> np.ndarray:
    """The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 and c not 0, −1, −2, …,
    summed as its power series (elementwise, broadcasting). The models call it with z = t/(α+T+t)
    after Euler's transformation, where the terms shrink at least like zᵏ; c may be negative
    (a + b + x − 1 with a fitted a + b below 1 and x = 0: seen on a real shop's purchases)."""
    a, b, c, z = np.broadcast_arrays(_as_float(a), _as_float(b), _as_float(c), _as_float(z))
    if np.any((z < 0) | (z >= 1)) or np.any((c <= 0) & (c == np.round(c))):
        raise ValueError("hyp2f1: needs 0 <= z < 1 and c not a non-positive integer")
    shape = a.shape
    a, b, c, z = (np.ravel(v) for v in (a, b, c, z))
    total = np.ones(a.shape)
    term = np.ones(a.shape)
    active = np.ones(a.shape, dtype=bool)
    for k in range(max_terms):
        if not active.any():
            return total.reshape(shape)
        idx = np.nonzero(active)
        term[idx] *= (a[idx] + k) * (b[idx] + k) / ((c[idx] + k) * (k + 1)) * z[idx]
        total[idx] += term[idx]
        # Stop once a term no longer moves the sum; past k > |a|+|b|+|c| the terms only shrink.
        settled = (np.abs(term[idx]) <= 1e-17 * np.abs(total[idx])) & (
            k > np.abs(a[idx]) + np.abs(b[idx]) + np.abs(c[idx]))
        active[tuple(i[settled] for i in idx)] = False
    raise ArithmeticError("hyp2f1: the series did not converge")


@dataclass(frozen=True)
class Minimum:
    x: np.ndarray
    fun: float
    iterations: int


def minimize_box(objective, start, bound: float, gtol: float = 1e-10, max_iter: int = 2000) -> Minimum:
    """Minimise ``objective(x) -> (value, gradient)`` over the box −bound ≤ xᵢ ≤ bound: BFGS
    with a backtracking line search, projected onto the box (a coordinate held at a bound while
    its gradient pushes outward stays there). Stops when the projected gradient is below
    ``gtol`` or no step lowers the value any more (the optimum to machine precision)."""
    lo, hi = -bound, bound
    x = np.clip(_as_float(start), lo, hi)
    f, g = objective(x)
    n = len(x)
    inverse_hessian = np.eye(n)
    iteration = 0
    for iteration in range(1, max_iter + 1):
        pinned = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
        projected = np.where(pinned, 0.0, g)
        if np.max(np.abs(projected)) < gtol:
            break
        direction = -inverse_hessian @ projected
        direction[pinned] = 0.0
        if direction @ projected >= 0:  # not downhill: start the curvature estimate again
            inverse_hessian = np.eye(n)
            direction = -projected
        step, moved = 1.0, False
        for _ in range(60):
            candidate = np.clip(x + step * direction, lo, hi)
            f_new, g_new = objective(candidate)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * (g @ (candidate - x)):
                moved = True
                break
            step *= 0.5
        if not moved or f_new >= f:
            break
        s, y = candidate - x, g_new - g
        sy = s @ y
        if sy > 1e-300:
            rho = 1.0 / sy
            left = np.eye(n) - rho * np.outer(s, y)
            inverse_hessian = left @ inverse_hessian @ left.T + rho * np.outer(s, s)
        x, f, g = candidate, f_new, g_new
    return Minimum(x=x, fun=float(f), iterations=iteration)
