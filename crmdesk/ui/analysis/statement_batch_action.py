"""The statement panel's "All with a balance…" button: every customer with a balance into one
PDF, or one PDF per customer into a folder, for the period and customer filters of the panel.

The work is ``reports.statement_batch.export_batch`` in a background job (hundreds of
statements take a while); the button is disabled meanwhile and the result is announced.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from crmdesk.i18n import _
from crmdesk.ui.background import Job, run_in_background
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)


def batch_job(db: Any, actor: Any, filters: Any, target: Path, to_folder: bool, options: dict[str, Any],
              progress: Any) -> tuple[int, list[Path]]:
    """Worker: its own transaction (the export is audited)."""
    from crmdesk.reports.statement_batch import export_batch

    progress.update(None, _("Writing statements…"))
    with db.sessions.begin() as session:
        return export_batch(session, actor, filters, target, to_folder=to_folder, options=options)


class BatchStatements:
    """Owns the button; ``last_job`` / ``last_result`` / ``last_error`` are for tests."""

    def __init__(self, panel: QWidget) -> None:
        self.panel = panel
        self.button = QPushButton(_("All with a balance…"))
        self.button.setToolTip(_("Statements of every customer with a balance, for the period and customer filters "
                                 "above: one PDF, or one PDF per customer in a folder"))
        self.button.clicked.connect(lambda: self.ask_and_run())
        self.last_job: Job | None = None
        self.last_result: tuple[int, list[Path]] | None = None
        self.last_error: str = ""

    def ask_and_run(self) -> Job | None:
        box = QMessageBox(self.panel)
        box.setWindowTitle(_("Statements for all customers with a balance"))
        box.setText(_("Write every statement into one PDF, or one PDF per customer into a folder?"))
        one = box.addButton(_("One PDF…"), QMessageBox.ButtonRole.AcceptRole)
        folder = box.addButton(_("A folder…"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is one:
            name, _filter = file_dialogs.get_save_file_name(self.panel, _("Save statements"), _("statements") + ".pdf",
                                                        _("PDF document (*.pdf)"))
            return self.run(Path(name).with_suffix(".pdf"), to_folder=False) if name else None
        if box.clickedButton() is folder:
            name = file_dialogs.get_existing_directory(self.panel, _("Folder for the statements"))
            return self.run(Path(name), to_folder=True) if name else None
        return None

    def run(self, target: Path, *, to_folder: bool) -> Job:
        panel = self.panel
        options = {k: v for k, v in panel.options_bar.values().items() if k != "customer"}
        self.button.setEnabled(False)
        self.last_result, self.last_error = None, ""
        # The button comes back in _done/_failed, which run_in_background connects before the job
        # starts: a "finished" connected afterwards can miss a job that ends at once (seen once).
        self.last_job = run_in_background(batch_job, panel.ctx.db, panel.ctx.actor, panel.filter_bar.filters(),
                                          target, to_folder, options, on_success=self._done, on_error=self._failed)
        return self.last_job

    def _done(self, result: tuple[int, list[Path]]) -> None:
        self.button.setEnabled(True)
        self.last_result = result
        count, files = result
        where = files[0] if len(files) == 1 else files[0].parent if files else ""
        self.panel.message.hide()
        self.panel.ctx.bus.status_message.emit(_("{n} statements saved in {path}").format(n=count, path=where))

    def _failed(self, exc: Exception, _trace: str) -> None:
        # Shown in the panel, not a modal box: "nobody has a balance" is an answer, not an accident.
        self.button.setEnabled(True)
        self.last_error = str(exc)
        log.info("batch statements: %s", exc)
        self.panel.message.setText(_("Statements not written: {error}").format(error=exc))
        self.panel.message.show()
