"""Report panels: the table is the report's DataFrame, chart clicks drill down
to products, customers and the customer's form, exports write files."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from test_ui_analysis_support import ctx, page, shop, tiny_shop  # noqa: F401 - fixtures

from crmdesk.db.models import Customer, Product, SalesLine
from crmdesk.reports.registry import REPORTS
from crmdesk.ui.analysis import export
from crmdesk.ui.analysis.page import DASHBOARD_KEY, KEY_ROLE, group_of
from crmdesk.ui.widgets import file_dialogs

pytestmark = pytest.mark.gui
WAIT_MS = 30_000


def _open(page, qtbot, key):
    panel = page.show_view(key)
    qtbot.waitUntil(lambda: panel.last_frame is not None and not panel.runner.busy, timeout=WAIT_MS)
    return panel


def _report(ctx, name, filters, options):  # noqa: F811
    with ctx.db.sessions() as s:
        return REPORTS[name].fn(s, ctx.actor, filters, options)


def test_every_report_is_listed_in_a_group(page):
    tops = [page.nav.topLevelItem(i) for i in range(page.nav.topLevelItemCount())]
    listed = [top.child(j).data(0, KEY_ROLE) for top in tops for j in range(top.childCount())]
    assert sorted(listed) == sorted(REPORTS)
    assert tops[0].data(0, KEY_ROLE) == DASHBOARD_KEY
    assert group_of(REPORTS["margin"]) == "products" and group_of(REPORTS["receivables"]) == "finance"


def test_panel_table_is_the_report_frame(page, qtbot, ctx):  # noqa: F811
    panel = _open(page, qtbot, "key-customers")
    expected = _report(ctx, "key-customers", panel.last_filters, panel.options_bar.values())
    pd.testing.assert_frame_equal(panel.model.frame, expected.reset_index(drop=True))
    assert panel.model.rowCount() == 8
    assert panel.canvas.figure is not None
    first_revenue = panel.model.data(panel.model.index(0, list(expected.columns).index("revenue")))
    assert first_revenue == f"{expected['revenue'].iat[0]:,.2f}"


def test_option_change_recomputes(page, qtbot, ctx):  # noqa: F811
    panel = _open(page, qtbot, "margin")
    with qtbot.waitSignal(panel.computed, timeout=WAIT_MS):
        panel.options_bar.set_value("by", "brand")
    assert list(panel.model.frame.columns)[0] == "brand"
    expected = _report(ctx, "margin", panel.last_filters, {"by": "brand"})
    pd.testing.assert_frame_equal(panel.model.frame, expected)


def test_brand_click_drills_to_products_customers_and_the_form(page, qtbot, ctx, tiny_shop):  # noqa: F811
    panel = _open(page, qtbot, "margin")
    with qtbot.waitSignal(panel.computed, timeout=WAIT_MS):
        panel.options_bar.set_value("by", "brand")
    panel.canvas.clicked.emit("惠普")  # as ChartCanvas does for a clicked bar
    drill = panel.drill
    assert panel.stack.currentWidget() is drill
    qtbot.waitUntil(lambda: not drill.runner.busy and drill.model.rowCount() > 0, timeout=WAIT_MS)
    products = drill.current_frame()
    assert sorted(products["product_code"]) == ["P20", "P21"]
    assert products["gross_profit"].sum() == pytest.approx(
        panel.last_frame.set_index("brand").loc["惠普", "gross_profit"])

    row = list(products["product_code"]).index("P21")
    drill.open_row(row)  # as a double-click does
    qtbot.waitUntil(lambda: not drill.runner.busy and "customer_code" in drill.current_frame(), timeout=WAIT_MS)
    f = panel.last_filters
    with ctx.db.sessions() as s:
        buyers = set(s.scalars(select(Customer.code).distinct().join(SalesLine, SalesLine.customer_id == Customer.id)
                               .join(Product, Product.id == SalesLine.product_id)
                               .where(Product.code == "P21", SalesLine.order_date.between(f.date_from, f.date_to))))
    customers = drill.current_frame()
    assert set(customers["customer_code"]) == buyers and buyers
    assert len(drill.levels) == 2

    code = customers["customer_code"].iat[0]
    with qtbot.waitSignal(ctx.bus.open_customer_requested, timeout=5000) as signal:
        drill.open_row(0)
    assert signal.args == [tiny_shop[code]]

    drill.go_to(0)  # the breadcrumb's first link
    assert len(drill.levels) == 1
    drill.go_back()
    assert panel.stack.currentIndex() == 0


def test_segment_click_lists_its_customers(page, qtbot, ctx, tiny_shop):  # noqa: F811
    panel = _open(page, qtbot, "rfm")
    frame = panel.last_frame
    segment = frame["segment"].value_counts().index[0]
    panel.drill_key(segment)
    rows = panel.drill.current_frame()
    assert set(rows["customer_code"]) == set(frame.loc[frame["segment"] == segment, "customer_code"])
    code = rows["customer_code"].iat[0]
    with qtbot.waitSignal(ctx.bus.open_customer_requested, timeout=5000) as signal:
        panel.drill.open_row(0)
    assert signal.args == [tiny_shop[code]]


def test_export_table_and_chart(page, qtbot, ctx, tmp_path, monkeypatch):  # noqa: F811
    panel = _open(page, qtbot, "key-customers")
    answers = iter([(str(tmp_path / "重点客户.xlsx"), ""), (str(tmp_path / "chart.png"), ""),
                    (str(tmp_path / "chart.pdf"), "")])
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: next(answers))
    panel.export_table_button.click()
    ws = load_workbook(tmp_path / "重点客户.xlsx").active
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws.max_row == panel.model.rowCount() + 1
    revenue_col = list(panel.model.frame.columns).index("revenue") + 1
    assert ws.cell(row=1, column=revenue_col).value == "revenue"  # English run: the column name
    assert ws.cell(row=2, column=revenue_col).number_format == export.MONEY_FORMAT
    panel.export_chart_button.click()
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    panel.export_chart_button.click()
    assert (tmp_path / "chart.pdf").read_bytes()[:5] == b"%PDF-"


def test_cancelled_dialog_writes_nothing(page, qtbot, tmp_path, monkeypatch):
    panel = _open(page, qtbot, "margin")
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: ("", ""))
    assert panel.export_table() is None and panel.export_chart() is None
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".png", ".pdf")]


def test_brand_filter_narrows_the_report(page, qtbot, ctx):  # noqa: F811
    panel = _open(page, qtbot, "margin")
    bar = panel.filter_bar
    assert [a.text() for _v, a in bar.brands._actions] == ["得力", "惠普", "晨光"]  # from the database
    with qtbot.waitSignal(panel.computed, timeout=WAIT_MS):
        next(a for v, a in bar.brands._actions if v == "晨光").trigger()  # ticking fires once, debounced
    assert panel.last_filters.brands == ("晨光",)
    assert bar.brands.text().endswith("晨光")
    expected = _report(ctx, "margin", panel.last_filters, panel.options_bar.values())
    pd.testing.assert_frame_equal(panel.model.frame, expected)
    assert set(expected["category"]) == {"文具"}  # 晨光 sells stationery only


def test_data_change_recomputes_the_visible_panel_and_marks_others_stale(page, qtbot, ctx):  # noqa: F811
    shown = _open(page, qtbot, "key-customers")
    hidden = _open(page, qtbot, "margin")
    page.show_view("key-customers")
    runs = shown.runner.runs_started
    ctx.bus.announce("sales_lines")
    qtbot.waitUntil(lambda: shown.runner.runs_started > runs and not shown.runner.busy, timeout=WAIT_MS)
    assert hidden.stale and not shown.stale
    ctx.bus.announce("settings")  # not about the numbers
    assert not shown.stale


def test_statement_asks_for_its_customer_then_exports_its_own_pdf(page, qtbot, ctx, tmp_path, monkeypatch):  # noqa: F811
    panel = page.show_view("statement")
    assert panel.message.isVisible() and panel.last_frame is None  # the required customer is missing
    with qtbot.waitSignal(panel.computed, timeout=WAIT_MS):
        panel.options_bar.set_value("customer", "C001")
        panel.options_bar.flush()
    assert not panel.message.isVisible()
    kinds = list(panel.model.frame["kind"])
    assert kinds[0] == "opening" and kinds[-1] == "closing" and "sale" in kinds
    monkeypatch.setattr(file_dialogs, "get_save_file_name",
                        lambda *a, **k: (str(tmp_path / "statement.pdf"), "PDF document (*.pdf)"))
    panel.export_table_button.click()
    assert (tmp_path / "statement.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_new_panel_starts_with_the_filters_last_used(page, qtbot):
    import datetime as dt

    page.activate()
    dashboard = page.panels[DASHBOARD_KEY]
    dashboard.filter_bar.set_preset("this_quarter")
    next(a for v, a in dashboard.filter_bar.brands._actions if v == "惠普").trigger()
    dashboard.filter_bar.apply_now()
    panel = _open(page, qtbot, "margin")
    assert panel.last_filters.date_from == dt.date(2026, 4, 1)
    assert panel.last_filters.brands == ("惠普",)
    assert panel.filter_bar.preset.currentData() == "this_quarter"
    assert panel.last_filters == dashboard.filter_bar.filters()
