"""The Users section's dialogs: add a user, edit one, set a password.

Each dialog is handed a ``submit(values)`` callback that runs the service call; when it raises,
the error is shown and the dialog stays open with everything typed in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.services.permissions import ROLES
from crmdesk.services.users import MIN_PASSWORD, AuthError, UserRow
from crmdesk.ui.settings.messages import show_error


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: str
    password: str


@dataclass(frozen=True)
class UserChanges:
    display_name: str
    role: str
    active: bool
    territory_ids: tuple[int, ...]


def _role_box(current: str = "sales") -> QComboBox:
    box = QComboBox()
    for role in ROLES:
        box.addItem(_(role), role)
    box.setCurrentIndex(max(box.findData(current), 0))
    return box


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(_("at least {n} characters").format(n=MIN_PASSWORD))
    return edit


def checked_password(password: str, again: str) -> str:
    """The password when both entries agree and it is long enough; else AuthError."""
    if password != again:
        raise AuthError(_("The two passwords differ."))
    if len(password) < MIN_PASSWORD:
        raise AuthError(_("A password needs at least {n} characters.").format(n=MIN_PASSWORD))
    return password


class _SubmitDialog(QDialog):
    def __init__(self, title: str, submit: Callable[[object], None], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.last_error: BaseException | None = None

    def values(self) -> object:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self._submit(self.values())
        except Exception as exc:  # noqa: BLE001 - shown; the dialog keeps what was typed
            self.last_error = exc
            show_error(self, exc, self.windowTitle())
            return
        self.last_error = None
        super().accept()


class AddUserDialog(_SubmitDialog):
    def __init__(self, submit: Callable[[NewUser], None], parent: QWidget | None = None) -> None:
        super().__init__(_("Add user"), submit, parent)
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = _role_box()
        self.password = _password_edit()
        self.again = _password_edit()
        note = QLabel(_("If the name is that of a salesperson who came with an import (\"no login yet\"), "
                        "that record becomes the login account: their customers and orders stay theirs."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        form = QFormLayout()
        form.addRow(_("User name:"), self.username)
        form.addRow(_("Display name:"), self.display_name)
        form.addRow(_("Role:"), self.role)
        form.addRow(_("Password:"), self.password)
        form.addRow(_("Repeat password:"), self.again)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def values(self) -> NewUser:
        if not self.username.text().strip():
            raise AuthError(_("A user name is required."))
        password = checked_password(self.password.text(), self.again.text())
        return NewUser(self.username.text().strip(), self.display_name.text().strip(), self.role.currentData(),
                       password)


class EditUserDialog(_SubmitDialog):
    def __init__(self, user: UserRow, territories: Sequence[tuple[int, str]],
                 submit: Callable[[UserChanges], None], parent: QWidget | None = None) -> None:
        super().__init__(_("Edit user {name}").format(name=user.username), submit, parent)
        self.user = user
        self.display_name = QLineEdit(user.display_name)
        self.role = _role_box(user.role)
        self.active = QCheckBox(_("Active (may log in and own customers)"))
        self.active.setChecked(user.active)
        self.territories = QListWidget()
        for tid, name in territories:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, tid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if tid in user.territory_ids else Qt.CheckState.Unchecked)
            self.territories.addItem(item)
        self.territories.setMinimumHeight(140)
        form = QFormLayout()
        form.addRow(_("User name:"), QLabel(user.username))
        form.addRow(_("Display name:"), self.display_name)
        form.addRow(_("Role:"), self.role)
        form.addRow("", self.active)
        form.addRow(_("Territories:"), self.territories)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def set_territory_checked(self, territory_id: int, on: bool) -> None:
        for row in range(self.territories.count()):
            item = self.territories.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == territory_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def values(self) -> UserChanges:
        ids = tuple(self.territories.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.territories.count())
                    if self.territories.item(r).checkState() == Qt.CheckState.Checked)
        return UserChanges(self.display_name.text().strip(), self.role.currentData(), self.active.isChecked(), ids)


class PasswordDialog(_SubmitDialog):
    def __init__(self, user: UserRow, submit: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(_("Set password for {name}").format(name=user.display_name or user.username), submit,
                         parent)
        self.password = _password_edit()
        self.again = _password_edit()
        form = QFormLayout()
        form.addRow(_("New password:"), self.password)
        form.addRow(_("Repeat password:"), self.again)
        layout = QVBoxLayout(self)
        if not user.can_login:
            note = QLabel(_("{name} has no login yet: this password gives them one.").format(
                name=user.display_name or user.username))
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def values(self) -> str:
        return checked_password(self.password.text(), self.again.text())
