"""The GUI per role on the small demo shop: a real login for every demo user (password
``demo``), wrong passwords and the lock-out, what each role sees (pages, menus, list actions,
the form's assignment, the dashboard without cost for counter staff), switching user and
changing one's own password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import func, select

from crmdesk import userconfig
from crmdesk.db.models import SalesOrder
from crmdesk.services import territories
from crmdesk.services.actor import Actor
from crmdesk.services.users import AuthError, authenticate_in
from crmdesk.ui import app as gui_app
from crmdesk.ui.analysis import dashboard_view
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.dialog import CustomerFormDialog
from crmdesk.ui.customers.form.purchases_tab import LINE_HEADERS, ORDER_HEADERS, SHARE_HEADERS
from crmdesk.ui.login_dialog import LoginDialog
from crmdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.gui
WAIT_MS = 30_000
COST_WORDS = ("cost", "profit", "margin", "成本", "毛利")
COST_KPIS = {"gross_profit", "margin_pct", "stock_value"}


@pytest.fixture
def boxes(monkeypatch):
    shown: list[str] = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    return shown


def _log_in(qtbot, db, username: str, password: str = "demo") -> LoginDialog:
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog


def _actor(qtbot, db, username: str) -> Actor:
    dialog = _log_in(qtbot, db, username)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    return dialog.actor


def _window(qtbot, db, actor: Actor) -> MainWindow:
    window = gui_app.build_main_window(AppContext(db=db, actor=actor))
    qtbot.addWidget(window)
    window.show()
    return window


def _nav_keys(window: MainWindow) -> list[str]:
    return [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]


# -- logging in -----------------------------------------------------------------------------------

@pytest.mark.parametrize("username, role", [("owner", "owner"), ("manager", "manager"), ("sales1", "sales"),
                                            ("counter1", "counter")])
def test_every_demo_role_logs_in_with_its_password(qtbot, demo_db, username, role):
    actor = _actor(qtbot, demo_db, username)
    assert (actor.username, actor.role) == (username, role)
    assert userconfig.last_username() == username


def test_the_demo_shop_fills_in_owner_and_demo(qtbot, demo_db):
    dialog = LoginDialog(demo_db)
    qtbot.addWidget(dialog)
    assert (dialog.username.text(), dialog.password.text()) == ("owner", "demo")
    assert "counter1" in dialog.intro.text() and "demo" in dialog.intro.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor.role == "owner"


def test_a_real_shop_gets_no_password_filled_in(qtbot, db, owner):
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.demo is None
    assert dialog.password.text() == ""


def test_wrong_password_then_five_failures_lock_the_account(qtbot, demo_db):
    dialog = _log_in(qtbot, demo_db, "sales1", "wrong")
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.actor is None
    assert "Wrong user name or password" in dialog.message.text()
    for _attempt in range(4):
        dialog.password.setText("still-wrong")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "locked until" in dialog.message.text()
    # Locked: even the right password is refused now, and the failures were committed.
    dialog.password.setText("demo")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.actor is None
    assert "locked until" in dialog.message.text()
    with pytest.raises(AuthError):
        authenticate_in(demo_db, "sales1", "demo")


# -- what each role sees ---------------------------------------------------------------------------

def test_pages_and_menus_follow_the_role(qtbot, demo_db):
    owner = _window(qtbot, demo_db, _actor(qtbot, demo_db, "owner"))
    assert {"analysis", "import", "settings"} <= set(_nav_keys(owner))
    assert owner.backup_action.isVisible()
    manager = _window(qtbot, demo_db, _actor(qtbot, demo_db, "manager"))
    assert {"analysis", "import", "settings"} <= set(_nav_keys(manager))
    sales = _window(qtbot, demo_db, _actor(qtbot, demo_db, "sales1"))
    assert "analysis" in _nav_keys(sales) and not {"import", "settings"} & set(_nav_keys(sales))
    counter = _window(qtbot, demo_db, _actor(qtbot, demo_db, "counter1"))
    keys = _nav_keys(counter)
    assert "customers" in keys and "analysis" in keys
    assert "import" not in keys and "settings" not in keys
    assert set(counter.page_actions) == set(keys)
    assert not counter.backup_action.isVisible()


def test_sales_status_bar_shows_name_and_role(qtbot, demo_db):
    window = _window(qtbot, demo_db, _actor(qtbot, demo_db, "sales1"))
    assert window.user_label.text() == "刘志强 (sales)"


def test_status_bar_role_in_chinese(qtbot, demo_db):
    from crmdesk.i18n import set_language

    actor = _actor(qtbot, demo_db, "counter1")
    set_language("zh_CN")
    try:
        window = _window(qtbot, demo_db, actor)
        assert window.user_label.text() == "林小红（柜台）" or window.user_label.text() == "林小红 (柜台)"
    finally:
        set_language("en")


def test_counter_list_hides_merge_delete_export(qtbot, demo_db, boxes):
    window = _window(qtbot, demo_db, _actor(qtbot, demo_db, "counter1"))
    page = window.show_page("customers")
    v = page.view
    # Neither in the row nor in its "More" menu (a narrow window moves buttons there).
    assert not v.toolbar.reachable(v.merge_button)
    assert not v.toolbar.reachable(v.delete_button)
    assert not v.toolbar.reachable(v.export_button)
    assert not v.toolbar.reachable(v.archive_button)
    assert v.toolbar.reachable(v.new_button) and v.toolbar.reachable(v.log_button)
    menu_texts = [a.text() for a in v.more_menu.actions()]
    # They may add contacts (an address book too) but not export them or edit customer types.
    assert not any("Export contacts" in t or "types" in t for t in menu_texts)
    assert any("Import address book" in t for t in menu_texts)
    assert not any(a.text() in ("Merge…", "Delete", "Archive") for a in v.table.actions())
    owner = _window(qtbot, demo_db, _actor(qtbot, demo_db, "owner"))
    o = owner.show_page("customers").view
    assert o.toolbar.reachable(o.merge_button) and o.toolbar.reachable(o.export_button)


def _busiest_customer(db) -> int:
    with db.sessions() as s:
        return s.execute(select(SalesOrder.customer_id, func.count()).group_by(SalesOrder.customer_id)
                         .order_by(func.count().desc()).limit(1)).one()[0]


def test_counter_form_purchases_show_prices_but_no_cost(qtbot, demo_db, boxes):
    ctx = AppContext(db=demo_db, actor=_actor(qtbot, demo_db, "counter1"))
    form = CustomerFormDialog(ctx, _busiest_customer(demo_db))
    qtbot.addWidget(form)
    form.show()
    form.tabs.setCurrentWidget(form.purchases)
    form.purchases.orders_table.selectRow(0)
    tab = form.purchases
    headers = [tab.lines_table.horizontalHeaderItem(i).text() for i in range(tab.lines_table.columnCount())]
    assert "Unit price" in headers and "Amount" in headers
    for table in (tab.lines_table, tab.orders_table, tab.categories_table, tab.brands_table):
        for i in range(table.columnCount()):
            text = table.horizontalHeaderItem(i).text().lower()
            assert not any(word in text for word in COST_WORDS), text
    assert tab.lines_table.rowCount() > 0
    assert not any(word in h.lower() for h in LINE_HEADERS + ORDER_HEADERS + SHARE_HEADERS for word in COST_WORDS)
    # Counter staff do not assign customers: the combos are shown but locked, no "Back to rules".
    assert not form.basic.owner_combo.isEnabled() and not form.basic.territory_combo.isEnabled()
    assert not form.basic.rules_button.isVisibleTo(form)


def test_form_shows_the_source_and_goes_back_to_rules(qtbot, demo_db, boxes):
    owner = _actor(qtbot, demo_db, "owner")
    ctx = AppContext(db=demo_db, actor=owner)
    cid = _busiest_customer(demo_db)
    with demo_db.sessions() as s:
        before = territories.customer_assignment(s, cid)
    form = CustomerFormDialog(ctx, cid)
    qtbot.addWidget(form)
    form.show()
    assert form.basic.owner_source.text() == before.source_label()
    assert form.basic.owner_combo.isEnabled()
    assert not form.basic.rules_button.isEnabled() or before.owner_source == "manual"
    # The owner picks another salesperson by hand: saved as a manual assignment.
    combo = form.basic.owner_combo
    other = next(i for i in range(1, combo.count()) if combo.itemData(i) not in (None, before.owner_id))
    combo.setCurrentIndex(other)
    combo.activated.emit(other)
    assert form.save()
    assert form.basic.owner_source.text() == "manual"
    assert form.basic.rules_button.isEnabled()
    qtbot.mouseClick(form.basic.rules_button, Qt.MouseButton.LeftButton)
    with demo_db.sessions() as s:
        after = territories.customer_assignment(s, cid)
    assert after.owner_source != "manual"
    assert form.basic.owner_source.text() == after.source_label()
    assert not form.basic.rules_button.isEnabled()


def test_counter_analysis_has_no_cost_reports_tiles_or_charts(qtbot, demo_db):
    window = _window(qtbot, demo_db, _actor(qtbot, demo_db, "counter1"))
    page = window.show_page("analysis")
    keys = set()
    for i in range(page.nav.topLevelItemCount()):
        top = page.nav.topLevelItem(i)
        keys |= {top.child(j).data(0, Qt.ItemDataRole.UserRole + 1) for j in range(top.childCount())}
    assert keys and not {"margin", "key-customers"} & keys
    view = page.panels["dashboard"]
    qtbot.waitUntil(view.is_idle, timeout=WAIT_MS)
    tiles = view.tile_texts()
    assert "revenue" in tiles and not COST_KPIS & set(tiles)
    titles = [t.title.text().lower() for t in view.tiles if t.isVisibleTo(view)]
    assert not any(word in t for t in titles for word in COST_WORDS)
    assert view.charts == [n for n in dashboard_view.CHARTS if n not in dashboard_view.COST_CHARTS]
    for name in dashboard_view.COST_CHARTS:
        assert not view.canvases[name].isVisibleTo(view)
    monthly = view.canvases["monthly"].figure
    assert monthly is not None
    assert "profit" not in monthly.axes[0].get_title().lower()


def test_owner_dashboard_keeps_cost_tiles_and_all_charts(qtbot, demo_db):
    window = _window(qtbot, demo_db, _actor(qtbot, demo_db, "owner"))
    view = window.show_page("analysis").panels["dashboard"]
    qtbot.waitUntil(view.is_idle, timeout=WAIT_MS)
    assert {"gross_profit", "margin_pct"} <= set(view.tile_texts())
    assert view.charts == list(dashboard_view.CHARTS)


def test_tile_columns_fill_rows_evenly():
    assert [dashboard_view.tile_columns(n) for n in (1, 5, 6, 8, 11, 12)] == [1, 5, 6, 4, 6, 6]


# -- switching user and changing the password ----------------------------------------------------------

class _FakeLogin:
    """Stands in for the login dialog of "Switch user…": accepts as ``actor`` or cancels."""

    actor: Actor | None = None

    def __init__(self, *_args, **_kwargs) -> None:
        self.actor = type(self).actor

    def exec(self):
        return QDialog.DialogCode.Accepted if self.actor is not None else QDialog.DialogCode.Rejected


def test_switch_user_rebuilds_the_window_for_the_new_actor(qtbot, demo_db, monkeypatch):
    owner = _actor(qtbot, demo_db, "owner")
    counter = _actor(qtbot, demo_db, "counter1")
    window = _window(qtbot, demo_db, owner)
    window.show_page("customers")
    assert "import" in _nav_keys(window)
    monkeypatch.setattr(gui_app, "LoginDialog", _FakeLogin)

    _FakeLogin.actor = None  # cancelled: the owner stays
    assert gui_app.switch_user(window) is None
    assert window.isVisible() and window.user_label.text() == "王老板 (owner)"

    _FakeLogin.actor = counter
    new = gui_app.switch_user(window)
    qtbot.addWidget(new)
    assert new is not None and new is not window
    assert not window.isVisible()
    assert new.isVisible()
    assert new.ctx.actor == counter
    assert new.user_label.text() == "林小红 (counter)"
    assert "import" not in _nav_keys(new) and "settings" not in _nav_keys(new)
    assert new.ctx.bus is not window.ctx.bus


def test_switch_user_through_the_file_menu(qtbot, demo_db, monkeypatch):
    window = _window(qtbot, demo_db, _actor(qtbot, demo_db, "owner"))
    monkeypatch.setattr(gui_app, "LoginDialog", _FakeLogin)
    _FakeLogin.actor = _actor(qtbot, demo_db, "sales1")
    window.switch_user_action.trigger()
    assert not window.isVisible()
    new = next(w for w in gui_app._windows if w is not window and w.isVisible())
    qtbot.addWidget(new)
    assert new.user_label.text() == "刘志强 (sales)"


def test_change_password_and_log_in_with_the_new_one(qtbot, demo_db):
    window = _window(qtbot, demo_db, _actor(qtbot, demo_db, "sales2"))
    dialog = window.change_password()
    qtbot.addWidget(dialog)
    dialog.old.setText("demo")
    dialog.new.setText("short")
    dialog.repeat.setText("short")
    dialog.submit()
    assert dialog.result() != QDialog.DialogCode.Accepted and "8" in dialog.message.text()
    dialog.new.setText("new-password-2")
    dialog.repeat.setText("new-password-3")
    dialog.submit()
    assert dialog.result() != QDialog.DialogCode.Accepted and "differ" in dialog.message.text()
    dialog.old.setText("not-the-old-one")
    dialog.new.setText("new-password-2")
    dialog.repeat.setText("new-password-2")
    dialog.submit()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.message.isVisibleTo(dialog)
    dialog.old.setText("demo")
    dialog.new.setText("new-password-2")
    dialog.repeat.setText("new-password-2")
    dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _log_in(qtbot, demo_db, "sales2", "demo").actor is None
    login = _log_in(qtbot, demo_db, "sales2", "new-password-2")
    assert login.actor is not None and login.actor.role == "sales"
