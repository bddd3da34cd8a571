"""The import wizard: step 1 preview and mapping (``PreviewStep``), then the import off the
GUI thread with a progress bar and Cancel, then the result per file."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QProgressBar,
                               QPushButton, QStackedWidget, QTableView, QVBoxLayout, QWidget)

from crmdesk.i18n import N_, _
from crmdesk.importers import ImportResult
from crmdesk.importers.mapping import ignored_text
from crmdesk.ui.background import Job, start
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.import_job import IMPORT_ENTITIES, ImportRun, import_files
from crmdesk.ui.importing.labels import kind_label, status_label
from crmdesk.ui.importing.preview_step import PreviewStep
from crmdesk.ui.importing.sync_controller import SyncController, problems_of
from crmdesk.ui.importing.table_models import RowsModel
from crmdesk.ui.widgets.flow_layout import FlowLayout

log = logging.getLogger(__name__)


def _message(r: ImportResult) -> str:
    return r.message or "; ".join(r.notes)


def _warnings(r: ImportResult) -> str:
    return "; ".join(str(w) for w in r.warnings)


def details(results: list[ImportResult]) -> str:
    """Per file: which column went to which field, the columns ignored, the warnings with counts,
    and for a file whose every row was rejected the reasons (so nothing is dropped unseen)."""
    lines = []
    for r in results:
        if not r.columns:
            continue
        lines.append(f"{r.path.name}:")
        if r.mapped:
            lines.append("  " + _("columns: {mapping}").format(mapping=", ".join(c.describe() for c in r.mapped)))
        if r.ignored:
            lines.append("  " + _("ignored: {columns}").format(columns=ignored_text(r.ignored)))
        lines.extend("  " + _("warning: {warning}").format(warning=w) for w in r.warnings)
        if r.all_rejected:
            lines.append("  " + _("every row was rejected; the reasons:"))
            lines.extend("    " + _("{n} rows: {reason} ({column})").format(n=n, reason=reason, column=column)
                         for reason, column, n in r.reasons)
    return "\n".join(lines)


RESULT_COLUMNS = (
    (N_("File"), lambda r: r.path.name),
    (N_("Kind"), lambda r: kind_label(r.kind) if r.kind else ""),
    (N_("Status"), lambda r: status_label(r.status)),
    (N_("Rows added"), lambda r: r.added),
    (N_("Updated"), lambda r: r.updated),
    (N_("Unchanged"), lambda r: r.unchanged),
    (N_("Rejected"), lambda r: r.rejected),
    (N_("Message"), _message),
    (N_("Warnings"), _warnings),
)


class ImportWizard(QWidget):
    history_requested = Signal(object)  # batch id to show in the history, or None
    SETUP, RESULT = 0, 1

    def __init__(self, ctx: AppContext, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.job: Job | None = None
        self.run: ImportRun | None = None
        self.results: list[ImportResult] = []

        self.step = PreviewStep()
        self.dry_run_box = QCheckBox(_("Dry run (check and count, write nothing)"))
        self.strict_box = QCheckBox(_("Strict (refuse a file with any bad row)"))
        self.paid_at_sale_box = QCheckBox(_("Sales in these files were paid at sale"))
        self.paid_at_sale_box.setToolTip(_("Counter sales paid on the spot: none of them becomes receivable. "
                                           "Unticked: the profile and Settings → Settlement decide per customer."))
        self.import_button = QPushButton(_("Import"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.step.preview_ready.connect(lambda _p: self._update_buttons())
        options = QWidget()  # the three options wrap on a narrow window instead of widening the page
        options_flow = FlowLayout(options)
        for box in (self.dry_run_box, self.strict_box, self.paid_at_sale_box):
            options_flow.addWidget(box)
        self.branch_box = QComboBox()  # shown once the shop has two branches (Settings → Branches)
        self.branch_box.setToolTip(_("The branch these files come from: their orders, receipts and stock "
                                     "carry it"))
        self.branch_label = QLabel(_("Branch"))
        options_flow.addWidget(self.branch_label)
        options_flow.addWidget(self.branch_box)
        self.refresh_branches()
        bottom = QHBoxLayout()
        bottom.addWidget(options, 1)
        bottom.addWidget(self.import_button)
        setup = QWidget()
        col = QVBoxLayout(setup)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.step, 1)
        col.addLayout(bottom)

        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setToolTip(_("Stops the import; the file being imported is rolled back completely."))
        self.cancel_button.clicked.connect(self.cancel)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("font-size: 11pt; font-weight: bold;")
        self.result_model: RowsModel[ImportResult] = RowsModel(
            RESULT_COLUMNS, self, is_problem=lambda r: r.status in ("failed", "refused", "held") or r.all_rejected)
        self.result_table = QTableView()
        self.result_table.setModel(self.result_model)
        self.result_table.verticalHeader().setVisible(False)
        self.result_table.horizontalHeader().setStretchLastSection(True)
        self.result_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.details_view = QPlainTextEdit()  # mapping, ignored columns and warnings per file
        self.details_view.setReadOnly(True)
        self.details_view.setMaximumHeight(160)
        self.details_view.hide()
        self.again_button = QPushButton(_("Import more files"))
        self.again_button.clicked.connect(lambda: self.stack.setCurrentIndex(self.SETUP))
        self.history_button = QPushButton(_("Show rejected rows"))
        self.history_button.clicked.connect(self._show_history)
        running_row = QHBoxLayout()
        running_row.addWidget(self.progress_bar, 1)
        running_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.again_button)
        result = QWidget()
        rcol = QVBoxLayout(result)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.progress_label)
        rcol.addLayout(running_row)
        rcol.addWidget(self.summary_label)
        rcol.addWidget(self.result_table, 1)
        rcol.addWidget(self.details_view)
        rcol.addLayout(buttons)

        self.stack = QStackedWidget()
        self.stack.addWidget(setup)
        self.stack.addWidget(result)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        controller.busy_changed.connect(lambda _b: self._update_buttons())
        self._update_buttons()

    def refresh_branches(self) -> None:
        """The branch picker's choices; hidden while the shop has fewer than two branches."""
        from crmdesk.services.branches import list_branches, shown

        with self.ctx.read() as session:
            visible = shown(session)
            rows = list_branches(session, active_only=True) if visible else []
        kept = self.branch_box.currentData()
        self.branch_box.clear()
        self.branch_box.addItem(_("as the profile says"), None)
        for b in rows:
            self.branch_box.addItem(b.label, b.code)
        self.branch_box.setCurrentIndex(max(self.branch_box.findData(kept), 0))
        self.branch_box.setVisible(visible)
        self.branch_label.setVisible(visible)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override: branches may have been added meanwhile
        self.refresh_branches()
        super().showEvent(event)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _update_buttons(self) -> None:
        self.import_button.setEnabled(self.step.has_files() and not self.busy and not self.step.pending)
        self.import_button.setToolTip(_("A sync is running; import when it has finished.")
                                      if self.controller.busy else "")

    # --- running -------------------------------------------------------------------------------
    def start_import(self) -> bool:
        if self.busy or not self.step.has_files():
            return False
        if self.controller.busy:
            self.ctx.bus.status_message.emit(_("A sync is running; import when it has finished."))
            return False
        files = self.step.all_options()
        for options in files:
            options.paid_at_sale = True if self.paid_at_sale_box.isChecked() else None
            options.branch = self.branch_box.currentData() if not self.branch_box.isHidden() else None
        self.run = ImportRun()
        self.results = []
        self.result_model.set_items([])
        self.summary_label.clear()
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.again_button.setEnabled(False)
        self.history_button.hide()
        self.progress_label.setText(_("Importing {n} files…").format(n=len(files)))
        self.stack.setCurrentIndex(self.RESULT)
        self.controller.manual_import_running = True
        job = Job(import_files, self.ctx.db, self.ctx.actor, files, self.dry_run_box.isChecked(),
                  self.strict_box.isChecked(), self.run)
        job.progress.connect(self._on_progress)
        job.failed.connect(self._on_error)
        job.cancelled.connect(self._on_cancelled)
        job.succeeded.connect(lambda _run: self._on_done(None))
        job.finished.connect(self._on_finished)
        self.job = start(job)
        self.step.set_busy(True)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(_("Cancelling… the file being imported is rolled back."))

    def _on_progress(self, fraction: float | None, message: str) -> None:
        if fraction is None:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 100)
            self.progress_bar.setValue(int(fraction * 100))
        if message and self.cancel_button.isEnabled():
            self.progress_label.setText(message)

    def _on_cancelled(self) -> None:
        current = self.run.current if self.run else None
        name = current.name if current else ""
        self._on_done(_("Cancelled. {file} was rolled back: nothing of it was saved. "
                        "Files imported before it are kept.").format(file=name))

    def _on_error(self, exc: Exception, _trace: str) -> None:
        self._on_done(_("The import stopped with an error: {error}. The file being imported was rolled back; "
                        "details are in the log file.").format(error=exc))

    def _on_done(self, problem: str | None) -> None:
        self.results = list(self.run.results) if self.run else []
        self.result_model.set_items(self.results)
        self.result_table.resizeColumnsToContents()
        text = details(self.results)
        self.details_view.setPlainText(text)
        self.details_view.setVisible(bool(text))
        done = [r for r in self.results if r.ok]
        summary = _("{files} files: {added} rows added, {updated} updated, {unchanged} unchanged, "
                    "{rejected} rejected").format(
            files=len(self.results), added=f"{sum(r.added for r in done):,}",
            updated=f"{sum(r.updated for r in done):,}", unchanged=f"{sum(r.unchanged for r in done):,}",
            rejected=f"{sum(r.rejected for r in self.results):,}")
        if any(r.status == "dry-run" for r in self.results):
            summary += " " + _("(dry run, nothing written)")
        self.progress_label.setText(problem or _("Import finished."))
        self.summary_label.setText(summary)
        self.controller.add_problems(problems_of(self.results, dt.datetime.now()))
        self.ctx.bus.status_message.emit(problem or _("Import: {summary}").format(summary=summary))
        if any(r.status == "done" for r in self.results):
            self.ctx.bus.announce(*IMPORT_ENTITIES)
        elif any(r.batch_id for r in self.results) or problem:
            self.ctx.bus.announce("import_batches")
        self.history_button.setVisible(any(r.batch_id for r in self.results))

    def _on_finished(self) -> None:
        self.job = None
        self.controller.manual_import_running = False
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.again_button.setEnabled(True)
        self.step.set_busy(False)
        self._update_buttons()

    def _show_history(self) -> None:
        with_rejects = [r.batch_id for r in self.results if r.batch_id and r.rejected]
        any_batch = [r.batch_id for r in self.results if r.batch_id]
        self.history_requested.emit((with_rejects or any_batch or [None])[0])
