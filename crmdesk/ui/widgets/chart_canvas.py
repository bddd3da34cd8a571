"""A matplotlib Figure in a Qt widget: hover tooltips with values, click for
drill-down, export to PNG/PDF/SVG.

Chart builders (``crmdesk.charts``) make a ``Figure`` without pyplot; screens
hand it to :meth:`ChartCanvas.set_figure`. For drill-down, give bars/wedges/
lines a gid (``patch.set_gid("2026-03")``) or a label; a click emits it on
:attr:`ChartCanvas.clicked` (and the artist itself on ``artist_clicked``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.backend_bases import MouseButton, MouseEvent
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle, Wedge
import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QMessageBox, QToolTip, QVBoxLayout, QWidget

from crmdesk.charts.fonts import configure_matplotlib
from crmdesk.i18n import _
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)

# (artist, index of the point for lines/scatter or None) -> tooltip text, or None for no tooltip.
HoverFormatter = Callable[[Artist, "int | None"], "str | None"]

EXPORT_FORMATS = {".png": "PNG", ".pdf": "PDF", ".svg": "SVG"}


def artist_key(artist: Artist) -> str | None:
    """The drill-down key of an artist: its gid, else a label that is not matplotlib's ``_…`` default."""
    gid = artist.get_gid()
    if gid:
        return str(gid)
    label = artist.get_label() if hasattr(artist, "get_label") else None
    if label and not str(label).startswith("_"):
        return str(label)
    return None


def format_number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


class ChartCanvas(QWidget):
    """Shows one Figure at a time. Signals: ``clicked(str)`` with the clicked artist's
    gid/label, ``artist_clicked(object)`` with the artist itself."""

    clicked = Signal(str)
    artist_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None, hover_formatter: HoverFormatter | None = None) -> None:
        super().__init__(parent)
        configure_matplotlib()
        self.hover_formatter = hover_formatter
        self._figure: Figure | None = None
        self._canvas: FigureCanvasQTAgg | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._empty = QLabel(_("No chart to show."))
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._empty)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_context_menu)
        self.last_hover_text: str | None = None  # what the tooltip shows (tests read it)
        # What an exported file says under the chart (period, filters, who, when); set by the screen.
        self.caption: Callable[[], str] | None = None

    # --- public API -------------------------------------------------------------------------
    @property
    def figure(self) -> Figure | None:
        return self._figure

    @property
    def canvas(self) -> FigureCanvasQTAgg | None:
        return self._canvas

    def set_figure(self, fig: Figure | None) -> None:
        """Show ``fig`` (replacing the previous one); None shows an empty message."""
        if not shiboken6.isValid(self) or not shiboken6.isValid(self._empty):
            log.debug("set_figure on a chart widget that was already closed; ignored")
            return  # a late timer or job result after the screen was closed
        if self._canvas is not None:
            self._layout.removeWidget(self._canvas)
            self._canvas.hide()
            self._canvas.deleteLater()
            self._canvas = None
        self._figure = fig
        if fig is None:
            self._empty.show()
            return
        self._empty.hide()
        canvas = FigureCanvasQTAgg(fig)
        canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # let ours handle it
        canvas.mpl_connect("motion_notify_event", self._on_motion)
        canvas.mpl_connect("button_press_event", self._on_press)
        canvas.mpl_connect("figure_leave_event", lambda _e: self._hide_tooltip())
        self._layout.addWidget(canvas)
        self._canvas = canvas
        canvas.draw_idle()

    def export(self, path: str | Path, dpi: int = 150) -> Path:
        """Save the figure; the format follows the suffix (.png, .pdf, .svg; default .png)."""
        if self._figure is None:
            raise ValueError("there is no chart to export")
        from crmdesk.charts.caption import save_with_caption

        path = Path(path)
        if path.suffix.lower() not in EXPORT_FORMATS:
            path = path.with_suffix(".png")
        save_with_caption(self._figure, path, self.caption() if self.caption is not None else "", dpi=dpi)
        return path

    def artist_at(self, event: MouseEvent) -> tuple[Artist, int | None] | None:
        """The point/line/bar/wedge under the mouse, with the point index for lines and scatter.

        Every axes under the mouse is searched (a twinx chart has bars in one and a line
        in the other), topmost first; points and lines win over the bars behind them.
        """
        if self._figure is None or event.x is None or event.y is None:
            return None
        under = [ax for ax in reversed(self._figure.axes) if ax.get_visible() and ax.in_axes(event)]
        for ax in under:
            for collection in reversed(ax.collections):
                if isinstance(collection, PathCollection) and collection.get_visible():
                    hit, info = collection.contains(event)
                    if hit and len(info.get("ind", ())):
                        return collection, int(info["ind"][0])
            for line in reversed(ax.lines):
                if line.get_visible() and not str(line.get_label()).startswith("_child"):
                    hit, info = line.contains(event)
                    if hit and len(info.get("ind", ())):
                        return line, int(info["ind"][0])
        for ax in under:
            for patch in reversed(ax.patches):  # topmost first
                if isinstance(patch, (Rectangle, Wedge)) and patch.get_visible() and patch.contains(event)[0]:
                    return patch, None
        return None

    def describe(self, artist: Artist, index: int | None) -> str | None:
        """The tooltip for an artist: the hover_formatter's text, else a default one."""
        if self.hover_formatter is not None:
            return self.hover_formatter(artist, index)
        return default_description(artist, index)

    # --- events -----------------------------------------------------------------------------
    def _on_motion(self, event: MouseEvent) -> None:
        found = self.artist_at(event)
        text = self.describe(*found) if found else None
        if not text:
            self._hide_tooltip()
            return
        if text != self.last_hover_text:
            self.last_hover_text = text
            QToolTip.showText(QCursor.pos(), text, self._canvas)

    def _hide_tooltip(self) -> None:
        if self.last_hover_text is not None:
            self.last_hover_text = None
            QToolTip.hideText()

    def _on_press(self, event: MouseEvent) -> None:
        if event.button != MouseButton.LEFT:
            return  # the right button opens the context menu through Qt (see __init__)
        found = self.artist_at(event)
        if not found:
            return
        artist, _index = found
        self.artist_clicked.emit(artist)
        key = artist_key(artist) or _bar_tick_label(artist)
        if key:
            self.clicked.emit(key)

    def context_menu(self) -> QMenu:
        """The right-click menu: export and copy. Screens may add their own actions to it."""
        menu = QMenu(self)
        export = QAction(_("Export chart…"), menu)
        export.triggered.connect(self.export_with_dialog)
        copy = QAction(_("Copy chart"), menu)
        copy.triggered.connect(self.copy_to_clipboard)
        menu.addAction(export)
        menu.addAction(copy)
        return menu

    def _show_context_menu(self, _pos=None) -> None:
        if self._figure is None:
            return
        self.context_menu().popup(QCursor.pos())

    def copy_to_clipboard(self) -> None:
        if self._canvas is not None:
            QApplication.clipboard().setImage(self._canvas.grab().toImage())

    def export_with_dialog(self) -> Path | None:
        filters = ";;".join([_("PNG image (*.png)"), _("PDF document (*.pdf)"), _("SVG image (*.svg)")])
        name, _filter = file_dialogs.get_save_file_name(self, _("Export chart"), _("chart") + ".png", filters)
        if not name:
            return None
        try:
            saved = self.export(name)
        except (OSError, ValueError) as exc:
            log.warning("chart export to %s failed: %s", name, exc)
            QMessageBox.warning(self, _("Export chart"), _("Could not save the chart: {error}").format(error=exc))
            return None
        return saved


def _bar_container(patch: Artist) -> BarContainer | None:
    axes = getattr(patch, "axes", None)
    for container in getattr(axes, "containers", ()):
        if isinstance(container, BarContainer) and patch in container.patches:
            return container
    return None


def _bar_tick_label(artist: Artist) -> str | None:
    """For a bar without gid/label: the category tick label under it (bar charts over categories)."""
    if not isinstance(artist, Rectangle) or artist.axes is None:
        return None
    container = _bar_container(artist)
    horizontal = container is not None and getattr(container, "orientation", None) == "horizontal"
    centre = artist.get_y() + artist.get_height() / 2 if horizontal else artist.get_x() + artist.get_width() / 2
    axis = artist.axes.yaxis if horizontal else artist.axes.xaxis
    for tick_pos, tick in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False):
        if abs(tick_pos - centre) < 0.5 and tick.get_text():
            return tick.get_text()
    return None


def default_description(artist: Artist, index: int | None) -> str | None:
    if isinstance(artist, Wedge):
        share = (artist.theta2 - artist.theta1) / 360 * 100
        name = artist_key(artist) or ""
        return f"{name}: {share:.1f}%" if name else f"{share:.1f}%"
    if isinstance(artist, Rectangle):
        container = _bar_container(artist)
        horizontal = container is not None and getattr(container, "orientation", None) == "horizontal"
        value = artist.get_width() if horizontal else artist.get_height()
        name = artist_key(artist) or _bar_tick_label(artist)
        series = container.get_label() if container is not None else None
        parts = [p for p in (name, series if series and not series.startswith("_") else None) if p]
        return f"{' · '.join(parts)}: {format_number(value)}" if parts else format_number(value)
    if isinstance(artist, Line2D) and index is not None:
        xs, ys = artist.get_xdata(orig=False), artist.get_ydata(orig=False)
        ax = artist.axes
        x_text = ax.format_xdata(xs[index]) if ax is not None else str(xs[index])
        label = artist_key(artist)
        value = format_number(float(ys[index]))
        return f"{label}\n{x_text}: {value}" if label else f"{x_text}: {value}"
    if isinstance(artist, PathCollection) and index is not None:
        x, y = artist.get_offsets()[index]
        ax = artist.axes
        label = artist_key(artist)
        text = f"{ax.format_xdata(x)}, {ax.format_ydata(y)}" if ax is not None else f"{x}, {y}"
        return f"{label}\n{text}" if label else text
    return None
