"""Issue 14, items 8–11 on screen: the statement's customer box suggests customers, its 类型
column is Chinese, batch statements, the shop's details in Settings, exports that say what
they hold, one format per column, the lifetime parameters, the dashboard's Pareto labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from openpyxl import load_workbook
from PIL import Image
from PySide6.QtCore import Qt
from sqlalchemy import select

from crmdesk.db.models import Customer, User
from crmdesk.reports.registry import REPORTS
from crmdesk.services.actor import Actor
from crmdesk.ui.context import AppContext

pytestmark = pytest.mark.gui
WAIT_MS = 60_000


@pytest.fixture
def ctx(demo_db):
    with demo_db.sessions() as s:
        actor = Actor.from_user(s.scalar(select(User).where(User.role == "owner").limit(1)), s)
    return AppContext(db=demo_db, actor=actor)


@pytest.fixture
def zh():
    from crmdesk.i18n import set_language

    set_language("zh_CN")
    yield
    set_language("en")


def _panel(qtbot, ctx, name):
    """The report's panel over the demo's first half of 2026 (the demo ends 2026-06-30)."""
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.ui.analysis.report_panel import ReportPanel

    panel = ReportPanel(ctx, REPORTS[name])
    qtbot.addWidget(panel)
    panel.resize(1100, 750)
    panel.show()
    panel.filter_bar.set_filters(ReportFilters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30)))
    return panel


def _computed(qtbot, panel):
    qtbot.waitUntil(lambda: panel.last_frame is not None and not panel.runner.busy, timeout=WAIT_MS)


def _customer(ctx) -> Customer:
    from crmdesk.db.models import Receipt

    with ctx.db.sessions() as s:
        c = s.get(Customer, s.scalar(select(Receipt.customer_id).where(
            Receipt.receipt_date.between(dt.date(2026, 1, 1), dt.date(2026, 6, 30))).limit(1)))
        s.expunge(c)
        return c


def test_statement_box_suggests_by_pinyin_and_the_kind_column_is_chinese(qtbot, ctx, zh):
    customer = _customer(ctx)
    panel = _panel(qtbot, ctx, "statement")
    completer = panel.completers["customer"]
    edit = panel.options_bar.editors["customer"]
    with ctx.db.sessions() as s:
        keys = s.scalar(select(Customer.search_text).where(Customer.id == customer.id))
    typed = next(w for w in keys.split() if w.isascii() and w.isalpha() and len(w) >= 4)  # pinyin of the name
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    qtbot.waitUntil(lambda: completer.completionModel().rowCount() > 0, timeout=5_000)
    found = completer.search()
    assert customer.code in [code for code, _name in found]
    with qtbot.waitSignal(panel.computed, timeout=WAIT_MS):
        completer.choose([code for code, _n in found].index(customer.code))
    assert edit.text() == customer.code
    _computed(qtbot, panel)
    kinds = [panel.model.data(panel.model.index(r, 1)) for r in range(panel.model.rowCount())]
    assert kinds[0] == "期初" and kinds[-1] == "期末" and "收款" in kinds
    assert panel.model.headerData(1, Qt.Orientation.Horizontal) == "类型"
    panel.grab().save(str(Path("/tmp") / "issue14_statement_panel.png"))


def test_batch_button_writes_a_folder_of_statements(qtbot, ctx, tmp_path):
    panel = _panel(qtbot, ctx, "statement")
    assert panel.batch is not None and panel.batch.button.isVisible()
    job = panel.batch.run(tmp_path / "statements", to_folder=True)
    qtbot.waitUntil(lambda: panel.batch.last_result is not None or bool(panel.batch.last_error), timeout=WAIT_MS)
    assert not panel.batch.last_error
    count, files = panel.batch.last_result
    assert count == len(files) > 0 and all(f.suffix == ".pdf" and f.exists() for f in files)
    qtbot.waitUntil(lambda: not job.running, timeout=WAIT_MS)
    assert panel.batch.button.isEnabled()


def test_shop_section_saves_what_statements_print(qtbot, ctx, zh):
    from crmdesk.services.shop_settings import load_shop
    from crmdesk.ui.settings.page import SettingsPage

    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    section = page.sections["shop"]
    section.edits["name"].setText("明德办公用品商行")
    section.edits["bank_account"].setText("工商银行文三路支行 6222 0000 1111")
    section.footer.setPlainText("对账有差异请联系王会计")
    assert section.save()
    with ctx.db.sessions() as s:
        shop = load_shop(s)
    assert (shop.name, shop.bank_account, shop.footer) == ("明德办公用品商行", "工商银行文三路支行 6222 0000 1111",
                                                           "对账有差异请联系王会计")
    page.resize(900, 700)
    page.grab().save("/tmp/issue14_settings_shop.png")


def test_shop_section_is_for_those_who_may_edit_settings(qtbot, ctx):
    from crmdesk.ui.settings.page import SettingsPage

    counter = Actor(user_id=None, username="front", role="counter", display_name="前台")
    page = SettingsPage(AppContext(db=ctx.db, actor=counter))
    qtbot.addWidget(page)
    assert "shop" not in page.sections


def test_exports_from_a_panel_say_what_they_hold(qtbot, ctx, tmp_path):
    panel = _panel(qtbot, ctx, "restock")
    panel.refresh()
    _computed(qtbot, panel)
    table = panel.export_table(tmp_path / "restock.xlsx")
    wb = load_workbook(table)
    about = {r[0].value: r[1].value for r in wb["About this export"].iter_rows()}
    assert about["Report"] == REPORTS["restock"].title and about["Made by"] == ctx.actor.display_name
    assert "Period" in about and "Made at" in about
    # one format per column: days of cover never mixes "1" and "1.10"
    col = list(panel.model.frame.columns).index("days_of_cover")
    shown = {panel.model.data(panel.model.index(r, col)) for r in range(panel.model.rowCount())} - {""}
    assert shown and all(len(t.split(".")[-1]) == 1 for t in shown), shown
    ws = wb.worksheets[0]
    fmts = {ws.cell(row=r, column=col + 1).number_format for r in range(2, ws.max_row + 1)
            if ws.cell(row=r, column=col + 1).value is not None}
    assert fmts == {"#,##0.0"}
    panel.grab().save("/tmp/issue14_restock_panel.png")
    chart = panel.export_chart(tmp_path / "restock.png")
    Image.open(chart).save("/tmp/issue14_restock_export.png")
    bare = tmp_path / "bare.png"
    panel.canvas.figure.savefig(bare, dpi=150, bbox_inches="tight", facecolor="white")
    with Image.open(chart) as a, Image.open(bare) as b:
        assert a.height > b.height  # the caption under the chart
    assert not [t for t in panel.canvas.figure.texts if t.get_gid() == "crmdesk-export-caption"]  # screen unchanged


def test_lifetime_panel_shows_the_fitted_parameters(qtbot, ctx):
    panel = _panel(qtbot, ctx, "lifetime")
    assert "params" not in panel.options_bar.editors  # the CLI's switch; the GUI shows them anyway
    panel.refresh()
    _computed(qtbot, panel)
    text = panel.summary.text()
    assert panel.summary.isVisible()
    for name in ("r =", "α =", "a =", "b =", "p =", "q =", "γ ="):
        assert name in text
    panel.grab().save("/tmp/issue14_lifetime_panel.png")


def test_dashboard_pareto_labels_do_not_overprint(qtbot):
    from crmdesk.charts.fonts import configure_matplotlib
    from crmdesk.ui.analysis import dashboard_charts as charts

    configure_matplotlib()
    names = [f"佛山市南海华通文具批发部{i}" for i in range(15)]
    df = pd.DataFrame({"customer_code": [f"C{i}" for i in range(15)], "customer_name": names,
                       "gross_profit": [1000.0 - 50 * i for i in range(15)],
                       "cumulative_share_pct": [10.0 + 6 * i for i in range(15)]})
    for size in ((3.0, 2.3), (4.0, 2.6), (5.2, 3.0), (8.0, 3.0)):  # the dashboard's cells, small to wide
        fig = charts.pareto_chart(df)
        FigureCanvasAgg(fig)
        fig.set_size_inches(*size)
        fig.canvas.draw()
        labels = charts.label_pareto_bars(fig.axes[0], names)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert labels[0].startswith("佛山") and 1 <= len(boxes) <= 15
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), size


def test_dashboard_pareto_hover_names_every_bar(qtbot, ctx, tmp_path):
    from crmdesk.ui.analysis.dashboard_view import DashboardView

    view = DashboardView(ctx)
    qtbot.addWidget(view)
    view.resize(1024, 700)
    view.show()
    view.refresh()
    qtbot.waitUntil(lambda: view.canvases["pareto"].figure is not None
                    and bool(view.canvases["pareto"].figure.axes[0].patches), timeout=WAIT_MS)
    fig = view.canvases["pareto"].figure
    bars = [p for p in fig.axes[0].patches if p.get_gid()]
    unlabelled = [t.get_text() for t in fig.axes[0].get_xticklabels()].index("")  # a bar without a label
    text = view.canvases["pareto"].describe(bars[unlabelled], None)
    assert view._names["pareto"][bars[unlabelled].get_gid()] in text
    qtbot.waitUntil(lambda: all(c.figure is not None for c in view.canvases.values() if c.isVisible()),
                    timeout=WAIT_MS)
    view.grab().save("/tmp/issue14_dashboard_1024.png")
    # The right-click export says what the chart shows
    canvas = view.canvases["pareto"]
    caption = view.chart_caption(canvas)
    assert caption.startswith("Dashboard · Key customers") and ctx.actor.display_name in caption
    saved = canvas.export(tmp_path / "pareto.png")
    canvas.figure.savefig(tmp_path / "bare.png", dpi=150, bbox_inches="tight", facecolor="white")
    with Image.open(saved) as a, Image.open(tmp_path / "bare.png") as b:
        assert a.height > b.height
