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
customer is still buying; expected_avg_spend = Gamma-Gamma expected spend per purchase;
expected_value_12m = expected_purchases_12m × expected_avg_spend, discounted per month
when ``--discount`` (a monthly rate, e.g. 0.01) is given. Sorted by expected value, highest
first. The fitted parameters are in ``DataFrame.attrs["model"]``.

When nobody bought twice the spend model cannot be fitted; every customer then gets the
mean transaction amount as expected spend.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import DocType, OrderStatus, SalesOrder
from crmdesk.i18n import N_, _
from crmdesk.money import MONEY_SCALE
from crmdesk.reports import bgnbd
from crmdesk.reports.common import ReportError, customer_ids_select, customers_frame, empty, frame, resolve_as_of
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

COLUMNS = ["customer_code", "customer_name", "frequency", "recency_weeks", "age_weeks", "monetary",
           "expected_purchases_12m", "p_alive", "expected_avg_spend", "expected_value_12m"]
WEEK_DAYS = 7.0
HORIZON_WEEKS = 365.25 / 7.0  # 12 months
MIN_CUSTOMERS = 3


def purchase_days(session: Session, actor: Actor, f: ReportFilters, as_of) -> pd.DataFrame:
    """customer_id, order_date, amount_u: one row per customer and purchase day."""
    o = SalesOrder.__table__.c
    stmt = (select(o.customer_id, o.order_date, func.sum(o.total_amount).label("amount_u"))
            .where(o.doc_type == DocType.SALE.value, o.status != OrderStatus.CANCELLED.value,
                   o.order_date <= as_of)
            .group_by(o.customer_id, o.order_date))
    if f.date_from is not None:
        stmt = stmt.where(o.order_date >= f.date_from)
    if f.customer_types or f.grades or f.territory_ids or f.salesperson_ids:
        stmt = stmt.where(o.customer_id.in_(customer_ids_select(f, actor, owner_for_salesperson=True)))
    return frame(session, stmt)


def lifetime(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    require(actor, "reports.view")
    as_of = resolve_as_of(session, f)
    days = purchase_days(session, actor, f, as_of)
    if days.empty:
        return empty(COLUMNS)
    summary = bgnbd.summarize(days["customer_id"], days["order_date"],
                              days["amount_u"].astype("float64") / MONEY_SCALE, as_of, WEEK_DAYS)
    if len(summary) < MIN_CUSTOMERS:
        raise ReportError(_("lifetime needs the purchase history of at least 3 customers"))
    x, t_x, T, m = (summary[c].to_numpy() for c in ("frequency", "recency", "T", "monetary"))
    params = bgnbd.fit_bgnbd(x, t_x, T)
    try:
        gg = bgnbd.fit_gamma_gamma(x, m)
        spend = bgnbd.expected_average_spend(gg, x, m)
        gg_attrs = {"p": gg.p, "q": gg.q, "gamma": gg.gamma}
    except ValueError:
        gg_attrs = {}
        spend = np.full(len(x), float(days["amount_u"].mean()) / MONEY_SCALE)
    purchases = bgnbd.expected_purchases(params, HORIZON_WEEKS, x, t_x, T)
    discount = float(options.get("discount") or 0.0)
    if discount > 0:
        value = bgnbd.customer_value(params, gg, HORIZON_WEEKS, x, t_x, T, m, discount_rate=discount, steps=12) \
            if gg_attrs else purchases * spend
    else:
        value = purchases * spend

    custs = customers_frame(session)
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
    df.attrs["model"] = {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b, **gg_attrs,
                         "customers": int(len(summary)), "as_of": as_of.isoformat()}
    return df


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
        ),
        chart=_chart,
        money_columns=("monetary", "expected_avg_spend", "expected_value_12m"),
    ),
]
