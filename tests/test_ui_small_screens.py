"""Issue 14, item 13: at 1024×700 (a shop monitor above its taskbar) no page scrolls sideways,
every toolbar button is in the row or in its "More" menu, the dashboard takes fewer columns
than at 1280, and the customer form fits the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, QThreadPool
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QMenu, QPushButton, QToolButton, QWidget

from crmdesk.i18n import set_language
from crmdesk.services.actor import actor_for_username
from crmdesk.ui.analysis.dashboard_view import DashboardView
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.dialog import FORM_SIZE, CustomerFormDialog
from crmdesk.ui.main_window import MainWindow
from crmdesk.ui.qt_fonts import apply_cjk_font
from crmdesk.ui.small_screen_shots import SMALL_SCREEN
from crmdesk.ui.widgets.adaptive_toolbar import AdaptiveToolbar
from crmdesk.ui.widgets.flow_layout import FlowLayout
from crmdesk.ui.widgets.screen_fit import FRAME_ALLOWANCE, fit_to_screen

LARGE = QSize(1280, 800)
OVERFLOWED: list[tuple[str, list[str]]] = []  # which rows used their More menu (shown with -s)


@pytest.fixture(autouse=True)
def app_font(qapp):
    """The font the app sets at start (a CJK family): widths depend on it."""
    before = qapp.font()
    apply_cjk_font(qapp)
    yield
    qapp.setFont(before)


@pytest.fixture
def ctx(demo_db) -> AppContext:
    with demo_db.sessions() as session:
        actor = actor_for_username(session, "owner")
    return AppContext(db=demo_db, actor=actor)


def _settle(qtbot, ms: int = 150) -> None:
    qtbot.wait(ms)
    QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.wait(ms)


def _window(qtbot, ctx, size: QSize) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(size)
    window.show()
    _settle(qtbot)
    return window


def _assert_fits(window: MainWindow, key: str, what: str) -> None:
    holder = window._holders[key]
    page = window.page_widget(key)
    assert not holder.horizontalScrollBar().isVisible(), (
        f"{what} scrolls sideways at 1024×700: needs {page.minimumSizeHint().width()} px, "
        f"has {holder.viewport().width()}")
    assert page.minimumSizeHint().width() <= holder.viewport().width(), what
    for toolbar in page.findChildren(AdaptiveToolbar):
        if toolbar.isVisible():
            for button in toolbar.buttons():
                assert toolbar.reachable(button), f"{what}: {button.text()} is neither shown nor in More"
            if toolbar.overflowed():
                toolbar.overflow_menu.aboutToShow.emit()
                in_menu = {a.text() for a in toolbar.overflow_menu.actions()}
                assert {b.text() for b in toolbar.overflowed()} <= in_menu, what
                OVERFLOWED.append((what, [b.text() for b in toolbar.overflowed()]))
    for button in page.findChildren(QAbstractButton):
        if button.isVisible() and button.text():  # a shown button is not cut by the page's edge
            right = button.mapTo(holder.viewport(), button.rect().topRight()).x()
            assert right <= holder.viewport().width(), f"{what}: {button.text()} is cut"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_page_fits_1024_by_700(qtbot, ctx, language):
    set_language(language)
    window = _window(qtbot, ctx, SMALL_SCREEN)
    for entry in window.entries:
        window.show_page(entry.key)
        _settle(qtbot)
        _assert_fits(window, entry.key, entry.key)
    pipeline = window.show_page("pipeline")
    pipeline.list_button.click()
    _settle(qtbot)
    _assert_fits(window, "pipeline", "pipeline list")
    analysis = window.show_page("analysis")
    for report in ("statement", "margin", "receivables"):
        analysis.show_view(report)
        _settle(qtbot)
        _assert_fits(window, "analysis", f"report {report}")
    tabs = window.show_page("import").tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        _settle(qtbot)
        _assert_fits(window, "import", f"import tab {index}")
    print(language, "overflowed:", OVERFLOWED)
    OVERFLOWED.clear()


def _dashboard(qtbot, window: MainWindow) -> DashboardView:
    view = window.show_page("analysis").show_view("dashboard")
    qtbot.waitUntil(view.is_idle, timeout=60_000)
    _settle(qtbot)
    return view


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_dashboard_takes_fewer_columns_on_a_small_screen(qtbot, ctx, language):
    set_language(language)
    window = _window(qtbot, ctx, LARGE)
    view = _dashboard(qtbot, window)
    wide = (view.tile_columns(), view.chart_columns(len(view.charts)))
    if language == "zh_CN":
        assert wide == (6, 3)  # 1280×800 looks as before
    window.resize(SMALL_SCREEN)
    _settle(qtbot)
    narrow = (view.tile_columns(), view.chart_columns(len(view.charts)))
    assert narrow[0] < wide[0] and narrow[1] < wide[1]
    assert not window._holders["analysis"].horizontalScrollBar().isVisible()
    tiles = [t for t in view.tiles if t.isVisible()]
    assert len(tiles) == len(view.data.kpis)
    edge = view.width()
    assert all(t.mapTo(view, t.rect().topRight()).x() <= edge for t in tiles), "a KPI tile is cut"
    for name in view.charts:
        canvas = view.canvases[name]
        assert canvas.mapTo(view, canvas.rect().topRight()).x() <= edge, f"chart {name} is cut"
    window.resize(LARGE)
    _settle(qtbot)
    assert (view.tile_columns(), view.chart_columns(len(view.charts))) == wide


@pytest.mark.parametrize("existing", [True, False])
def test_the_customer_form_fits_a_1024_by_700_screen(qtbot, ctx, existing):
    customer_id = None
    if existing:
        page = _window(qtbot, ctx, SMALL_SCREEN).show_page("customers")
        qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=30_000)
        customer_id = page.model.id_at(0)
    form = CustomerFormDialog(ctx, customer_id)
    qtbot.addWidget(form)
    size = fit_to_screen(form, FORM_SIZE, SMALL_SCREEN)
    framed = size + FRAME_ALLOWANCE
    assert framed.width() <= SMALL_SCREEN.width() and framed.height() <= SMALL_SCREEN.height()
    assert form.minimumSizeHint().height() + FRAME_ALLOWANCE.height() <= SMALL_SCREEN.height()
    form.show()
    _settle(qtbot)
    assert form.size() == size
    for index in range(form.tabs.count()):
        if not form.tabs.isTabEnabled(index):
            continue
        form.tabs.setCurrentIndex(index)
        _settle(qtbot, 50)
        tab = form.tabs.currentWidget()
        needed = tab.minimumSizeHint()
        assert needed.width() <= tab.width() and needed.height() <= tab.height(), form.tabs.tabText(index)
    form.dirty = False
    form.close()


def test_the_form_keeps_its_size_on_a_large_screen(qtbot, ctx):
    form = CustomerFormDialog(ctx, None)
    qtbot.addWidget(form)
    assert fit_to_screen(form, FORM_SIZE, QSize(1920, 1040)) == FORM_SIZE


# -- the widgets ---------------------------------------------------------------------------------
def _toolbar(qtbot):
    row = AdaptiveToolbar()
    qtbot.addWidget(row)
    search = QLineEdit()
    search.setMinimumWidth(200)
    row.add_stretch_widget(search)
    clicked: list[str] = []
    buttons = []
    for text in ("New", "Open", "Archive", "Delete", "Export…"):
        button = QPushButton(text)
        button.clicked.connect(lambda _c=False, t=text: clicked.append(t))
        row.add_button(button)
        buttons.append(button)
    refused = QPushButton("Merge…")  # a role without the permission: hidden by the page
    refused.setVisible(False)
    row.add_button(refused)
    menu_button = QToolButton()
    menu_button.setText("Saved filters")
    menu_button.setMenu(QMenu(menu_button))
    menu_button.menu().addAction("Overdue dealers")
    row.add_button(menu_button)
    return row, buttons, refused, menu_button, clicked


def test_buttons_that_do_not_fit_go_into_more_and_come_back(qtbot):
    row, buttons, refused, menu_button, clicked = _toolbar(qtbot)
    row.resize(1000, 30)
    row.show()
    qtbot.wait(20)
    assert row.overflowed() == [] and not row.overflow_button.isVisible()
    assert all(b.isVisible() for b in buttons) and not refused.isVisible()

    row.resize(420, 30)
    qtbot.wait(20)
    moved = row.overflowed()
    assert moved and moved[-1] is menu_button and refused not in moved
    assert row.overflow_button.isVisible()
    assert row.minimumSizeHint().width() <= 420
    assert all(row.reachable(b) for b in row.buttons())
    row.overflow_menu.aboutToShow.emit()
    texts = [a.text() for a in row.overflow_menu.actions()]
    assert texts == [b.text() for b in moved]
    submenu = row.overflow_menu.actions()[-1].menu()
    assert submenu is menu_button.menu() and submenu.actions()[0].text() == "Overdue dealers"
    export = next(a for a in row.overflow_menu.actions() if a.text() == "Export…")
    export.trigger()
    assert clicked == ["Export…"]

    refused.setVisible(True)  # the page shows it after all: it takes part again
    qtbot.wait(20)
    assert refused in row.buttons()
    row.resize(1200, 30)
    qtbot.wait(20)
    assert row.overflowed() == [] and refused.isVisible() and not row.overflow_button.isVisible()


def test_a_page_menu_button_takes_the_overflow_above_its_own_entries(qtbot):
    more = QToolButton()
    more.setText("More")
    more.setMenu(QMenu(more))
    more.menu().addAction("Find duplicates…")
    row = AdaptiveToolbar(overflow_button=more)
    qtbot.addWidget(row)
    row.add_stretch_widget(QLineEdit())
    for text in ("New", "Open", "Quick log", "Archive"):
        row.add_button(QPushButton(text))
    row.resize(260, 30)
    row.show()
    qtbot.wait(20)
    assert more.isVisible() and row.overflowed()
    for _ in range(2):  # opened twice: entries are not added twice
        more.menu().aboutToShow.emit()
    texts = [a.text() for a in more.menu().actions()]
    moved = [b.text() for b in row.overflowed()]
    assert texts == [*moved, "", "Find duplicates…"]


def test_the_flow_layout_wraps_on_a_narrow_width(qtbot):
    bar = QWidget()
    qtbot.addWidget(bar)
    flow = FlowLayout(bar)
    for i in range(8):
        flow.addWidget(QPushButton(f"Filter number {i}"))
    bar.resize(2000, flow.heightForWidth(2000))
    bar.show()
    qtbot.wait(20)
    assert flow.line_count() == 1
    bar.resize(300, flow.heightForWidth(300))
    qtbot.wait(20)
    assert flow.line_count() > 2
    assert flow.heightForWidth(300) > flow.heightForWidth(2000)
    assert flow.minimumSize().width() < 300


def test_make_screenshots_writes_the_1024_shots(qtbot, ctx, tmp_path):
    from PySide6.QtGui import QImage

    from crmdesk.ui.small_screen_shots import save_small_screen_shots

    window = _window(qtbot, ctx, LARGE)
    saved = save_small_screen_shots(window, tmp_path)
    assert sorted(p.name for p in saved.values()) == [
        "analysis_dashboard_1024.png", "customer_form_1024.png", "customers_list_1024.png"]
    for name in ("customers_list_1024", "analysis_dashboard_1024"):
        shot = QImage(str(saved[name]))
        assert (shot.width(), shot.height()) == (SMALL_SCREEN.width(), SMALL_SCREEN.height())
    form = QImage(str(saved["customer_form_1024"]))
    assert form.width() + FRAME_ALLOWANCE.width() <= SMALL_SCREEN.width()
    assert form.height() + FRAME_ALLOWANCE.height() <= SMALL_SCREEN.height()
    assert window.size() == LARGE  # put back for the shots after these
