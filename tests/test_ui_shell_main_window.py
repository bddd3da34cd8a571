"""The main window: navigation, lazy pages, placeholders, bus requests, window state, menus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, QThreadPool
from PySide6.QtWidgets import QLabel, QWidget

from crmdesk.i18n import set_language
from crmdesk.ui.context import AppContext
from crmdesk.ui.main_window import MainWindow, window_settings
from crmdesk.ui.pages import PAGES, PageEntry
from crmdesk.ui.placeholder_page import ComingPage, ErrorPage
from crmdesk.ui.widgets import file_dialogs

BUILT: list[str] = []


class FakeCustomersPage(QLabel):
    def __init__(self) -> None:
        super().__init__("customers")
        self.activations = 0
        self.opened: list[int] = []

    def activate(self) -> None:
        self.activations += 1

    def open_customer(self, customer_id: int) -> None:
        self.opened.append(customer_id)


def make_customers(ctx: AppContext) -> QWidget:
    assert isinstance(ctx, AppContext)
    BUILT.append("customers")
    return FakeCustomersPage()


def make_broken(_ctx: AppContext) -> QWidget:
    raise RuntimeError("the broken page blew up")


def make_not_a_widget(_ctx: AppContext):
    return 42


TEST_PAGES = [
    PageEntry("customers", "Customers", "Ctrl+1", f"{__name__}:make_customers"),
    PageEntry("followups", "Follow-ups", "Ctrl+2", None),
    PageEntry("analysis", "Analysis", "Ctrl+5", f"{__name__}:make_broken"),
    PageEntry("import", "Import", "Ctrl+6", f"{__name__}:make_not_a_widget"),
    PageEntry("pipeline", "Pipeline", "Ctrl+3", "no_such_module_anywhere:create"),
]


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


def _window(qtbot, ctx, pages=None) -> MainWindow:
    window = MainWindow(ctx, pages)
    qtbot.addWidget(window)
    window.show()
    return window


def test_every_real_page_opens_through_the_navigation(qtbot, ctx):
    window = _window(qtbot, ctx)
    assert window.nav.count() == len(PAGES)
    for row, entry in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        qtbot.wait(1)
        shown = window.current_page()
        assert shown is window.page_widget(entry.key)
        assert window.current_page_key() == entry.key
        assert not isinstance(shown, ErrorPage), f"page {entry.key} failed: {getattr(shown, 'error', '')}"
        assert isinstance(shown, ComingPage) == (entry.factory is None)
    QThreadPool.globalInstance().waitForDone(10_000)  # pages may load in the background


def test_pages_are_built_once_and_activated_each_time(qtbot, ctx):
    BUILT.clear()
    window = _window(qtbot, ctx, TEST_PAGES)
    page = window.show_page("customers")
    assert isinstance(page, FakeCustomersPage)
    window.show_page("followups")
    assert isinstance(window.current_page(), ComingPage)
    assert window.nav.currentRow() == 1
    assert window.show_page("customers") is page
    assert BUILT == ["customers"]
    assert page.activations >= 2


def test_failing_factories_show_an_error_page(qtbot, ctx):
    window = _window(qtbot, ctx, TEST_PAGES)
    for key, needle in (("analysis", "the broken page blew up"), ("import", "not a QWidget"),
                        ("pipeline", "no_such_module_anywhere")):
        page = window.show_page(key)
        assert isinstance(page, ErrorPage)
        assert needle in page.text.text()
    # The window still works afterwards.
    assert isinstance(window.show_page("customers"), FakeCustomersPage)


def test_bus_requests_switch_pages_and_open_a_customer(qtbot, ctx):
    window = _window(qtbot, ctx, TEST_PAGES)
    window.show_page("followups")
    ctx.bus.open_customer_requested.emit(17)
    page = window.page_widget("customers")
    assert window.current_page() is page
    assert page.opened == [17]
    ctx.bus.show_page_requested.emit("followups")
    assert window.current_page_key() == "followups"
    ctx.bus.status_message.emit("imported 3 files")
    assert window.statusBar().currentMessage() == "imported 3 files"


def test_go_menu_shortcuts_and_status_bar(qtbot, ctx):
    window = _window(qtbot, ctx)
    shortcuts = {key: action.shortcut().toString() for key, action in window.page_actions.items()}
    assert shortcuts == {entry.key: entry.shortcut for entry in PAGES}
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.page_actions["settings"].trigger()
    assert window.current_page_key() == "settings"
    assert "owner" in window.user_label.text() or "店主" in window.user_label.text()
    assert window.db_label.text() == ctx.db.describe()


def test_geometry_and_last_page_are_restored(qtbot, ctx, _isolated_home):
    first = _window(qtbot, ctx, TEST_PAGES)
    first.resize(700, 480)
    first.show_page("followups")
    first.close()
    assert (_isolated_home / "config" / "window.ini").is_file()
    assert window_settings().fileName().startswith(str(_isolated_home))
    second = _window(qtbot, ctx, TEST_PAGES)
    assert second.size() == QSize(700, 480)
    assert second.current_page_key() == "followups"


def test_about_shows_version_and_database(qtbot, ctx, monkeypatch):
    from crmdesk import __version__
    from crmdesk.ui import about_dialog

    seen: list[str] = []
    monkeypatch.setattr(about_dialog.AboutDialog, "exec", lambda self: seen.append(self.text()) or 0)
    window = _window(qtbot, ctx)
    window.about_action.trigger()
    assert len(seen) == 1
    assert __version__ in seen[0]
    assert str(ctx.db.file_path) in seen[0]


def test_navigation_titles_in_chinese(qtbot, ctx):
    set_language("zh_CN")
    window = _window(qtbot, ctx)
    titles = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert titles == ["客户", "跟进", "销售机会", "售后服务", "规则", "分析", "费用", "导入", "设置"]
    assert window.menuBar().actions()[0].text() == "文件(&F)"


def test_file_menu_backs_up_to_the_chosen_file(qtbot, ctx, tmp_path, monkeypatch):
    from crmdesk.ui.widgets import backup_action

    target = tmp_path / "备份" / "copy.db"
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: (str(target), ""))
    window = _window(qtbot, ctx, TEST_PAGES)
    window.backup_action.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Backed up to"), timeout=10_000)
    assert target.is_file()
    import sqlite3

    with sqlite3.connect(target) as copy:
        assert copy.execute("select username from users").fetchall() == [("owner",)]


def test_help_menu_opens_the_log_folder(qtbot, ctx, monkeypatch):
    from crmdesk.paths import log_dir
    from crmdesk.ui import main_window

    opened: list[str] = []
    monkeypatch.setattr(main_window.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    window = _window(qtbot, ctx, TEST_PAGES)
    window.log_action.trigger()
    assert opened == [str(log_dir())]


class WidePage(QLabel):
    def __init__(self) -> None:
        super().__init__("a page with many filters")
        self.setMinimumWidth(3000)


def make_wide(_ctx: AppContext) -> QWidget:
    return WidePage()


def test_a_too_wide_page_scrolls_instead_of_widening_the_window(qtbot, ctx):
    pages = [*TEST_PAGES, PageEntry("service", "Service", "Ctrl+4", f"{__name__}:make_wide")]
    window = _window(qtbot, ctx, pages)
    window.resize(1000, 700)
    window.show_page("service")
    qtbot.wait(10)
    assert isinstance(window.current_page(), WidePage)
    assert window.width() < 1500
    assert window.minimumSizeHint().width() < 1500


def test_about_details_can_be_copied(qtbot, ctx):
    from PySide6.QtWidgets import QApplication

    from crmdesk.paths import log_file
    from crmdesk.ui.about_dialog import AboutDialog

    dialog = AboutDialog(ctx.db)
    qtbot.addWidget(dialog)
    dialog.copy_details()
    copied = QApplication.clipboard().text()
    assert str(log_file()) in copied and ctx.db.describe() in copied and "Qt " in copied
