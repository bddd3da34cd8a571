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


def _check_with_feedback(location: str, parent: QWidget | None) -> integrity.IntegrityReport:
    """The check reads the whole file (seconds on a big one, more after a crash): off the GUI
    thread, with a busy dialog, so the start does not look hung."""
    from PySide6.QtCore import QEventLoop, Qt

    from crmdesk.ui.background import run_in_background

    if not integrity.was_closed_uncleanly(location) and integrity.unchanged_since_clean_close(location):
        return integrity.check_at_start(location)
    dialog = QProgressDialog(_("Checking the database…"), "", 0, 0, parent)
    dialog.setWindowTitle("crmdesk")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(500)
    loop = QEventLoop()
    outcome: dict = {}
    job = run_in_background(lambda progress: integrity.check_at_start(location),
                            on_success=lambda r: outcome.setdefault("report", r),
                            on_error=lambda exc, _t: outcome.setdefault("error", exc))
    job.finished.connect(loop.quit)
    if not outcome:  # the results arrive as queued signals, in this loop
        loop.exec()
    dialog.reset()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]


def check_database(location: str, parent: QWidget | None = None) -> bool:
    """Integrity before opening: True to go on (and the database is marked open), False to quit."""
    try:
        report = _check_with_feedback(location, parent)
    except Exception:  # noqa: BLE001 - cannot even be read: opening it explains why, in its dialog
        log.exception("integrity check of %s could not run", location)
        return True
    log.info("integrity %s check of %s: %s in %.3f s", report.mode, location, report.detail.splitlines()[0],
             report.seconds)
    if not report.ok and not _offer_restore(location, report, parent):
        return False
    integrity.mark_open(location)
    try:
        db = connect(location)
        try:
            backups.recover_interrupted_restore(db)
        finally:
            db.dispose()
    except Exception:  # noqa: BLE001 - the start goes on; the log says why
        log.exception("could not finish an interrupted restore of the attachments")
    return True


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
