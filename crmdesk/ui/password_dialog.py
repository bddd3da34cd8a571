"""File → Change password…: the current password, the new one twice (at least
``users.MIN_PASSWORD`` characters), saved by ``users.change_own_password``."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.services.users import MIN_PASSWORD, AuthError, change_own_password
from crmdesk.ui.context import AppContext

log = logging.getLogger(__name__)


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Change password"))
        self.old = _password_edit("old")
        self.new = _password_edit("new")
        self.repeat = _password_edit("repeat")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        intro = QLabel(_("Change the password of {user}. The new password needs at least {n} characters.")
                       .format(user=ctx.actor.display_name or ctx.actor.username, n=MIN_PASSWORD))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Current password:"), self.old)
        form.addRow(_("New password:"), self.new)
        form.addRow(_("Repeat new password:"), self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Change password"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)
        self.old.setFocus()

    def _refuse(self, text: str, focus: QLineEdit) -> None:
        self.message.setText(text)
        self.message.show()
        focus.clear()
        focus.setFocus()

    def submit(self) -> None:
        new = self.new.text()
        if len(new) < MIN_PASSWORD:
            self._refuse(_("The new password needs at least {n} characters.").format(n=MIN_PASSWORD), self.new)
            self.repeat.clear()
            return
        if new != self.repeat.text():
            self._refuse(_("The two new passwords differ. Please type them again."), self.repeat)
            return
        try:
            with self.ctx.write("users") as session:
                change_own_password(session, self.ctx.actor, self.old.text(), new)
        except AuthError as exc:
            self._refuse(_(str(exc)), self.old)
            return
        log.info("%s changed their password", self.ctx.actor.username)
        self.ctx.bus.status_message.emit(_("Your password was changed."))
        self.accept()
