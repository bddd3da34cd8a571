"""Run a plain function off the GUI thread, with progress and cancel.

The function gets a ``crmdesk.core.progress.Progress`` as its keyword
argument ``progress``; its updates arrive on the GUI thread as the
``progress`` signal. Workers never touch widgets.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from crmdesk.core.progress import Cancelled, Progress

log = logging.getLogger(__name__)


class Job(QObject):
    progress = Signal(object, str)  # fraction (float | None), message
    succeeded = Signal(object)
    failed = Signal(object, str)  # exception, formatted traceback
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self.state = Progress(callback=lambda f, m: self.progress.emit(f, m))
        self.running = False

    def cancel(self) -> None:
        self.state.cancel()

    def _run(self) -> None:
        try:
            result = self._fn(*self._args, progress=self.state, **self._kwargs)
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, which shows it
            log.exception("background job failed")
            self.failed.emit(exc, traceback.format_exc())
        else:
            self.succeeded.emit(result)
        finally:
            self.running = False
            self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self._job._run()


_live_jobs: set[Job] = set()


def start(job: Job, pool: QThreadPool | None = None) -> Job:
    """Start ``job`` on the thread pool; keeps it alive until it finishes."""
    _live_jobs.add(job)
    job.finished.connect(lambda: _live_jobs.discard(job))
    job.running = True
    (pool or QThreadPool.globalInstance()).start(_Runnable(job))
    return job


def run_in_background(fn: Callable[..., Any], *args: Any, on_success: Callable[[Any], None] | None = None,
                      on_error: Callable[[Exception, str], None] | None = None,
                      on_progress: Callable[[float | None, str], None] | None = None,
                      **kwargs: Any) -> Job:
    job = Job(fn, *args, **kwargs)
    if on_success:
        job.succeeded.connect(on_success)
    if on_error:
        job.failed.connect(on_error)
    if on_progress:
        job.progress.connect(on_progress)
    return start(job)
