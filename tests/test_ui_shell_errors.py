"""Uncaught errors are logged and shown once, from any thread, never recursively."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from crmdesk.paths import log_file
from crmdesk.ui import error_hook
from crmdesk.ui.error_hook import ErrorHook


@pytest.fixture
def shown(monkeypatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(error_hook.QMessageBox, "critical",
                        lambda _parent, title, text, *a: calls.append((title, text)))
    return calls


@pytest.fixture
def hook(qapp):
    installed = ErrorHook().install()
    yield installed
    installed.uninstall()


def _raise_through_excepthook(message: str) -> None:
    try:
        raise RuntimeError(message)
    except RuntimeError:
        sys.excepthook(*sys.exc_info())


def test_excepthook_logs_and_shows_a_dialog(hook, shown, caplog):
    assert sys.excepthook == hook.handle
    with caplog.at_level(logging.ERROR):
        _raise_through_excepthook("the disk is on fire")
    record = next(r for r in caplog.records if r.name == "crmdesk.ui.error_hook")
    assert record.exc_info is not None and "the disk is on fire" in str(record.exc_info[1])
    assert len(shown) == 1
    title, text = shown[0]
    assert "RuntimeError: the disk is on fire" in text
    assert str(log_file()) in text


def test_no_recursive_dialogs(hook, monkeypatch, caplog):
    calls: list[str] = []

    def failing_dialog(_parent, _title, text, *a):
        calls.append(text)
        _raise_through_excepthook("second failure while showing the first")

    monkeypatch.setattr(error_hook.QMessageBox, "critical", failing_dialog)
    with caplog.at_level(logging.ERROR):
        _raise_through_excepthook("first failure")
    assert len(calls) == 1
    assert "second failure" in caplog.text  # logged even though not shown


def test_errors_in_threads_reach_the_gui_thread(qtbot, hook, shown, caplog):
    assert threading.excepthook == hook._handle_thread
    worker = threading.Thread(target=lambda: 1 / 0, name="import-worker")
    with caplog.at_level(logging.ERROR):
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=2000)
    assert "ZeroDivisionError" in shown[0][1]
    assert "import-worker" in caplog.text


def test_uninstall_restores_the_previous_hooks(qapp):
    before = sys.excepthook, threading.excepthook
    hook = ErrorHook().install()
    hook.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
