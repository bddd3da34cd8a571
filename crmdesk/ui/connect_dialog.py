"""Connect to a shop server: the PostgreSQL database several PCs share.

Host, port, database, user and password; *Test connection* reports the server's version, the
crmdesk schema revision the database holds and whether this user may change data; *Save* keeps
the profile (config folder) and the password (the system keyring, never a file) and hands the
URL to the caller, which opens that database. See crmdesk/db/server_profile.py.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from crmdesk.db.migrate import SCHEMA_HEAD
from crmdesk.db.server_profile import (DEFAULT_PORT, ProbeResult, ProfileError, ServerProfile, forget_profile,
                                       load_profile, probe, save_profile, stored_password)
from crmdesk.i18n import _

log = logging.getLogger(__name__)


def describe_probe(result: ProbeResult) -> str:
    """What a successful test found, one line per finding."""
    if result.revision is None:
        schema = _("empty database: crmdesk sets up its tables when it first opens it")
    elif result.revision == SCHEMA_HEAD:
        schema = _("schema {rev} (current)").format(rev=result.revision)
    elif result.revision < SCHEMA_HEAD:
        schema = _("schema {rev}: upgraded to {head} when opened").format(rev=result.revision, head=SCHEMA_HEAD)
    else:
        schema = _("schema {rev}: written by a newer crmdesk — update crmdesk on this PC").format(
            rev=result.revision)
    rights = (_("this user may change data") if result.can_write
              else _("this user may only read: ask the server's administrator for write rights"))
    return "\n".join([_("Connected: PostgreSQL {version}").format(version=result.server_version), schema, rights])


def _probe(url: str, progress=None) -> ProbeResult:  # noqa: ARG001 - background jobs pass their progress
    return probe(url)


class ConnectDialog(QDialog):
    """After ``exec()`` returns Accepted, ``url`` is the saved server's URL (without the password,
    which the engine reads from the keyring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Connect to a shop server"))
        self.url: str | None = None
        self.last_job = None
        saved = load_profile()
        self.host = QLineEdit(saved.host if saved else "")
        self.host.setObjectName("host")
        self.host.setPlaceholderText(_("e.g. 192.168.1.10 or shop-server"))
        self.port = QSpinBox()
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(saved.port if saved else DEFAULT_PORT)
        self.database = QLineEdit(saved.database if saved else "crmdesk")
        self.database.setObjectName("database")
        self.user = QLineEdit(saved.user if saved else "")
        self.user.setObjectName("user")
        self.password = QLineEdit((stored_password(saved) or "") if saved else "")
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.setMinimumHeight(60)

        intro = QLabel(_("Several PCs share one shop on a PostgreSQL server. Enter what the server's "
                         "administrator gave you; the password is kept in this PC's system keyring."))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Server (host):"), self.host)
        form.addRow(_("Port:"), self.port)
        form.addRow(_("Database:"), self.database)
        form.addRow(_("User:"), self.user)
        form.addRow(_("Password:"), self.password)

        buttons = QDialogButtonBox()
        self.test_button = QPushButton(_("Test connection"))
        self.test_button.setObjectName("test")
        self.save_button = buttons.addButton(_("Save and connect"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save")
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.forget_button = buttons.addButton(_("Use this PC's file"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.forget_button.setObjectName("forget")
        self.forget_button.setToolTip(_("Forget the saved server: crmdesk opens the shop file on this PC again"))
        self.forget_button.setVisible(saved is not None)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self.save)
        self.forget_button.clicked.connect(self.forget)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def profile(self) -> ServerProfile | None:
        host, database, user = self.host.text().strip(), self.database.text().strip(), self.user.text().strip()
        missing = [label for label, value in ((_("server"), host), (_("database"), database), (_("user"), user))
                   if not value]
        if missing:
            self.show_result(_("Please fill in: {fields}").format(fields=", ".join(missing)), ok=False)
            return None
        return ServerProfile(host=host, database=database, user=user, port=self.port.value())

    def show_result(self, text: str, ok: bool) -> None:
        self.outcome.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
        self.outcome.setText(text)

    def test_connection(self) -> None:
        """Probe the server off the GUI thread (an unreachable host takes seconds to time out)."""
        from crmdesk.ui.background import run_in_background

        profile = self.profile()
        if profile is None:
            return
        self.test_button.setEnabled(False)
        self.show_result(_("Connecting to {host}…").format(host=profile.host), ok=True)

        def done(result: ProbeResult) -> None:
            self.test_button.setEnabled(True)
            self.show_result(describe_probe(result), ok=result.can_write)

        def failed(exc: Exception, _trace: str) -> None:
            self.test_button.setEnabled(True)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            self.show_result(_("Could not connect: {reason}").format(reason=reason[0] if reason else exc), ok=False)

        self.last_job = run_in_background(_probe, profile.url(self.password.text()), on_success=done,
                                          on_error=failed)

    def save(self) -> None:
        profile = self.profile()
        if profile is None:
            return
        try:
            save_profile(profile, self.password.text())
        except (ProfileError, OSError) as exc:
            self.show_result(_("Could not save the connection: {reason}").format(reason=exc), ok=False)
            return
        log.info("saved the shop server profile %s", profile.keyring_name)
        self.url = profile.url()  # no password: the engine reads it from the keyring
        self.accept()

    def forget(self) -> None:
        forget_profile()
        self.forget_button.hide()
        self.show_result(_("The server is forgotten: the next start opens the shop file on this PC."), ok=True)
