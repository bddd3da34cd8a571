"""What the GUI start checks before it opens the database: that no other crmdesk window has it
open on this PC (``single_instance``), and that the file is intact (``crmdesk.db.integrity``) —
offering the newest good backup when it is not. And after login, the day's first backup."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from crmdesk.db import integrity
from crmdesk.db.engine import connect
from crmdesk.i18n import _
from crmdesk.services import backups
from crmdesk.ui.single_instance import InstanceGuard, ask_first_instance_to_raise

log = logging.getLogger(__name__)


def claim_instance(location: str, parent: QWidget | None = None) -> InstanceGuard | None:
    """The guard this start holds, or None when another crmdesk has this database open (it was
    asked to bring its window forward, and the user is told)."""
    guard = InstanceGuard(location)
    if guard.acquire():
        return guard
    raised = ask_first_instance_to_raise(location)
    log.info("another crmdesk has %s open (asked it to come forward: %s)", location, raised)
    QMessageBox.information(parent, _("crmdesk is already running"),
                            _("crmdesk already has this database open on this computer:\n{location}\n\n"
                              "Its window has been brought to the front.").format(location=location))
    return None


def _offer_restore(location: str, report: integrity.IntegrityReport, parent: QWidget | None) -> bool:
    """The database failed its check: offer the newest backup that passes its own check.
    True when a backup was restored (the start goes on)."""
    db = connect(location)
    try:
        candidate = backups.newest_good_backup(db)
        details = _("SQLite reports:\n{detail}").format(detail=report.detail[:600])
        if candidate is None:
            QMessageBox.critical(parent, _("The database is damaged"),
                                 _("crmdesk found damage in its database:\n{location}\n\n{details}\n\n"
                                   "No intact backup was found. Do not use the file; see \"If the database is "
                                   "damaged\" in the README.").format(location=location, details=details))
            return False
        when = f"{candidate.created:%Y-%m-%d %H:%M}"
        answer = QMessageBox.question(
            parent, _("The database is damaged"),
            _("crmdesk found damage in its database:\n{location}\n\n{details}\n\nRestore the newest intact "
              "backup, of {date}? The damaged file is kept as a backup too.").format(
                location=location, details=details, date=when))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            backups.restore(db, candidate.path)
        except Exception as exc:  # noqa: BLE001 - any failure ends in the same message
            log.exception("restoring %s failed", candidate.path)
            QMessageBox.critical(parent, _("The database is damaged"),
                                 _("The restore failed: {error}").format(error=exc))
            return False
        return True
    finally:
        db.dispose()


class StartCheck:
    """The integrity check of this start. A quick check of a changed file reads all of it (2.4 s on
    400 MB): it runs in the background while the login dialog is shown, and the result is awaited
    before the main window opens (``wait``). A full check after a crash is awaited before anything
    else opens the file; an unchanged file needs none."""

    def __init__(self, location: str):
        from crmdesk.ui.background import run_in_background

        self.location = location
        self.mode = integrity.check_needed(location)
        self._outcome: dict = {}
        self._job = None
        self.settled = False  # its verdict was acted on (settle_check)
        if self.mode == integrity.UNCHANGED:
            self._outcome["report"] = integrity.IntegrityReport(True, integrity.UNCHANGED, "ok", 0.0)
        else:
            mode = self.mode  # decided now: ``begin_check`` marks the file open right after
            self._job = run_in_background(lambda progress: integrity.check_in_mode(location, mode),
                                          on_success=self._finished,
                                          on_error=lambda exc, _t: self._failed(exc))

    def _finished(self, report: integrity.IntegrityReport) -> None:
        self._outcome["report"] = report
        log.info("integrity %s check of %s: %s in %.3f s", report.mode, self.location,
                 report.detail.splitlines()[0], report.seconds)

    def _failed(self, exc: Exception) -> None:
        self._outcome["error"] = exc
        log.error("integrity check of %s could not run: %s", self.location, exc)

    @property
    def pending(self) -> bool:
        return not self._outcome

    def wait(self, parent: QWidget | None = None) -> integrity.IntegrityReport | None:
        """The report, after a busy dialog if the check is still running; None when it could not run
        (opening the file then explains why, in its own dialog)."""
        from PySide6.QtCore import QEventLoop, Qt, QTimer

        if self.pending:
            dialog = QProgressDialog(_("Checking the database…"), "", 0, 0, parent)
            dialog.setWindowTitle("crmdesk")
            dialog.setCancelButton(None)
            dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            dialog.setMinimumDuration(500)
            # The result arrives as a queued signal, delivered by this loop; a poll rather than the
            # job's finished signal, which may already have been sent before we listen.
            loop = QEventLoop()
            poll = QTimer()
            poll.setInterval(30)
            poll.timeout.connect(lambda: None if self.pending else loop.quit())
            poll.start()
            loop.exec()
            poll.stop()
            dialog.reset()
        return self._outcome.get("report")  # None: it could not run

    def wait_ok(self) -> bool:
        """At the end of a run whose check was never settled: whether the file passed."""
        if self.settled:
            return True
        report = self.wait()
        return report is not None and report.ok


def begin_check(location: str) -> StartCheck:
    """Start this run's check and mark the database open (a crash from here on means a full check
    next time). ``must_wait_before_open`` says whether to await it before the file is opened."""
    check = StartCheck(location)
    integrity.mark_open(location)
    return check


def must_wait_before_open(check: StartCheck) -> bool:
    """A full check (after a crash) and any migration wait for the result: a damaged file is neither
    read by the login nor upgraded. A quick check of a file at the app's schema runs on."""
    if not check.pending or check.mode == integrity.FULL:
        return check.pending
    from crmdesk.db.migrate import SCHEMA_HEAD

    db = connect(check.location)
    try:
        return integrity.stored_revision(db) != SCHEMA_HEAD
    finally:
        db.dispose()


def settle_check(check: StartCheck, parent: QWidget | None = None) -> bool:
    """The check's verdict, awaited: True to go on, False to quit (damaged, and no backup restored).
    On a good verdict an interrupted restore of the attachments is finished."""
    report = check.wait(parent)
    check.settled = True
    if report is not None and not report.ok and not _offer_restore(check.location, report, parent):
        return False
    try:
        db = connect(check.location)
        try:
            backups.recover_interrupted_restore(db)
        finally:
            db.dispose()
    except Exception:  # noqa: BLE001 - the start goes on; the log says why
        log.exception("could not finish an interrupted restore of the attachments")
    return True


def check_database(location: str, parent: QWidget | None = None) -> bool:
    """Integrity before opening, awaited: True to go on (and the database is marked open), False to quit."""
    return settle_check(begin_check(location), parent)


def daily_backup(db, on_done=None):
    """The first start of the day makes a backup, off the GUI thread. Returns the job."""
    from crmdesk.ui.background import run_in_background

    def done(path: Path | None) -> None:
        if path is not None:
            log.info("daily backup: %s", path)
        if on_done:
            on_done(path)

    def failed(exc: Exception, _trace: str) -> None:
        log.warning("the daily backup failed: %s", exc)

    return run_in_background(_daily_job, db, on_success=done, on_error=failed)


def _daily_job(db, progress):
    return backups.daily_backup_if_due(db)


def closed_cleanly(location: str, guard: InstanceGuard, intact: bool = True) -> None:
    """At the end of the GUI run, after the database's connections closed. A file that failed
    its check is not remembered as cleanly closed: the next start checks it again."""
    if intact:
        integrity.mark_closed(location)
    guard.release()
