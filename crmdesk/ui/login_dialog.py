"""Logging in; on the very first start (nobody can log in yet) the same dialog
creates the owner account instead."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from crmdesk import userconfig
from crmdesk.db import Database
from crmdesk.i18n import N_, _
from crmdesk.services.actor import Actor
from crmdesk.services.users import AuthError, authenticate, create_first_owner, has_login_users
from crmdesk.ui.widgets.icons import icon

log = logging.getLogger(__name__)

# The account service's messages (English), translated when shown here.
SERVICE_MESSAGES = (
    N_("a user name is required"),
    N_("a password needs at least 4 characters"),
    N_("an owner account already exists"),
)


class LoginDialog(QDialog):
    """After ``exec()`` returns Accepted, ``actor`` is the logged-in user."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        with db.sessions() as session:
            self.first_start = not has_login_users(session)
        self.setWindowIcon(icon("crmdesk"))
        self.setWindowTitle(_("Create the owner account") if self.first_start else _("Log in to crmdesk"))

        self.username = QLineEdit(userconfig.last_username())
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()

        intro = QLabel(_("Welcome! Nobody can log in yet. Create the owner's account: the owner can see "
                         "everything and add the other users later.") if self.first_start
                       else _("Log in with your user name and password."))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("User name:"), self.username)
        form.addRow(_("Password:"), self.password)
        if self.first_start:
            form.addRow(_("Repeat password:"), self.repeat)
            if not self.username.text():
                self.username.setText("owner")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Create account") if self.first_start else _("Log in"))
        self.ok_button.setObjectName("ok")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        logo = QLabel()
        logo.setPixmap(icon("crmdesk").pixmap(44, 44))
        name = QLabel("<span style='font-size:16pt; font-weight:600;'>crmdesk</span><br>"
                      + _("Customers, follow-ups, service and sales analysis for a small shop."))
        header = QHBoxLayout()
        header.addWidget(logo)
        header.addWidget(name, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addSpacing(6)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        (self.password if self.username.text() and not self.first_start else self.username).setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def submit(self) -> None:
        name = self.username.text().strip()
        password = self.password.text()
        if not name:
            self.show_message(_("Please enter a user name."))
            self.username.setFocus()
            return
        try:
            if self.first_start:
                if password != self.repeat.text():
                    self.show_message(_("The two passwords differ. Please type them again."))
                    self.repeat.clear()
                    self.repeat.setFocus()
                    return
                with self._db.sessions.begin() as session:
                    user = create_first_owner(session, name, password)
                    self.actor = Actor.from_user(user)
                log.info("created the owner account %s", name)
            else:
                with self._db.sessions.begin() as session:
                    self.actor = authenticate(session, name, password)
                log.info("%s logged in (%s)", name, self.actor.role)
        except AuthError as exc:
            self.actor = None
            if self.first_start:
                self.show_message(_(str(exc)))
            else:
                self.show_message(_("Wrong user name or password."))
                log.info("failed login for %s", name)
            self.password.clear()
            self.repeat.clear()
            self.password.setFocus()
            return
        userconfig.set_last_username(name)
        self.accept()
