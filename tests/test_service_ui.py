"""The Service page, the three-keystroke case from the customer list, the customer form's
Service cases tab and Settings → Service cases, on the demo shop (pytest-qt, offscreen)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import func, select

from crmdesk.db.models import CaseNote, ServiceCase
from crmdesk.services.actor import actor_for_username
from crmdesk.services.customer_pipeline import list_cases
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.cases_tab import CasesTab
from crmdesk.ui.service.case_dialogs import CloseCaseDialog
from crmdesk.ui.service.new_case_dialog import NewCaseDialog
from crmdesk.ui.service.page import ServicePage
from crmdesk.ui.service.queue_model import OVERDUE_COLUMN, RED
from crmdesk.ui.settings.service_section import ServiceSection
from ui_customers_support import boxes, ctx, page  # noqa: F401 - fixtures


def _ctx(db, user):
    with db.sessions() as s:
        return AppContext(db=db, actor=actor_for_username(s, user))


@pytest.fixture
def service(ctx, qtbot, boxes):  # noqa: F811
    p = ServicePage(ctx)
    qtbot.addWidget(p)
    p.resize(1400, 700)
    p.show()
    p.activate()
    return p


def test_queue_views_counts_and_overdue_in_red(service):
    assert service.current_view() == "all"  # the owner has no cases of their own in the demo
    counts = service.counts
    assert counts["all"] >= 3 and counts["overdue"] >= 1  # not yet resolved
    assert service.view_buttons["overdue"].text().endswith(f"({counts['overdue']})")
    service.set_view("overdue")
    model = service.model
    assert model.rowCount() == counts["overdue"]
    assert all(r.overdue for r in model.rows())
    assert model.data(model.index(0, OVERDUE_COLUMN), Qt.ItemDataRole.ForegroundRole) == RED
    service.status_combo.setCurrentIndex(service.status_combo.findData(None))  # any status
    service.set_view("all")
    assert service.model.rowCount() > counts["all"]  # closed and resolved cases come in


def test_detail_status_buttons_note_close_and_reopen(service, ctx, monkeypatch):  # noqa: F811
    service.status_combo.setCurrentIndex(service.status_combo.findData("waiting"))
    service.set_view("all")
    assert service.model.rowCount() >= 1
    service.select_row(0)
    pane = service.detail
    case_id = pane.detail.id
    assert pane.move_buttons["resolved"].isVisibleTo(pane) and not pane.move_buttons["closed"].isVisibleTo(pane)
    pane.move_buttons["resolved"].click()
    assert pane.detail.status == "resolved" and pane.reopen_button.isVisibleTo(pane)
    pane.note_edit.setText("客户确认已收到")
    pane.note_button.click()
    assert pane.timeline.column_texts(3)[-1] == "客户确认已收到"

    def answer(score):
        def exec_(dialog):
            if score:
                dialog.group.button(score).setChecked(True)
            dialog.feedback_edit.setPlainText("很好")
            assert dialog.save_button.isEnabled() == bool(score)
            return QDialog.DialogCode.Accepted if score else QDialog.DialogCode.Rejected
        return exec_

    monkeypatch.setattr(CloseCaseDialog, "exec", answer(None))
    assert not pane.move_to("closed")
    monkeypatch.setattr(CloseCaseDialog, "exec", answer(4))
    assert pane.move_to("closed")
    assert (pane.detail.status, pane.detail.satisfaction, pane.detail.feedback) == ("closed", 4, "很好")
    pane.reopen_button.click()
    assert pane.detail.status == "in_progress" and pane.detail.satisfaction is None
    assert "4/5" in pane.timeline.column_texts(3)[-1]
    with ctx.read() as s:
        kinds = s.scalars(select(CaseNote.kind).where(CaseNote.case_id == case_id)).all()
    assert kinds.count("status") >= 4 and "note" in kinds


def test_three_keystrokes_from_the_customer_list(page, qtbot, ctx):  # noqa: F811
    """Select a customer, F8 → the dialog has the customer and the cursor in the subject →
    type → Ctrl+Enter saves."""
    customer_id = page.selected_ids()[0]
    page.view.table.setFocus()
    qtbot.keyClick(page.view.table, Qt.Key.Key_F8)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, NewCaseDialog) and w.isVisible())
    qtbot.addWidget(dialog)
    assert dialog.customer_id == customer_id
    assert dialog.focusWidget() is dialog.subject_edit
    qtbot.keyClicks(dialog.subject_edit, "printer jams")
    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.saved_case_id is not None and not dialog.isVisible()
    with ctx.read() as s:
        case = s.get(ServiceCase, dialog.saved_case_id)
        assert (case.customer_id, case.subject, case.status) == (customer_id, "printer jams", "open")
        assert case.due_at is not None


def test_new_case_dialog_with_picker_order_and_refusals(ctx, qtbot, boxes):  # noqa: F811
    dialog = NewCaseDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.save()
    assert boxes.shown[-1][1] == "Choose a customer first."
    with ctx.read() as s:
        customer_id = s.scalar(select(ServiceCase.customer_id).where(ServiceCase.order_id.is_not(None)).limit(1))
    dialog.picker.set_customer(customer_id)
    assert dialog.customer_id == customer_id and dialog.order_combo.count() > 1
    dialog.order_combo.setCurrentIndex(1)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("complaint"))
    dialog.save()
    assert boxes.shown[-1][1] == "Type a subject first."
    dialog.subject_edit.setText("发票开错")
    dialog.save()
    with ctx.read() as s:
        case = s.get(ServiceCase, dialog.saved_case_id)
        assert case.order_id == dialog.order_combo.itemData(1) and case.case_type == "complaint"


def test_salesperson_sees_only_their_cases(demo_db, qtbot, boxes):  # noqa: F811
    sales = _ctx(demo_db, "sales1")
    p = ServicePage(sales)
    qtbot.addWidget(p)
    p.activate()
    p.status_combo.setCurrentIndex(p.status_combo.findData(None))
    p.set_view("all")
    with demo_db.sessions() as s:
        everyone = s.scalar(select(func.count()).select_from(ServiceCase))
        visible = {c.id for c in list_cases(s, sales.actor)}
        mine = set(s.scalars(select(ServiceCase.id).where(ServiceCase.assignee_id == sales.actor.user_id)).all())
    shown = {r.id for r in p.model.rows()}
    assert 0 < len(shown) < everyone and shown == visible | mine


def test_customer_form_cases_tab(ctx, qtbot, boxes):  # noqa: F811
    with ctx.read() as s:
        customer_id = s.scalar(select(ServiceCase.customer_id).group_by(ServiceCase.customer_id)
                               .order_by(func.count().desc()).limit(1))
        cases = list_cases(s, ctx.actor, customer_id)
    tab = CasesTab(SimpleNamespace(ctx=ctx, customer_id=customer_id))
    qtbot.addWidget(tab)
    tab.load(cases)
    assert tab.table.rowCount() == len(cases) and tab.table.column_texts(0) == [c.number for c in cases]
    assert set(tab.table.column_texts(5)) <= {"New", "In progress", "Waiting for customer", "Resolved", "Closed"}
    dialog = tab.new_case()
    qtbot.addWidget(dialog)
    assert dialog.customer_id == customer_id
    dialog.reject()
    tab.table.selectRow(0)
    assert tab.open_current() == cases[0].id


def test_settings_case_types(ctx, qtbot, boxes):  # noqa: F811
    section = ServiceSection(ctx)
    qtbot.addWidget(section)
    before = section.model.rowCount()
    info = section.add(("安装调试", 4, 12, 48))
    assert info is not None and section.model.rowCount() == before + 1 and section.current().id == info.id
    section.edit(("上门安装", 6, 12, 48))
    assert section.current().name == "上门安装" and section.current().sla_high == 6
    section.move(-1)
    assert section.model.row_at(before - 1).id == info.id
    section.toggle_active()
    assert not section.current().active and section.active_button.text() == "Activate"
    assert section.add(("上门安装", 1, 2, 3)) is None and "already" in boxes.shown[-1][1]
