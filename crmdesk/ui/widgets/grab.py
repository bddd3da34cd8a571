"""Helpers the screenshot scripts share: wait for the GUI, then save a widget's picture."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

WAIT_TIMEOUT_S = 30.0


def pause(ms: int = 300) -> None:
    """Let the GUI run (paint, timers, finished jobs) for ``ms`` milliseconds."""
    QTest.qWait(ms)


def wait_until(condition: Callable[[], bool], after_ms: int = 200, timeout_s: float = WAIT_TIMEOUT_S) -> None:
    """Keep the GUI running until ``condition()`` holds (or the timeout), then ``after_ms`` more to paint."""
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        QTest.qWait(50)
    QTest.qWait(after_ms)


def save_grab(widget: QWidget, path: Path) -> Path:
    """Save the widget's picture as ``path`` (format from the suffix); OSError if it cannot be written."""
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path
