"""Customer lifetime value: BG/NBD purchases × Gamma-Gamma spend, per customer.

The model is fitted on this shop's own sales orders each run (see ``bgnbd`` for the
models and how the summary is computed):

* a transaction is a customer's sale orders on one day (returns and cancelled orders are
  left out), its amount the sum of those orders' totals;
* history runs from ``date_from`` (if given, else the first order) to ``as_of`` (default:
  ``date_to``, else the newest order date); the time unit is the week and T runs to ``as_of``;
* the customer filters (type, grade, territory; salesperson = the customer's owner)
  choose whose history is fitted and shown.

Columns: frequency = repeat purchase days; recency_weeks / age_weeks = t_x and T;
monetary = mean repeat-purchase amount (yuan, 0 without repeats); expected_purchases_12m =
purchases expected in the next 12 months (52.18 weeks); p_alive = probability (0–1) the
customer is still buying (BG/NBD lets customers drop out only after a repeat purchase, so
one-time buyers show 1.0 — their low expected purchases tell whether they will be back);
expected_avg_spend = Gamma-Gamma expected spend per purchase (yuan); expected_value_12m =
expected_purchases_12m × expected_avg_spend (yuan), the purchases discounted per month when
``--discount`` (a monthly rate, e.g. 0.01) is given. Sorted by expected value, highest
first. The fitted parameters are in ``DataFrame.attrs["model"]``; ``--params`` prints them as
a table (``model_table``) and the GUI shows them above the table (``model_summary``).

``--horizon-weeks N`` sets the horizon of the expectations (default: 12 months = 52.18
weeks, and the columns keep their names ``expected_purchases_12m``/``expected_value_12m``);
another horizon names them after it: ``expected_purchases_26w``, ``expected_value_26w``.

A customer without repeat purchases gets the Gamma-Gamma estimate from the first purchase
as one observation (see ``expected_spend``). When nobody bought twice the spend model cannot
be fitted; every customer then gets the mean first-purchase amount as expected spend.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, DocType, OrderStatus, SalesOrder
from crmdesk.i18n import N_, _
from crmdesk.money import MONEY_SCALE
from crmdesk.reports import bgnbd
from crmdesk.reports.common import (ReportError, customer_ids_select, effective_branches, empty, frame,
                                    has_customer_filter, resolve_as_of, scoped)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

COLUMNS = ["customer_code", "customer_name", "frequency", "recency_weeks", "age_weeks", "monetary",
           "expected_purchases_12m", "p_alive", "expected_avg_spend", "expected_value_12m"]
WEEK_DAYS = 7.0
HORIZON_WEEKS = 365.25 / 7.0  # 12 months
MIN_CUSTOMERS = 3


def purchase_orders(session: Session, actor: Actor, f: ReportFilters, as_of) -> pd.DataFrame:
    """customer_id, order_date (ISO text or date), amount_u: one row per sale order in the history.

    No GROUP BY in SQL: a plain scan is several times faster on SQLite than grouping through
    the (customer, date) index, and ``bgnbd.summarize`` groups the days anyway. The rows are
    read from the driver's cursor as plain tuples (no Row objects, no date parsing per row):
    for 200,000 orders that is most of the report's time.
    """
    o = SalesOrder.__table__.c
    stmt = (select(o.customer_id, type_coerce(o.order_date, String).label("order_date"),
                   o.total_amount.label("amount_u"))
            .where(o.doc_type == DocType.SALE.value, o.status != OrderStatus.CANCELLED.value,
                   o.order_date <= as_of))
    if f.date_from is not None:
        stmt = stmt.where(o.order_date >= f.date_from)
    if has_customer_filter(f) or f.salesperson_ids or scoped(actor):
        stmt = stmt.where(o.customer_id.in_(customer_ids_select(f, actor, owner_for_salesperson=True)))
    branches = effective_branches(session, actor, f)
    if branches is not None:  # a branch's customers as that branch sees them: its own orders
        stmt = stmt.where(o.branch_id.in_(branches))
    result = session.connection().execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return pd.DataFrame.from_records(rows, columns=["customer_id", "order_date", "amount_u"])


def _names(session: Session) -> pd.DataFrame:
    c = Customer.__table__.c
    return frame(session, select(c.id, c.code, c.name)).set_index("id")


def expected_spend(x: np.ndarray, monetary: np.ndarray, first_amount: np.ndarray,
                   fallback: float) -> tuple[np.ndarray, dict[str, float]]:
    """Gamma-Gamma expected spend per purchase, and the fitted parameters.

    A customer without repeat purchases is given the model's estimate from one observed
    purchase, the first (x = 1, m̄ = first amount), rather than the population mean
    pγ/(q − 1): that mean does not exist when spend is heavy-tailed (q ≤ 1, as when
    dealers and walk-in customers share one shop), and the first order says more about a
    customer than the average does. ``fallback`` (the mean first purchase) is used where the
    model gives no finite answer, or for everyone when it cannot be fitted.
    """
    try:
        gg = bgnbd.fit_gamma_gamma(x, monetary)
    except ValueError:
        return np.full(len(x), fallback), {}
    repeat = x > 0
    spend = bgnbd.expected_average_spend(gg, np.where(repeat, x, 1.0), np.where(repeat, monetary, first_amount))
    spend = np.where(np.isfinite(spend) & (spend >= 0), spend, fallback)
    return spend, {"p": gg.p, "q": gg.q, "gamma": gg.gamma}


def lifetime(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    as_of = resolve_as_of(session, f)
    days = purchase_orders(session, actor, f, as_of)
    if days.empty:
        return empty(COLUMNS)
    summary = bgnbd.summarize(days["customer_id"], days["order_date"],
                              days["amount_u"].astype("float64") / MONEY_SCALE, as_of, WEEK_DAYS)
    if len(summary) < MIN_CUSTOMERS:
        raise ReportError(_("lifetime needs the purchase history of at least 3 customers"))
    x, t_x, T, m = (summary[c].to_numpy() for c in ("frequency", "recency", "T", "monetary"))
    params = bgnbd.fit_bgnbd(x, t_x, T)
    fallback = float(summary["first_amount"].mean())
    spend, gg_attrs = expected_spend(x, m, summary["first_amount"].to_numpy(), fallback)
    discount = float(options.get("discount") or 0.0)
    horizon = horizon_weeks(options)
    purchases = bgnbd.expected_purchases(params, horizon, x, t_x, T)
    if discount > 0:
        # A monthly rate: one discount step per month of the horizon.
        months = max(1, round(horizon / HORIZON_WEEKS * 12))
        value = bgnbd.discounted_expected_purchases(params, horizon, x, t_x, T, discount, months) * spend
    else:
        value = purchases * spend

    custs = _names(session)
    df = pd.DataFrame({
        "customer_code": summary.index.map(custs["code"]),
        "customer_name": summary.index.map(custs["name"]),
        "frequency": x.astype("int64"),
        "recency_weeks": np.round(t_x, 2),
        "age_weeks": np.round(T, 2),
        "monetary": np.round(m, 2),
        "expected_purchases_12m": np.round(purchases, 3),
        "p_alive": np.round(bgnbd.p_alive(params, x, t_x, T), 4),
        "expected_avg_spend": np.round(spend, 2),
        "expected_value_12m": np.round(value, 2),
    })
    df = df.sort_values(["expected_value_12m", "customer_code"], ascending=[False, True], kind="stable")
    limit = options.get("limit")
    if limit:
        df = df.head(int(limit))
    df = df.reset_index(drop=True)
    purchases_col, value_col = horizon_columns(horizon)
    if purchases_col != "expected_purchases_12m":
        df = df.rename(columns={"expected_purchases_12m": purchases_col, "expected_value_12m": value_col})
        df.attrs["money_columns"] = (value_col,)
    df.attrs["model"] = {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b, **gg_attrs,
                         "customers": int(len(summary)), "as_of": as_of.isoformat(),
                         "horizon_weeks": round(horizon, 2)}
    return df


def horizon_weeks(options: dict[str, Any]) -> float:
    weeks = options.get("horizon_weeks")
    if weeks is None:
        return HORIZON_WEEKS
    if not 1 <= float(weeks) <= 520:
        raise ReportError(_("--horizon-weeks must be between 1 and 520"))
    return float(weeks)


def horizon_columns(horizon: float) -> tuple[str, str]:
    """The two expectation columns, named after the horizon (the default keeps ``_12m``)."""
    if abs(horizon - HORIZON_WEEKS) < 1e-9:
        return "expected_purchases_12m", "expected_value_12m"
    tag = f"{horizon:g}w"
    return f"expected_purchases_{tag}", f"expected_value_{tag}"


# (attrs key, name shown, what it means) in the order of the models' papers.
PARAMETERS = (
    ("r", "r", N_("BG/NBD: shape of the purchase rates across customers")),
    ("alpha", "α", N_("BG/NBD: scale of the purchase rates (in weeks)")),
    ("a", "a", N_("BG/NBD: drop-out probability, first shape")),
    ("b", "b", N_("BG/NBD: drop-out probability, second shape")),
    ("p", "p", N_("Gamma-Gamma: shape of a customer's spend per purchase")),
    ("q", "q", N_("Gamma-Gamma: shape of the spend across customers")),
    ("gamma", "γ", N_("Gamma-Gamma: scale of the spend across customers")),
)


def model_table(df: pd.DataFrame) -> pd.DataFrame:
    """The fitted parameters (columns parameter, value, meaning); the spend model's are
    missing when nobody bought twice and it could not be fitted."""
    model = df.attrs.get("model") or {}
    rows = [{"parameter": shown, "value": round(float(model[key]), 6), "meaning": _(meaning)}
            for key, shown, meaning in PARAMETERS if key in model]
    for key, meaning in (("customers", N_("customers in the fitted history")),
                         ("as_of", N_("history up to")), ("horizon_weeks", N_("horizon (weeks)"))):
        if key in model:
            rows.append({"parameter": key, "value": model[key], "meaning": _(meaning)})
    return pd.DataFrame(rows, columns=["parameter", "value", "meaning"])


def model_summary(df: pd.DataFrame) -> str:
    model = df.attrs.get("model") or {}
    if not model:
        return ""
    fitted = "  ".join(f"{shown} = {float(model[key]):.4g}" for key, shown, _m in PARAMETERS if key in model)
    if "p" not in model:
        fitted += "  " + _("(spend model not fitted: nobody bought twice)")
    return _("Fitted on {n} customers up to {date}, horizon {weeks:g} weeks: {params}").format(
        n=model.get("customers", 0), date=model.get("as_of", ""), weeks=model.get("horizon_weeks", 0), params=fitted)


def _params_output(df: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame | None:
    return model_table(df) if options.get("params") else None


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.part2_charts import lifetime_chart

    return lifetime_chart(df, options)


SPECS = [
    ReportSpec(
        name="lifetime",
        title=N_("Customer lifetime value (BG/NBD)"),
        fn=lifetime,
        description=N_("Expected purchases, probability still active and expected value over the next "
                       "12 months per customer, from a BG/NBD and Gamma-Gamma model fitted on the orders."),
        options=(
            ReportOption("limit", N_("show only the top N customers"), type=int),
            ReportOption("discount", N_("monthly discount rate for the expected value, e.g. 0.01"),
                         default=0.0, type=float),
            ReportOption("horizon_weeks", N_("weeks ahead of the expected purchases and value "
                                             "(default: 12 months = 52.18 weeks)"), type=int),
            ReportOption("params", N_("print the fitted model parameters (r, α, a, b; p, q, γ) instead of "
                                      "the customers (with --out the customers still go to the file)"),
                         flag=True, gui=False),
        ),
        chart=_chart,
        money_columns=("monetary", "expected_avg_spend", "expected_value_12m"),
        summary=model_summary,
        alternate_output=_params_output,
    ),
]
