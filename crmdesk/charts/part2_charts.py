"""Charts for the pipeline, win-rate, fulfilment, service, contact-activity and lifetime
reports: matplotlib Figures without pyplot, Chinese-capable. Each takes the report's
DataFrame and options; an empty frame gives a Figure saying "No data"."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from crmdesk.charts.figure import new_figure, no_data
from crmdesk.i18n import N_, _

TOP_N = 15
BLUE, ORANGE, GREEN, GREY = "#2e86c1", "#e67e22", "#27ae60", "#95a5a6"
# Case types are data codes; their labels are translated where drawn.
CASE_TYPE_LABELS = {"complaint": N_("complaint"), "repair": N_("repair"), "return": N_("return"),
                    "delivery": N_("delivery"), "consult": N_("consult")}


def _money_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


def pipeline_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    """Amount and weighted forecast per stage, stages in pipeline order."""
    fig, ax = new_figure(_("Pipeline by stage"))
    if df.empty:
        return no_data(fig, ax)
    x = range(len(df))
    ax.bar([i - 0.2 for i in x], df["amount"].astype(float), width=0.4, color=GREY, label=_("Amount"))
    ax.bar([i + 0.2 for i in x], df["weighted_amount"].astype(float), width=0.4, color=BLUE,
           label=_("Weighted forecast"))
    for i, count in zip(x, df["opportunities"], strict=True):
        ax.annotate(str(int(count)), (i - 0.2, 0), xytext=(0, 3), textcoords="offset points", ha="center",
                    fontsize=8)
    ax.set_xticks(list(x), df["stage"].astype(str))
    ax.set_ylabel(_("yuan"))
    _money_axis(ax.yaxis)
    ax.legend()
    return fig


def win_rate_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    """Win rate per month (all salespeople together), or per salesperson when not by month."""
    fig, ax = new_figure(_("Win rate"))
    if df.empty:
        return no_data(fig, ax)
    key = "month" if "month" in df else "salesperson"
    g = df.groupby(key, as_index=False)[["won", "closed"]].sum().sort_values(key)
    rate = g["won"] * 100.0 / g["closed"].where(g["closed"] > 0)
    labels = g[key].astype(str).replace("", _("(none)"))
    if key == "month":
        ax.plot(labels, rate, marker="o", color=BLUE)
        ax.tick_params(axis="x", labelrotation=45)
    else:
        ax.bar(labels, rate, color=BLUE)
    ax.set_ylim(0, 100)
    ax.set_ylabel(_("Win rate (%)"))
    return fig


def fulfilment_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    if "month" in df:
        fig, ax = new_figure(_("Fill rate by month"))
        if df.empty:
            return no_data(fig, ax)
        ax.plot(df["month"].astype(str), df["fill_rate_pct"].astype(float), marker="o", color=BLUE,
                label=_("Fill rate (%)"))
        ax.plot(df["month"].astype(str), df["complete_pct"].astype(float), marker="s", color=GREEN,
                label=_("Orders complete (%)"))
        ax.set_ylim(0, 105)
        ax.tick_params(axis="x", labelrotation=45)
        ax.legend()
        return fig
    fig, ax = new_figure(_("Open orders by days open"))
    if df.empty:
        return no_data(fig, ax)
    bins = [0, 7, 14, 30, 60, float("inf")]
    labels = ["0-7", "8-14", "15-30", "31-60", "60+"]
    counts = pd.cut(df["days_open"].astype(float), bins=bins, labels=labels, right=True, include_lowest=True)
    counts = counts.value_counts().reindex(labels, fill_value=0)
    ax.bar(labels, counts.to_numpy(), color=ORANGE)
    ax.set_xlabel(_("Days open"))
    ax.set_ylabel(_("Orders"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def service_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    if "month" in df:
        fig, ax = new_figure(_("Service trend"))
        if df.empty:
            return no_data(fig, ax)
        months = df["month"].astype(str)
        ax.bar(months, df["opened"], color=GREY, label=_("Cases opened"))
        ax.set_ylabel(_("Cases"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="x", labelrotation=45)
        right = ax.twinx()
        right.plot(months, df["avg_satisfaction"].astype(float), marker="o", color=BLUE,
                   label=_("Average satisfaction"))
        right.set_ylim(0, 5.2)
        right.set_ylabel(_("Satisfaction (1-5)"))
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        ax.legend(handles, [h.get_label() for h in handles], loc="upper left")
        return fig
    fig, ax = new_figure(_("Service cases by type"))
    if df.empty:
        return no_data(fig, ax)
    types = [_(CASE_TYPE_LABELS.get(str(t), str(t))) for t in df["case_type"]]
    ax.bar(types, df["closed_cases"], color=GREEN, label=_("Closed"))
    ax.bar(types, df["open_cases"], bottom=df["closed_cases"], color=ORANGE, label=_("Open"))
    ax.set_ylabel(_("Cases"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    return fig


def activity_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    if "contact_band" in df:
        fig, ax = new_figure(_("Win rate by contacts while open"))
        if df.empty:
            return no_data(fig, ax)
        ax.bar(df["contact_band"].astype(str), df["win_rate_pct"].astype(float).fillna(0), color=BLUE)
        for i, n in enumerate(df["opportunities"]):
            ax.annotate(f"n={int(n)}", (i, 0), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
        ax.set_xlabel(_("Contacts while the opportunity was open"))
        ax.set_ylabel(_("Win rate (%)"))
        ax.set_ylim(0, 100)
        return fig
    fig, ax = new_figure(_("Contacts per month"))
    if df.empty:
        return no_data(fig, ax)
    g = df.groupby("month")[["contacts"]].sum().sort_index()
    ax.bar(g.index.astype(str), g["contacts"], color=BLUE)
    ax.set_ylabel(_("Contacts"))
    ax.tick_params(axis="x", labelrotation=45)
    return fig


def lifetime_chart(df: pd.DataFrame, options: dict[str, Any]) -> Figure:
    """The top customers by expected value over the horizon (12 months unless --horizon-weeks)."""
    value_col = next((c for c in df.columns if str(c).startswith("expected_value_")), "expected_value_12m")
    weeks = (df.attrs.get("model") or {}).get("horizon_weeks")
    if value_col == "expected_value_12m" or not weeks:
        title = _("Expected value, next 12 months (top {n})").format(n=TOP_N)
    else:
        title = _("Expected value, next {weeks:g} weeks (top {n})").format(weeks=weeks, n=TOP_N)
    fig, ax = new_figure(title)
    if df.empty:
        return no_data(fig, ax)
    top = df.head(TOP_N).iloc[::-1]
    labels = top["customer_name"].fillna(top["customer_code"]).astype(str)
    colors = [GREEN if p >= 0.5 else ORANGE for p in top["p_alive"].astype(float)]
    ax.barh(labels, top[value_col].astype(float), color=colors)
    ax.set_xlabel(_("yuan (green: probably active, orange: probably gone)"))
    _money_axis(ax.xaxis)
    return fig
