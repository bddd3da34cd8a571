"""The periodic inbox sync: a QTimer runs ``run_sync`` off the GUI thread every
``interval_minutes`` (0 or no inbox = off). Never two at once, and a tick is skipped while a
manual import runs. The outcome goes to the status bar ("上次同步 14:05：…") and problems that
left no import batch (no inbox, an unreadable file) are kept for the history view.

There is one controller per AppContext, a child of its change bus (``controller_for``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow

from crmdesk.i18n import _
from crmdesk.importers import ImportResult, SyncError, SyncResult, SyncSettings, load_sync_settings, run_sync
from crmdesk.services.permissions import can
from crmdesk.ui.background import Job, start
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.import_job import IMPORT_ENTITIES

log = logging.getLogger(__name__)

MS_PER_MINUTE = 60_000


@dataclass(frozen=True)
class Problem:
    """An import or sync that failed before it could leave a batch in the database."""

    when: dt.datetime
    file_name: str
    message: str


def summarize(result: SyncResult, when: dt.datetime) -> str:
    time = when.strftime("%H:%M")
    if not result.files:
        return _("Last sync {time}: no new files").format(time=time)
    done = [r for r in result.files if r.ok]
    text = _("Last sync {time}: {files} files, {added} rows added, {rejected} rows rejected").format(
        time=time, files=len(result.files), added=f"{sum(r.added for r in done):,}",
        rejected=f"{sum(r.rejected for r in result.files):,}")
    held = len(result.held)
    failed = len(result.files) - len(done) - held
    if held:  # nothing guessed unattended: the user decides in the Import page
        text += _("; {n} files held, unsure what they hold (see Import → History)").format(n=held)
    if failed:
        text += _("; {n} files could not be imported (see Import → History)").format(n=failed)
    return text


def problems_of(results: list[ImportResult], when: dt.datetime) -> list[Problem]:
    """Results that left no batch behind (a file that could not be read) as history entries."""
    return [Problem(when, r.path.name, r.message) for r in results if not r.ok and r.batch_id is None]


class SyncController(QObject):
    busy_changed = Signal(bool)
    progress = Signal(object, str)  # fraction or None, message
    summary_changed = Signal(str)
    problems_changed = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx.bus)
        self.setObjectName("sync-controller")
        self.ctx = ctx
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer)
        self.job: Job | None = None
        self.manual_import_running = False
        self.last_summary = ""
        self.last_result: SyncResult | None = None
        self.problems: list[Problem] = []
        self.settings = SyncSettings()
        ctx.bus.changed.connect(self._on_changed)
        self.reload()

    # --- schedule ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the sync settings and (re)start the timer from them."""
        try:
            with self.ctx.read() as session:
                self.settings = load_sync_settings(session)
        except Exception:  # noqa: BLE001 - a broken setting must not stop the window from opening
            log.exception("sync settings could not be read")
            self.settings = SyncSettings(interval_minutes=0)
        # Only an actor who may import gets the timer (it would fail every time otherwise).
        minutes = self.settings.interval_minutes if self.settings.inbox and can(self.ctx.actor, "import.run") else 0
        self.set_interval_ms(max(0, minutes) * MS_PER_MINUTE)

    def set_interval_ms(self, ms: int) -> None:
        if ms > 0:
            self.timer.start(ms)
        else:
            self.timer.stop()

    def _on_changed(self, entities: set[str]) -> None:
        if "settings" in entities:
            self.reload()

    def _on_timer(self) -> None:
        if self.busy or self.manual_import_running:
            log.info("sync tick skipped: %s", "a sync is running" if self.busy else "an import is running")
            return
        self.sync_now()

    # --- running -------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job is not None

    def sync_now(self) -> bool:
        """Start a sync in the background; False (with a status message) when one cannot start now."""
        if self.busy:
            self.ctx.bus.status_message.emit(_("A sync is already running."))
            return False
        if self.manual_import_running:
            self.ctx.bus.status_message.emit(_("An import is running; the sync waits for the next time."))
            return False
        self.ctx.bus.status_message.emit(_("Sync started…"))
        job = Job(run_sync, self.ctx.db, self.ctx.actor)
        job.progress.connect(self.progress.emit)
        job.succeeded.connect(self._on_success)
        job.failed.connect(self._on_error)
        job.cancelled.connect(self._on_cancelled)
        job.finished.connect(self._on_finished)
        self.job = start(job)
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        self.timer.stop()
        self.cancel()

    def _on_success(self, result: SyncResult) -> None:
        now = dt.datetime.now()
        self.last_result = result
        found = problems_of(result.files, now)
        if found:
            self.problems[:0] = found
            self.problems_changed.emit()
        self._report(summarize(result, now))
        if result.files:
            self.ctx.bus.announce(*IMPORT_ENTITIES)

    def _on_error(self, exc: Exception, _trace: str) -> None:
        now = dt.datetime.now()
        if isinstance(exc, SyncError):
            message = str(exc)
        else:
            message = _("{error} (details are in the log file)").format(error=exc)
        self.problems.insert(0, Problem(now, str(self.settings.inbox or _("(no inbox)")), message))
        self.problems_changed.emit()
        self._report(_("Sync failed {time}: {error}").format(time=now.strftime("%H:%M"), error=message))
        self.ctx.bus.announce("import_batches")  # files imported before the error are kept

    def _on_cancelled(self) -> None:
        self._report(_("Sync cancelled {time}: the file being imported was rolled back; "
                       "files imported before it are kept.").format(time=dt.datetime.now().strftime("%H:%M")))
        self.ctx.bus.announce(*IMPORT_ENTITIES)

    def _on_finished(self) -> None:
        self.job = None
        self.busy_changed.emit(False)

    def _report(self, text: str) -> None:
        self.last_summary = text
        self.summary_changed.emit(text)
        self.ctx.bus.status_message.emit(text)

    def add_problems(self, problems: list[Problem]) -> None:
        if problems:
            self.problems[:0] = problems
            self.problems_changed.emit()


def controller_for(ctx: AppContext) -> SyncController:
    """The context's sync controller, made (and its timer started) on first use."""
    found = ctx.bus.findChild(SyncController, "sync-controller")
    return found if isinstance(found, SyncController) else SyncController(ctx)


def install_sync(window: QMainWindow, ctx: AppContext) -> SyncController:
    """Start the periodic sync for the main window and show its progress in the status bar."""
    from crmdesk.ui.importing.sync_status import SyncStatusWidget

    controller = controller_for(ctx)
    window.statusBar().addPermanentWidget(SyncStatusWidget(controller))
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
    return controller
