"""BG/NBD purchase model and Gamma-Gamma spend model: pure numpy (special functions and the
minimiser in ``reports.special_functions``), no DB, no Qt.

References
    Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
    the Pareto/NBD Model", Marketing Science 24(2) — BG/NBD likelihood (eq. 6),
    conditional expectation (eq. 10) and P(alive).
    Fader, Hardie & Lee (2005b), "RFM and CLV: Using Iso-Value Curves for Customer Base
    Analysis", JMR 42(4), and Fader & Hardie's note "The Gamma-Gamma Model of Monetary
    Value" (2013) — spend model and conditional expected average spend.

Summary data (``summarize``), in the units of ``time_unit_days`` (7 → weeks):
    * purchases on the same calendar day count as one transaction (amounts summed);
    * ``frequency`` x = number of transaction days after the first one (repeat purchases);
    * ``recency`` t_x = time from the first to the last transaction (0 when x = 0);
    * ``T`` = time from the first transaction to the end of the calibration period, where
      ``end`` is the period's last day (CDNOW: end = 1997-09-30, so a customer who first
      bought on 1997-01-01 has T = 272 / 7 = 38.86 weeks, as in the paper's data set);
    * ``monetary`` = mean amount of the repeat transactions (the first purchase is left out,
      as the Gamma-Gamma model asks); 0 when x = 0;
    * ``first_amount`` = the first transaction's amount (not used by the models; the
      lifetime report uses it for customers without repeat purchases).
On the CDNOW 1/10th sample (2,357 customers, calibration 1997-01-01 … 1997-09-30) this gives
r = 0.243, α = 4.414, a = 0.793, b = 2.426 (the paper's values) and Gamma-Gamma
p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat buyers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmdesk.reports.special_functions import digamma, gammaln, hyp2f1, minimize_box


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float

    @property
    def population_mean_spend(self) -> float:
        """E(M) = pγ / (q − 1); infinite when q ≤ 1."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


def _day_numbers(dates) -> np.ndarray:
    """Dates (ISO text, ``date``, datetime64 …) → int64 days since 1970; parsed once per
    distinct value, as a shop has a few thousand order dates over a million rows."""
    codes, uniques = pd.factorize(pd.Series(dates), use_na_sentinel=False)
    parsed = pd.to_datetime(pd.Series(uniques).astype(str).str[:10], format="%Y-%m-%d")
    days = parsed.to_numpy(dtype="datetime64[D]").astype("int64")
    return days[codes]


def summarize(customers, dates, amounts, end, time_unit_days: float = 7.0) -> pd.DataFrame:
    """Transactions → one row per customer: frequency, recency, T, monetary, first_amount
    (index = customer, sorted). ``dates`` are ISO text or dates; rows after ``end`` are ignored.

    Vectorised: one sort of the (customer, day) keys, then segment sums.
    """
    cust_codes, cust_ids = pd.factorize(pd.Series(customers), sort=True)
    day = _day_numbers(dates)
    amount = np.asarray(amounts, dtype=float)
    end_day = int(np.datetime64(pd.Timestamp(end).date(), "D").astype("int64"))
    keep = day <= end_day
    cust_codes, day, amount = cust_codes[keep], day[keep], amount[keep]
    if len(day) == 0:
        return pd.DataFrame(columns=["frequency", "recency", "T", "monetary", "first_amount"], dtype=float)
    # One key per customer and day: same-day purchases become one transaction.
    base = int(day.min())
    span = int(day.max()) - base + 1
    keys, inverse = np.unique(cust_codes.astype("int64") * span + (day - base), return_inverse=True)
    day_amount = np.bincount(inverse, weights=amount, minlength=len(keys))
    key_cust, key_day = keys // span, keys % span + base
    starts = np.flatnonzero(np.r_[True, key_cust[1:] != key_cust[:-1]])
    ends = np.r_[starts[1:], len(keys)] - 1
    count = (ends - starts + 1).astype(float)
    frequency = count - 1
    first_amount = day_amount[starts]
    repeat_total = np.add.reduceat(day_amount, starts) - first_amount
    monetary = np.divide(repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0)
    return pd.DataFrame({
        "frequency": frequency,
        "recency": (key_day[ends] - key_day[starts]).astype(float) / time_unit_days,
        "T": (end_day - key_day[starts]).astype(float) / time_unit_days,
        "monetary": monetary,
        "first_amount": first_amount,
    }, index=pd.Index(np.asarray(cust_ids)[key_cust[starts]], name="customer"))


def _bgnbd_loglik_terms(r, alpha, a, b, x, t_x, T, gradient: bool = False):
    """Per-customer log-likelihood, FHL 2005 eq. (6), in logs for stability; with
    ``gradient`` also its derivatives by (r, α, a, b), one row per customer."""
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    part1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    part2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    log_alive_T = np.log(alpha + T)
    alive = -(r + x) * log_alive_T
    repeat = x > 0
    b_x1 = np.where(repeat, b + x - 1, 1.0)
    log_alpha_tx = np.log(alpha + t_x)
    dropped = np.where(repeat, np.log(a) - np.log(b_x1) - (r + x) * log_alpha_tx, -np.inf)
    tail = np.logaddexp(alive, dropped)
    ll = part1 + part2 + tail
    if not gradient:
        return ll
    w_alive = np.exp(alive - tail)  # the two terms' shares of the bracket; they sum to 1
    w_drop = 1.0 - w_alive
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * log_alive_T - w_drop * log_alpha_tx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_drop / (alpha + t_x))
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
    d_a = psi_ab - psi_abx + w_drop / a
    d_b = psi_ab + digamma(b + x) - digamma(b) - psi_abx - np.where(repeat, w_drop / b_x1, 0.0)
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def bgnbd_log_likelihood(params: BGNBDParams, x, t_x, T) -> float:
    """Total log-likelihood of the data under the BG/NBD model."""
    return float(_bgnbd_loglik_terms(params.r, params.alpha, params.a, params.b,
                                     np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)).sum())


def _collapse(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Identical rows share one likelihood evaluation: (unique columns, weights)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


def _minimise(objective, start: np.ndarray, bound: float):
    """Quasi-Newton with the analytic gradient, log parameters boxed to ±``bound``."""
    return minimize_box(objective, start, bound=bound)


def fit_bgnbd(x, t_x, T, penalizer: float = 0.0) -> BGNBDParams:
    """Maximum likelihood (L-BFGS-B on log parameters).

    Starts at r = a = b = 1 and α = mean T, which puts α on the data's time scale so the
    same start works for days or weeks. ``penalizer`` adds an L2 penalty on the parameters
    (0 = plain MLE) for tiny data sets where the MLE runs off to infinity.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) == 0:
        raise ValueError("no customers to fit")
    (ux, ut, uT), w = _collapse(x, t_x, T)
    n = w.sum()

    def objective(logp: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(logp)
        ll, grad = _bgnbd_loglik_terms(*theta, ux, ut, uT, gradient=True)
        value = -(w * ll).sum() / n + penalizer * float(np.sum(theta**2))
        # d/d log θ = θ · d/dθ
        jac = -(grad * w).sum(axis=1) / n * theta + 2 * penalizer * theta**2
        return value, jac

    start = np.log([1.0, max(float(T.mean()), 1e-3), 1.0, 1.0])
    result = _minimise(objective, start, bound=12.0)
    r, alpha, a, b = np.exp(result.x)
    return BGNBDParams(float(r), float(alpha), float(a), float(b))


def p_alive(params: BGNBDParams, x, t_x, T) -> np.ndarray:
    """P(still active | x, t_x, T); 1 for customers with no repeat purchase (the BG/NBD
    assumption: drop-out can only happen right after a purchase)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    log_ratio = (np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0))
                 + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    # A frequent buyer long silent has odds beyond float range: P(alive) is then 0, not a warning.
    with np.errstate(over="ignore"):
        odds = np.where(x > 0, np.exp(log_ratio), 0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(params: BGNBDParams, t: float, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (FHL 2005 eq. 10).

    The term ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z) is evaluated after Euler's
    transformation as (1−z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z), z = t/(α+T+t): the same
    value, but neither factor explodes for customers with hundreds of purchases.
    """
    r, alpha, b = params.r, params.alpha, params.b
    a = params.a if abs(params.a - 1.0) > 1e-9 else 1.0 + 1e-9  # eq. 10 divides by a − 1
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    body = 1.0 - (1.0 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    alive = p_alive(params, x, t_x, T)
    # eq. 10's denominator 1 + δ(x>0)·a/(b+x−1)·((α+T)/(α+t_x))^(r+x) is 1 / P(alive).
    return head * body * alive


def unconditional_expected_purchases(params: BGNBDParams, t) -> np.ndarray:
    """E[X(t)] for a new customer (FHL 2005 eq. 9): used to check the fit over time."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def _gg_loglik_terms(p, q, gamma, x, m, gradient: bool = False):
    """Per-customer Gamma-Gamma log-likelihood of the mean spend m̄ over x purchases."""
    px = p * x
    log_total = np.log(gamma + x * m)
    ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
          + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_total)
    if not gradient:
        return ll
    psi_pxq = digamma(px + q)
    d_p = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_total)
    d_q = psi_pxq - digamma(q) + np.log(gamma) - log_total
    d_gamma = q / gamma - (px + q) / (gamma + x * m)
    return ll, np.stack([d_p, d_q, d_gamma])


def fit_gamma_gamma(x, monetary, penalizer: float = 0.0) -> GammaGammaParams:
    """Fit (p, q, γ) on repeat buyers only (x > 0 and monetary > 0); others are ignored."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(monetary, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) == 0:
        raise ValueError("no repeat buyers with a positive spend to fit")
    (ux, um), w = _collapse(x, m)
    n = w.sum()

    def objective(logp: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(logp)
        ll, grad = _gg_loglik_terms(*theta, ux, um, gradient=True)
        value = -(w * ll).sum() / n + penalizer * float(np.sum(theta**2))
        return value, -(grad * w).sum(axis=1) / n * theta + 2 * penalizer * theta**2

    # γ on the money scale of the data keeps the start sensible for yuan or dollars.
    start = np.log([1.0, 2.0, max(float(np.median(m)), 1e-6)])
    result = _minimise(objective, start, bound=15.0)
    p, q, gamma = np.exp(result.x)
    return GammaGammaParams(float(p), float(q), float(gamma))


def expected_average_spend(params: GammaGammaParams, x, monetary) -> np.ndarray:
    """E(M | x, m̄) = (q − 1)/(px + q − 1) · pγ/(q − 1) + px/(px + q − 1) · m̄.

    A weighted mean of the population mean and the customer's own mean; customers with
    no repeat purchase get the population mean.
    """
    p, q, gamma = params.p, params.q, params.gamma
    x = np.asarray(x, dtype=float)
    m = np.asarray(monetary, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = p * (gamma + x * m) / (p * x + q - 1)
    return np.where(x > 0, own, params.population_mean_spend)


def discounted_expected_purchases(params: BGNBDParams, horizon: float, x, t_x, T,
                                  discount_rate: float = 0.0, steps: int = 12) -> np.ndarray:
    """Expected purchases over ``horizon``, each period's discounted to today.

    With ``discount_rate`` d > 0 per ``horizon / steps`` period (e.g. a monthly rate with
    horizon = 52 weeks and steps = 12): Σₖ (E[Y(kh)] − E[Y((k−1)h)]) / (1 + d)^k.
    With d = 0 it is E[Y(horizon)].
    """
    if discount_rate <= 0:
        return expected_purchases(params, horizon, x, t_x, T)
    step = horizon / steps
    total = np.zeros(np.shape(np.asarray(x, dtype=float)))
    previous = np.zeros_like(total)
    for k in range(1, steps + 1):
        cumulative = expected_purchases(params, k * step, x, t_x, T)
        total += (cumulative - previous) / (1 + discount_rate) ** k
        previous = cumulative
    return total


def customer_value(bg: BGNBDParams, gg: GammaGammaParams, horizon: float, x, t_x, T, monetary,
                   discount_rate: float = 0.0, steps: int = 12) -> np.ndarray:
    """Expected value over ``horizon`` time units: expected (optionally discounted, see
    ``discounted_expected_purchases``) purchases × Gamma-Gamma expected spend."""
    return (discounted_expected_purchases(bg, horizon, x, t_x, T, discount_rate, steps)
            * expected_average_spend(gg, x, monetary))
