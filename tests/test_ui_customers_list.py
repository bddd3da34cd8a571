"""The Customers page as the counter uses it: type to search (pinyin initials, phone),
filter, sort by a header, open with Enter, export the view, saved filters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures

from crmdesk.core.search_text import pinyin_keys
from crmdesk.db.models import Customer
from crmdesk.ui.customers import page_actions
from crmdesk.ui.customers.page import CustomersPage
from crmdesk.ui.customers.table_model import BATCH_SIZE


def _type(qtbot, page: CustomersPage, text: str) -> None:
    page.view.search_edit.clear()
    if text.isascii():
        qtbot.keyClicks(page.view.search_edit, text)
    else:  # QTest can only type ASCII; an input method inserts Chinese like this
        page.view.search_edit.insert(text)
    qtbot.waitUntil(lambda: not page._search_timer.isActive(), timeout=2000)


def _visible_customers(ctx) -> int:
    with ctx.read() as s:
        return s.scalar(select(func.count()).select_from(Customer).where(Customer.archived.is_(False)))


def test_list_shows_count_and_fetches_rows_lazily(page, ctx):
    total = _visible_customers(ctx)
    assert page.model.rowCount() == total
    assert page.view.count_label.text() == f"{total:,} customers"
    # Only the batches for the rows on screen were loaded, not the whole list.
    assert 1 <= page.model.fetch_count <= 2
    assert page.model.fetch_count * BATCH_SIZE < total or total <= BATCH_SIZE * 2


def test_search_by_pinyin_initials_finds_the_customer(page, ctx, qtbot):
    with ctx.read() as s:
        target = s.scalars(select(Customer).where(Customer.archived.is_(False)).order_by(Customer.id)).first()
    _full, initials = pinyin_keys(target.name)
    _type(qtbot, page, initials)
    ids = page.model.ids
    assert target.id in ids
    assert len(ids) < _visible_customers(ctx)
    names = [page.model.display_row(r).name for r in range(min(len(ids), 20))]
    assert all(initials in pinyin_keys(n)[1] or initials in n.lower() for n in names) or target.name in names


def test_search_by_phone_and_enter_opens_the_form(page, ctx, qtbot):
    with ctx.read() as s:
        target = s.scalars(select(Customer).where(Customer.phone != "", Customer.archived.is_(False))
                           .order_by(Customer.id)).first()
    _type(qtbot, page, target.phone)
    assert page.model.ids[:1] == [target.id] or target.id in page.model.ids
    row = page.model.row_of(target.id)
    page.view.table.selectRow(row)
    page.view.search_edit.setFocus()
    qtbot.keyClick(page.view.search_edit, Qt.Key.Key_Down)
    assert page.view.table.hasFocus() or page.view.table.currentIndex().isValid()
    page.view.table.selectRow(row)
    qtbot.keyClick(page.view.table, Qt.Key.Key_Return)
    form = page.forms.get(target.id)
    assert form is not None
    qtbot.addWidget(form)
    assert form.basic.name_edit.text() == target.name
    assert form.basic.phone_edit.text() == target.phone
    form.close()


def test_header_click_sorts_by_requery(page, ctx, qtbot):
    name_col = next(i for i, c in enumerate(page.model.columns()) if c.key == "code")
    page.view.table.horizontalHeader().sectionClicked.emit(name_col)
    assert page.query.sort_key == "code" and not page.query.descending
    codes = [page.model.display_row(r).code for r in range(10)]
    assert codes == sorted(codes)
    page.view.table.horizontalHeader().sectionClicked.emit(name_col)
    assert page.query.descending
    with ctx.read() as s:
        top = s.scalar(select(func.max(Customer.code)).where(Customer.archived.is_(False)))
    assert page.model.display_row(0).code == top


def test_type_filter_and_incomplete_filter(page, ctx, qtbot):
    bar = page.view.filter_bar
    qtbot.waitUntil(lambda: bar.type_combo.count() > 1, timeout=2000)
    pos = bar.type_combo.findData("dealer")
    assert pos > 0
    bar.type_combo.setCurrentIndex(pos)
    with ctx.read() as s:
        dealers = s.scalar(select(func.count()).select_from(Customer).where(
            Customer.type_id == 3, Customer.archived.is_(False)))
    assert page.model.rowCount() == dealers
    bar.type_combo.setCurrentIndex(0)
    bar.incomplete_check.setChecked(True)
    with ctx.read() as s:
        stubs = s.scalar(select(func.count()).select_from(Customer).where(
            Customer.is_incomplete.is_(True), Customer.archived.is_(False)))
    assert page.model.rowCount() == stubs


def test_export_view_writes_the_rows_shown(page, qtbot, tmp_path):
    _type(qtbot, page, "学校")
    shown = page.model.rowCount()
    assert shown > 0
    target = tmp_path / "view.csv"
    page_actions.export_view(page, str(target))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=10000)
    assert page.last_export == shown
    assert target.exists()
    lines = target.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == shown + 1  # header + one line per customer
    first = page.model.display_row(0)
    assert first.code in lines[1] and first.name in lines[1]  # the view's order
    xlsx = tmp_path / "view.xlsx"
    page_actions.export_view(page, str(xlsx))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=10000)
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx, read_only=True).active
    assert sheet.max_row == shown + 1


def test_saved_filter_round_trip(page, qtbot):
    page.view.filter_bar.overdue_check.setChecked(True)
    _type(qtbot, page, "文具")
    page_actions.save_current_filter(page, "欠款文具")
    page.view.filter_bar.overdue_check.setChecked(False)
    page.view.search_edit.clear()
    page.requery()
    page_actions.fill_saved_filters_menu(page)
    names = [a.text() for a in page.view.filters_menu.actions()]
    assert "欠款文具" in names
    action = next(a for a in page.view.filters_menu.actions() if a.text() == "欠款文具")
    action.trigger()
    assert page.view.search_edit.text() == "文具"
    assert page.view.filter_bar.overdue_check.isChecked()


def test_unfiltered_list_shows_its_head_then_the_rest(ctx, qtbot, boxes, monkeypatch):
    import crmdesk.ui.customers.page as page_module

    monkeypatch.setattr(page_module, "HEAD_ROWS", 50)
    p = CustomersPage(ctx)
    qtbot.addWidget(p)
    p.show()
    with qtbot.waitSignal(p.ids_loaded, timeout=10000):
        p.activate()
        assert p.model.rowCount() == 50 and p.loading
        assert "counting" in p.view.count_label.text()
    total = _visible_customers(ctx)
    assert p.model.rowCount() == total and not p.loading
    assert p.view.count_label.text() == f"{total:,} customers"
    # The head kept its place: the first rows are the same customers in the same order (by pinyin).
    from crmdesk.db.search import customer_name_order

    with ctx.read() as s:
        first = s.scalars(select(Customer.id).where(Customer.archived.is_(False))
                          .order_by(customer_name_order(), Customer.id).limit(5)).all()
    assert p.model.ids[:5] == first


def test_a_search_typed_while_the_list_loads_wins(ctx, qtbot, boxes, monkeypatch):
    import crmdesk.ui.customers.page as page_module

    monkeypatch.setattr(page_module, "HEAD_ROWS", 50)
    p = CustomersPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    p.view.search_edit.setText("学校")
    p.requery()
    searched = list(p.model.ids)
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().waitForDone(10000)  # the unfiltered list's worker ends …
    qtbot.wait(50)  # … and its result, delivered now, is dropped
    assert p.model.ids == searched and 0 < len(searched) < _visible_customers(ctx)


def test_keyboard_flow_ctrl_f_type_enter_then_ctrl_l(page, ctx, qtbot):
    page.activateWindow()
    qtbot.waitUntil(lambda: page.isActiveWindow(), timeout=2000)
    page.view.table.setFocus()
    qtbot.keyClick(page.view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.view.search_edit.hasFocus()
    with ctx.read() as s:
        target = s.scalars(select(Customer).where(Customer.phone != "", Customer.archived.is_(False))
                           .order_by(Customer.id.desc())).first()
    qtbot.keyClicks(page.view.search_edit, target.phone)
    qtbot.keyClick(page.view.search_edit, Qt.Key.Key_Return)  # before the debounce: searches first
    form = page.forms.get(target.id)
    assert form is not None
    qtbot.addWidget(form)
    form.dirty = False
    form.close()
    page.activateWindow()
    qtbot.waitUntil(lambda: page.isActiveWindow(), timeout=2000)
    page.view.search_edit.setFocus()
    qtbot.keyClick(page.view.search_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialogs = [w for w in page.window().findChildren(QDialog) if w.isVisible()]
    assert any(getattr(d, "customer_id", None) == target.id for d in dialogs)
    for d in dialogs:
        d.reject()


def test_export_while_the_list_loads_writes_every_customer(ctx, qtbot, boxes, monkeypatch, tmp_path):
    import crmdesk.ui.customers.page as page_module

    monkeypatch.setattr(page_module, "HEAD_ROWS", 50)
    p = CustomersPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.activate()
    assert p.loading
    target = tmp_path / "all.csv"
    page_actions.export_view(p, str(target))
    qtbot.waitUntil(lambda: p.last_export is not None, timeout=10000)
    assert p.last_export == _visible_customers(ctx)
    qtbot.waitUntil(lambda: not p.loading, timeout=10000)
    # Exports are sensitive: the GUI's export leaves its audit row (who, which file, how many).
    from sqlalchemy import select

    from crmdesk.db.models import AuditLog
    with ctx.db.sessions() as s:
        rows = s.execute(select(AuditLog.user_id, AuditLog.action).where(AuditLog.entity == "customers",
                                                                           AuditLog.action == "export")).all()
    assert rows == [(ctx.actor.user_id, "export")]


def test_escape_in_the_search_box_brings_back_the_whole_list(page, ctx, qtbot):
    _type(qtbot, page, "zz")
    narrowed = page.model.rowCount()
    qtbot.keyClick(page.view.search_edit, Qt.Key.Key_Escape)
    assert page.view.search_edit.text() == ""
    qtbot.waitUntil(lambda: page.model.rowCount() == _visible_customers(ctx), timeout=3000)
    assert narrowed < page.model.rowCount()


def test_column_widths_are_remembered(ctx, qtbot, boxes):
    first = CustomersPage(ctx)
    qtbot.addWidget(first)
    first.show()
    first.view.table.setColumnWidth(1, 333)
    first.hide()
    second = CustomersPage(ctx)
    qtbot.addWidget(second)
    assert second.view.table.columnWidth(1) == 333
