"""The login dialog: the first start creates the owner; later starts log in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from crmdesk import userconfig
from crmdesk.services.users import has_login_users
from crmdesk.ui.login_dialog import LoginDialog


def _dialog(qtbot, db) -> LoginDialog:
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type(qtbot, field, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def test_first_start_creates_the_owner(qtbot, db):
    dialog = _dialog(qtbot, db)
    assert dialog.first_start
    assert dialog.repeat.isVisible()
    _type(qtbot, dialog.username, "laowang")
    _type(qtbot, dialog.password, "secret12")
    _type(qtbot, dialog.repeat, "secret22")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.isVisible()
    with db.sessions() as s:
        assert not has_login_users(s)

    _type(qtbot, dialog.password, "secret12")
    _type(qtbot, dialog.repeat, "secret12")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert (dialog.actor.username, dialog.actor.role) == ("laowang", "owner")
    with db.sessions() as s:
        assert has_login_users(s)
    assert userconfig.last_username() == "laowang"
    # The next start is a normal login that remembers the name.
    again = _dialog(qtbot, db)
    assert not again.first_start
    assert not again.repeat.isVisible()
    assert again.username.text() == "laowang"


def test_first_start_refuses_a_short_password(qtbot, db):
    dialog = _dialog(qtbot, db)
    _type(qtbot, dialog.password, "abc")
    _type(qtbot, dialog.repeat, "abc")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "8" in dialog.message.text()


def test_wrong_then_right_password(qtbot, db, owner):
    dialog = _dialog(qtbot, db)
    assert not dialog.first_start
    _type(qtbot, dialog.username, "owner")
    _type(qtbot, dialog.password, "not-it")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.isVisible()
    assert "Wrong" in dialog.message.text()
    assert dialog.password.text() == ""
    assert dialog.actor is None

    _type(qtbot, dialog.password, "secret-pw")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor == owner
