"""Uncaught errors: log the traceback, tell the user in a short dialog where
the log is, and keep running. One dialog at a time, never recursively."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crmdesk.i18n import _
from crmdesk.paths import log_file

log = logging.getLogger(__name__)

REPEAT_QUIET_SECONDS = 3.0  # a paint handler that fails every frame must not flood the screen


class _Relay(QObject):
    """Carries an error from any thread to the GUI thread."""

    report = Signal(str)


class ErrorHook:
    def __init__(self, parent: Callable[[], QWidget | None] | None = None) -> None:
        self._parent = parent or (lambda: None)
        self._showing = False
        self._last_shown: tuple[str, float] | None = None
        self._relay = _Relay()
        self._relay.report.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous_sys = sys.excepthook
        self._previous_threading = threading.excepthook
        self.installed = False

    def install(self) -> ErrorHook:
        self._previous_sys = sys.excepthook
        self._previous_threading = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        self.installed = True
        return self

    def uninstall(self) -> None:
        if self.installed:
            sys.excepthook = self._previous_sys
            threading.excepthook = self._previous_threading
            self.installed = False

    def handle(self, exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None, thread_name: str | None = None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_sys(exc_type, exc, tb)
            return
        where = f" in thread {thread_name}" if thread_name else ""
        log.error("uncaught exception%s", where, exc_info=(exc_type, exc, tb))
        summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        app = QApplication.instance()
        if app is None:
            return
        if threading.current_thread() is threading.main_thread():
            self._show(summary)
        else:
            self._relay.report.emit(summary)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread else None
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, thread_name=name)

    def _show(self, summary: str) -> None:
        if self._showing:
            return  # an error while the dialog is up: logged, not shown again
        now = time.monotonic()
        if self._last_shown and self._last_shown[0] == summary and now - self._last_shown[1] < REPEAT_QUIET_SECONDS:
            return
        self._last_shown = (summary, now)
        self._showing = True
        try:
            QMessageBox.critical(self._parent(), _("Unexpected error"), message_for(summary))
        except Exception:  # noqa: BLE001 - the error dialog itself must never raise into Qt
            log.exception("could not show the error dialog")
        finally:
            self._showing = False


def message_for(summary: str) -> str:
    return _("Something went wrong: {error}\n\n"
             "The details were written to the log file:\n{log}\n\n"
             "You can keep working. If it happens again, send that file to whoever looks after crmdesk."
             ).format(error=summary, log=log_file())


def unexpected_failure_text(exc: BaseException) -> str:
    """The message for an unexpected error of a save or another action the user started (a bug or
    a broken database, not a refusal): the traceback goes to the log; the user reads that nothing was
    saved, that what they typed is still there, and where the details are."""
    log.error("unexpected error shown to the user", exc_info=exc)
    summary = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return _("That did not work because of an unexpected error: {error}\n\n"
             "Nothing was changed, and anything you typed is still in the window: try again, or copy it "
             "somewhere safe.\n\nThe details were written to the log file:\n{log}").format(error=summary,
                                                                                      log=log_file())


_hook: ErrorHook | None = None


def install_error_hook(parent: Callable[[], QWidget | None] | None = None) -> ErrorHook:
    """Install (once) the process-wide hook; later calls only update the dialog's parent."""
    global _hook
    if _hook is None:
        _hook = ErrorHook(parent).install()
    elif parent is not None:
        _hook._parent = parent
    return _hook
