"""The dry run: which customers a rule would hit now and why, computed off the GUI thread
(progress and Cancel like the analysis page), shown in a table whose rows open the customer.

``dry_run_job`` is a plain function (its own session, interruptible SQL), so a test can call
it with a fake progress and no GUI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from crmdesk.core.progress import Progress
from crmdesk.i18n import _
from crmdesk.rules import engine
from crmdesk.rules.model import RuleInput, RuleRunResult
from crmdesk.services.actor import Actor
from crmdesk.ui.analysis.runner import LatestRunner
from crmdesk.ui.analysis.worker_session import worker_session
from crmdesk.ui.rules.dry_run_model import REASON_COLUMN, HitsModel
from crmdesk.ui.settings.rows_model import fit_columns, table_view


def dry_run_job(db: Any, actor: Actor, rule: RuleInput | int, as_of: dt.date | None = None,
                progress: Progress | None = None) -> RuleRunResult:
    with worker_session(db, progress) as session:
        if progress is not None:
            progress.update(None, _("Checking every customer…"))
        result = engine.dry_run(session, actor, rule, as_of=as_of)
        if progress is not None:
            progress.check()
        return result


class DryRunPanel(QWidget):
    """Progress with Cancel while it runs; then "N customers" and the hits table."""

    customer_activated = Signal(int)
    finished = Signal(object)  # RuleRunResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = LatestRunner(self)
        self.result: RuleRunResult | None = None
        self.model = HitsModel()
        self.table = table_view(self.model)
        # The reason is what the user reads: it takes the spare width, not the "already fired" flag.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel(_("Dry run: see which customers the rule would hit now, before switching it on."))
        self.count_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(140)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setVisible(False)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.bar)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.runner.busy_changed.connect(self._on_busy)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.progress.connect(lambda _f, message: self.count_label.setText(message) if message else None)
        self.cancel_button.clicked.connect(self.cancel)
        self.table.doubleClicked.connect(lambda index: self.customer_activated.emit(
            self.model.customer_id_at(index.row())))

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def start(self, db: Any, actor: Actor, rule: RuleInput | int, specs: dict, as_of: dt.date | None = None) -> None:
        self.model.specs = dict(specs)
        self.count_label.setText(_("Checking every customer…"))
        self.runner.run(dry_run_job, db, actor, rule, as_of)

    def cancel(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self.count_label.setText(_("Dry run cancelled."))

    def clear(self) -> None:
        self.result = None
        self.model.set_rows([])

    def _on_busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_finished(self, result: RuleRunResult) -> None:
        self.result = result
        self.model.set_rows(result.hits)
        if result.hits:
            fit_columns(self.table, 320)
        fired = sum(1 for h in result.hits if h.already_fired)
        text = _("{n} customers would be hit ({new} new, {fired} already fired; {seconds:.1f} s).").format(
            n=len(result.hits), new=len(result.hits) - fired, fired=fired, seconds=result.seconds)
        if result.error:
            text = result.error
        self.count_label.setText(text)
        self.finished.emit(result)

    def _on_failed(self, message: str) -> None:
        self.count_label.setText(_("Dry run failed: {error}").format(error=message))
