"""Every custom-field editor round-trips what the user typed (issue 14, item 1): a date typed
in any of the usual forms is stored and shown again after saving, a bad one is refused with
the field's name, and an empty date's calendar opens at today, not in 1900."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from ui_customers_support import boxes, ctx  # noqa: F401 - fixtures

from crmdesk.db.models import CustomFieldDef, CustomFieldValue, Customer
from crmdesk.ui.customers.form.dialog import CustomerFormDialog


def _dealer(ctx) -> int:
    with ctx.read() as s:
        return s.scalar(select(Customer.id).where(Customer.type_id == 3).order_by(Customer.id))


def _form(ctx, qtbot, cid):
    form = CustomerFormDialog(ctx, cid)
    qtbot.addWidget(form)
    form.show()
    return form, {e.info.key: e for e in form.basic.custom_editors.values()}


def _stored(ctx, cid, key) -> str:
    with ctx.read() as s:
        return s.scalar(select(CustomFieldValue.value).join(CustomFieldDef, CustomFieldDef.id == CustomFieldValue.field_id)
                        .where(CustomFieldValue.customer_id == cid, CustomFieldDef.key == key)) or ""


def _type(qtbot, widget, text):
    """Type as a user would: keys for ASCII, an input-method commit for Chinese (as a pinyin IME
    delivers it; QTest cannot send keys for characters outside Latin-1)."""
    target = widget.edit if hasattr(widget, "edit") else widget
    target.setFocus()
    target.selectAll()
    qtbot.keyClick(target, Qt.Key.Key_Delete)
    for part in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if part.isascii():
            qtbot.keyClicks(target, part)
        else:
            event = QInputMethodEvent()
            event.setCommitString(part)
            QApplication.sendEvent(target, event)


@pytest.mark.parametrize("typed", ["2026-12-01", "2026/12/1", "20261201", "2026年12月1日"])
def test_a_typed_date_survives_saving(ctx, qtbot, boxes, typed):
    cid = _dealer(ctx)
    form, editors = _form(ctx, qtbot, cid)
    _type(qtbot, editors["signed_on"].widget, typed)
    assert form.dirty
    assert form.save(), boxes.shown
    assert _stored(ctx, cid, "signed_on") == "2026-12-01"
    form.close()
    again, editors = _form(ctx, qtbot, cid)
    assert editors["signed_on"].text() == "2026-12-01"
    again.close()


def test_every_editor_kind_round_trips(ctx, qtbot, boxes):
    cid = _dealer(ctx)
    form, editors = _form(ctx, qtbot, cid)
    _type(qtbot, editors["region"].widget, "佛山南海")
    _type(qtbot, editors["deposit"].widget, "5,000.50")
    _type(qtbot, editors["store_count"].widget, "12")
    _type(qtbot, editors["signed_on"].widget, "2025/3/9")
    check = editors["exclusive"].widget
    check.setChecked(not check.isChecked())
    wanted_bool = "1" if check.isChecked() else "0"
    assert form.save(), boxes.shown
    form.close()
    _again, editors = _form(ctx, qtbot, cid)
    assert editors["region"].text() == "佛山南海"
    assert editors["store_count"].text() == "12"
    assert editors["signed_on"].text() == "2025-03-09"
    assert editors["exclusive"].text() == wanted_bool
    assert _stored(ctx, cid, "deposit") == str(50_005_000)  # 5,000.50 yuan in 1/10000 units
    assert "5000.5" in editors["deposit"].text().replace(",", "")


def test_a_bad_date_is_refused_naming_the_field(ctx, qtbot, boxes):
    cid = _dealer(ctx)
    before = _stored(ctx, cid, "signed_on")
    form, editors = _form(ctx, qtbot, cid)
    _type(qtbot, editors["signed_on"].widget, "2026-13-45")
    assert not form.save()
    kind, text = boxes.shown[-1]
    assert kind == "warning" and editors["signed_on"].info.label in text
    assert form.dirty and editors["signed_on"].text() == "2026-13-45"  # the typing is kept to fix
    assert _stored(ctx, cid, "signed_on") == before


def test_an_empty_date_opens_its_calendar_at_today(ctx, qtbot, boxes):
    form, editors = _form(ctx, qtbot, _dealer(ctx))
    field = editors["signed_on"].widget
    _type(qtbot, field, "")
    field._open_at_typed_date()
    assert field.calendar.selectedDate().toPython() == dt.date.today()
    _type(qtbot, field, "2024年2月29日")
    field._open_at_typed_date()
    assert field.calendar.selectedDate().toPython() == dt.date(2024, 2, 29)
    field._picked(field.calendar.selectedDate().addDays(1))
    assert editors["signed_on"].text() == "2024-03-01" and form.dirty
