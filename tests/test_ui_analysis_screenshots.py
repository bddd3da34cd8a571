"""The Analysis page on the generated demo shop: the screenshots for the docs
are written, and Chinese labels are used throughout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout, QWidget

from crmdesk.ui.analysis import save_analysis_screenshots
from crmdesk.ui.analysis.page import create_analysis_page

pytestmark = pytest.mark.gui


@pytest.fixture
def zh_ctx(demo_db):
    from crmdesk.i18n import set_language
    from crmdesk.services.actor import actor_for_username
    from crmdesk.ui.context import AppContext

    set_language("zh_CN")
    with demo_db.sessions() as s:
        actor = actor_for_username(s, None)
    yield AppContext(db=demo_db, actor=actor)
    set_language("en")


def test_screenshots_of_dashboard_and_two_reports(qtbot, zh_ctx, tmp_path):
    window = QWidget()  # stands in for the main window: the page is found among its children
    qtbot.addWidget(window)
    page = create_analysis_page(zh_ctx)
    QVBoxLayout(window).addWidget(page)
    window.resize(1400, 880)
    window.show()
    saved = save_analysis_screenshots(window, tmp_path)
    assert [p.name for p in saved] == ["analysis_dashboard.png", "analysis_key_customers.png",
                                       "analysis_margin_brand.png"]
    for path in saved:
        image = QImage(str(path))
        assert image.width() >= 1200 and image.height() >= 800
    dashboard = page.panels["dashboard"]
    assert dashboard.tiles[0].title.text() == "销售额"
    assert all(canvas.figure is not None for canvas in dashboard.canvases.values())
    margin = page.panels["margin"]
    assert margin.options_bar.values()["by"] == "brand"
    assert list(margin.model.frame.columns)[0] == "brand"
    assert margin.model.headerData(0, Qt.Orientation.Horizontal) == "品牌"
