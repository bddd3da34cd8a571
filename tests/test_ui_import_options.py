"""Wizard options driven as a user: workbook sheets, header row, several files at once,
dry run and strict, a saved profile offered the next time."""

from __future__ import annotations

import openpyxl
import pytest
from data_import.helpers import GJP_HEADER, GJP_SALES, scalar, write
from PySide6.QtCore import Qt

from crmdesk.importers import Profile, save_profile
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.page import ImportPage
from crmdesk.ui.widgets import file_dialogs

TIMEOUT = 20_000


@pytest.fixture
def ctx(db, owner) -> AppContext:
    return AppContext(db=db, actor=owner)


def make_page(qtbot, ctx) -> ImportPage:
    page = ImportPage(ctx)
    qtbot.addWidget(page)
    return page


@pytest.fixture
def page(qtbot, ctx):
    widget = make_page(qtbot, ctx)
    yield widget
    qtbot.waitUntil(lambda: widget.wizard.job is None and not widget.wizard.step.pending, timeout=TIMEOUT)


def choose(qtbot, page, monkeypatch, *paths) -> None:
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(p) for p in paths], ""))
    qtbot.mouseClick(page.wizard.step.choose_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)


def settle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.wizard.step.pending, timeout=TIMEOUT)


def import_now(qtbot, page) -> None:
    qtbot.mouseClick(page.wizard.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.wizard.job is None, timeout=TIMEOUT)


def workbook(path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "客户"
    for row in (["客户编号", "客户名称", "联系电话"], ["C001", "广州文具店", "020-1234"], ["C002", "深圳办公", ""]):
        first.append(row)
    second = book.create_sheet("商品")
    for row in (["商品编号", "商品名称", "规格型号", "单位"], ["P001", "得力中性笔", "0.5mm", "支"]):
        second.append(row)
    book.save(path)
    return path


def test_workbook_sheets_are_offered_and_each_sheet_previews_its_own_kind(qtbot, page, db, tmp_path, monkeypatch):
    choose(qtbot, page, monkeypatch, workbook(tmp_path / "资料.xlsx"))
    step = page.wizard.step
    assert step.current.sheets == ["客户", "商品"] and step.current.kind == "customers"
    assert step.sheet_combo.isEnabled() and not step.encoding_combo.isEnabled()
    assert "sheet: 客户" in step.info_label.text()
    step.sheet_combo.setCurrentIndex(step.sheet_combo.findText("商品"))
    settle(qtbot, page)
    assert (step.current.sheet, step.current.kind) == ("商品", "products")
    import_now(qtbot, page)
    [result] = page.wizard.results
    assert result.kind == "products" and result.added == 1
    assert scalar(db, "SELECT name FROM products WHERE code = 'P001'") == "得力中性笔"
    assert scalar(db, "SELECT COUNT(*) FROM customers") == 0  # only the chosen sheet


def test_header_row_can_be_changed(qtbot, page, tmp_path, monkeypatch):
    choose(qtbot, page, monkeypatch, write(tmp_path, "sales.csv", GJP_SALES))
    step = page.wizard.step
    assert step.header_spin.value() == 4
    step.header_spin.setValue(2)
    settle(qtbot, page)
    assert step.current is None and "cannot tell" in step.info_label.text()  # row 2 is the period line
    assert step.header_spin.value() == 2 and step.header_spin.isEnabled()  # so the user can go back
    step.header_spin.setValue(4)
    settle(qtbot, page)
    assert step.current.header_row == 4 and step.current.columns[:2] == ["录单日期", "单据编号"]


def test_several_files_import_each_in_its_own_transaction(qtbot, page, db, tmp_path, monkeypatch):
    customers = write(tmp_path, "customers.csv", "客户编号,客户名称\nC001,广州文具店\nC009,珠海文体\n")
    sales = write(tmp_path, "sales.csv", GJP_SALES, encoding="gb18030")
    choose(qtbot, page, monkeypatch, customers, sales)
    step = page.wizard.step
    assert step.file_combo.count() == 2 and step.current.kind == "customers"
    step.file_combo.setCurrentIndex(1)
    settle(qtbot, page)
    assert step.current.kind == "sales"
    import_now(qtbot, page)
    results = page.wizard.results
    assert [(r.path.name, r.kind, r.status) for r in results] == [("customers.csv", "customers", "done"),
                                                                   ("sales.csv", "sales", "done")]
    assert results[0].added == 2 and results[1].added == scalar(db, "SELECT COUNT(*) FROM sales_lines")
    assert page.wizard.result_model.rowCount() == 2
    assert scalar(db, "SELECT COUNT(*) FROM import_batches") == 2


def test_dry_run_writes_nothing_and_strict_refuses_a_file_with_bad_rows(qtbot, page, db, tmp_path, monkeypatch):
    bad = GJP_HEADER + "\n2024-03-07,XS-1,销售单,C001,广州文具店,张三,总店,P001,笔,支,abc,2.5,2.5,1\n" \
        "2024-03-07,XS-2,销售单,C001,广州文具店,张三,总店,P001,笔,支,1,2.5,2.5,1\n"
    choose(qtbot, page, monkeypatch, write(tmp_path, "bad.csv", bad))
    page.wizard.dry_run_box.setChecked(True)
    import_now(qtbot, page)
    [dry] = page.wizard.results
    assert dry.status == "dry-run" and dry.added == 1 and dry.rejected == 1
    assert "dry run" in page.wizard.summary_label.text()
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
    page.wizard.again_button.click()
    page.wizard.dry_run_box.setChecked(False)
    page.wizard.strict_box.setChecked(True)
    import_now(qtbot, page)
    [strict] = page.wizard.results
    assert strict.status == "refused" and "bad.csv" in strict.message and "数量" in strict.message
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
    assert page.wizard.history_button.isVisibleTo(page.wizard)  # the refused batch keeps its rejected rows
    page.wizard.history_button.click()
    assert page.tabs.currentWidget() is page.history
    assert page.history.rejected.model.rowCount() == 1


def test_a_saved_profile_is_offered_and_used_next_time(qtbot, ctx, tmp_path, monkeypatch):
    save_profile(Profile(name="我的格式", kind="customers", header_row=1,
                         columns={"编号": "code", "单位": "name"}, only_listed_columns=True))
    page = make_page(qtbot, ctx)
    step = page.wizard.step
    assert step.profile_combo.findData("我的格式") >= 0
    choose(qtbot, page, monkeypatch, write(tmp_path, "list.csv", "编号,单位\nC100,上海文具\n"))
    step.profile_combo.setCurrentIndex(step.profile_combo.findData("我的格式"))
    settle(qtbot, page)
    assert step.current.profile == "我的格式" and step.current.kind == "customers"
    assert step.current.mapping == {"编号": "code", "单位": "name"}
    import_now(qtbot, page)
    assert page.wizard.results[0].added == 1


def test_files_dropped_on_the_wizard_are_previewed(qtbot, page, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    path = write(tmp_path, "拖进来.csv", GJP_SALES, encoding="gbk")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(tmp_path / "notes.docx"))])
    step = page.wizard.step
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    step.dropEvent(event)
    settle(qtbot, page)
    assert [o.path for o in step.files] == [path]  # the .docx is not an export
    assert step.current.kind == "sales" and step.body.currentWidget() is step.view
