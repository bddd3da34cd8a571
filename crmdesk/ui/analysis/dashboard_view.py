"""The owner's dashboard: KPI tiles with the change against the previous
period, and six small charts. A click on a bar drills down: a month → its
customers, a key customer → its form, a brand → its products, an ageing
bucket → the customers owing in it, a stock alert → the product list, a
customer-type slice → that type's customers.

Who may not see cost (counter staff) gets no cost, gross profit or margin from the
reports: those tiles are absent from the data and the two gross-profit charts (key
customers, margin by brand) are left out; the view lays out what remains."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from matplotlib.artist import Artist
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crmdesk.charts.fonts import configure_matplotlib
from crmdesk.charts.profit_charts import whale_chart
from crmdesk.i18n import _
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.permissions import sees_cost
from crmdesk.ui.analysis import dashboard_charts as charts
from crmdesk.ui.analysis.dashboard_source import DashboardData, load_dashboard
from crmdesk.ui.analysis.drill_targets import DrillTarget
from crmdesk.ui.analysis.filter_bar import FilterBar
from crmdesk.ui.analysis.filter_choices import FilterChoices
from crmdesk.ui.analysis.filtered_view import RefreshOnFilters, drill_stack
from crmdesk.ui.analysis.kpi_tile import KpiTile
from crmdesk.ui.analysis.runner import BusyIndicator, LatestRunner
from crmdesk.ui.analysis.worker_session import worker_session
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets.chart_canvas import ChartCanvas, default_description

log = logging.getLogger(__name__)

CHARTS = ("monthly", "pareto", "brands", "ageing", "stock", "types", "whale")
COST_CHARTS = frozenset({"pareto", "brands", "whale"})  # gross profit / profit and nothing else
TILE_COLUMNS = 6
CHART_COLUMNS = 3
# Below these widths a tile or a chart gets cut, so the grids take fewer columns instead
# (a 1024-pixel screen: 4 tiles and 2 charts a row; 1280: 6 and 3).
TILE_MIN_WIDTH = 120
CHART_MIN_WIDTH = 270


def fitting_columns(width: int, item_width: int, spacing: int, most: int) -> int:
    """How many items of ``item_width`` fit side by side in ``width`` (at least one, at most ``most``)."""
    return max(1, min(most, (width + spacing) // max(1, item_width + spacing)))


def tile_columns(count: int, most: int = TILE_COLUMNS) -> int:
    """Columns for ``count`` tiles: as few rows as ``most`` allows, the rows evenly filled
    (8 tiles: 2 × 4 rather than 6 + 2)."""
    if count <= 0:
        return most
    rows = -(-count // most)
    return -(-count // rows)


def shown_charts(data: DashboardData | None, with_cost: bool) -> list[str]:
    """The charts to lay out: the gross-profit ones only for who sees cost, and only when the
    data carries gross profit (an empty frame: no sales in the period, the chart says so)."""
    names = []
    for name in CHARTS:
        if name in COST_CHARTS:
            frame = None if data is None else {"pareto": data.pareto, "brands": data.brands,
                                                "whale": getattr(data, "whale", None)}[name]
            money = "profit" if name == "whale" else "gross_profit"
            if not with_cost or (frame is not None and not frame.empty and money not in frame.columns):
                continue
        names.append(name)
    return names


def compute_dashboard(db: Any, actor: Any, filters: ReportFilters, progress: Any) -> DashboardData:
    """Worker: the dashboard's numbers in the worker's own session."""
    progress.update(None, _("Computing the dashboard…"))
    with worker_session(db, progress) as session:
        return load_dashboard(session, actor, filters)


class DashboardView(RefreshOnFilters, QWidget):
    computed = Signal()

    def __init__(self, ctx: AppContext, choices: FilterChoices | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_matplotlib()
        self.ctx = ctx
        self.stale = True
        self.data: DashboardData | None = None
        self.last_filters = ReportFilters()
        self._names: dict[str, dict[str, str]] = {name: {} for name in CHARTS}  # gid → what hover shows
        self._generation = 0
        self._pending: list[tuple[str, Callable[[], Any]]] = []
        self.runner = LatestRunner(self)
        self.runner.finished.connect(self._on_computed)
        self.runner.failed.connect(self._on_failed)

        title = QLabel(_("Dashboard"))
        title.setStyleSheet("font-size: 16px; font-weight: bold")
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # a long title is cut, not widening the page
        title.setMinimumWidth(120)
        self.busy = BusyIndicator()
        self.busy.attach(self.runner)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.busy)
        header.addStretch(1)
        header.addWidget(self.refresh_button)

        self.filter_bar = FilterBar()
        if choices is not None:
            self.filter_bar.set_choices(choices)
        self.filter_bar.filters_changed.connect(self._on_filters_changed)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020")
        self.message.hide()

        self.tiles_layout = QGridLayout()
        self.tiles: list[KpiTile] = []
        self.canvases: dict[str, ChartCanvas] = {}
        self.with_cost = sees_cost(ctx.actor)
        self.charts_layout = grid = QGridLayout()
        for name in CHARTS:
            canvas = ChartCanvas(hover_formatter=self._hover_for(name))
            canvas.caption = lambda canvas=canvas: self.chart_caption(canvas)
            canvas.setMinimumHeight(230)
            canvas.clicked.connect(lambda key, name=name: self.drill(name, key))
            self.canvases[name] = canvas
        self.charts: list[str] = []  # the charts laid out, in order
        self._chart_most = CHART_COLUMNS  # chart and tile columns the current width allows
        self._tile_most = TILE_COLUMNS
        hint = QLabel(_("Click a bar or a slice to drill down; hover for values."))
        hint.setStyleSheet("color: gray")
        overview = QWidget()
        overview_layout = QVBoxLayout(overview)
        overview_layout.setContentsMargins(0, 0, 0, 0)
        overview_layout.addLayout(self.tiles_layout)
        overview_layout.addLayout(grid, 1)
        overview_layout.addWidget(hint)
        for canvas in self.canvases.values():
            canvas.setParent(overview)  # parented before any show(): never a window of its own
            canvas.hide()
        self._lay_out_charts(shown_charts(None, self.with_cost))

        self.stack, self.drill_view = drill_stack(ctx, overview)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

    def chart_columns(self, count: int) -> int:
        """Three charts a row, two when only four are shown (a 2 × 2 grid, no hole), fewer when narrow."""
        return min(2 if count <= 4 else 3, self._chart_most)

    def tile_columns(self) -> int:
        """Tile columns as laid out now (tests compare them by window width)."""
        return tile_columns(len(self.data.kpis) if self.data is not None else 0, self._tile_most)

    def _lay_out_charts(self, names: list[str], force: bool = False) -> None:
        if names == self.charts and not force:
            return
        for canvas in self.canvases.values():
            self.charts_layout.removeWidget(canvas)
            canvas.hide()
        per_row = self.chart_columns(len(names))
        for column in range(CHART_COLUMNS):  # equal columns; a column left over from a wider grid takes none
            self.charts_layout.setColumnStretch(column, 1 if column < per_row else 0)
        for i, name in enumerate(names):
            self.charts_layout.addWidget(self.canvases[name], i // per_row, i % per_row)
            self.canvases[name].show()
        self.charts = list(names)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._reflow():
            self._lay_out_charts(self.charts, force=True)
            if self.data is not None:
                self._place_tiles(len(self.data.kpis))

    def _reflow(self) -> bool:
        """Tile and chart columns for the current width (True if they changed): tiles as wide as
        their longest figure or label, charts at least CHART_MIN_WIDTH."""
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right()
        shown = self.tiles[:len(self.data.kpis)] if self.data is not None else []
        tile_width = max([TILE_MIN_WIDTH] + [t.minimumSizeHint().width() for t in shown])
        most = (fitting_columns(width, tile_width, self.tiles_layout.spacing(), TILE_COLUMNS),
                fitting_columns(width, CHART_MIN_WIDTH, self.charts_layout.spacing(), CHART_COLUMNS))
        changed = most != (self._tile_most, self._chart_most)
        self._tile_most, self._chart_most = most
        return changed

    # -- computing --------------------------------------------------------------------------
    def refresh(self) -> None:
        self.stale = False
        self.last_filters = self.filter_bar.filters()
        self.runner.run(compute_dashboard, self.ctx.db, self.ctx.actor, self.last_filters)

    def _on_failed(self, message: str) -> None:
        self.message.setText(_("Could not compute the dashboard: {error}").format(error=message))
        self.message.show()
        self.computed.emit()

    def _on_computed(self, data: DashboardData) -> None:
        self.message.hide()
        self.data = data
        self._show_tiles(data)
        self._names["pareto"] = ({str(c): str(n) for c, n in zip(data.pareto["customer_code"],
                                                                   data.pareto["customer_name"], strict=True)}
                                 if {"customer_code", "customer_name"} <= set(data.pareto.columns) else {})
        self._names["ageing"] = ({str(b): str(lbl) for b, lbl in zip(data.ageing["bucket"], data.ageing["label"],
                                                                     strict=True)}
                                 if len(data.ageing) else {})
        self._names["stock"] = {"restock": _("To restock"), "overstock": _("Overstocked")}
        self._names["brands"] = {charts.NO_BRAND_GID: _("(no brand)")}
        figures = {
            "monthly": lambda: charts.monthly_chart(data.monthly),
            "pareto": lambda: charts.pareto_chart(data.pareto),
            "brands": lambda: charts.brand_margin_chart(data.brands),
            "ageing": lambda: charts.ageing_chart(data.ageing),
            "stock": lambda: charts.stock_chart(data.restock_count, data.overstock_count),
            "types": lambda: charts.customer_type_chart(data.customer_types),
            "whale": lambda: whale_chart(data.whale, {}),
        }
        self._lay_out_charts(shown_charts(data, self.with_cost))
        self._generation += 1
        self._pending = [(name, figures[name]) for name in self.charts]
        if self.stack.currentIndex() != 0:
            self.stack.setCurrentIndex(0)
        self._next_chart(self._generation)

    def _next_chart(self, generation: int) -> None:
        """Build and show one chart, then yield to the event loop before the next.

        Rendering six charts takes a second on a slow PC; one at a time keeps the window responsive.
        """
        if generation != self._generation:
            return  # a newer result replaced these charts
        name, build = self._pending.pop(0)
        try:
            self.canvases[name].set_figure(build())
        except Exception:  # one chart's bad data must not blank the dashboard
            log.exception("dashboard chart %s failed", name)
            self.canvases[name].set_figure(None)
        if self._pending:
            # With self as context, the timer dies with the view instead of calling into a deleted one.
            QTimer.singleShot(0, self, partial(self._next_chart, generation))
        else:
            self.computed.emit()

    def is_idle(self) -> bool:
        """Computed, and every chart shown (tests and screenshots wait for this)."""
        return self.data is not None and not self.runner.busy and not self._pending

    def _show_tiles(self, data: DashboardData) -> None:
        while len(self.tiles) < len(data.kpis):
            self.tiles.append(KpiTile())
        for tile, kpi in zip(self.tiles, data.kpis, strict=False):
            tile.set_kpi(kpi)
        if self._reflow():  # the new figures may need wider tiles
            self._lay_out_charts(self.charts, force=True)
        self._place_tiles(len(data.kpis))

    def _place_tiles(self, count: int) -> None:
        # Re-placed each time: how many tiles there are depends on the role (no cost tiles for
        # counter staff) and how many fit a row on the width; the rows stay evenly filled.
        columns = tile_columns(count, self._tile_most)
        for tile in self.tiles:
            self.tiles_layout.removeWidget(tile)
        for i, tile in enumerate(self.tiles[:count]):
            self.tiles_layout.addWidget(tile, i // columns, i % columns)
            tile.show()
        for tile in self.tiles[count:]:
            tile.hide()

    def tile_texts(self) -> dict[str, str]:
        """KPI key → the value shown (tests compare it with the numbers)."""
        return {t.kpi.key: t.value.text() for t in self.tiles if t.kpi is not None and t.isVisibleTo(self)}

    def chart_caption(self, canvas: ChartCanvas) -> str:
        """Under an exported chart: which chart, the period and filters, when and by whom."""
        from crmdesk.reports.provenance import view_info

        figure = canvas.figure
        title = figure.axes[0].get_title() if figure is not None and figure.axes else ""
        with self.ctx.read() as session:
            info = view_info(session, self.ctx.actor, f"{_('Dashboard')} · {title}".rstrip(" ·"), self.last_filters)
        return info.caption()

    # -- hover and drill-down ---------------------------------------------------------------
    def _hover_for(self, chart: str) -> Callable[[Artist, int | None], str | None]:
        def describe(artist: Artist, index: int | None) -> str | None:
            text = default_description(artist, index)
            gid = artist.get_gid()
            name = self._names.get(chart, {}).get(str(gid)) if gid else None
            if text and name and gid:
                text = text.replace(str(gid), name, 1)
            return text
        return describe

    def drill(self, chart: str, key: str) -> None:
        """A bar of ``chart`` with gid ``key`` was clicked."""
        target = None
        if chart == "monthly":
            target = DrillTarget("month", key, key)
        elif chart == "pareto":
            target = DrillTarget("customer", key, self._names["pareto"].get(key, key))
        elif chart == "brands":
            brand = "" if key == charts.NO_BRAND_GID else key
            target = DrillTarget("brand", brand, brand or _("(no brand)"))
        elif chart == "ageing":
            target = DrillTarget("ageing", key, self._names["ageing"].get(key, key))
        elif chart == "types":
            target = DrillTarget("customer_type", key, key)
        elif chart == "whale":  # any part of the curve: the customers that lose money
            target = DrillTarget("losers", "profit-curve", _("Customers that lose money"))
        elif chart == "stock" and key in ("restock", "overstock"):
            target = DrillTarget("report", key, key)
        if target is not None and self.drill_view.start(target, self.last_filters):
            self.stack.setCurrentIndex(1)
