"""The contacts UI of issue 16: the points table of the contact dialog (any number of phones,
emails and handles, a birthday without a year), the preferred ones in the contacts tab, and the
address-book preview that creates nothing unasked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures

from crmdesk.db.models import Contact, ContactPoint, Customer
from crmdesk.importers.address_book_file import plan_files
from crmdesk.services.contact_points import PointInput
from crmdesk.services.contacts import ContactInput, add_contact, list_contacts
from crmdesk.ui.customers import page_actions
from crmdesk.ui.customers.dialogs.address_book_dialog import TICK, AddressBookDialog
from crmdesk.ui.customers.dialogs.contact_dialog import ContactDialog
from crmdesk.ui.customers.dialogs.points_editor import KIND, PREFERRED, TYPE, VALUE
from crmdesk.ui.customers.form.dialog import CustomerFormDialog

VCARDS = Path(__file__).parent / "data" / "real" / "vcard"


def _first_customer(ctx) -> int:
    with ctx.read() as s:
        return s.scalar(select(Customer.id).where(Customer.archived.is_(False)).order_by(Customer.id).limit(1))


def test_dialog_edits_any_number_of_points_and_a_month_day_birthday(ctx, qtbot, boxes):
    cid = _first_customer(ctx)
    dialog = ContactDialog(None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("欧阳娜")
    model = dialog.points_editor.model
    model.setData(model.index(0, VALUE), "138 0013 8000")
    for kind, type_, value in (("phone", "fax", "0755-8888 1234"), ("phone", "work", "0755-8888 1200"),
                               ("email", "work", "ouyang@example.cn"), ("email", "home", "na@example.com"),
                               ("im", "qq", "123456")):
        row = model.add_row(kind)
        model.setData(model.index(row, TYPE), type_)
        model.setData(model.index(row, VALUE), value)
    # The second email becomes the preferred one: one preferred per kind.
    model.setData(model.index(4, PREFERRED), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert [p.preferred for p in model.points() if p.kind == "email"] == [False, True]
    dialog.birthday.mode.setCurrentIndex(2)
    dialog.birthday.month_edit.setValue(2)
    dialog.birthday.day_edit.setValue(29)
    data = dialog.value()
    with ctx.write() as s:
        contact_id = add_contact(s, ctx.actor, cid, data).id
    with ctx.read() as s:
        info = next(c for c in list_contacts(s, ctx.actor, cid) if c.id == contact_id)
    assert [(p.kind, p.type, p.value) for p in info.points] == [
        ("phone", "mobile", "138 0013 8000"), ("phone", "fax", "0755-8888 1234"), ("phone", "work", "0755-8888 1200"),
        ("email", "work", "ouyang@example.cn"), ("email", "home", "na@example.com"), ("im", "qq", "123456")]
    assert info.preferred_email == "na@example.com" and info.preferred_phone == "138 0013 8000"
    assert (info.birthday, info.birthday_month, info.birthday_day) == (None, 2, 29)
    # Loading it back shows every row and the month-day birthday.
    again = ContactDialog(info)
    qtbot.addWidget(again)
    assert again.points_editor.model.rowCount() == 6
    assert again.birthday.mode.currentData() == "month_day" and again.birthday.day_edit.value() == 29
    assert again.value().points == list(info.points)


def test_dialog_refuses_a_bad_email_and_keeps_what_was_typed(qtbot, boxes):
    dialog = ContactDialog(None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("王伟")
    model = dialog.points_editor.model
    row = model.add_row("email")
    model.setData(model.index(row, VALUE), '"Omega" <omega@example.com>')
    dialog.show()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert boxes.shown and "Row 2" in boxes.shown[-1][1]
    assert dialog.name_edit.text() == "王伟" and model.rowCount() == 2


def test_changing_a_rows_kind_offers_that_kinds_types(qtbot):
    dialog = ContactDialog(None)
    qtbot.addWidget(dialog)
    model = dialog.points_editor.model
    model.setData(model.index(0, KIND), "im")
    assert model.data(model.index(0, TYPE), Qt.ItemDataRole.EditRole) == "wechat"
    assert model.points() == []  # an empty row is not a point


def test_contacts_tab_shows_the_preferred_ones_and_how_many_more(ctx, qtbot, boxes):
    cid = _first_customer(ctx)
    with ctx.write() as s:
        add_contact(s, ctx.actor, cid, ContactInput(name="赵敏", points=[
            PointInput("phone", "0755-1111 2222", "work"), PointInput("phone", "13700001234", "mobile", True),
            PointInput("email", "zm@example.cn", "work", True), PointInput("phone", "0755-1111 2223", "fax")]))
    form = CustomerFormDialog(ctx, cid)
    qtbot.addWidget(form)
    table = form.contacts.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "赵敏")
    assert table.item(row, 2).text() == "13700001234"
    assert table.item(row, 3).text() == "zm@example.cn"
    assert table.item(row, 5).text() == "+2"


def test_address_book_preview_creates_only_what_was_ticked(ctx, page, qtbot, boxes, monkeypatch):
    gmail, iphone = VCARDS / "ezvcard_gmail-list.vcf", VCARDS / "ezvcard_John_Doe_IPHONE.vcf"
    cid = _first_customer(ctx)
    with ctx.write() as s:  # one of the Gmail cards' addresses is already a contact of this customer
        add_contact(s, ctx.actor, cid, ContactInput(name="A. Smith", email="asmithk@gmail.com"))
        customers_before = s.scalar(select(func.count()).select_from(Customer))
        contacts_before = s.scalar(select(func.count()).select_from(Contact))
    monkeypatch.setattr(page_actions, "run_in_background",
                        lambda fn, *a, on_success=None, on_error=None: on_success(fn(*a)))
    page_actions.import_address_book(page, [str(gmail), str(iphone)])
    dialog: AddressBookDialog = page._address_book_dialog
    qtbot.addWidget(dialog)
    cards = dialog.model.plan.cards
    by_name = {c.name: c for c in cards}
    assert by_name["Arnold Smith"].outcome == "matched" and by_name["Arnold Smith"].customer_id == cid
    new = [c for c in cards if c.outcome == "new_customer"]
    assert len(new) == 1 and new[0].organisation.startswith("IBM")
    assert {by_name["Chris Beatle"].outcome, by_name["Doug White"].outcome} == {"unmatched"}
    # Confirm without ticking: the matched card lands, no customer is made.
    dialog.accept()
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == customers_before
        assert s.scalar(select(func.count()).select_from(Contact)) == contacts_before + 1
    # Again, ticking the new company: exactly one customer, and the matched card is already there.
    page_actions.import_address_book(page, [str(gmail), str(iphone)])
    dialog = page._address_book_dialog
    qtbot.addWidget(dialog)
    assert {c.name: c.contact_action for c in dialog.model.plan.cards}["Arnold Smith"] == "same"
    row = next(i for i, c in enumerate(dialog.model.plan.cards) if c.outcome == "new_customer")
    dialog.model.setData(dialog.model.index(row, TICK), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    dialog.accept()
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == customers_before + 1
        made = s.scalar(select(Customer).order_by(Customer.id.desc()).limit(1))
        assert made.name.startswith("IBM")
        doe = s.scalar(select(Contact).where(Contact.customer_id == made.id))
        assert doe is not None and s.scalar(select(func.count()).select_from(ContactPoint)
                                            .where(ContactPoint.contact_id == doe.id)) > 0
