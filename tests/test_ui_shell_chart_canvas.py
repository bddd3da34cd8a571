"""The shared chart widget: hover text, click keys for drill-down, export."""

from __future__ import annotations

from matplotlib.backend_bases import MouseEvent
from matplotlib.figure import Figure

from crmdesk.charts.sample import monthly_revenue_figure, sample_monthly_revenue
from crmdesk.ui.widgets.chart_canvas import ChartCanvas
from crmdesk.ui.widgets import file_dialogs


def _event(canvas: ChartCanvas, name: str, ax, x: float, y: float, button=None) -> None:
    px, py = ax.transData.transform((x, y))
    canvas.canvas.callbacks.process(name, MouseEvent(name, canvas.canvas, px, py, button=button))


def _shown(qtbot, figure: Figure, **kwargs) -> ChartCanvas:
    widget = ChartCanvas(**kwargs)
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    widget.show()
    widget.set_figure(figure)
    widget.canvas.draw()
    return widget


def test_bar_click_emits_gid_and_hover_shows_value(qtbot):
    data = sample_monthly_revenue()
    widget = _shown(qtbot, monthly_revenue_figure(data))
    ax = widget.figure.axes[0]
    bar = ax.patches[3]
    centre = bar.get_x() + bar.get_width() / 2
    with qtbot.waitSignal(widget.clicked) as blocker:
        _event(widget, "button_press_event", ax, centre, bar.get_height() / 2, button=1)
    assert blocker.args == [data["month"][3]]
    _event(widget, "motion_notify_event", ax, centre, bar.get_height() / 2)
    assert widget.last_hover_text is not None
    assert f"{int(data['revenue_yuan'][3]):,}" in widget.last_hover_text
    # Outside every bar: no tooltip.
    _event(widget, "motion_notify_event", ax, centre, bar.get_height() * 1.5 + 1)
    assert widget.last_hover_text is None


def test_pie_wedge_label_and_custom_formatter(qtbot):
    fig = Figure()
    ax = fig.add_subplot()
    ax.pie([3, 1], labels=["零售", "经销商"])
    widget = _shown(qtbot, fig, hover_formatter=lambda artist, _i: f"<{artist.get_label()}>")
    clicked: list[str] = []
    widget.clicked.connect(clicked.append)
    # The first wedge spans 0°..270°, so a point left of the centre is inside it.
    _event(widget, "button_press_event", ax, -0.5, 0.0, button=1)
    _event(widget, "motion_notify_event", ax, -0.5, 0.0)
    assert clicked == ["零售"]
    assert widget.last_hover_text == "<零售>"


def test_line_hover_shows_point_value(qtbot):
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [10, 25.5, 7], marker="o", label="毛利")
    widget = _shown(qtbot, fig)
    _event(widget, "motion_notify_event", ax, 1, 25.5)
    assert widget.last_hover_text is not None
    assert "毛利" in widget.last_hover_text and "25.50" in widget.last_hover_text


def test_export_png_and_pdf(qtbot, tmp_path):
    widget = _shown(qtbot, monthly_revenue_figure(sample_monthly_revenue()))
    png = widget.export(tmp_path / "chart.png")
    pdf = widget.export(tmp_path / "chart.pdf")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pdf.read_bytes()[:4] == b"%PDF"
    assert widget.export(tmp_path / "chart.unknown").suffix == ".png"


def test_replacing_and_clearing_the_figure(qtbot):
    widget = _shown(qtbot, monthly_revenue_figure(sample_monthly_revenue()))
    first = widget.canvas
    widget.set_figure(Figure())
    assert widget.canvas is not first
    widget.set_figure(None)
    assert widget.canvas is None and widget.figure is None


def test_context_menu_exports_through_a_save_dialog(qtbot, tmp_path, monkeypatch):
    from crmdesk.ui.widgets import chart_canvas

    widget = _shown(qtbot, monthly_revenue_figure(sample_monthly_revenue()))
    target = tmp_path / "导出.pdf"
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: (str(target), ""))
    menu = widget.context_menu()
    qtbot.addWidget(menu)
    actions = {a.text(): a for a in menu.actions()}
    assert set(actions) == {"Export chart…", "Copy chart"}
    actions["Export chart…"].trigger()
    assert target.read_bytes()[:4] == b"%PDF"
    actions["Copy chart"].trigger()
    assert not chart_canvas.QApplication.clipboard().image().isNull()


def test_twin_axes_find_bars_and_line_points(qtbot):
    fig = Figure()
    bars_ax = fig.add_subplot()
    bars = bars_ax.bar([0, 1, 2], [100, 300, 200], label="销售额")
    for bar, month in zip(bars, ["2026-01", "2026-02", "2026-03"], strict=True):
        bar.set_gid(month)
    line_ax = bars_ax.twinx()
    line_ax.plot([0, 1, 2], [5, 50, 20], marker="o", label="毛利")
    widget = _shown(qtbot, fig)
    clicked: list[str] = []
    widget.clicked.connect(clicked.append)
    # Low in the middle bar, far from the line: the bar (in the axes underneath) is found.
    _event(widget, "button_press_event", bars_ax, 1, 20, button=1)
    assert clicked == ["2026-02"]
    # On the line's middle point: the point wins over the bar behind it.
    _event(widget, "motion_notify_event", line_ax, 1, 50)
    assert widget.last_hover_text is not None and "毛利" in widget.last_hover_text


def test_set_figure_after_the_widget_was_deleted_is_ignored(qtbot):
    import shiboken6

    widget = ChartCanvas()
    shiboken6.delete(widget)
    widget.set_figure(monthly_revenue_figure(sample_monthly_revenue()))  # a late job result: no error
    assert widget.figure is None
