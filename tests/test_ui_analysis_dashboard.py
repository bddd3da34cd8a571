"""The dashboard: computes off the GUI thread, shows the KPI numbers, keeps
only the newest request's answer, drills down from its charts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import QTimer
from sqlalchemy import func, select
from test_ui_analysis_support import ctx, shop, show_analysis_page, tiny_shop  # noqa: F401 - fixtures

from crmdesk.db.models import SalesLine
from crmdesk.ui.analysis import dashboard_view
from crmdesk.ui.analysis.dashboard_source import load_dashboard
from crmdesk.ui.analysis.kpi_tile import format_value

pytestmark = pytest.mark.gui
WAIT_MS = 30_000


@pytest.fixture
def page(qtbot, ctx):  # noqa: F811
    return show_analysis_page(qtbot, ctx, activate=True)


def _dashboard(page, qtbot):
    view = page.panels["dashboard"]
    qtbot.waitUntil(view.is_idle, timeout=WAIT_MS)
    return view


def test_dashboard_tiles_match_dashboard_data(page, qtbot, ctx):  # noqa: F811
    view = _dashboard(page, qtbot)
    filters = view.filter_bar.filters()
    assert (filters.date_from, filters.date_to) == (dt.date(2025, 6, 21), dt.date(2026, 6, 20))
    with ctx.db.sessions() as s:
        expected = load_dashboard(s, ctx.actor, filters)
        revenue_units = s.scalar(select(func.sum(SalesLine.amount)).where(
            SalesLine.order_date.between(filters.date_from, filters.date_to)))
    shown = view.tile_texts()
    assert len(shown) == len(expected.kpis) >= 4
    for kpi in expected.kpis:
        assert shown[kpi.key] == format_value(kpi.value, kpi.kind)
    revenue = next(k for k in expected.kpis if k.key == "revenue")
    assert revenue.value == pytest.approx(revenue_units / 10_000)
    assert all(view.canvases[name].figure is not None for name in dashboard_view.CHARTS)


def test_filter_change_recomputes_without_freezing(page, qtbot, ctx, monkeypatch):  # noqa: F811
    view = _dashboard(page, qtbot)
    qtbot.wait(300)  # let the first charts paint: only the computation below is measured
    calls, window = [], []

    def slow_load(session, actor, filters):
        calls.append(filters)
        window.append(time.monotonic())
        time.sleep(1.0)
        window.append(time.monotonic())
        return load_dashboard(session, actor, filters)

    monkeypatch.setattr(dashboard_view, "load_dashboard", slow_load)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    view.filter_bar.set_preset("this_year")
    view.filter_bar.apply_now()
    assert view.runner.busy and view.busy.isVisible()
    with qtbot.waitSignal(view.computed, timeout=WAIT_MS):
        pass
    timer.stop()
    assert not view.message.isVisible(), view.message.text()
    # The event loop kept running while the worker computed (a blocked GUI thread would tick 0-1 times).
    during = [t for t in ticks if window[0] <= t <= window[1]]
    assert len(during) >= 5, (len(during), len(ticks))
    assert calls[-1].date_from == dt.date(2026, 1, 1)
    assert view.last_filters.date_from == dt.date(2026, 1, 1)
    assert not view.busy.isVisible()
    with ctx.db.sessions() as s:
        this_year = s.scalar(select(func.sum(SalesLine.amount)).where(SalesLine.order_date >= dt.date(2026, 1, 1)))
    assert view.tile_texts()["revenue"] == format_value(this_year / 10_000, "money")


def test_only_the_newest_request_is_shown(page, qtbot, monkeypatch):
    view = _dashboard(page, qtbot)

    def slow_load(session, actor, filters):
        time.sleep(0.5 if filters.date_from.month == 4 else 0.05)  # the older request is the slower one
        return load_dashboard(session, actor, filters)

    monkeypatch.setattr(dashboard_view, "load_dashboard", slow_load)
    view.filter_bar.set_preset("this_quarter")
    view.filter_bar.apply_now()
    view.filter_bar.set_preset("this_month")
    view.filter_bar.apply_now()
    with qtbot.waitSignal(view.computed, timeout=WAIT_MS):
        pass
    qtbot.wait(700)  # the older, slower job finishes too — and must be ignored
    assert view.last_filters.date_from == dt.date(2026, 6, 1)
    assert view.runner.runs_started >= 3
    month_revenue = next(k for k in view.data.kpis if k.key == "revenue").value
    with view.ctx.db.sessions() as s:
        expected = s.scalar(select(func.sum(SalesLine.amount)).where(SalesLine.order_date >= dt.date(2026, 6, 1)))
    assert month_revenue == pytest.approx(expected / 10_000)


def test_brand_bar_drills_to_products_then_customers(page, qtbot, ctx, tiny_shop):  # noqa: F811
    view = _dashboard(page, qtbot)
    view.canvases["brands"].clicked.emit("得力")
    drill = view.drill_view
    assert view.stack.currentWidget() is drill
    qtbot.waitUntil(lambda: not drill.runner.busy and drill.model.rowCount() > 0, timeout=WAIT_MS)
    assert sorted(drill.current_frame()["product_code"]) == ["P00", "P01"]
    brand_row = view.data.brands.set_index("brand").loc["得力"]
    assert drill.current_frame()["revenue"].sum() == pytest.approx(brand_row["revenue"])
    drill.alternative_button.click()  # the customers who buy the brand
    qtbot.waitUntil(lambda: not drill.runner.busy and "customer_code" in drill.current_frame(), timeout=WAIT_MS)
    assert set(drill.current_frame()["customer_code"]) == {"C000", "C003", "C006"}


def test_key_customer_bar_opens_the_customer(page, qtbot, ctx, tiny_shop):  # noqa: F811
    view = _dashboard(page, qtbot)
    top_code = view.data.pareto["customer_code"].iat[0]
    with qtbot.waitSignal(ctx.bus.open_customer_requested, timeout=5000) as signal:
        view.canvases["pareto"].clicked.emit(top_code)
    assert signal.args == [tiny_shop[top_code]]


def test_ageing_bucket_drills_to_customers_owing(page, qtbot):
    view = _dashboard(page, qtbot)
    view.canvases["ageing"].clicked.emit("age_0_30")
    drill = view.drill_view
    qtbot.waitUntil(lambda: not drill.runner.busy and drill.model.rowCount() > 0, timeout=WAIT_MS)
    owed = drill.current_frame()["age_0_30"]
    assert (owed != 0).all()
    assert owed.sum() == pytest.approx(view.data.ageing.set_index("bucket").loc["age_0_30", "amount"])
    drill.back_button.click()
    assert view.stack.currentIndex() == 0


def test_customer_type_slice_drills_to_that_types_customers(page, qtbot, ctx):  # noqa: F811
    view = _dashboard(page, qtbot)
    wedges = [p for p in view.canvases["types"].figure.axes[0].patches if p.get_gid()]
    assert len(wedges) == len(view.data.customer_types[view.data.customer_types["revenue"] > 0])
    type_name = wedges[0].get_gid()
    view.canvases["types"].clicked.emit(type_name)
    drill = view.drill_view
    qtbot.waitUntil(lambda: not drill.runner.busy and drill.model.rowCount() > 0, timeout=WAIT_MS)
    from crmdesk.db.models import Customer, CustomerType

    with ctx.db.sessions() as s:
        of_type = set(s.scalars(select(Customer.code).join(CustomerType, CustomerType.id == Customer.type_id)
                                .where(CustomerType.name == type_name)))
    assert set(drill.current_frame()["customer_code"]) <= of_type
    assert len(drill.current_frame()) > 0


def test_hover_names_the_customer_not_its_code(page, qtbot):
    view = _dashboard(page, qtbot)
    canvas = view.canvases["pareto"]
    bar = next(p for p in canvas.figure.axes[0].patches if p.get_gid())
    code = bar.get_gid()
    name = view.data.pareto.set_index("customer_code").loc[code, "customer_name"]
    text = canvas.describe(bar, None)
    assert name in text and code not in text
    assert f"{bar.get_height():,.2f}" in text


def test_a_real_mouse_click_on_a_brand_bar_drills_down(page, qtbot):
    from matplotlib.backend_bases import MouseButton, MouseEvent

    view = _dashboard(page, qtbot)
    chart = view.canvases["brands"]
    chart.canvas.draw()
    ax = chart.figure.axes[0]
    bar = next(p for p in ax.patches if p.get_gid() == "晨光")
    x, y = ax.transData.transform((bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2))
    chart.canvas.callbacks.process("motion_notify_event", MouseEvent("motion_notify_event", chart.canvas, x, y))
    assert chart.last_hover_text.startswith("晨光")
    with qtbot.waitSignal(chart.clicked, timeout=5000) as clicked:
        chart.canvas.callbacks.process("button_press_event", MouseEvent("button_press_event", chart.canvas, x, y,
                                                                        button=MouseButton.LEFT))
    assert clicked.args == ["晨光"]
    drill = view.drill_view
    qtbot.waitUntil(lambda: not drill.runner.busy and drill.model.rowCount() > 0, timeout=WAIT_MS)
    assert sorted(drill.current_frame()["product_code"]) == ["P10", "P11"]


def test_an_empty_database_shows_empty_charts_not_errors(qtbot, db, owner):
    from crmdesk.ui.context import AppContext

    page = show_analysis_page(qtbot, AppContext(db=db, actor=owner), activate=True)
    view = _dashboard(page, qtbot)
    assert not view.message.isVisible(), view.message.text()
    assert view.tile_texts()["revenue"] == "¥0.00"
    for key in ("margin", "key-customers", "receivables"):
        panel = page.show_view(key)
        qtbot.waitUntil(lambda panel=panel: panel.last_frame is not None or panel.message.isVisible(),
                        timeout=WAIT_MS)
        assert not panel.message.isVisible(), panel.message.text()
        assert panel.model.rowCount() == 0
