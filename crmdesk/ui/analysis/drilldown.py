"""The drill-down view: a breadcrumb of levels, each a table computed in the
background (a brand → its products → the customers who buy one of them →
the customer's form)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.reports.filters import ReportFilters
from crmdesk.ui.analysis import drill_queries
from crmdesk.ui.analysis.dataframe_model import DataFrameModel
from crmdesk.ui.analysis.drill_targets import DrillLevel, DrillTarget, level_for, target_for_row
from crmdesk.ui.analysis.export import ask_table_path, report_failure, write_dataframe_xlsx
from crmdesk.ui.analysis.runner import BusyIndicator, LatestRunner
from crmdesk.ui.analysis.worker_session import worker_session
from crmdesk.ui.context import AppContext

log = logging.getLogger(__name__)


def compute_level(db: Any, actor: Any, filters: ReportFilters, level: DrillLevel, progress: Any) -> pd.DataFrame:
    """Worker: one level's table in the worker's own session."""
    progress.check()
    with worker_session(db, progress) as session:
        return level.compute(session, actor, filters)


def make_table_view(model: DataFrameModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the query's order
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(False)
    view.horizontalHeader().setResizeContentsPrecision(200)  # widths from 200 rows, not 20,000
    return view


class DrillDownView(QWidget):
    """``back_requested`` when the user leaves the first level."""

    back_requested = Signal()
    level_shown = Signal(int)  # depth, after a level's table arrived

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filters = ReportFilters()
        self.levels: list[DrillLevel] = []
        self.runner = LatestRunner(self)
        self.runner.finished.connect(self._on_computed)
        self.runner.failed.connect(self._on_failed)

        self.back_button = QPushButton(_("◀ Back"))
        self.back_button.clicked.connect(self.go_back)
        self.crumbs = QLabel()
        self.crumbs.setTextFormat(Qt.TextFormat.RichText)
        self.crumbs.linkActivated.connect(lambda href: self.go_to(int(href)))
        self.alternative_button = QPushButton()
        self.alternative_button.clicked.connect(self._show_alternative)
        self.export_button = QPushButton(_("Export table…"))
        self.export_button.clicked.connect(self.export_table)
        self.busy = BusyIndicator()
        self.busy.attach(self.runner)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.crumbs, 1)
        top.addWidget(self.busy)
        top.addWidget(self.alternative_button)
        top.addWidget(self.export_button)

        self.model = DataFrameModel(self)
        self.table = make_table_view(self.model)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.hint = QLabel(_("Double-click a row to go deeper; a customer opens its form."))
        self.hint.setStyleSheet("color: gray")
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

    # -- navigation -------------------------------------------------------------------------
    def start(self, target: DrillTarget, filters: ReportFilters, money_columns: tuple[str, ...] = (),
              pct_columns: tuple[str, ...] = ()) -> bool:
        """Drill into ``target`` from a report; returns False when it opened a customer instead."""
        self.filters = filters
        if target.opens_customer:
            self.open_customer(target.value)
            return False
        level = level_for(target)
        if level.compute is None:  # rows of the report itself keep the report's formats
            level = dataclasses.replace(level, money_columns=money_columns, pct_columns=pct_columns)
        self.levels = []
        self.push(level)
        return True

    def push(self, level: DrillLevel) -> None:
        self.levels.append(level)
        self._show_current()

    def go_to(self, depth: int) -> None:
        if 0 <= depth < len(self.levels) - 1:
            del self.levels[depth + 1:]
            self._show_current()

    def go_back(self) -> None:
        if len(self.levels) > 1:
            self.go_to(len(self.levels) - 2)
        else:
            self.runner.cancel()
            self.levels = []
            self.back_requested.emit()

    def open_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        target = target_for_row(self.model.row_dict(row))
        if target is None:
            return
        if target.opens_customer:
            self.open_customer(target.value)
        else:
            self.push(level_for(target))

    def open_customer(self, code: str) -> int | None:
        """Ask the main window to show the customer's form; returns its id."""
        with self.ctx.read() as session:
            customer_id = drill_queries.customer_id_for(session, code)
        if customer_id is None:
            self.ctx.bus.status_message.emit(_("Customer {code} was not found.").format(code=code))
            return None
        self.ctx.bus.open_customer_requested.emit(int(customer_id))
        return int(customer_id)

    def _show_alternative(self) -> None:
        current = self.levels[-1] if self.levels else None
        if current is not None and current.alternative is not None:
            self.levels[-1] = level_for(current.alternative)
            self._show_current()

    # -- content ----------------------------------------------------------------------------
    def _show_current(self) -> None:
        level = self.levels[-1]
        self._update_crumbs()
        self.message.hide()
        alternative = level.alternative
        self.alternative_button.setVisible(alternative is not None)
        if alternative is not None:
            self.alternative_button.setText(
                _("Show customers") if alternative.kind.endswith("_customers") else _("Show products"))
        if level.compute is None:
            self.runner.cancel()
            self._set_frame(level.frame if level.frame is not None else pd.DataFrame())
            return
        self.model.set_frame(None)
        self.runner.run(compute_level, self.ctx.db, self.ctx.actor, self.filters, level)

    def _update_crumbs(self) -> None:
        parts = []
        for depth, level in enumerate(self.levels):
            title = level.title.replace("&", "&amp;").replace("<", "&lt;")
            parts.append(f"<b>{title}</b>" if depth == len(self.levels) - 1 else f'<a href="{depth}">{title}</a>')
        self.crumbs.setText(" › ".join(parts))

    def _on_computed(self, frame: pd.DataFrame) -> None:
        self._set_frame(frame)

    def _set_frame(self, frame: pd.DataFrame) -> None:
        level = self.levels[-1]
        self.model.set_frame(frame, level.money_columns, level.pct_columns)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        self.level_shown.emit(len(self.levels))

    def _on_failed(self, message: str) -> None:
        self.message.setText(_("Could not compute: {error}").format(error=message))
        self.message.show()

    def current_frame(self) -> pd.DataFrame:
        return self.model.frame

    def export_table(self) -> None:
        if not self.levels:
            return
        level = self.levels[-1]
        path = ask_table_path(self, level.title)
        if path is None:
            return
        try:
            write_dataframe_xlsx(self.model.frame, path, money_columns=level.money_columns,
                                 pct_columns=level.pct_columns, sheet_title=level.title,
                                 header_labels={c: _(str(c)) for c in self.model.frame.columns})
        except OSError as exc:
            report_failure(self, _("Export table"), exc)
            return
        self.ctx.bus.status_message.emit(_("Saved {path}").format(path=path))
