"""One panel per report: filter bar, the report's own options, chart above
table; a click on the chart or a double-click on a row drills down."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crmdesk.charts.fonts import configure_matplotlib
from crmdesk.i18n import _
from crmdesk.reports.access import record_export, run_report
from crmdesk.reports.column_format import money_columns_of
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.output import with_info
from crmdesk.reports.provenance import ExportInfo, export_info
from crmdesk.reports.spec import ReportOption, ReportSpec
from crmdesk.services.permissions import PermissionDenied, can
from crmdesk.ui.analysis.dataframe_model import DataFrameModel
from crmdesk.ui.analysis.drill_targets import target_for_key, target_for_row
from crmdesk.ui.analysis.drilldown import make_table_view
from crmdesk.ui.analysis.export import ask_chart_path, ask_table_path, report_failure, save_figure, \
    write_dataframe_xlsx
from crmdesk.ui.analysis.filter_bar import FilterBar
from crmdesk.ui.analysis.filter_choices import FilterChoices
from crmdesk.ui.analysis.filtered_view import RefreshOnFilters, drill_stack
from crmdesk.ui.analysis.runner import BusyIndicator, LatestRunner
from crmdesk.ui.analysis.worker_session import worker_session
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets.adaptive_toolbar import AdaptiveToolbar
from crmdesk.ui.widgets.chart_canvas import ChartCanvas

log = logging.getLogger(__name__)


def compute_report(db: Any, actor: Any, spec: ReportSpec, filters: ReportFilters, options: dict[str, Any],
                   progress: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Worker: the report's DataFrame, in the worker's own session."""
    progress.update(None, _("Computing {title}…").format(title=_(spec.title)))
    with worker_session(db, progress) as session:
        frame = run_report(session, actor, spec, filters, options)
    progress.check()
    return frame, options


def build_chart(spec: ReportSpec, frame: pd.DataFrame | None, options: dict[str, Any]) -> Any:
    """The report's Figure, made on the GUI thread: matplotlib's font cache is not thread-safe."""
    if spec.chart is None or frame is None or frame.empty:
        return None
    try:
        return spec.chart(frame, options)
    except Exception:  # a chart bug must not hide the table
        log.exception("chart of report %s failed", spec.name)
        return None


def option_label(name: str) -> str:
    """``window_days`` → "Window days" (English source text, translated where shown)."""
    return name.replace("_", " ").capitalize()


class OptionsBar(QWidget):
    """Editors for a report's own options; ``changed`` when one is edited."""

    changed = Signal()

    def __init__(self, options: tuple[ReportOption, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._getters: dict[str, Any] = {}
        self.editors: dict[str, QWidget] = {}
        # Typing "180" must start one computation, not three.
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self.changed)
        options = tuple(o for o in options if o.gui)  # the CLI's own switches have their own controls here
        for option in options:
            layout.addWidget(QLabel(_(option_label(option.name))))
            editor = self._editor(option)
            editor.setToolTip(_(option.help))
            self.editors[option.name] = editor
            layout.addWidget(editor)
        layout.addStretch(1)
        self.setVisible(bool(options))

    def _editor(self, option: ReportOption) -> QWidget:
        if option.flag:
            check = QCheckBox()
            check.setChecked(bool(option.default))
            check.toggled.connect(self._debounce.start)
            self._getters[option.name] = check.isChecked
            return check
        if option.choices:
            combo = QComboBox()
            for choice in option.choices:
                combo.addItem(_(str(choice)), choice)
            if option.default is not None:
                combo.setCurrentIndex(max(0, combo.findData(option.default)))
            combo.currentIndexChanged.connect(self._debounce.start)
            self._getters[option.name] = combo.currentData
            return combo
        if option.type is int:
            spin = QSpinBox()
            spin.setRange(0, 1_000_000)
            spin.setValue(int(option.default or 0))
            spin.valueChanged.connect(self._debounce.start)
            if option.default is None:  # 0 shows "—" and means "not set"
                spin.setSpecialValueText("—")
                self._getters[option.name] = lambda spin=spin: spin.value() or None
            else:
                self._getters[option.name] = spin.value
            return spin
        if option.type is float:
            dspin = QDoubleSpinBox()
            dspin.setRange(-1e9, 1e9)
            dspin.setValue(float(option.default or 0))
            dspin.valueChanged.connect(self._debounce.start)
            self._getters[option.name] = dspin.value
            return dspin
        edit = QLineEdit("" if option.default is None else str(option.default))
        edit.editingFinished.connect(self._debounce.start)

        def text_value(edit: QLineEdit = edit, option: ReportOption = option) -> Any:
            text = edit.text().strip()
            return option.type(text) if text else option.default

        self._getters[option.name] = text_value
        return edit

    def announce(self) -> None:
        """A value was set from outside the editor (a completer): recompute after the debounce."""
        self._debounce.start()

    def flush(self) -> None:
        """Announce a pending change now instead of after the debounce."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def values(self) -> dict[str, Any]:
        return {name: getter() for name, getter in self._getters.items()}

    def set_value(self, name: str, value: Any) -> None:
        """Set an option as the user would (the change is announced after the debounce)."""
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(editor.findData(value))
        elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            editor.setValue(value)
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))
            self._debounce.start()


class ReportPanel(RefreshOnFilters, QWidget):
    """``computed`` fires after a result was shown (tests and screenshots wait for it)."""

    computed = Signal()

    def __init__(self, ctx: AppContext, spec: ReportSpec, choices: FilterChoices | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_matplotlib()
        self.ctx = ctx
        self.spec = spec
        self.stale = True
        self.last_frame: pd.DataFrame | None = None
        self.last_filters = ReportFilters()
        self.last_options: dict[str, Any] = {}
        self.runner = LatestRunner(self)
        self.runner.finished.connect(self._on_computed)
        self.runner.failed.connect(self._on_failed)

        title = QLabel(_(spec.title))
        title.setStyleSheet("font-size: 16px; font-weight: bold")
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # a long title is cut, not widening the page
        # Shown whole: buttons that do not fit beside it go into "More" first (very long titles are cut).
        title.setMinimumWidth(min(title.sizeHint().width(), 360))
        title.setToolTip(_(spec.description) if spec.description else "")
        self.busy = BusyIndicator()
        self.busy.attach(self.runner)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_table_button = QPushButton(_("Export table…"))
        self.export_table_button.clicked.connect(lambda: self.export_table())
        self.export_chart_button = QPushButton(_("Export chart…"))
        self.export_chart_button.clicked.connect(lambda: self.export_chart())
        may_export = can(ctx.actor, "reports.export")
        self.export_table_button.setVisible(may_export)
        self.export_chart_button.setVisible(spec.chart is not None and may_export)
        # The title takes the free room; buttons that do not fit a narrow window go into "More".
        header = self.toolbar = AdaptiveToolbar()
        header.add_stretch_widget(title, 1)
        header.add_stretch_widget(self.busy, 0)
        for button in (self.refresh_button, self.export_table_button, self.export_chart_button):
            header.add_button(button)
        self.batch = None
        if spec.folder_exporter is not None and may_export:  # the statement: all customers with a balance
            from crmdesk.ui.analysis.statement_batch_action import BatchStatements

            self.batch = BatchStatements(self)
            header.add_button(self.batch.button)

        self.filter_bar = FilterBar()
        self.filter_bar.branch_filter_applies = self.spec.branches  # opportunities, cases, contacts: no branch
        if choices is not None:
            self.filter_bar.set_choices(choices)
        self.filter_bar.filters_changed.connect(self._on_filters_changed)
        self.options_bar = OptionsBar(spec.options)
        self.options_bar.changed.connect(self.refresh)
        self.completers = {}
        for option in spec.options:
            if option.lookup == "customer" and option.name in self.options_bar.editors:
                from crmdesk.ui.analysis.customer_completer import CustomerCompleter

                completer = CustomerCompleter(ctx, self.options_bar.editors[option.name])
                completer.chosen.connect(lambda _code: self.options_bar.announce())
                self.completers[option.name] = completer
        # What the result says about itself (lifetime: the fitted parameters).
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("color: #444")
        self.summary.hide()

        self.canvas = ChartCanvas()
        self.canvas.caption = self._chart_caption  # the right-click export says what it shows too
        self.canvas.clicked.connect(self.drill_key)
        self.canvas.setVisible(spec.chart is not None)
        self.model = DataFrameModel(self)
        self.table = make_table_view(self.model)
        self.table.doubleClicked.connect(lambda index: self.drill_row(index.row()))
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020")
        self.message.hide()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 280])
        splitter.setChildrenCollapsible(False)
        self.canvas.setMinimumHeight(220)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.message)
        results_layout.addWidget(splitter, 1)

        self.stack, self.drill = drill_stack(ctx, results)

        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.options_bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 1)

    # -- computing --------------------------------------------------------------------------
    def missing_options(self) -> list[str]:
        values = self.options_bar.values()
        return [o.name for o in self.spec.options if o.required and values.get(o.name) in (None, "")]

    def refresh(self) -> None:
        self.stale = False
        self.last_filters = self.filter_bar.filters()
        missing = self.missing_options()
        if missing:  # e.g. the statement needs a customer: ask instead of failing
            self.runner.cancel()
            names = "、".join(_(option_label(name)) for name in missing)
            self.message.setText(_("Enter {options} to compute this report.").format(options=names))
            self.message.show()
            return
        self.last_options = self.options_bar.values()
        self.runner.run(compute_report, self.ctx.db, self.ctx.actor, self.spec, self.last_filters,
                        self.last_options)

    def _on_computed(self, result: tuple[pd.DataFrame, dict[str, Any]]) -> None:
        frame, options = result
        self.message.hide()
        self.last_frame = frame
        self.model.set_frame(frame, self.spec.money_columns, self.spec.pct_columns)
        text = self.spec.summary(frame) if self.spec.summary is not None else ""
        self.summary.setText(text)
        self.summary.setVisible(bool(text))
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the report's own order
        self.table.resizeColumnsToContents()
        if self.spec.chart is not None:
            self.canvas.set_figure(build_chart(self.spec, frame, options))
        if self.stack.currentIndex() != 0:
            self.stack.setCurrentIndex(0)  # new numbers: the old drill-down no longer matches
        self.computed.emit()

    def _on_failed(self, message: str) -> None:
        self.message.setText(_("Could not compute the report: {error}").format(error=message))
        self.message.show()
        self.computed.emit()

    # -- drill-down -------------------------------------------------------------------------
    def drill_key(self, key: str) -> None:
        """A chart element was clicked (its gid or label)."""
        target = target_for_key(self.last_frame, key) if self.last_frame is not None else None
        self._drill(target, key)

    def drill_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self._drill(target_for_row(self.model.row_dict(row)), "")

    def _drill(self, target, key: str) -> None:
        if target is None:
            if key:
                self.ctx.bus.status_message.emit(_("Nothing to drill into for {key}.").format(key=key))
            return
        if self.drill.start(target, self.last_filters, self.spec.money_columns, self.spec.pct_columns):
            self.stack.setCurrentIndex(1)

    # -- export -----------------------------------------------------------------------------
    def _record_export(self, path) -> ExportInfo | None:
        """The core checks and audits the export, and says what it holds (period, filters, who, when);
        refused → a message and None (nothing is written)."""
        try:
            with self.ctx.db.sessions.begin() as session:
                record_export(session, self.ctx.actor, self.spec, path)
                return export_info(session, self.ctx.actor, self.spec, self.last_filters, self.last_options)
        except PermissionDenied as exc:
            report_failure(self, _("Export table"), exc)
            return None

    def _chart_caption(self) -> str:
        with self.ctx.read() as session:
            return export_info(session, self.ctx.actor, self.spec, self.last_filters, self.last_options).caption()

    def export_table(self, path=None):
        """Save the table as .xlsx (or .pdf); a report's own exporter for the suffix wins (the statement's)."""
        if path is None:
            path = ask_table_path(self, _(self.spec.title), pdf=".pdf" in self.spec.exporters)
        if path is None:
            return None
        path = Path(path)
        info = self._record_export(path)
        if info is None:
            return None
        own = self.spec.exporters.get(path.suffix.lower())
        try:
            if own is not None:
                frame = self.last_frame if self.last_frame is not None else self.model.frame
                own(with_info(frame, info), self.last_options, path)
                saved = path
            else:
                frame = self.model.frame
                saved = write_dataframe_xlsx(frame, path,
                                             money_columns=money_columns_of(self.last_frame if self.last_frame
                                                                            is not None else frame,
                                                                            self.spec.money_columns),
                                             pct_columns=self.spec.pct_columns, sheet_title=_(self.spec.title),
                                             header_labels={c: _(str(c)) for c in frame.columns},
                                             about=info.lines())
        except (OSError, ValueError) as exc:
            report_failure(self, _("Export table"), exc)
            return None
        self.ctx.bus.status_message.emit(_("Saved {path}").format(path=saved))
        return saved

    def export_chart(self, path=None):
        if self.canvas.figure is None:
            self.ctx.bus.status_message.emit(_("There is no chart to export."))
            return None
        if path is None:
            path = ask_chart_path(self, _(self.spec.title))
        info = self._record_export(path) if path is not None else None
        if info is None:
            return None
        try:
            saved = save_figure(self.canvas.figure, path, caption=info.caption())
        except (OSError, ValueError) as exc:
            report_failure(self, _("Export chart"), exc)
            return None
        self.ctx.bus.status_message.emit(_("Saved {path}").format(path=saved))
        return saved
