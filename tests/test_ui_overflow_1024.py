"""Issue 12 item 9: every page of the main window (as the owner, in Chinese, on the demo shop) fits
a 1024×700 screen. The window gets the client area such a screen leaves once the frame is drawn
(``screen_fit.fitted_size``), and a page OVERFLOWS when, with the page shown:

1. the window cannot be that small (its minimumSizeHint is larger), or a page-like scroll area
   (the page's holder, or a QScrollArea inside a page, e.g. Settings) needs a sideways scrollbar;
2. a visible widget reaches outside the area that shows it: its rectangle, mapped to the nearest
   enclosing scroll area's viewport (the page holder's when there is none), lies left of 0 or right
   of that viewport's width. Widgets inside item views and text editors are left out: their
   content scrolls by design;
3. a visible text is cut: a QLabel without word wrap, or a button, narrower than its sizeHint
   (the width its text needs), or a label whose text Qt had to elide.

Every page is visited, every report of the Analysis page, every Import tab, the Pipeline list and
every Settings section. The failure lists each widget with its class, object name/text and
numbers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, QThreadPool
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QLabel, QPlainTextEdit,
                               QScrollArea, QTextEdit, QWidget)

from crmdesk.i18n import set_language
from crmdesk.reports.registry import REPORTS
from crmdesk.services.actor import actor_for_username
from crmdesk.ui.context import AppContext
from crmdesk.ui.main_window import MainWindow
from crmdesk.ui.qt_fonts import apply_cjk_font
from crmdesk.ui.widgets.screen_fit import FRAME_ALLOWANCE, fitted_size

SCREEN = QSize(1024, 700)
CLIENT = fitted_size(QSize(1280, 800), SCREEN)  # 1008×660: what the window's frame leaves
SLACK = 1  # px of rounding


@pytest.fixture(autouse=True)
def app_font(qapp):
    """The font the app sets at start (a CJK family): widths depend on it."""
    before = qapp.font()
    apply_cjk_font(qapp)
    yield
    qapp.setFont(before)


@pytest.fixture
def window(qtbot, demo_db) -> MainWindow:
    set_language("zh_CN")
    with demo_db.sessions() as session:
        ctx = AppContext(db=demo_db, actor=actor_for_username(session, "owner"))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(CLIENT)
    win.show()
    _settle(qtbot)
    return win


def _settle(qtbot, ms: int = 120) -> None:
    qtbot.wait(ms)
    QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.wait(ms)


def _name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QLabel, QAbstractButton)) else ""
    return f"{type(w).__name__}({w.objectName() or ''}{' ' + repr(text[:40]) if text else ''})"


def _clip_area(w: QWidget, holder: QScrollArea) -> QAbstractScrollArea | None:
    """The scroll area whose viewport shows ``w`` (None: inside an item view or editor)."""
    parent = w.parentWidget()
    while parent is not None:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            if isinstance(area, (QAbstractItemView, QTextEdit, QPlainTextEdit)):
                return None
            return area
        if parent is holder:
            return holder
        parent = area if isinstance(area, QAbstractScrollArea) and parent is area.viewport() else parent.parentWidget()
    return holder


def overflows(window: MainWindow, key: str) -> list[str]:
    holder = window._holders[key]
    page = window.page_widget(key)
    out = []
    if window.minimumSizeHint().width() > CLIENT.width() or window.minimumSizeHint().height() > CLIENT.height():
        out.append(f"window needs {window.minimumSizeHint().width()}×{window.minimumSizeHint().height()}")
    for area in [holder, *page.findChildren(QScrollArea)]:
        if area.isVisible() and area.horizontalScrollBar().isVisible():
            inner = area.widget().minimumSizeHint().width() if area.widget() else 0
            out.append(f"{_name(area)} scrolls sideways: needs {inner} px, has {area.viewport().width()}")
    for w in page.findChildren(QWidget):
        if not w.isVisible() or w.isWindow():
            continue
        area = _clip_area(w, holder)
        if area is None:
            continue
        viewport = area.viewport()
        left = w.mapTo(viewport, w.rect().topLeft()).x()
        right = w.mapTo(viewport, w.rect().topRight()).x()
        if left < -SLACK or right > viewport.width() + SLACK:
            out.append(f"{_name(w)} spans x {left}..{right}, outside 0..{viewport.width()}")
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and w.pixmap().isNull() \
                and w.width() + SLACK < w.sizeHint().width():
            out.append(f"{_name(w)} is {w.width()} px wide, its text needs {w.sizeHint().width()}")
        elif isinstance(w, QAbstractButton) and w.text() and w.width() + SLACK < w.sizeHint().width():
            out.append(f"{_name(w)} is {w.width()} px wide, its text needs {w.sizeHint().width()}")
    return out


def _views(window: MainWindow):
    """(what, key) for every page and every view inside one, showing each as it goes."""
    for entry in window.entries:
        window.show_page(entry.key)
        yield entry.key, entry.key
        if entry.key == "analysis":
            analysis = window.page_widget("analysis")
            for name in sorted(REPORTS):
                analysis.show_view(name)
                yield f"report {name}", "analysis"
        elif entry.key == "import":
            tabs = window.page_widget("import").tabs
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                yield f"import tab {tabs.tabText(index)}", "import"
        elif entry.key == "pipeline":
            window.page_widget("pipeline").list_button.click()
            yield "pipeline list", "pipeline"


def test_no_page_overflows_at_1024_by_700_in_chinese(qtbot, window):
    assert window.size() == CLIENT and CLIENT + FRAME_ALLOWANCE == SCREEN
    seen, problems = [], []
    for what, key in _views(window):
        _settle(qtbot)
        seen.append(what)
        problems += [f"{what}: {p}" for p in overflows(window, key)]
    assert "settings" in seen and any(s.startswith("report ") for s in seen)
    assert not problems, f"{len(problems)} overflows at {CLIENT.width()}×{CLIENT.height()}:\n" + "\n".join(problems)


def test_the_check_sees_an_overflow(qtbot, window):
    """Not vacuous: a label too wide for the page and a squeezed button are reported."""
    from PySide6.QtWidgets import QPushButton

    window.show_page("followups")
    page = window.page_widget("followups")
    wide = QLabel("宽" * 200, page)
    wide.setObjectName("too-wide")
    wide.move(0, 0)
    wide.resize(wide.sizeHint())
    wide.show()
    squeezed = QPushButton("一个很长的按钮文字", page)
    squeezed.setObjectName("squeezed")
    squeezed.resize(20, 20)
    squeezed.show()
    _settle(qtbot)
    found = "\n".join(overflows(window, "followups"))
    assert "too-wide" in found and "squeezed" in found
