"""Settings → Users (owner only): the accounts, and adding, editing, (de)activating them and
setting passwords. Every change is one service call in one transaction; a refusal (a short
password, the last active owner …) is shown and nothing is written."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services import territories as territory_service
from crmdesk.services import users as user_service
from crmdesk.services.users import UserRow, local_time
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import confirm, show_error
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, selected_rows, table_view
from crmdesk.ui.settings.users_dialogs import AddUserDialog, EditUserDialog, NewUser, PasswordDialog, UserChanges

TITLE = N_("Users")


def login_state(user: UserRow) -> str:
    if not user.can_login:
        return _("no login yet")
    if user.locked_until is not None:
        return _("locked until {time}").format(time=local_time(user.locked_until))
    return _("can log in")


class UsersSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.territory_names: dict[int, str] = {}
        self.model = RowsModel([
            Col(N_("User name"), lambda u: u.username),
            Col(N_("Display name"), lambda u: u.display_name),
            Col(N_("User role"), lambda u: _(u.role)),
            Col(N_("Active"), lambda u: _("yes") if u.active else _("no")),
            Col(N_("Login"), login_state),
            Col(N_("Territories"), lambda u: ", ".join(self.territory_names.get(t, str(t)) for t in u.territory_ids)),
            Col(N_("Last login"), lambda u: local_time(u.last_login_at) if u.last_login_at else ""),
        ], self, greyed=lambda u: not u.active)
        self.view = table_view(self.model, self)
        self.view.setMinimumHeight(260)
        self.add_button = QPushButton(_("Add…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.password_button = QPushButton(_("Set password…"))
        self.active_button = QPushButton(_("Deactivate"))
        self.count_label = QLabel()
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.password_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.password_button.clicked.connect(self.set_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.view.doubleClicked.connect(lambda _i: self.edit_user())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.reload()

    # -- data ----------------------------------------------------------------------------------
    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        keep = self.current_user()
        try:
            with self.ctx.read() as session:
                rows = user_service.list_users(session, self.ctx.actor)
                self.territory_names = {t.id: t.name for t in territory_service.list_territories(session)}
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _(TITLE))
            return
        self.model.set_rows(rows)
        fit_columns(self.view)
        self.count_label.setText(_("{n} users, {k} without login").format(
            n=len(rows), k=sum(1 for r in rows if not r.can_login)))
        if keep is not None:
            self.select_user(keep.id)
        self._update_buttons()

    def rows(self) -> list[UserRow]:
        return self.model.rows()

    def row_of(self, username: str) -> UserRow | None:
        return next((r for r in self.rows() if r.username == username), None)

    def current_user(self) -> UserRow | None:
        rows = selected_rows(self.view)
        return rows[0] if rows else None

    def select_user(self, user_id: int) -> None:
        for r, row in enumerate(self.rows()):
            if row.id == user_id:
                self.view.selectRow(r)
                return

    def _update_buttons(self) -> None:
        user = self.current_user()
        for b in (self.edit_button, self.password_button, self.active_button):
            b.setEnabled(user is not None)
        self.active_button.setText(_("Activate") if user is not None and not user.active else _("Deactivate"))

    def _write(self, work) -> None:
        """Run ``work(session)`` in one transaction; announce the change and reload."""
        with self.ctx.write("users", "customers") as session:
            work(session)
        self.reload()

    # -- actions ---------------------------------------------------------------------------------
    def make_add_dialog(self) -> AddUserDialog:
        def submit(new: NewUser) -> None:
            created: list[int] = []
            self._write(lambda s: created.append(user_service.create_user(
                s, self.ctx.actor, new.username, new.password, new.role, new.display_name).id))
            self.select_user(created[0])
        return AddUserDialog(submit, self)

    def make_edit_dialog(self, user: UserRow) -> EditUserDialog:
        def submit(ch: UserChanges) -> None:
            self._write(lambda s: user_service.update_user(
                s, self.ctx.actor, user.id, display_name=ch.display_name, role=ch.role, active=ch.active,
                territory_ids=ch.territory_ids))
        return EditUserDialog(user, sorted(self.territory_names.items(), key=lambda kv: kv[1]), submit, self)

    def make_password_dialog(self, user: UserRow) -> PasswordDialog:
        def submit(password: str) -> None:
            self._write(lambda s: user_service.reset_password(s, self.ctx.actor, user.id, password))
        return PasswordDialog(user, submit, self)

    def add_user(self) -> None:
        self.make_add_dialog().exec()

    def edit_user(self) -> None:
        user = self.current_user()
        if user is not None:
            self.make_edit_dialog(user).exec()

    def set_password(self) -> None:
        user = self.current_user()
        if user is not None:
            self.make_password_dialog(user).exec()

    def toggle_active(self) -> bool:
        """Deactivate (after asking) or activate the selected user; False when refused or cancelled."""
        user = self.current_user()
        if user is None:
            return False
        name = user.display_name or user.username
        if user.active and not confirm(self, _("Deactivate {name}? They can no longer log in, and their customers "
                                               "go to the territories' other salespeople.").format(name=name),
                                       _(TITLE)):
            return False
        try:
            self._write(lambda s: user_service.update_user(s, self.ctx.actor, user.id, active=not user.active))
        except Exception as exc:  # noqa: BLE001 - e.g. the last active owner
            show_error(self, exc, _(TITLE))
            return False
        return True


def create(ctx: AppContext) -> QWidget:
    return UsersSection(ctx)
