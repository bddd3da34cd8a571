"""Logging in; on the very first start (nobody can log in yet) the same dialog
creates the owner account instead.

Every login is checked by ``users.authenticate_in`` (failures are counted and committed,
5 in a row lock the account for a few minutes). On the demo shop — accounts whose password
is still ``demo``, which no account made through the services can have (too short) — the
dialog says so and fills in owner / demo: ``make run`` still opens with one Enter, but
through the same password check as everyone."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from sqlalchemy import select

from crmdesk import userconfig
from crmdesk.db import Database
from crmdesk.db.models import Role, User
from crmdesk.i18n import N_, _
from crmdesk.services.actor import Actor
from crmdesk.services.passwords import verify_password
from crmdesk.services.users import (MIN_PASSWORD, AccountLocked, AuthError, authenticate_in, create_first_owner,
                                    has_login_users)
from crmdesk.ui.widgets.icons import icon

log = logging.getLogger(__name__)

# The account service's messages (English), translated when shown here.
SERVICE_MESSAGES = (
    N_("a user name is required"),
    N_("an owner account already exists"),
)
DEMO_PASSWORD = "demo"  # crmdesk.demo's; shorter than MIN_PASSWORD, so only the demo has it
RECONNECT = 2  # exec() result: a shop server was chosen (``reconnect_url``); log in there instead


def clock_time(moment_utc: dt.datetime) -> str:
    """A stored naive-UTC time as the PC's wall-clock HH:MM."""
    return moment_utc.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%H:%M")


def demo_login(session, username: str) -> tuple[str, str] | None:
    """(user name, password) to fill in on the demo shop, else None: ``username`` (or the first
    owner) when that account's password is still the demo's."""
    user = None
    if username:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        user = session.scalar(select(User).where(User.role == Role.OWNER.value, User.active.is_(True),
                                                 User.password_hash.is_not(None)).order_by(User.id))
    if user is None or not user.password_hash or not verify_password(user.password_hash, DEMO_PASSWORD):
        return None
    return user.username, DEMO_PASSWORD


class LoginDialog(QDialog):
    """After ``exec()`` returns Accepted, ``actor`` is the logged-in user."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, switching: bool = False) -> None:
        """``switching``: File → Switch user… (the title says so; cancel keeps the current user)."""
        super().__init__(parent)
        self._db = db
        self.actor: Actor | None = None
        self.reconnect_url: str | None = None
        last = userconfig.last_username()
        with db.sessions() as session:
            self.first_start = not has_login_users(session)
            self.demo = None if self.first_start else demo_login(session, last)
        self.setWindowIcon(icon("crmdesk"))
        self.setWindowTitle(_("Create the owner account") if self.first_start
                            else _("Switch user") if switching else _("Log in to crmdesk"))

        # Switching: someone else is about to log in, so no name is filled in.
        self.username = QLineEdit("" if switching else self.demo[0] if self.demo else last)
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
                         "everything and add the other users later. The password needs at least {n} "
                         "characters.").format(n=MIN_PASSWORD) if self.first_start
                       else _("Log in with your user name and password."))
        if self.demo:
            intro.setText(intro.text() + "\n" + _("This is the demo shop: owner, manager, sales1 … sales5 and "
                                                  "counter1, counter2 all have the password “demo”."))
            if not switching:
                self.password.setText(self.demo[1])
        intro.setWordWrap(True)
        self.intro = intro
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
        if not switching:
            self.server_button = buttons.addButton(_("Shop server…"), QDialogButtonBox.ButtonRole.ResetRole)
            self.server_button.setObjectName("server")
            self.server_button.setToolTip(_("Connect to a shop server"))
            self.server_button.clicked.connect(self.connect_to_server)

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
        if self.password.text():
            self.ok_button.setFocus()
        else:
            (self.password if self.username.text() and not self.first_start else self.username).setFocus()

    def connect_to_server(self) -> None:
        from crmdesk.ui.connect_dialog import ConnectDialog

        dialog = ConnectDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.url:
            self.reconnect_url = dialog.url
            self.done(RECONNECT)

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
                    self.actor = Actor.from_user(user, session)
                log.info("created the owner account %s", name)
            else:
                self.actor = authenticate_in(self._db, name, password)
                log.info("%s logged in (%s)", name, self.actor.role)
        except AuthError as exc:
            self.actor = None
            if isinstance(exc, AccountLocked):
                self.show_message(_("This account is locked until {time} after too many failed logins. "
                                    "Try again then, or ask the owner to reset the password.")
                                  .format(time=clock_time(exc.until)))
                log.info("login refused for %s: locked", name)
            elif self.first_start:
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
