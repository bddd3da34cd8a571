"""Service cases in the core: opening (number, default assignee, SLA due date), the status
flow with its illegal moves and reopen, satisfaction on close, the timeline and the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crmdesk.db.models import AuditLog, CaseNote, ServiceCase
from crmdesk.services import events
from crmdesk.services.case_detail import get_case, recent_orders
from crmdesk.services.cases import CaseError, CaseInput, add_note, assign_case, change_status, close_case, \
    open_case, reopen_case
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import PermissionDenied
from tests.service_support import T0, shop  # noqa: F401 - the fixture

H = dt.timedelta(hours=1)


def _open(s, shop, actor="counter", **kw):
    data = dict(customer_id=shop.customers["a1"], subject="打印机卡纸", case_type="repair", priority=2,
                opened_at=T0)
    data.update(kw)
    return open_case(s, shop.actors[actor], CaseInput(**data))


def test_open_numbers_assignee_and_sla_due_date(shop):
    with shop.db.sessions.begin() as s:
        first = _open(s, shop, contact_id=shop.contacts["a1"], order_id=shop.orders["a1"])
        second = _open(s, shop, priority=1)
        b = _open(s, shop, customer_id=shop.customers["b1"], case_type="delivery", priority=3)
        assert (first.number, second.number) == ("FW-20260601-0001", "FW-20260601-0002")
        # the customer's owning salesperson by default: a1 is A's by the territory rules
        assert first.assignee_id == shop.users["sales_a"] and b.assignee_id == shop.users["sales_b"]
        assert first.status == "open"
        # repair: 24 h high, 72 h normal; delivery: 72 h low (seeded by migration 0006)
        assert first.due_at == T0 + 72 * H and second.due_at == T0 + 24 * H and b.due_at == T0 + 72 * H
        assert [o.number for o in recent_orders(s, shop.actors["counter"], shop.customers["a1"])] == ["XS-a1"]


def test_open_refuses_bad_input_and_foreign_order(shop):
    with shop.db.sessions.begin() as s:
        with pytest.raises(ValidationError) as err:
            _open(s, shop, subject=" ", order_id=shop.orders["b1"], case_type="nonsense", priority=7)
        assert len(err.value.problems) == 4
        with pytest.raises(PermissionDenied):
            _open(s, shop, actor="sales_b")  # a1 is not B's customer


def test_status_flow_legal_and_illegal_moves(shop):
    with shop.db.sessions.begin() as s:
        case = _open(s, shop)
        with pytest.raises(CaseError, match="New cannot become Closed"):
            change_status(s, shop.actors["counter"], case.id, "closed", satisfaction=5)
        for status in ("in_progress", "waiting", "in_progress", "resolved"):
            change_status(s, shop.actors["counter"], case.id, status, now=T0 + H)
        assert case.resolved_at == T0 + H
        with pytest.raises(CaseError, match="Resolved cannot become Waiting"):
            change_status(s, shop.actors["counter"], case.id, "waiting")
        with pytest.raises(CaseError):
            change_status(s, shop.actors["counter"], case.id, "open")


def test_close_needs_satisfaction_and_stores_it_then_reopen(shop):
    seen = []
    events.subscribe(events.CASE_CLOSED, lambda session, actor, case_id: seen.append(case_id))
    try:
        with shop.db.sessions.begin() as s:
            case = _open(s, shop)
            change_status(s, shop.actors["counter"], case.id, "resolved", now=T0 + H)
            for bad in (None, 0, 6):
                with pytest.raises(CaseError, match="satisfaction"):
                    close_case(s, shop.actors["counter"], case.id, bad)
            assert seen == []
            close_case(s, shop.actors["counter"], case.id, 2, "等了很久", now=T0 + 2 * H)
            assert (case.status, case.satisfaction, case.feedback, case.closed_at) == ("closed", 2, "等了很久", T0 + 2 * H)
            assert seen == [case.id]
            with pytest.raises(CaseError):
                reopen_case(s, shop.actors["counter"], _open(s, shop).id)
            reopen_case(s, shop.actors["counter"], case.id, "客户又打电话", now=T0 + 3 * H)
            assert (case.status, case.satisfaction, case.feedback, case.closed_at, case.resolved_at) == \
                ("in_progress", None, "", None, None)
            detail = get_case(s, shop.actors["counter"], case.id)
            reopen = detail.timeline[-1]
            assert (reopen.kind, reopen.from_status, reopen.to_status) == ("status", "closed", "in_progress")
            assert "2/5" in reopen.text and "等了很久" in reopen.text and "客户又打电话" in reopen.text
            assert "2/5" in detail.timeline[-2].text  # the close row keeps the score too
    finally:
        events._handlers[events.CASE_CLOSED].pop()


def test_timeline_rows_for_status_assign_and_notes(shop):
    with shop.db.sessions.begin() as s:
        case = _open(s, shop)
        counter = shop.actors["counter"]
        change_status(s, counter, case.id, "in_progress", now=T0 + H)
        assign_case(s, counter, case.id, shop.users["counter"], now=T0 + 2 * H)
        add_note(s, counter, case.id, "已联系厂家", now=T0 + 3 * H)
        assign_case(s, counter, case.id, shop.users["counter"])  # no change, no row
        with pytest.raises(ValidationError):
            add_note(s, counter, case.id, "  ")
        rows = get_case(s, counter, case.id).timeline
        assert [(r.kind, r.to_status, r.text) for r in rows] == [
            ("status", "open", ""), ("assign", "", "王芳"), ("status", "in_progress", ""),
            ("assign", "", "赵柜台"), ("note", "", "已联系厂家")]
        assert rows[-1].user_name == "赵柜台"
        audited = s.scalars(select(AuditLog.field).where(AuditLog.entity == "service_cases",
                                                         AuditLog.entity_id == case.id)).all()
        assert {"number", "subject", "status", "assignee"} <= set(audited)
        assert s.scalar(select(CaseNote.id).where(CaseNote.kind == "note")) is not None


def test_assigned_salesperson_may_work_a_case_outside_their_customers(shop):
    with shop.db.sessions.begin() as s:
        case = _open(s, shop)
        with pytest.raises(PermissionDenied):
            add_note(s, shop.actors["sales_b"], case.id, "看看")
        assign_case(s, shop.actors["owner"], case.id, shop.users["sales_b"])
        add_note(s, shop.actors["sales_b"], case.id, "我来处理")
        assert get_case(s, shop.actors["sales_b"], case.id).assignee_name == "李强"
        with pytest.raises(ValidationError):
            assign_case(s, shop.actors["owner"], case.id, 999_999)


def test_overdue_flag(shop):
    with shop.db.sessions.begin() as s:
        case = _open(s, shop, priority=1)  # due T0 + 24 h
        counter = shop.actors["counter"]
        assert not get_case(s, counter, case.id, now=T0 + 23 * H).overdue
        assert get_case(s, counter, case.id, now=T0 + 25 * H).overdue
        change_status(s, counter, case.id, "resolved", now=T0 + 26 * H)
        assert not get_case(s, counter, case.id, now=T0 + 30 * H).overdue
        assert s.get(ServiceCase, case.id).due_at == T0 + 24 * H
