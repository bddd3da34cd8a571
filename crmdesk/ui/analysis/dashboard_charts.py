"""The dashboard's small charts (matplotlib Figures, no pyplot).

Every bar carries a gid — the month, customer code, brand, ageing bucket or
stock list — so a click on it tells the dashboard what to drill into.
"""

from __future__ import annotations

import math
import unicodedata

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from crmdesk.i18n import _, current_language

REVENUE_COLOUR = "#4C78A8"
PROFIT_COLOUR = "#F58518"
CUMULATIVE_COLOUR = "#E45756"
GOOD = "#54A24B"
WARN = "#E45756"
FIGSIZE = (5.2, 3.0)
TOP_CUSTOMERS = 15
TOP_BRANDS = 12
MIN_LABELLED_SHARE = 3.0  # percent
PARETO_LABEL_CHARS = 6
PARETO_LABEL_ROTATION = 35
PARETO_LABEL_SIZE = 7
NO_BRAND_GID = "__no_brand__"


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=FIGSIZE, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def compact_yuan(value: float) -> str:
    """Axis ticks: Chinese counts in 万 (10,000), English in k."""
    unit, size = ("万", 10_000) if current_language() == "zh_CN" else ("k", 1_000)
    if abs(value) < size:
        return f"{value:,.0f}"
    scaled = value / size
    # 1.5万 between 1万 and 2万; whole numbers once the scale is coarse enough.
    return f"{scaled:,.1f}".rstrip("0").rstrip(".") + unit if abs(scaled) < 10 else f"{scaled:,.0f}{unit}"


def _yuan_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: compact_yuan(v)))


def _empty(fig: Figure, ax) -> Figure:
    ax.text(0.5, 0.5, _("No data for this period"), ha="center", va="center", transform=ax.transAxes, color="gray")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def _shorten(text: str, width: int = 8) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def monthly_chart(df: pd.DataFrame) -> Figure:
    """Columns month, revenue, gross_profit (yuan): bars for revenue, a line for gross profit.
    Without gross_profit (who may not see cost gets none) the bars alone, titled so."""
    # Only a frame with revenue but no gross profit is one without cost (a bare empty frame: no data).
    with_profit = df is None or "gross_profit" in df.columns or "revenue" not in df.columns
    fig, ax = _figure(_("Monthly revenue and gross profit") if with_profit else _("Monthly revenue"))
    if df is None or df.empty:
        return _empty(fig, ax)
    months = [str(m) for m in df["month"]]
    positions = range(len(months))
    bars = ax.bar(positions, df["revenue"].astype(float), color=REVENUE_COLOUR, label=_("Revenue"))
    for bar, month in zip(bars, months, strict=True):
        bar.set_gid(month)
    if with_profit:
        ax.plot(positions, df["gross_profit"].astype(float), color=PROFIT_COLOUR, marker="o", markersize=3,
                label=_("Gross profit"))
    step = max(1, -(-len(months) // 12))
    ax.set_xticks(list(positions)[::step], [m[2:] if len(m) == 7 else m for m in months][::step], fontsize=7,
                  rotation=45, ha="right")
    _yuan_axis(ax.yaxis)
    ax.tick_params(axis="y", labelsize=8)
    if with_profit:
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    return fig


def pareto_chart(df: pd.DataFrame) -> Figure:
    """Columns customer_code, customer_name, gross_profit, cumulative_share_pct: top customers and the 80 % line."""
    fig, ax = _figure(_("Key customers (gross profit Pareto)"))
    if df is None or df.empty:
        return _empty(fig, ax)
    top = df.head(TOP_CUSTOMERS)
    positions = range(len(top))
    bars = ax.bar(positions, top["gross_profit"].astype(float), color=REVENUE_COLOUR)
    for bar, code in zip(bars, top["customer_code"], strict=True):
        bar.set_gid(str(code))
    names = [str(n) for n in (top["customer_name"] if "customer_name" in top else top["customer_code"])]
    label_pareto_bars(ax, names)
    # The canvas resizes the figure to the dashboard's cell: label again for the room there is.
    fig.canvas.mpl_connect("resize_event", lambda _event: label_pareto_bars(ax, names))
    _yuan_axis(ax.yaxis)
    ax.tick_params(axis="y", labelsize=8)
    if "cumulative_share_pct" in top:
        ax2 = ax.twinx()
        ax2.plot(positions, top["cumulative_share_pct"].astype(float), color=CUMULATIVE_COLOUR, marker=".",
                 label=_("Cumulative share"))
        ax2.axhline(80, color=CUMULATIVE_COLOUR, linestyle=":", linewidth=1)
        ax2.set_ylim(0, 105)
        ax2.yaxis.set_major_formatter(PercentFormatter())
        ax2.tick_params(axis="y", labelsize=8)
        ax2.spines[["top"]].set_visible(False)
    return fig


def _label_width_px(text: str, fontsize: float, dpi: float) -> float:
    em = fontsize * dpi / 72
    return sum(em if unicodedata.east_asian_width(ch) in "WF" else em * 0.6 for ch in text)


def label_pareto_bars(ax, names: list[str]) -> list[str]:
    """Name only as many bars as fit without overprinting: the top customer, then every k-th
    (k from the axes' width now); the rest are named on hover. Returns the labels set."""
    fig = ax.figure
    short = [_shorten(n, PARETO_LABEL_CHARS) for n in names]
    slot = max(ax.get_position().width * fig.get_figwidth() * fig.dpi / max(len(names), 1), 1.0)
    angle = math.radians(PARETO_LABEL_ROTATION)
    height = 1.4 * PARETO_LABEL_SIZE * fig.dpi / 72  # the line's height, not just the glyphs'
    # A slanted label takes its width along the axis by cos(angle), plus its height's share; 20 %
    # more because the axes narrow once the labels are laid out (constrained layout).
    widest = max((_label_width_px(t, PARETO_LABEL_SIZE, fig.dpi) for t in short), default=0.0)
    need = 1.2 * (widest * math.cos(angle) + height * math.sin(angle))
    step = max(1, math.ceil(need / slot))
    labels = [text if i % step == 0 else "" for i, text in enumerate(short)]
    ax.set_xticks(list(range(len(names))), labels, rotation=PARETO_LABEL_ROTATION, ha="right",
                  rotation_mode="anchor", fontsize=PARETO_LABEL_SIZE)
    return labels


def brand_margin_chart(df: pd.DataFrame) -> Figure:
    """Columns brand, gross_profit, margin_pct: horizontal bars of gross profit, margin % as the label."""
    fig, ax = _figure(_("Gross profit and margin by brand"))
    if df is None or df.empty:
        return _empty(fig, ax)
    top = df.sort_values("gross_profit", ascending=False).head(TOP_BRANDS).iloc[::-1]
    labels = [str(b) or _("(no brand)") for b in top["brand"]]
    bars = ax.barh(range(len(top)), top["gross_profit"].astype(float), color=PROFIT_COLOUR)
    for bar, brand in zip(bars, top["brand"], strict=True):
        bar.set_gid(str(brand) or NO_BRAND_GID)  # an empty gid would not be reported by the click
    ax.set_yticks(range(len(top)), labels, fontsize=8)
    _yuan_axis(ax.xaxis)
    ax.tick_params(axis="x", labelsize=8)
    if "margin_pct" in top:
        for bar, margin in zip(bars, top["margin_pct"], strict=True):
            if pd.notna(margin):
                ax.annotate(f"{float(margin):.0f}%", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                            xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
    ax.margins(x=0.15)
    return fig


def ageing_chart(df: pd.DataFrame) -> Figure:
    """Columns bucket (key), label (shown), amount (yuan): receivables by age."""
    fig, ax = _figure(_("Receivables ageing"))
    if df is None or df.empty or float(df["amount"].abs().sum()) == 0:
        return _empty(fig, ax)
    colours = ["#54A24B", "#EECA3B", "#F58518", "#E45756", "#B279A2"]
    bars = ax.bar(range(len(df)), df["amount"].astype(float), color=colours[: len(df)])
    for bar, key in zip(bars, df["bucket"], strict=True):
        bar.set_gid(str(key))
    ax.set_xticks(range(len(df)), [str(t) for t in df["label"]], fontsize=8)
    _yuan_axis(ax.yaxis)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def stock_chart(restock: int | None, overstock: int | None) -> Figure:
    """Two bars: products to restock and overstocked products."""
    fig, ax = _figure(_("Stock alerts"))
    if restock is None and overstock is None:
        return _empty(fig, ax)
    values = [int(restock or 0), int(overstock or 0)]
    bars = ax.bar([0, 1], values, color=[WARN, REVENUE_COLOUR], width=0.5)
    bars[0].set_gid("restock")
    bars[1].set_gid("overstock")
    ax.set_xticks([0, 1], [_("To restock"), _("Overstocked")], fontsize=9)
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(f"{value:,}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.set_ylabel(_("Products"), fontsize=8)
    ax.margins(y=0.15)
    return fig


def customer_type_chart(df: pd.DataFrame) -> Figure:
    """Columns customer_type, revenue: each type's share of revenue as a pie; wedge gid = the type."""
    fig, ax = _figure(_("Revenue by customer type"))
    if df is None or df.empty or float(df["revenue"].clip(lower=0).sum()) == 0:
        return _empty(fig, ax)
    data = df[df["revenue"] > 0]
    shares = data["revenue"].astype(float) / float(data["revenue"].sum()) * 100
    # Slivers keep their wedge (and hover) but no label: their text would overprint a neighbour's.
    labels = [(str(t) or _("(no type)")) if share >= MIN_LABELLED_SHARE else ""
              for t, share in zip(data["customer_type"], shares, strict=True)]
    wedges, _texts, _autotexts = ax.pie(data["revenue"].astype(float), labels=labels,
                                        autopct=lambda p: f"{p:.0f}%" if p >= MIN_LABELLED_SHARE else "",
                                        startangle=90, counterclock=False, textprops={"fontsize": 8},
                                        radius=0.85, labeldistance=1.08,
                                        colors=[REVENUE_COLOUR, PROFIT_COLOUR, GOOD, "#B279A2", "#72B7B2",
                                                "#EECA3B"][: len(data)])
    for wedge, value in zip(wedges, data["customer_type"], strict=True):
        wedge.set_gid(str(value))
    ax.axis("equal")
    return fig
