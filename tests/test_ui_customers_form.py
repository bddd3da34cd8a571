"""The customer form: shows the customer, saves an edit with an audit row, never loses
an edit silently, names a bad custom field, warns about duplicates, shows a
concurrent change clearly."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select, update
from ui_customers_support import boxes, ctx  # noqa: F401 - fixtures

from crmdesk.db.models import AuditLog, Customer, SalesOrder
from crmdesk.ui.customers.form.dialog import CustomerFormDialog


def _busiest_customer(ctx) -> int:
    with ctx.read() as s:
        return s.execute(select(SalesOrder.customer_id, func.count()).group_by(SalesOrder.customer_id)
                         .order_by(func.count().desc()).limit(1)).one()[0]


def _open(ctx, qtbot, customer_id) -> CustomerFormDialog:
    form = CustomerFormDialog(ctx, customer_id)
    qtbot.addWidget(form)
    form.show()
    return form


def test_form_shows_basic_financial_and_purchases(ctx, qtbot, boxes):
    cid = _busiest_customer(ctx)
    form = _open(ctx, qtbot, cid)
    with ctx.read() as s:
        customer = s.get(Customer, cid)
        orders = s.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.customer_id == cid))
    assert form.basic.name_edit.text() == customer.name
    assert form.profile.purchases.order_count == orders
    assert form.purchases.orders_table.rowCount() == min(orders, 50)
    form.tabs.setCurrentWidget(form.purchases)
    qtbot.waitUntil(lambda: form.purchases.chart is not None and form.purchases.chart.figure is not None)
    # Master/detail: the selected order's lines are listed.
    form.purchases.orders_table.selectRow(0)
    assert form.purchases.lines_table.rowCount() == len(form.profile.orders[0].lines)
    assert form.financial.balance_label.text().startswith("¥") or form.financial.balance_label.text().startswith("-")


def test_edit_and_save_writes_db_and_audit(ctx, qtbot, boxes):
    cid = _busiest_customer(ctx)
    form = _open(ctx, qtbot, cid)
    form.basic.address_edit.setFocus()
    form.basic.address_edit.clear()
    qtbot.keyClicks(form.basic.address_edit, "No. 8 Renmin Road")
    assert form.dirty
    assert form.save()
    with ctx.read() as s:
        assert s.get(Customer, cid).address == "No. 8 Renmin Road"
        audit = s.scalars(select(AuditLog).where(AuditLog.entity == "customers", AuditLog.entity_id == cid,
                                                 AuditLog.field == "address")).all()
    assert audit and audit[-1].new_value == "No. 8 Renmin Road"
    assert not form.dirty
    assert any(h.field == "address" for h in form.profile.history)


def test_close_with_unsaved_changes_prompts(ctx, qtbot, boxes):
    cid = _busiest_customer(ctx)
    form = _open(ctx, qtbot, cid)
    qtbot.keyClicks(form.basic.short_name_edit, "XYZ")
    boxes.answer = QMessageBox.StandardButton.Cancel
    form.close()
    assert form.isVisible()  # Cancel keeps the form and the edit
    assert boxes.shown and boxes.shown[-1][0] == "question"
    boxes.answer = QMessageBox.StandardButton.Save
    form.close()
    assert not form.isVisible()
    with ctx.read() as s:
        assert s.get(Customer, cid).short_name.endswith("XYZ")


def test_discard_leaves_the_database_alone(ctx, qtbot, boxes):
    cid = _busiest_customer(ctx)
    with ctx.read() as s:
        before = s.get(Customer, cid).notes
    form = _open(ctx, qtbot, cid)
    form.basic.notes_edit.setFocus()
    qtbot.keyClicks(form.basic.notes_edit, "draft")
    assert form.dirty
    boxes.answer = QMessageBox.StandardButton.Discard
    form.close()
    assert not form.isVisible()
    with ctx.read() as s:
        assert s.get(Customer, cid).notes == before


def test_invalid_custom_field_names_the_field(ctx, qtbot, boxes):
    with ctx.read() as s:
        cid = s.scalar(select(Customer.id).where(Customer.type_id == 3).order_by(Customer.id))
    form = _open(ctx, qtbot, cid)
    editors = {e.info.key: e for e in form.basic.custom_editors.values()}
    store_count = editors["store_count"]
    store_count.widget.setText("many")
    form.basic.edited.emit()
    assert not form.save()
    kind, text = boxes.shown[-1]
    assert kind == "warning"
    assert store_count.info.label in text  # "门店数 …"
    assert "c0392b" in store_count.widget.styleSheet()


def test_concurrent_change_is_shown_and_edit_kept(ctx, qtbot, boxes):
    cid = _busiest_customer(ctx)
    form = _open(ctx, qtbot, cid)
    qtbot.keyClicks(form.basic.short_name_edit, "Mine")
    with ctx.db.sessions.begin() as s:  # someone else saves meanwhile
        s.execute(update(Customer).where(Customer.id == cid).values(notes="theirs",
                                                                    updated_at=func.datetime("now", "+1 minute")))
    assert not form.save()
    assert boxes.shown[-1][0] == "warning"
    assert form.dirty and form.basic.short_name_edit.text().endswith("Mine")


def test_new_customer_warns_about_duplicates(ctx, qtbot, boxes):
    with ctx.read() as s:
        existing = s.scalars(select(Customer).where(Customer.phone != "").order_by(Customer.id)).first()
        before = s.scalar(select(func.count()).select_from(Customer))
    form = CustomerFormDialog(ctx, None)
    qtbot.addWidget(form)
    form.show()
    form.basic.name_edit.setText(existing.name)
    form.basic.phone_edit.setText(existing.phone)
    form.basic.type_combo.setCurrentIndex(form.basic.type_combo.findData(None))
    boxes.answer = QMessageBox.StandardButton.No
    assert not form.save()
    assert any(existing.code in text for _k, text in boxes.shown)
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == before
    boxes.answer = QMessageBox.StandardButton.Yes
    assert form.save()
    assert form.customer_id is not None
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == before + 1


def test_closing_the_main_window_asks_about_an_unsaved_form(ctx, qtbot, boxes):
    from PySide6.QtWidgets import QMainWindow

    from crmdesk.ui.customers.page import CustomersPage

    window = QMainWindow()
    qtbot.addWidget(window)
    page = CustomersPage(ctx)
    window.setCentralWidget(page)
    window.show()
    page.activate()
    form = page.open_customer(_busiest_customer(ctx))
    qtbot.keyClicks(form.basic.short_name_edit, "X")
    boxes.answer = QMessageBox.StandardButton.Cancel
    window.close()
    assert window.isVisible() and form.isVisible()
    boxes.answer = QMessageBox.StandardButton.Discard
    window.close()
    assert not window.isVisible()
