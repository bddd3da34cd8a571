"""Counter flows on the Customers page and form: quick log by keyboard, contacts,
attachments, relationships, merge, delete refused → archive, type editor."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import func, select
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures

from crmdesk.db.models import (
    Attachment,
    Contact,
    CustomFieldDef,
    Customer,
    CustomerRelation,
    Interaction,
    SalesOrder,
    Task,
)
from crmdesk.services.contacts import ContactInput
from crmdesk.ui.customers import page_actions
from crmdesk.ui.customers.dialogs.merge_dialog import MergeDialog
from crmdesk.ui.customers.dialogs.type_editor import TypeEditorDialog
from crmdesk.ui.customers.form.dialog import CustomerFormDialog
from crmdesk.ui.widgets import file_dialogs


def _customer_with_orders(ctx) -> int:
    with ctx.read() as s:
        return s.scalar(select(SalesOrder.customer_id).order_by(SalesOrder.customer_id).limit(1))


def _customer_without_orders(ctx, skip: int = 0) -> int:
    with ctx.read() as s:
        return s.scalars(select(Customer.id).where(~Customer.id.in_(select(SalesOrder.customer_id)),
                                                   Customer.archived.is_(False)).order_by(Customer.id)).all()[skip]


def _open(ctx, qtbot, customer_id) -> CustomerFormDialog:
    form = CustomerFormDialog(ctx, customer_id)
    qtbot.addWidget(form)
    form.show()
    return form


def test_quick_log_by_keyboard_creates_interaction_and_task(page, ctx, qtbot):
    cid = page.model.id_at(0)
    page.view.table.selectRow(0)
    page.view.table.setFocus()
    with ctx.read() as s:
        before = s.scalar(select(func.count()).select_from(Interaction).where(Interaction.customer_id == cid))
    dialog = page.quick_log()
    qtbot.addWidget(dialog)
    assert dialog.customer_id == cid
    # Channel by keyboard: Down from "call" picks the next channel in the list.
    dialog.channel_combo.setFocus()
    qtbot.keyClick(dialog.channel_combo, Qt.Key.Key_Up)
    assert dialog.channel_combo.currentData() == "visit"
    qtbot.keyClick(dialog.channel_combo, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.notes_edit, "asked for A4 paper prices")
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.outcome_edit, "quote tomorrow")
    dialog.follow_up_check.setChecked(True)
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ctx.read() as s:
        entries = s.scalars(select(Interaction).where(Interaction.customer_id == cid)
                            .order_by(Interaction.id.desc())).all()
        assert len(entries) == before + 1
        entry = entries[0]
        assert entry.channel == "visit" and "A4" in entry.notes and entry.outcome == "quote tomorrow"
        task = s.scalar(select(Task).where(Task.interaction_id == entry.id))
    assert task is not None and task.due_date == dt.date.today() + dt.timedelta(days=3)


def test_add_and_remove_contact(ctx, qtbot, boxes, monkeypatch):
    cid = _customer_with_orders(ctx)
    form = _open(ctx, qtbot, cid)
    before = form.contacts.table.rowCount()

    class FilledDialog:  # the contact dialog as a user fills it in
        def __init__(self, *_args) -> None:
            pass

        def exec(self) -> QDialog.DialogCode:
            return QDialog.DialogCode.Accepted

        def value(self) -> ContactInput:
            return ContactInput(name="王小明", role="采购", mobile="13900001111", wechat="wxm88")

    monkeypatch.setattr("crmdesk.ui.customers.form.contacts_tab.ContactDialog", FilledDialog)
    qtbot.mouseClick(form.contacts.add_button, Qt.MouseButton.LeftButton)
    assert form.contacts.table.rowCount() == before + 1
    with ctx.read() as s:
        contact = s.scalar(select(Contact).where(Contact.customer_id == cid, Contact.name == "王小明"))
    assert contact is not None and contact.wechat == "wxm88"
    form.contacts.table.select_id(contact.id)
    boxes.answer = QMessageBox.StandardButton.Yes
    form.contacts.remove()
    with ctx.read() as s:
        assert s.get(Contact, contact.id) is None
    assert form.contacts.table.rowCount() == before
    # The customer's own edits are still savable after contact changes touched its row.
    qtbot.keyClicks(form.basic.short_name_edit, "Z")
    assert form.save()


def test_attach_file_copies_it(ctx, qtbot, boxes, monkeypatch, tmp_path):
    cid = _customer_with_orders(ctx)
    source = tmp_path / "合同.txt"
    source.write_text("contract text", encoding="utf-8")
    monkeypatch.setattr(file_dialogs, "get_open_file_names", lambda *a, **k: ([str(source)], ""))
    form = _open(ctx, qtbot, cid)
    form.attachments.add(link=False)
    with ctx.read() as s:
        att = s.scalar(select(Attachment).where(Attachment.customer_id == cid))
    assert att is not None and not att.is_link and att.original_name == "合同.txt"
    info = form.attachments._attachments[0]
    assert info.path != source and info.path.read_text(encoding="utf-8") == "contract text"
    assert form.attachments.table.rowCount() == 1
    form.attachments.table.selectRow(0)
    opened = []
    monkeypatch.setattr("crmdesk.ui.customers.form.links_tabs.QDesktopServices.openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    assert form.attachments.open_current()
    assert opened == [str(info.path)]
    form.attachments.remove()
    with ctx.read() as s:
        assert s.get(Attachment, att.id) is None


def test_relationship_shown_from_both_sides_and_opens_other(ctx, qtbot, boxes):
    head, branch = _customer_without_orders(ctx, 0), _customer_without_orders(ctx, 1)
    form = _open(ctx, qtbot, branch)
    other = _open(ctx, qtbot, head)
    mine_before, theirs_before = form.relations.table.rowCount(), other.relations.table.rowCount()
    from crmdesk.ui.customers.dialogs.relation_dialog import RelationDialog

    dialog = RelationDialog(ctx, branch, form)
    qtbot.addWidget(dialog)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("branch_of"))
    dialog.picker.set_customer(head)
    dialog.save()
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(CustomerRelation).where(
            CustomerRelation.from_customer_id == branch, CustomerRelation.to_customer_id == head)) == 1
    assert form.relations.table.rowCount() == mine_before + 1
    assert other.relations.table.rowCount() == theirs_before + 1
    mine = dict(zip(form.relations.table.column_texts(1), form.relations.table.column_texts(0)))
    theirs = dict(zip(other.relations.table.column_texts(1), other.relations.table.column_texts(0)))
    with ctx.read() as s:
        head_code, branch_code = s.get(Customer, head).code, s.get(Customer, branch).code
    assert mine[head_code] == "Head office" and theirs[branch_code] == "Branch"
    opened = []
    ctx.bus.open_customer_requested.connect(opened.append)
    other.relations.table.selectRow(other.relations.table.column_texts(1).index(branch_code))
    other.relations.open_other()
    assert opened == [branch]


def test_merge_moves_rows_and_refreshes_list(page, ctx, qtbot, boxes):
    keep, dup = _customer_without_orders(ctx, 2), _customer_with_orders(ctx)
    with ctx.read() as s:
        orders = s.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.customer_id == dup))
        kept_before = s.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.customer_id == keep))
    rows_before = page.model.rowCount()
    dialog = MergeDialog(ctx, [keep, dup], page)
    qtbot.addWidget(dialog)
    assert dialog.merge_button.isEnabled()
    assert "orders" in dialog.preview_label.text()
    dialog.do_merge()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ctx.read() as s:
        assert s.get(Customer, dup) is None
        assert s.scalar(select(func.count()).select_from(SalesOrder).where(
            SalesOrder.customer_id == keep)) == kept_before + orders
    assert page.model.rowCount() == rows_before - 1
    assert page.model.row_of(dup) == -1


def test_delete_refused_offers_archive(page, ctx, qtbot, boxes):
    cid = _customer_with_orders(ctx)
    page.view.table.selectRow(page.model.row_of(cid))
    boxes.answer = QMessageBox.StandardButton.Yes
    page_actions.delete_selected(page)
    refusal = [text for kind, text in boxes.shown if kind == "question" and "Archive" in text]
    assert refusal
    with ctx.read() as s:
        customer = s.get(Customer, cid)
        assert customer is not None and customer.archived
    assert page.model.row_of(cid) == -1  # archived customers leave the default list


def test_delete_customer_without_orders(page, ctx, qtbot, boxes):
    cid = _customer_without_orders(ctx, 3)
    page.view.table.selectRow(page.model.row_of(cid))
    page_actions.delete_selected(page)
    with ctx.read() as s:
        assert s.get(Customer, cid) is None


def test_type_editor_adds_a_required_choice_field(ctx, qtbot, boxes):
    dialog = TypeEditorDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.type_list.setCurrentRow(0)
    type_id = dialog.current_type_id()
    dialog.add_field(("会员等级", "choice", True, ["金卡", "银卡"]))
    with ctx.read() as s:
        f = s.scalar(select(CustomFieldDef).where(CustomFieldDef.customer_type_id == type_id,
                                                  CustomFieldDef.label == "会员等级"))
    assert f is not None and f.required and f.choices.splitlines() == ["金卡", "银卡"]
    assert "会员等级" in dialog.fields_table.column_texts(0)
    # The form of a customer of that type now shows the field with a combo box.
    with ctx.read() as s:
        cid = s.scalar(select(Customer.id).where(Customer.type_id == type_id).order_by(Customer.id))
    form = _open(ctx, qtbot, cid)
    editor = next(e for e in form.basic.custom_editors.values() if e.info.label == "会员等级")
    assert editor.widget.metaObject().className() == "QComboBox"
    form.basic.edited.emit()
    assert not form.save()  # required and empty
    assert "会员等级" in boxes.shown[-1][1]


def test_contacts_import_csv_and_vcard_round_trip(ctx, qtbot, boxes, tmp_path):
    cid = _customer_without_orders(ctx, 4)
    form = _open(ctx, qtbot, cid)
    before = form.contacts.table.rowCount()
    csv_file = tmp_path / "联系人.csv"
    csv_file.write_text("联系人,职务,手机,微信,生日\n赵采购,采购经理,13800001234,zhao01,1988-05-06\n",
                        encoding="utf-8")
    form.contacts.import_file(str(csv_file))
    assert form.contacts.table.rowCount() == before + 1
    assert "1" in boxes.shown[-1][1]  # "1 added …"
    vcf = tmp_path / "out.vcf"
    form.contacts.export_vcard(str(vcf))
    text = vcf.read_text(encoding="utf-8")
    assert "赵采购" in text and "BEGIN:VCARD" in text
    other = _open(ctx, qtbot, _customer_without_orders(ctx, 5))
    other_before = other.contacts.table.rowCount()
    other.contacts.import_vcard(str(vcf))
    assert other.contacts.table.rowCount() > other_before
    assert "赵采购" in other.contacts.table.column_texts(0)


def test_contact_log_import_runs_in_background(page, ctx, qtbot, boxes, tmp_path):
    with ctx.read() as s:
        customer = s.scalars(select(Customer).order_by(Customer.id)).first()
        before = s.scalar(select(func.count()).select_from(Interaction))
    log_file = tmp_path / "拜访记录.csv"
    log_file.write_text("客户编号,日期,方式,内容,结果\n"
                        f"{customer.code},2026-05-06 10:30,拜访,介绍新款文件柜,有意向\n"
                        "NO-SUCH,2026-05-07,电话,x,y\n", encoding="utf-8")
    page_actions.import_contact_log(page, str(log_file))
    qtbot.waitUntil(lambda: any(kind == "information" for kind, _t in boxes.shown), timeout=10000)
    text = next(t for kind, t in boxes.shown if kind == "information")
    assert "Row 3" in text  # the unknown customer is reported with its row
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == before + 1


def test_custom_field_filter(page, ctx, qtbot):
    with ctx.write("customers") as s:
        field = s.scalar(select(CustomFieldDef).where(CustomFieldDef.key == "region"))
        dealer = s.scalar(select(Customer.id).where(Customer.type_id == field.customer_type_id)
                          .order_by(Customer.id))
    form = _open(ctx, qtbot, dealer)
    editor = form.basic.custom_editors[field.id]
    editor.set_text("湘西独家片区")
    form.basic.edited.emit()
    assert form.save()
    bar = page.view.filter_bar
    qtbot.waitUntil(lambda: bar.field_combo.count() > 1, timeout=5000)
    bar.field_combo.setCurrentIndex(bar.field_combo.findData(field.id))
    bar.field_value.setText("湘西独家片区")
    page.requery()
    assert page.model.ids == [dealer]


def test_new_dealer_from_the_page_needs_its_required_field(page, ctx, qtbot, boxes):
    form = page.new_customer()
    qtbot.addWidget(form)
    assert not form.tabs.isTabEnabled(form.tabs.indexOf(form.contacts))
    form.basic.name_edit.setText("湘潭新华文具批发部")
    dealer = form.basic.type_combo.findData(3)
    form.basic.type_combo.setCurrentIndex(dealer)
    form.basic.type_combo.activated.emit(dealer)
    labels = [e.info.label for e in form.basic.custom_editors.values()]
    assert "经销区域" in labels and "独家经销" in labels
    assert not form.save()
    assert "经销区域" in boxes.shown[-1][1]
    region = next(e for e in form.basic.custom_editors.values() if e.info.key == "region")
    region.widget.setText("湘潭市")
    assert form.save()
    new_id = form.customer_id
    assert page.forms.get(new_id) is form
    assert form.tabs.isTabEnabled(form.tabs.indexOf(form.contacts))
    with ctx.read() as s:
        customer = s.get(Customer, new_id)
        assert customer.name == "湘潭新华文具批发部" and customer.type_id == 3 and customer.code
    assert page.model.row_of(new_id) >= 0


def test_quick_log_enter_on_the_last_field_saves(ctx, qtbot, boxes):
    from crmdesk.ui.customers.dialogs.quick_log import QuickLogDialog

    cid = _customer_with_orders(ctx)
    dialog = QuickLogDialog(ctx, cid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.notes_edit, "called about toner")
    dialog.follow_up_check.setChecked(True)
    dialog.follow_up_edit.setFocus()
    qtbot.keyClick(dialog.follow_up_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ctx.read() as s:
        entry = s.get(Interaction, dialog.saved_interaction_id)
        assert entry.channel == "call" and entry.notes == "called about toner"
        assert s.scalar(select(Task).where(Task.interaction_id == entry.id)) is not None


def test_quick_log_refuses_an_empty_entry(ctx, qtbot, boxes):
    from crmdesk.ui.customers.dialogs.quick_log import QuickLogDialog

    dialog = QuickLogDialog(ctx, _customer_with_orders(ctx))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.save()
    assert dialog.isVisible() and dialog.saved_interaction_id is None
    assert boxes.shown and boxes.shown[-1][0] == "warning"
