"""A small monthly revenue bar chart: the screenshots' sample chart and the
check that Chinese renders in charts. Qt-free, no pyplot."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from crmdesk.charts.fonts import configure_matplotlib
from crmdesk.i18n import _


def sample_monthly_revenue(end: dt.date = dt.date(2026, 6, 30), months: int = 12) -> pd.DataFrame:
    """Deterministic demo figures: columns ``month`` (YYYY-MM) and ``revenue_yuan``."""
    periods = pd.period_range(end=pd.Period(end, freq="M"), periods=months, freq="M")
    # A shop's year: slow after the Spring Festival, busy before the school terms.
    shape = [0.62, 0.55, 0.9, 0.95, 0.88, 0.92, 1.05, 1.3, 1.45, 1.0, 0.97, 1.2]
    revenue = [round(180_000 * shape[p.month - 1], 2) for p in periods]
    return pd.DataFrame({"month": [str(p) for p in periods], "revenue_yuan": revenue})


def monthly_revenue_figure(data: pd.DataFrame, title: str | None = None) -> Figure:
    """Bars of ``revenue_yuan`` per ``month``; each bar's gid is its month (for drill-down)."""
    configure_matplotlib()
    fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    months = [str(m) for m in data["month"]]
    values = [float(v) for v in data["revenue_yuan"]]
    bars = ax.bar(range(len(months)), values, color="#3b7dd8", label=_("Revenue"))
    for bar, month in zip(bars, months, strict=True):
        bar.set_gid(month)
    ax.set_xticks(range(len(months)), [_month_label(m) for m in months], rotation=0)
    ax.set_title(title or _("Monthly revenue"))
    ax.set_xlabel(_("Month"))
    ax.set_ylabel(_("Revenue (10,000 yuan)"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: ten_thousands(v)))
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def ten_thousands(yuan: float) -> str:
    """Yuan as 万 (10,000 yuan), the unit Chinese shops read revenue in: 25 · 2.5 · 0.25."""
    text = f"{yuan / 10_000:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _month_label(month: str) -> str:
    year, _sep, mon = month.partition("-")
    return _("{month}/{year}").format(year=year, month=int(mon)) if mon else month
