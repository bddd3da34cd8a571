"""Settings → Users: the list with login states, adding (and converting an imported
salesperson), refusals shown without writing anything, the last active owner kept."""

from __future__ import annotations

from settings_admin_support import boxes, ctx  # noqa: F401 - fixtures
from sqlalchemy import func, select

from crmdesk.db.models import User
from crmdesk.services import users as user_service
from crmdesk.ui.settings.users_section import UsersSection


def _imported_salesperson(db, name: str = "王芳") -> int:
    """What the import makes of an unknown 业务员: a sales user without a password."""
    with db.sessions.begin() as s:
        user = User(username=name, display_name=name, role="sales", password_hash=None, active=True)
        s.add(user)
        s.flush()
        return user.id


def _section(ctx, qtbot) -> UsersSection:
    section = UsersSection(ctx)
    qtbot.addWidget(section)
    section.resize(900, 400)
    section.show()
    return section


def _user_count(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_imported_salespeople_are_listed_as_no_login_yet(ctx, qtbot, boxes):
    wang = _imported_salesperson(ctx.db)
    section = _section(ctx, qtbot)
    row = next(r for r, u in enumerate(section.rows()) if u.id == wang)
    login_column = 4
    assert section.model.text(row, login_column) == "no login yet"
    assert section.model.text(section.rows().index(section.row_of("sales1")), login_column) == "can log in"
    assert "1 without login" in section.count_label.text()
    # Territories are shown by name.
    assert section.model.text(section.rows().index(section.row_of("sales2")), 5) == "华东, 广东经销商"


def test_a_short_password_is_refused_with_a_message_and_nothing_is_written(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    before = _user_count(ctx.db)
    dialog = section.make_add_dialog()
    qtbot.addWidget(dialog)
    dialog.username.setText("zhaoliu")
    dialog.display_name.setText("赵六")
    dialog.password.setText("12345")
    dialog.again.setText("12345")
    dialog.accept()
    assert boxes.shown and boxes.shown[-1][0] == "warning" and "8" in boxes.shown[-1][1]
    assert dialog.result() == 0  # still open …
    assert dialog.username.text() == "zhaoliu"  # … with what was typed
    assert _user_count(ctx.db) == before
    # The service refuses it too (the dialog's check is a convenience, not the rule).
    with ctx.db.sessions() as s:
        try:
            user_service.create_user(s, ctx.actor, "zhaoliu", "12345", "sales")
        except user_service.AuthError:
            pass
        else:  # pragma: no cover
            raise AssertionError("a 5-character password was accepted")
    # Corrected, it saves and the list shows the new user selected.
    dialog.password.setText("zhaoliu-2026")
    dialog.again.setText("zhaoliu-2026")
    dialog.accept()
    assert dialog.result() == 1
    assert _user_count(ctx.db) == before + 1
    assert section.current_user().username == "zhaoliu"


def test_adding_an_imported_salespersons_name_turns_that_record_into_the_account(ctx, qtbot, boxes):
    wang = _imported_salesperson(ctx.db)
    section = _section(ctx, qtbot)
    before = _user_count(ctx.db)
    dialog = section.make_add_dialog()
    qtbot.addWidget(dialog)
    assert "no login yet" in " ".join(label.text() for label in dialog.findChildren(type(section.count_label)))
    dialog.username.setText("王芳")
    dialog.password.setText("wangfang-1")
    dialog.again.setText("wangfang-2")
    dialog.accept()
    assert "differ" in boxes.shown[-1][1]
    dialog.again.setText("wangfang-1")
    dialog.accept()
    assert dialog.result() == 1 and not dialog.last_error
    assert _user_count(ctx.db) == before
    row = section.row_of("王芳")
    assert row.id == wang and row.can_login


def test_deactivating_the_last_owner_is_refused_with_a_message(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    section.select_user(section.row_of("owner").id)
    assert section.active_button.text() == "Deactivate"
    assert section.toggle_active() is False
    assert boxes.shown[-1][0] == "warning" and "last active owner" in boxes.shown[-1][1]
    with ctx.db.sessions() as s:
        assert s.scalar(select(User.active).where(User.username == "owner")) is True
    assert section.row_of("owner").active


def test_edit_sets_territories_and_deactivate_activate_round_trip(ctx, qtbot, boxes):
    section = _section(ctx, qtbot)
    sales1 = section.row_of("sales1")
    names = {v: k for k, v in section.territory_names.items()}
    section.select_user(sales1.id)
    dialog = section.make_edit_dialog(section.current_user())
    qtbot.addWidget(dialog)
    dialog.set_territory_checked(names["华北"], True)
    dialog.accept()
    assert dialog.result() == 1
    assert set(section.row_of("sales1").territory_ids) == {names["华南"], names["华北"]}
    section.select_user(sales1.id)
    assert section.toggle_active() is True
    assert not section.row_of("sales1").active
    assert section.active_button.text() == "Activate"
    assert section.toggle_active() is True
    assert section.row_of("sales1").active


def test_reset_password_gives_an_imported_salesperson_a_login(ctx, qtbot, boxes):
    wang = _imported_salesperson(ctx.db)
    section = _section(ctx, qtbot)
    section.select_user(wang)
    dialog = section.make_password_dialog(section.current_user())
    qtbot.addWidget(dialog)
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.accept()
    assert dialog.result() == 0 and boxes.shown
    dialog.password.setText("long-enough")
    dialog.again.setText("long-enough")
    dialog.accept()
    assert dialog.result() == 1
    assert section.row_of("王芳").can_login
    actor = user_service.authenticate_in(ctx.db, "王芳", "long-enough")
    assert actor.user_id == wang
