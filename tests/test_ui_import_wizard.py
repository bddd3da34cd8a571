"""The import wizard driven as a user: pick files, read the preview, fix a mapping, save a
profile, import off the GUI thread, cancel; the database is checked afterwards."""

from __future__ import annotations

import pytest
from data_import.helpers import GJP_HEADER, GJP_SALES, dump, scalar, write
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from crmdesk.importers import list_profiles, load_profile
from crmdesk.importers.profiles import user_profiles_dir
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.page import ImportPage
from crmdesk.ui.widgets import file_dialogs

TIMEOUT = 20_000


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


@pytest.fixture
def page(qtbot, ctx):
    widget = ImportPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    yield widget
    qtbot.waitUntil(lambda: widget.wizard.job is None and not widget.wizard.step.pending, timeout=TIMEOUT)


def pick(qtbot, page, monkeypatch, *paths) -> None:
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(p) for p in paths], ""))
    qtbot.mouseClick(page.wizard.step.choose_button, Qt.MouseButton.LeftButton)
    wait_preview(qtbot, page)


def wait_preview(qtbot, page) -> None:
    step = page.wizard.step
    qtbot.waitUntil(lambda: not step.pending and step.current is not None, timeout=TIMEOUT)


def run_import(qtbot, page) -> None:
    wizard = page.wizard
    assert wizard.import_button.isEnabled()
    qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.job is None, timeout=TIMEOUT)


def test_gbk_sales_file_previews_maps_saves_a_profile_and_imports(qtbot, page, db, tmp_path, monkeypatch):
    path = write(tmp_path, "销售明细.csv", GJP_SALES, encoding="gbk")
    pick(qtbot, page, monkeypatch, path)
    step = page.wizard.step
    p = step.current
    assert (p.kind, p.kind_detected, p.header_row) == ("sales", True, 4)
    assert p.encoding.lower() in ("gbk", "gb18030", "gb2312")
    info = step.info_label.text()
    assert "Sales lines (detected)" in info and p.encoding.upper() in info and "header row: 4" in info
    assert step.missing_label.isHidden()
    model = step.view.model_
    assert model.columns[0] == "录单日期" and model.rowCount() == len(p.rows) + 1
    warehouse = model.columns.index("仓库全名")
    assert model.fields[warehouse] == "warehouse"

    combo = step.view.combo(warehouse)  # the user decides the warehouse column is not wanted
    combo.setCurrentIndex(combo.findData(""))
    wait_preview(qtbot, page)
    assert step.current.mapping["仓库全名"] == "" and step.options().mapping["仓库全名"] == ""
    assert step.view.model_.fields[step.view.model_.columns.index("仓库全名")] == ""

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("gjp-test", True)))
    qtbot.mouseClick(step.save_profile_button, Qt.MouseButton.LeftButton)
    saved = user_profiles_dir() / "gjp-test.toml"
    assert saved.is_file() and "gjp-test" in list_profiles()
    profile = load_profile("gjp-test")
    assert profile.kind == "sales" and profile.header_row == 4
    assert profile.columns["单据编号"] == "order_number" and profile.columns.get("仓库全名", "") == ""
    assert step.profile_combo.currentData() == "gjp-test"
    wait_preview(qtbot, page)
    assert step.current.profile == "gjp-test"

    run_import(qtbot, page)
    wizard = page.wizard
    [result] = wizard.results
    assert result.status == "done" and result.kind == "sales" and result.profile == "gjp-test"
    lines = scalar(db, "SELECT COUNT(*) FROM sales_lines")
    assert lines > 0 and result.added == lines
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders WHERE warehouse != ''") == 0  # ignored column
    shown = [wizard.result_model.index(0, c).data() for c in range(wizard.result_model.columnCount())]
    assert shown[0] == "销售明细.csv" and shown[1] == "Sales lines" and shown[3] == str(result.added)
    assert f"{result.added} rows added" in wizard.summary_label.text()


def test_import_announces_changes_and_reports_a_duplicate_file(qtbot, page, ctx, tmp_path, monkeypatch):
    changed: list[set] = []
    ctx.bus.changed.connect(changed.append)
    path = write(tmp_path, "sales.csv", GJP_SALES)
    pick(qtbot, page, monkeypatch, path)
    run_import(qtbot, page)
    assert {"customers", "products", "sales_lines", "receipts", "stock_snapshots", "import_batches"} <= changed[-1]
    qtbot.mouseClick(page.wizard.again_button, Qt.MouseButton.LeftButton)
    run_import(qtbot, page)
    [again] = page.wizard.results
    assert again.status == "skipped" and again.message
    assert again.message in page.wizard.result_model.index(0, 7).data()


def test_missing_required_column_is_shown_in_red_and_nothing_is_imported(qtbot, page, db, tmp_path, monkeypatch):
    path = write(tmp_path, "partial.csv", "单据编号,商品编号,数量\nXS-1,P001,3\n")
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(path)], ""))
    step = page.wizard.step
    qtbot.mouseClick(step.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.pending, timeout=TIMEOUT)
    step.kind_combo.setCurrentIndex(step.kind_combo.findData("sales"))
    wait_preview(qtbot, page)
    assert step.current.missing == ["order_date"]
    assert not step.missing_label.isHidden()
    assert "Order date" in step.missing_label.text() and "imports nothing" in step.missing_label.text()
    run_import(qtbot, page)
    [result] = page.wizard.results
    assert result.status == "failed" and "order_date" in result.message and "partial.csv" in result.message
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
    assert scalar(db, "SELECT COUNT(*) FROM customers") == 0
    assert page.controller.problems and page.controller.problems[0].file_name == "partial.csv"


def test_an_unreadable_file_shows_its_error_in_the_preview(qtbot, page, tmp_path, monkeypatch):
    path = write(tmp_path, "empty.csv", "")
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(path)], ""))
    step = page.wizard.step
    qtbot.mouseClick(step.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.pending, timeout=TIMEOUT)
    assert step.current is None and "empty.csv" in step.info_label.text()
    assert step.view.model_.rowCount() == 0


def big_sales(lines: int) -> str:
    rows = [GJP_HEADER]
    for i in range(lines):
        rows.append(f"2024-03-{1 + i % 28:02d},XS-{i // 3:06d},销售单,C{i % 200:04d},客户{i % 200},张三,总店,"
                    f"P{i % 300:04d},商品{i % 300},个,{1 + i % 7},2.50,{2.5 * (1 + i % 7):.2f},1.00")
    return "\n".join(rows) + "\n"


def test_cancel_during_an_import_leaves_the_database_unchanged(qtbot, page, db, tmp_path, monkeypatch):
    path = write(tmp_path, "big.csv", big_sales(40_000))
    pick(qtbot, page, monkeypatch, path)
    before = dump(db)
    wizard = page.wizard
    seen: list[float] = []
    wizard.start_import()
    assert wizard.job is not None and not wizard.cancel_button.isHidden()
    wizard.job.progress.connect(lambda f, _m: seen.append(f or 0.0))
    qtbot.waitUntil(lambda: any(f >= 0.3 for f in seen) or wizard.job is None, timeout=TIMEOUT)
    assert wizard.job is not None, "the import finished before it could be cancelled"
    qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.job is None, timeout=TIMEOUT)
    assert "rolled back" in wizard.progress_label.text()
    assert wizard.results == []
    assert dump(db) == before
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
