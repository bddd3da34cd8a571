"""Progress and cancellation for long work, without Qt.

Long work (import, sync, report, backup) is a plain function taking a
``Progress``. The GUI runs it on a worker thread and passes a callback that
forwards to a Qt signal; the CLI passes a console printer; tests pass nothing
and call ``cancel()`` to check the work stops cleanly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

ProgressCallback = Callable[[float | None, str], None]


class Cancelled(Exception):
    """Raised inside the work function at the next check after ``cancel()``."""


class Progress:
    def __init__(self, callback: ProgressCallback | None = None, min_interval: float = 0.1) -> None:
        self._callback = callback
        self._cancel = threading.Event()
        self._min_interval = min_interval
        self._last = 0.0
        self.fraction: float | None = None
        self.message = ""

    def update(self, fraction: float | None = None, message: str | None = None, force: bool = False) -> None:
        """Report progress (0–1, or None for unknown); throttled; raises Cancelled once cancelled."""
        self.check()
        if fraction is not None:
            self.fraction = max(0.0, min(1.0, fraction))
        if message is not None:
            self.message = message
        now = time.monotonic()
        if self._callback and (force or now - self._last >= self._min_interval):
            self._last = now
            self._callback(self.fraction, self.message)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


NO_PROGRESS = None  # callers may pass None where a Progress is optional


def ensure(progress: Progress | None) -> Progress:
    return progress if progress is not None else Progress()
