"""Compute off the GUI thread, keeping only the newest request's answer.

Each filter change starts a new computation; the older one is cancelled (its
SQL is interrupted, or it stops at its next progress check) and, should it
finish anyway, its result is dropped. Workers open their own session: a session never crosses threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from crmdesk.core.progress import Cancelled, Progress
from crmdesk.i18n import _
from crmdesk.ui.analysis.worker_session import interrupt
from crmdesk.ui.background import Job, start

log = logging.getLogger(__name__)


class _Failure(Exception):
    def __init__(self, seq: int, error: Exception) -> None:
        super().__init__(str(error))
        self.seq = seq
        self.error = error


def _tagged(seq: int, fn: Callable[..., Any], args: tuple, kwargs: dict, progress: Progress) -> tuple[int, Any]:
    progress.check()
    try:
        return seq, fn(*args, progress=progress, **kwargs)
    except Exception as exc:
        if progress.cancelled:  # e.g. SQLite's "interrupted": superseded, not failed
            raise Cancelled() from exc
        raise _Failure(seq, exc) from exc


class LatestRunner(QObject):
    """``run(fn, ...)`` → ``finished(result)`` for the newest run only; ``failed(message)``; ``busy_changed``."""

    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)
    progress = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._seq = 0
        self._job: Job | None = None
        self.busy = False
        self.runs_started = 0
        self.results_dropped = 0

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        """Start ``fn(*args, progress=..., **kwargs)`` on the thread pool; returns the request number."""
        self._stop_current()
        self._seq += 1
        self.runs_started += 1
        job = Job(_tagged, self._seq, fn, args, kwargs)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.progress.connect(self._on_progress)
        self._job = job
        self._set_busy(True)
        start(job)
        return self._seq

    def _stop_current(self) -> None:
        if self._job is not None and self._job.running:
            self._job.cancel()
            interrupt(self._job.state)

    def cancel(self) -> None:
        self._stop_current()
        self._job = None
        self._seq += 1  # whatever is still running is now stale
        self._set_busy(False)

    @Slot(object)
    def _on_succeeded(self, tagged: tuple[int, Any]) -> None:
        seq, result = tagged
        if seq != self._seq:
            self.results_dropped += 1
            return
        self._job = None
        self._set_busy(False)
        self.finished.emit(result)

    @Slot(object, str)
    def _on_failed(self, exc: Exception, trace: str) -> None:
        seq = exc.seq if isinstance(exc, _Failure) else self._seq
        if seq != self._seq:
            return
        error = exc.error if isinstance(exc, _Failure) else exc
        log.error("analysis computation failed: %s\n%s", error, trace)
        self._job = None
        self._set_busy(False)
        self.failed.emit(str(error) or type(error).__name__)

    @Slot(object, str)
    def _on_progress(self, fraction: float | None, message: str) -> None:
        self.progress.emit(fraction, message)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)


class BusyIndicator(QWidget):
    """A small bouncing bar and "Computing…", shown while a runner works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(120)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.label = QLabel(_("Computing…"))
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # appearing must not shift the toolbar
        self.setSizePolicy(policy)
        self.setVisible(False)

    def attach(self, runner: LatestRunner) -> None:
        runner.busy_changed.connect(self.setVisible)
