"""Starting the GUI: language choice, Qt translations and fonts, database errors, run_gui."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from crmdesk import userconfig
from crmdesk.commands.base import EXIT_NO_DATABASE
from crmdesk.i18n import current_language
from crmdesk.ui import app as gui_app
from crmdesk.ui.login_dialog import LoginDialog
from crmdesk.ui.main_window import MainWindow
from crmdesk.ui.qt_fonts import apply_cjk_font, installed_cjk_families
from crmdesk.ui.qt_translations import install_qt_translations


def test_language_argument_beats_environment_beats_user_config(monkeypatch):
    userconfig.set_language("zh_CN")
    monkeypatch.delenv("CRMDESK_LANG")
    assert gui_app.choose_language(None) == "zh_CN"
    assert gui_app.choose_language("en") == "en"
    monkeypatch.setenv("CRMDESK_LANG", "en")
    assert gui_app.choose_language(None) == "en"
    assert gui_app.choose_language("zh_CN") == "zh_CN" == current_language()


def test_system_language_when_nothing_is_chosen(monkeypatch):
    monkeypatch.delenv("CRMDESK_LANG")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert gui_app.choose_language(None) == "zh_CN"


def test_qt_translations_and_cjk_font(qapp):
    translators = install_qt_translations(qapp, "zh_CN")
    try:
        assert translators, "qtbase_zh_CN.qm should ship with PySide6"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        install_qt_translations(qapp, "en")
    assert "WenQuanYi Micro Hei" in installed_cjk_families()
    families = apply_cjk_font(qapp)
    assert "WenQuanYi Micro Hei" in families
    assert "WenQuanYi Micro Hei" in qapp.font().families()


def test_a_database_that_cannot_be_opened_is_explained(qapp, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(gui_app.QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    bad = tmp_path / "not-a-database.db"
    bad.write_bytes(b"this is a spreadsheet, not SQLite" * 100)
    assert gui_app.open_database_or_explain(str(bad)) is None
    assert len(shown) == 1 and str(bad) in shown[0]


@pytest.fixture
def quiet_start(monkeypatch):
    """run_gui without touching the process-wide logging and excepthook."""
    monkeypatch.setattr(gui_app, "setup_gui_logging", lambda: None)
    monkeypatch.setattr(gui_app, "install_error_hook", lambda *a: None)


def test_run_gui_exits_3_when_the_database_cannot_be_opened(qapp, tmp_path, monkeypatch, quiet_start):
    monkeypatch.setattr(gui_app.QMessageBox, "critical", lambda *a: None)
    bad = tmp_path / "broken.db"
    bad.write_bytes(b"garbage" * 1000)
    assert gui_app.run_gui(str(bad), lang="en") == EXIT_NO_DATABASE


def test_run_gui_first_start_to_main_window(qapp, tmp_path, monkeypatch, quiet_start):
    def fill_in_and_accept(dialog: LoginDialog) -> int:
        assert dialog.first_start
        dialog.username.setText("boss")
        dialog.password.setText("pass1234")
        dialog.repeat.setText("pass1234")
        dialog.submit()
        return dialog.result()

    windows: list[MainWindow] = []

    def fake_exec(_app) -> int:
        windows.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(LoginDialog, "exec", fill_in_and_accept)
    monkeypatch.setattr(type(qapp), "exec", fake_exec)
    assert gui_app.run_gui(str(tmp_path / "new.db"), lang="en") == 0
    assert len(windows) == 1
    assert windows[0].ctx.actor.username == "boss"


def test_run_gui_cancelled_login_exits_cleanly(qapp, tmp_path, monkeypatch, quiet_start):
    monkeypatch.setattr(LoginDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert gui_app.run_gui(str(tmp_path / "new.db"), lang="en") == 0


def test_qt_messages_are_forwarded_to_the_log(caplog):
    from PySide6.QtCore import QtMsgType

    with caplog.at_level(logging.INFO, logger="qt"):
        gui_app._forward_qt_messages(QtMsgType.QtWarningMsg, None, "QPainter::begin: Paint device returned engine == 0")
        gui_app._forward_qt_messages(QtMsgType.QtCriticalMsg, None, "out of video memory")
    levels = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "qt"]
    assert levels == [(logging.WARNING, "QPainter::begin: Paint device returned engine == 0"),
                      (logging.ERROR, "out of video memory")]
