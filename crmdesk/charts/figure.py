"""The start and the empty end of every report chart: a titled Figure with one Axes
(Chinese-capable fonts, no pyplot), and the "No data" face of an empty report."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from crmdesk.charts.fonts import configure_matplotlib
from crmdesk.i18n import _


def new_figure(title: str, size: tuple[float, float] = (8, 4.5)) -> tuple[Figure, Any]:
    configure_matplotlib()
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title)
    return fig, ax


def no_data(fig: Figure, ax) -> Figure:
    ax.text(0.5, 0.5, _("No data"), ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig
