"""The Pipeline page: a Board / List switch over the same filtered opportunities, the header
totals (open amount, weighted amount) and a small weighted-forecast chart by month."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget,
)

from crmdesk.charts.pipeline_forecast import forecast_figure
from crmdesk.i18n import _
from crmdesk.money import format_yuan
from crmdesk.services.opportunity_board import CLOSED_WINDOW_DAYS, BoardFilter, board_rows, board_stages, totals
from crmdesk.services.opportunity_choices import filter_choices
from crmdesk.services.opportunity_export import export_opportunities
from crmdesk.services.permissions import can
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import show_error, show_info
from crmdesk.ui.pipeline.board import BoardView
from crmdesk.ui.pipeline.filter_bar import PipelineFilterBar
from crmdesk.ui.pipeline.list_view import OpportunityListView, as_path, default_export_name
from crmdesk.ui.pipeline.opportunity_dialog import open_opportunity
from crmdesk.ui.widgets.chart_canvas import ChartCanvas
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)
REFRESH_ON = {"opportunities", "customers", "settings", "opportunity_stages", "import_batches"}
BOARD, LIST = 0, 1


class PipelinePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows = []
        self.stages = []
        self.totals = totals([], [])
        self._stale = True
        self._list_stale = self._board_stale = True
        self.board_button = QPushButton(_("Board"))
        self.list_button = QPushButton(_("List"))
        self.switch = QButtonGroup(self)
        for n, b in enumerate((self.board_button, self.list_button)):
            b.setCheckable(True)
            self.switch.addButton(b, n)
        self.board_button.setChecked(True)
        self.new_button = QPushButton(_("New opportunity…"))
        self.export_button = QPushButton(_("Export…"))
        self.export_button.setVisible(can(ctx.actor, "reports.export"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.filters = PipelineFilterBar()
        self.totals_label = QLabel()
        self.totals_label.setStyleSheet("font-size: 13px;")
        self.closed_note = QLabel(_("Won and lost columns show what closed in the last {n} days.")
                                  .format(n=CLOSED_WINDOW_DAYS))
        self.closed_note.setStyleSheet("color: #5d6d7e;")
        self.chart_title = QLabel(_("Weighted forecast by month of expected close"))
        self.chart_title.setStyleSheet("font-size: 11px; color: #34495e;")
        self.chart = ChartCanvas()
        self.chart.setFixedSize(440, 150)
        self.board = BoardView(ctx)
        self.list = OpportunityListView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.board)
        self.stack.addWidget(self.list)

        top = QHBoxLayout()
        top.addWidget(self.board_button)
        top.addWidget(self.list_button)
        top.addSpacing(12)
        top.addWidget(self.new_button)
        top.addStretch(1)
        top.addWidget(self.export_button)
        top.addWidget(self.refresh_button)
        figures = QVBoxLayout()
        figures.addWidget(self.totals_label)
        figures.addWidget(self.closed_note)
        figures.addStretch(1)
        chart_box = QVBoxLayout()
        chart_box.setSpacing(0)
        chart_box.addWidget(self.chart_title)
        chart_box.addWidget(self.chart)
        header = QHBoxLayout()
        header.addLayout(figures, 1)
        header.addLayout(chart_box)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)

        self.switch.idClicked.connect(self.show_view)
        self.filters.changed.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.new_button.clicked.connect(lambda: self.open_opportunity(None))
        self.export_button.clicked.connect(self.export_with_dialog)
        self.board.opened.connect(self.open_opportunity)
        self.list.opened.connect(self.open_opportunity)
        ctx.bus.changed.connect(self._on_changed)

    # --- data -------------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale:
            self.load_choices()
            self.refresh()

    def load_choices(self) -> None:
        with self.ctx.read() as session:
            choices = filter_choices(session, self.ctx.actor)
            stages = board_stages(session)
        self.filters.set_choices(choices, stages)

    def current_filter(self) -> BoardFilter:
        return self.filters.value()

    def refresh(self) -> None:
        try:
            with self.ctx.read() as session:
                self.stages = board_stages(session)
                self.rows = board_rows(session, self.ctx.actor, self.current_filter())
        except Exception as exc:  # noqa: BLE001 - a refused or failed read is shown, the page stays
            show_error(self, exc, _("Pipeline"))
            return
        self._stale = False
        # Only the view on screen is filled; the other catches up when switched to.
        self._list_stale = True
        if self.stack.currentIndex() == BOARD:
            self.board.set_data(self.stages, self.rows)
            self._board_stale = False
        else:
            self._board_stale = True
            self._fill_list()
        figures = totals(self.rows, self.stages)
        self.totals_label.setText(
            _("Open: {n} opportunities · {amount}    Weighted: {weighted}").format(
                n=figures.open_count, amount=format_yuan(figures.open_amount),
                weighted=format_yuan(figures.weighted_amount)))
        self.totals = figures
        self.chart.set_figure(forecast_figure(figures.forecast))

    def show_view(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        if index == LIST and self._list_stale:
            self._fill_list()
        elif index == BOARD and self._board_stale:
            self.board.set_data(self.stages, self.rows)
            self._board_stale = False

    def _fill_list(self) -> None:
        self.list.set_rows(self.rows, self.stages)
        self._list_stale = False

    def _on_changed(self, entities) -> None:
        if not entities & REFRESH_ON:
            return
        if self.isVisible():
            if entities & {"settings", "opportunity_stages"}:
                self.load_choices()
            self.refresh()
        else:
            self._stale = True

    # --- actions ----------------------------------------------------------------------------
    def open_opportunity(self, opportunity_id: int | None) -> int | None:
        return open_opportunity(self.ctx, self, opportunity_id)

    def open_customer(self, customer_id: int) -> None:
        """Show the pipeline of one customer's opportunities: the list, found by the customer."""
        row = next((r for r in self.rows if r.customer_id == customer_id), None)
        if row is not None:
            self.switch.button(LIST).click()
            self.list.search.setText(row.customer_name)

    def export_to(self, path: str | Path) -> int:
        """Write the list as shown (filters, find and sort applied) to ``path``."""
        if self._list_stale:
            self._fill_list()
        with self.ctx.write() as session:
            return export_opportunities(session, self.ctx.actor, as_path(str(path)), self.current_filter(),
                                        ids=self.list.shown_ids())

    def export_with_dialog(self) -> None:
        name, _filter = file_dialogs.get_save_file_name(self, _("Export"), default_export_name(),
                                                    _("Excel workbook (*.xlsx)"))
        if not name:
            return
        try:
            n = self.export_to(name)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc, _("Pipeline"))
            return
        show_info(self, _("{n} opportunities exported.").format(n=n), _("Pipeline"))


def create_pipeline_page(ctx: AppContext) -> QWidget:
    return PipelinePage(ctx)
