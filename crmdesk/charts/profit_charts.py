"""Charts of the profit reports (issue 15): profit by a dimension and the whale curve."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from crmdesk.charts.figure import new_figure, no_data
from crmdesk.charts.report_charts import bar_chart, monthly_chart
from crmdesk.i18n import _


def profit_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    by = options.get("by") or "customer"
    if by == "month" and "profit" in df:
        return monthly_chart(df.rename(columns={"gross_profit": "gp_", "profit": "gross_profit"}),
                             _("Revenue and profit by month"))
    label = df[f"{by}_name"].where(df[f"{by}_name"].fillna("") != "", df[by]) if f"{by}_name" in df else df.get(
        by, pd.Series(dtype=str))
    return bar_chart(label.fillna(""), df.get("profit", pd.Series(dtype=float)),
                     _("Profit by {dimension}").format(dimension=_(by)), _("yuan"))


def whale_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    """Cumulative profit (% of the total) over the customers ranked by profit: the whale curve.
    The line's gid is "loss" so a click drills to the customers that lose money."""
    fig, ax = new_figure(_("Customer profitability (whale curve)"))
    if df.empty or "cum_profit_pct" not in df:
        return no_data(fig, ax)
    x = [0.0, *df["cum_customers_pct"].astype(float)]
    y = [0.0, *df["cum_profit_pct"].astype(float)]
    (line,) = ax.plot(x, y, color="#2e86c1", linewidth=2)
    line.set_gid("loss")
    peak = int(df["cum_profit_pct"].astype(float).idxmax())
    px, py = float(df["cum_customers_pct"].iloc[peak]), float(df["cum_profit_pct"].iloc[peak])
    ax.axhline(100, color="#7f8c8d", linestyle="--", linewidth=1)
    ax.plot([px], [py], marker="o", color="#c0392b", gid="loss")
    ax.annotate(_("peak {pct:.0f}%").format(pct=py), (px, py), textcoords="offset points", xytext=(6, 6))
    losers = df["profit"].astype(float) < 0
    if losers.any():
        span = ax.axvspan(float(df["cum_customers_pct"][losers].min()) - 100.0 / len(df), 100, color="#f5b7b1",
                          alpha=0.4, label=_("customers that lose money"))
        span.set_gid("loss")
        ax.legend(loc="lower center")
    ax.set_xlabel(_("customers ranked by profit (cumulative %)"))
    ax.set_ylabel(_("cumulative profit (% of total)"))
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_xlim(0, 100)
    return fig
