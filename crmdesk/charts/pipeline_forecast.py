"""The Pipeline page's small chart: the weighted forecast per month of expected close (open
opportunities; those without a date in their own bar at the end)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from crmdesk.charts.fonts import configure_matplotlib
from crmdesk.i18n import _, current_language
from crmdesk.money import MONEY_SCALE

BLUE, GREY = "#2e86c1", "#95a5a6"


def month_label(month: str | None) -> str:
    if month is None:
        return _("no date")
    year, mon = month.split("-")
    return _("{year}-{month}").format(year=year[2:], month=int(mon))


def axis_label(yuan: float) -> str:
    """Yuan on the axis; ten thousands ("万") once the figures get that large."""
    if abs(yuan) >= 10_000:
        # Chinese readers count in 万 (10,000), English ones in thousands.
        return f"{yuan / 10_000:g}万" if current_language() == "zh_CN" else f"{yuan / 1_000:g}k"
    return f"{yuan:,.0f}"


def forecast_figure(forecast: Sequence, size: tuple[float, float] = (4.4, 1.5)) -> Figure:
    """``forecast``: items with ``month`` (None: no date) and ``weighted`` (money units)."""
    configure_matplotlib()
    # Fixed margins, not a layout engine: the chart is redrawn with every board refresh.
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.11, right=0.99, top=0.95, bottom=0.16)
    ax = fig.add_subplot()
    # No axes title (the page labels the chart): laying out a title costs a third of the draw.
    if not forecast:
        ax.text(0.5, 0.5, _("No data"), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    labels = [month_label(f.month) for f in forecast]
    values = [f.weighted / MONEY_SCALE for f in forecast]
    colors = [GREY if f.month is None else BLUE for f in forecast]
    bars = ax.bar(range(len(values)), values, color=colors)
    for bar, f in zip(bars, forecast, strict=True):
        bar.set_gid(f.month or "none")
    ax.set_xticks(range(len(values)), labels, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: axis_label(v)))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig
