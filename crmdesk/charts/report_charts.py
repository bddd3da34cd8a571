"""One chart per analysis report: matplotlib Figures built without pyplot
(the GUI wraps them in a canvas, the CLI saves them as PNG).

Every function takes the report's DataFrame (and options) and returns a
Figure; an empty frame gives a Figure saying "No data".
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from crmdesk.charts.figure import new_figure, no_data
from crmdesk.i18n import _

TOP_N = 15


def _money_axis(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def tick_decimals(locations) -> int:
    """Decimals that tell the ticks apart: a step of 0.25 needs 2, a step of 5 none."""
    locs = sorted(float(v) for v in locations)
    steps = [b - a for a, b in zip(locs, locs[1:], strict=False) if b - a > 1e-12]
    if not steps:
        return 0
    step = min(steps)
    decimals = 0
    while decimals < 4 and abs(round(step, decimals) - step) > step * 1e-6:
        decimals += 1
    return decimals


def _value_axis(ax, axis: str = "y", integer: bool = False) -> None:
    """Ticks a reader can tell apart: whole numbers for counts (``integer``), else as many
    decimals as the tick step needs ("0.0 0.5 1.0", never "0 0 1 1")."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    if integer:
        target.set_major_locator(MaxNLocator(integer=True))
        target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        return
    target.set_major_formatter(FuncFormatter(
        lambda v, _pos: f"{v:,.{tick_decimals(target.get_majorticklocs())}f}"))


def bar_chart(labels: pd.Series, values: pd.Series, title: str, xlabel: str = "", *, money: bool = True,
              integer: bool = False) -> Figure:
    """Horizontal bars, largest on top (the top ``TOP_N`` rows as given). ``money`` axes read in
    whole yuan; others get ticks by ``_value_axis`` (``integer`` for counts)."""
    fig, ax = new_figure(title)
    if len(values) == 0:
        return no_data(fig, ax)
    labels = labels.head(TOP_N).astype(str).iloc[::-1]
    values = values.head(TOP_N).astype(float).iloc[::-1]
    ax.barh(labels, values, color=["#c0392b" if v < 0 else "#2e86c1" for v in values])
    ax.set_xlabel(xlabel)
    if money:
        _money_axis(ax, "x")
    else:
        _value_axis(ax, "x", integer=integer)
    return fig


def margin_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    by = options.get("by") or "category"
    if by == "month":
        return monthly_chart(df, _("Revenue and gross profit by month"))
    label = df[f"{by}_name"] if f"{by}_name" in df else df.get(by, pd.Series(dtype=str))
    return bar_chart(label.fillna(""), df.get("gross_profit", pd.Series(dtype=float)),
                     _("Gross profit by {dimension}").format(dimension=_(by)), _("yuan"))


def monthly_chart(df: pd.DataFrame, title: str) -> Figure:
    fig, ax = new_figure(title)
    if df.empty:
        return no_data(fig, ax)
    x = df["month"].astype(str)
    ax.plot(x, df["revenue"], marker="o", label=_("Revenue"))
    if "gross_profit" in df:  # dropped for counter staff (reports.access)
        ax.plot(x, df["gross_profit"], marker="o", label=_("Gross profit"))
    ax.legend()
    _money_axis(ax)
    ax.tick_params(axis="x", labelrotation=45)
    return fig


def trends_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    fig = monthly_chart(df, _("Monthly trends"))
    if not df.empty:
        ax = fig.axes[0]
        x = df["month"].astype(str)
        ax.plot(x, df["receivable_balance"], linestyle="--", label=_("Receivables"))
        if "stock_value" in df:  # dropped for counter staff (reports.access)
            ax.plot(x, df["stock_value"], linestyle=":", label=_("Stock value"))
        ax.legend()
    return fig


def _short(text: str, limit: int = 8) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pareto_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    """Gross profit bars of the top customers with the cumulative share line."""
    fig, ax = new_figure(_("Key customers: gross profit Pareto"))
    if df.empty:
        return no_data(fig, ax)
    top = df.head(options.get("top") or 20)
    names = top["customer_name"].fillna(top["customer_code"]).astype(str)
    positions = range(len(top))
    bars = ax.bar(positions, top["gross_profit"], color="#2e86c1")
    # Long company names are shortened on the axis; the bar's gid keeps the customer code
    # so a click drills to the right customer whatever the label shows.
    for bar, code in zip(bars, top["customer_code"].astype(str), strict=True):
        bar.set_gid(code)
    ax.set_xticks(list(positions), [_short(n) for n in names], rotation=45, ha="right", fontsize=8)
    _money_axis(ax)
    ax2 = ax.twinx()
    ax2.plot(list(positions), top["cumulative_share_pct"], color="#e67e22", marker="o")
    ax2.yaxis.set_major_formatter(PercentFormatter(100))
    ax2.set_ylim(0, 105)
    return fig


def rfm_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    if "customers" in df.columns:  # the moves view
        counts = df.groupby("segment")["customers"].sum().sort_values(ascending=False)
    else:
        counts = df["segment"].value_counts() if not df.empty else pd.Series(dtype=int)
    return bar_chart(pd.Series([_(s) for s in counts.index]), counts.reset_index(drop=True),
                     _("Customers per RFM segment"), _("number of customers"), money=False, integer=True)


def cover_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    # Days of cover are often below 1 (0.3 days): whole-yuan ticks read "0 0 0 1 1" there.
    return bar_chart(df.get("product_name", pd.Series(dtype=str)), df.get("days_of_cover", pd.Series(dtype=float)),
                     _("Days of cover (restock)"), _("days"), money=False)


def overstock_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    if "stock_value" not in df:  # counter staff see no value at cost: days of cover instead
        return cover_chart(df, options)
    return bar_chart(df.get("product_name", pd.Series(dtype=str)), df.get("stock_value", pd.Series(dtype=float)),
                     _("Overstock: stock value at cost"), _("yuan"))


AGEING_LABELS = {"age_0_30": "0–30", "age_31_60": "31–60", "age_61_90": "61–90", "age_over_90": "> 90"}


def ageing_chart(totals: dict[str, float]) -> Figure:
    fig, ax = new_figure(_("Receivables by age (days)"))
    if not totals or not any(totals.values()):
        return no_data(fig, ax)
    ax.bar([AGEING_LABELS.get(k, k) for k in totals], list(totals.values()),
           color=["#27ae60", "#f1c40f", "#e67e22", "#c0392b"])
    _money_axis(ax)
    return fig


def receivables_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    if (options.get("view") or "ageing") == "collection":
        fig, ax = new_figure(_("Collection"))
        if df.empty:
            return no_data(fig, ax)
        x = df["month"].astype(str)
        ax.plot(x, df["billed"], marker="o", label=_("Billed"))
        ax.plot(x, df["collected"], marker="o", label=_("Collected"))
        ax.plot(x, df["balance"], linestyle="--", label=_("Balance"))
        ax.legend()
        _money_axis(ax)
        ax.tick_params(axis="x", labelrotation=45)
        return fig
    return ageing_chart({k: float(df[k].sum()) for k in AGEING_LABELS if k in df})


def default_chart(df: pd.DataFrame, money_columns: tuple[str, ...] = ()) -> Figure:
    """Bars of the first money (else numeric) column against the first text column."""
    numeric = [c for c in money_columns if c in df] or list(df.select_dtypes("number").columns)
    text = [c for c in df.columns if c not in numeric and df[c].dtype == object]
    if df.empty or not numeric:
        fig, ax = new_figure("")
        return no_data(fig, ax)
    labels = df[text[0]] if text else pd.Series(range(1, len(df) + 1))
    return bar_chart(labels, df[numeric[0]], numeric[0])
