"""The customer profitability ("whale") curve: customers sorted by profit, most profitable
first, with the cumulative profit as a percentage of the total profit (Kaplan & Cooper).

The curve rises above 100 % while profitable customers are added and falls back as the
loss-making ones are; ``peak_pct`` (in ``df.attrs`` and the summary) is its highest point. The
total is the customers' profit (the ``(overhead)`` row of ``profit`` is not a customer and is
left out). ``--losers`` lists only the customers that lose money (the dashboard's drill-down).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_, _
from crmdesk.reports.common import empty, pct, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.profit import finish, profit_units
from crmdesk.reports.profit_allocation import NO_SALES, OVERHEAD
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.actor import Actor

COLUMNS = ["rank", "customer", "customer_name", "profit", "cum_profit", "cum_profit_pct", "cum_customers_pct"]


def curve_units(session: Session, actor: Actor, f: ReportFilters, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customers by profit desc (then code): customer_id… with profit_u, cum_u; attrs peak_pct.
    ``units``: ``profit_units(…, "customer")`` already computed for ``f`` (the dashboard's)."""
    df = profit_units(session, actor, f, "customer") if units is None else units
    df = df[~df["customer"].isin([OVERHEAD, NO_SALES])]
    if df.empty:
        return df
    df = finish(df).sort_values(["profit_u", "customer"], ascending=[False, True], kind="stable")
    return df.reset_index(drop=True)


def profit_curve(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any],
                 units: pd.DataFrame | None = None) -> pd.DataFrame:
    df = curve_units(session, actor, f, units)
    if df.empty:
        return empty(COLUMNS)
    total = int(df["profit_u"].sum())
    cum = df["profit_u"].cumsum()
    df["rank"] = np.arange(1, len(df) + 1)
    df["cum_profit"] = yuan(cum)
    df["cum_profit_pct"] = pct(cum, total) if total else np.nan
    df["cum_customers_pct"] = pct(df["rank"], len(df))
    peak = float(df["cum_profit_pct"].max()) if total else float("nan")
    customers, losers = len(df), int((df["profit_u"] < 0).sum())
    if options.get("losers"):
        df = df[df["profit_u"] < 0]
    out = df[COLUMNS].reset_index(drop=True)
    out.attrs.update(peak_pct=peak, total_profit=yuan(total), customers=customers, losers=losers)
    return out


def _summary(df: pd.DataFrame) -> str:
    if "peak_pct" not in df.attrs:
        return ""
    return _("Peak {peak:.1f} % of the total profit {total:,.2f}; {losers} customers lose money").format(
        peak=df.attrs["peak_pct"], total=df.attrs["total_profit"], losers=df.attrs["losers"])


def _chart(df: pd.DataFrame, options: dict[str, Any]):
    from crmdesk.charts.profit_charts import whale_chart

    return whale_chart(df, options)


SPECS = [
    ReportSpec(
        name="profit-curve",
        title=N_("Customer profitability curve"),
        fn=profit_curve,
        description=N_("Customers ranked by profit with the cumulative profit as % of the total (the whale "
                       "curve), its peak, and the customers that lose money."),
        options=(ReportOption("losers", N_("only the customers that lose money"), flag=True),),
        chart=_chart,
        money_columns=("profit", "cum_profit"),
        pct_columns=("cum_profit_pct", "cum_customers_pct"),
        needs_cost=True,
        cost_columns=("profit", "cum_profit", "cum_profit_pct"),
        summary=_summary,
    ),
]
