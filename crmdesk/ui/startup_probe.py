"""Start-up timing for bench/startup_bench.py: with ``CRMDESK_STARTUP_PROBE=FILE`` the app writes,
as JSON lines to FILE, the wall-clock time (``time.time()``) at which the login window was shown,
at which it was confirmed, at which the main window was shown and at which the customer list had
rows — then quits.

Not a back door: the probe only presses the login dialog's OK button, as a person would. The
dialog fills in a password on its own only for the demo shop (owner / "demo", checked like any
other); on any other database the fields stay empty, the login fails and the probe says so.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

ENV = "CRMDESK_STARTUP_PROBE"
_probe = None


def _peak_rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    except ImportError:  # Windows
        import psutil

        return psutil.Process().memory_info().peak_wset / 2**20


class StartupProbe(QObject):
    def __init__(self, app: QApplication, path: Path) -> None:
        super().__init__(app)
        self._app = app
        self._path = path
        self._seen: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._poll_list)
        self._write({"event": "start", "pid": os.getpid()})

    def _write(self, record: dict) -> None:
        record.setdefault("t", time.time())
        with self._path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")

    def _once(self, event: str, **extra) -> bool:
        if event in self._seen:
            return False
        self._seen.add(event)
        self._write({"event": event, **extra})
        return True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            from crmdesk.ui.login_dialog import LoginDialog
            from crmdesk.ui.main_window import MainWindow

            if isinstance(watched, LoginDialog) and self._once("login_shown"):
                QTimer.singleShot(0, lambda d=watched: self._confirm(d))
            elif isinstance(watched, MainWindow) and self._once("main_shown"):
                self._window = watched
                self._timer.start()
        return False

    def _confirm(self, dialog: QDialog) -> None:
        self._once("login_confirmed")
        dialog.ok_button.click()  # what Enter does; the fields hold what the dialog itself put there
        QTimer.singleShot(3000, lambda: self._give_up_if_not_logged_in(dialog))

    def _give_up_if_not_logged_in(self, dialog: QDialog) -> None:
        if "main_shown" not in self._seen:
            self._write({"event": "login_failed"})
            self._app.exit(3)

    def _poll_list(self) -> None:
        from crmdesk.ui.customers.page import CustomersPage

        page = self._window.findChild(CustomersPage)
        if page is None or page.model.rowCount() == 0:
            return
        if page.model.data(page.model.index(0, 0)) in (None, ""):
            return
        self._timer.stop()
        self._app.processEvents()  # painted once with its rows
        self._once("list_ready", rows=page.model.rowCount(), peak_rss_mb=round(_peak_rss_mb(), 1))
        QTimer.singleShot(0, lambda: self._app.exit(0))


def install_startup_probe(app: QApplication) -> None:
    """Does nothing unless CRMDESK_STARTUP_PROBE names a file."""
    global _probe
    target = os.environ.get(ENV)
    if not target or _probe is not None:
        return
    _probe = StartupProbe(app, Path(target))
    app.installEventFilter(_probe)
