"""Live refresh: when another PC imports or edits, this one's open screens follow within seconds.

A timer polls the change feed (``crmdesk.db.notify.FeedWatch``: one row every 2 s); on
PostgreSQL a LISTEN thread also wakes it at once. The tables another process wrote are announced
on the change bus with ``REMOTE`` added, so the screens refresh as they do after this PC's own
saves: the customer list keeps its filter text and selection, the dashboard, pipeline board and
service queue re-read, and an open form with unsaved edits never reloads under the user — it says
"changed by someone else" instead (``crmdesk.ui.customers.form.dialog``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from crmdesk.db import notify
from crmdesk.i18n import _

log = logging.getLogger(__name__)
REMOTE = "remote"  # on the bus: the change came from another PC
POLL_MS = 2000
# Tables whose changes no screen shows: a login's audit row must not refresh every list.
QUIET_TABLES = {"audit_log", "alembic_version", "settings_cache"}


class LiveRefresh(QObject):
    _notified = Signal()

    def __init__(self, ctx, parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.watch = notify.FeedWatch(ctx.db)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self._notified.connect(self.check)  # queued: from the listener thread
        self.listener: notify.Listener | None = None

    def start(self) -> None:
        self.check()  # the starting point: nothing to announce
        self.timer.start()
        if notify.listens(self.ctx.db):
            self.listener = notify.Listener(self.ctx.db, self._notified.emit)
            self.listener.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def check(self) -> None:
        try:
            tables = self.watch.poll()
        except Exception as exc:  # noqa: BLE001 - a lost connection must not stop the app
            log.info("live refresh: %s", exc)
            return
        tables -= QUIET_TABLES
        if not tables:
            return
        if notify.EVERYTHING in tables:
            from crmdesk.ui.customers.page import LIST_ENTITIES

            tables = set(LIST_ENTITIES) | {"opportunities", "service_cases", "case_notes", "tasks", "interactions"}
        log.info("live refresh: another PC changed %s", ", ".join(sorted(tables)))
        self.ctx.bus.announce(*tables, REMOTE)
        self.ctx.bus.status_message.emit(_("Updated with changes made on another PC"))


def wait_for_other_writer(ctx, parent=None) -> None:
    """Before a save on SQLite: while another process's import writes the file, a busy dialog
    says whose ("waiting for the import of X to finish…") with Cancel, instead of the save failing
    after the busy timeout. Cancel refuses the save with a message (nothing written)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from crmdesk.db import writers
    from crmdesk.importers.busy import waiting_message
    from crmdesk.services.customer_errors import CustomerError

    info = writers.holder(ctx.db.url)
    if info is None:
        return
    text = waiting_message(str(info.get("what", "")))
    ctx.bus.status_message.emit(text)
    dialog = QProgressDialog(text, _("Cancel"), 0, 0, parent)
    dialog.setWindowTitle(_("Waiting"))
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.show()

    def cancelled() -> bool:
        QApplication.processEvents()
        return dialog.wasCanceled()

    try:
        free = writers.wait_until_free(ctx.db.url, lambda *_: None, cancelled, poll=0.1)
    finally:
        dialog.close()
    if not free:
        raise CustomerError(_("Not saved: the import of {file} is still running; save again when it has finished")
                            .format(file=info.get("what", "")))
