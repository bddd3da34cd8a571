"""The service queue (mine / unassigned / overdue / all, filters, counts, scoping) and the
case types with their SLA in Settings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crmdesk.db.models import AuditLog, CaseType
from crmdesk.services.case_queue import ACTIVE, QueueFilter, list_queue, load_queue, queue_counts
from crmdesk.services.case_settings import (add_case_type, list_case_types, move_case_type, set_case_type_active,
                                            update_case_type)
from crmdesk.services.cases import CaseInput, assign_case, change_status, open_case
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.customer_pipeline import list_cases
from crmdesk.services.permissions import PermissionDenied
from crmdesk.services.actor import Actor
from tests.service_support import T0, shop  # noqa: F401 - the fixture

H = dt.timedelta(hours=1)
NOW = T0 + 30 * H


@pytest.fixture
def cases(shop):
    """a1: high repair (overdue at NOW), normal return unassigned; b1: low consult (B's), and a
    resolved high repair whose due date passed (not overdue)."""
    with shop.db.sessions.begin() as s:
        counter = shop.actors["counter"]

        def new(key, subject, kind, priority):
            return open_case(s, counter, CaseInput(customer_id=shop.customers[key], subject=subject,
                                                   case_type=kind, priority=priority, opened_at=T0)).id
        ids = {"a_repair": new("a1", "打印机卡纸", "repair", 1), "a_complaint": new("a1", "送货延迟", "return", 2),
               "b_consult": new("b1", "咨询价格", "consult", 3), "b_done": new("b1", "碎纸机维修", "repair", 1)}
        assign_case(s, counter, ids["a_complaint"], None)
        change_status(s, counter, ids["b_done"], "resolved", now=T0 + H)
    return ids


def _ids(rows):
    return {r.id for r in rows}


def test_views_and_counts(shop, cases):
    with shop.db.sessions() as s:
        owner = shop.actors["owner"]
        everything = list_queue(s, owner, QueueFilter(view="all"), now=NOW)
        assert _ids(everything) == set(cases.values())
        overdue = list_queue(s, owner, QueueFilter(view="overdue"), now=NOW)
        assert _ids(overdue) == {cases["a_repair"]}  # b_done is resolved: not overdue
        assert [r.overdue for r in overdue] == [True]
        assert _ids(list_queue(s, owner, QueueFilter(view="unassigned"), now=NOW)) == {cases["a_complaint"]}
        a = shop.actors["sales_a"]
        assert _ids(list_queue(s, a, QueueFilter(view="mine"), now=NOW)) == {cases["a_repair"]}
        assert queue_counts(s, owner, now=NOW) == {"mine": 0, "unassigned": 1, "overdue": 1, "all": 4}
        result = load_queue(s, a, QueueFilter(view="mine"), now=NOW)
        assert result.counts == {"mine": 1, "unassigned": 1, "overdue": 1, "all": 2}


def test_filters_and_text_search(shop, cases):
    with shop.db.sessions() as s:
        owner = shop.actors["owner"]

        def ids(**kw):
            return _ids(list_queue(s, owner, QueueFilter(**kw), now=NOW))
        assert ids(case_type="repair") == {cases["a_repair"], cases["b_done"]}
        assert ids(status="resolved") == {cases["b_done"]}
        assert ids(status=ACTIVE) == set(cases.values()) - {cases["b_done"]}
        assert ids(priority=3) == {cases["b_consult"]}
        assert ids(text="卡纸") == {cases["a_repair"]}
        assert ids(text="杭州") == {cases["b_consult"], cases["b_done"]}
        assert ids(text="FW-20260601-0003") == {cases["b_consult"]}
        assert queue_counts(s, owner, QueueFilter(case_type="repair"), now=NOW)["all"] == 2


def test_scoping_salesperson_counter_and_scheduler(shop, cases):
    with shop.db.sessions.begin() as s:
        counter, b = shop.actors["counter"], shop.actors["sales_b"]
        assert _ids(list_queue(s, counter, now=NOW)) == set(cases.values())
        assert _ids(list_queue(s, b, now=NOW)) == {cases["b_consult"], cases["b_done"]}
        # a case of A's customer handed to B shows in B's queue (and as theirs)
        assign_case(s, counter, cases["a_complaint"], shop.users["sales_b"])
        assert cases["a_complaint"] in _ids(list_queue(s, b, now=NOW))
        assert _ids(list_queue(s, b, QueueFilter(view="mine"), now=NOW)) >= {cases["a_complaint"]}
        with pytest.raises(PermissionDenied):
            list_queue(s, Actor.scheduler())


def test_customer_form_list_still_works(shop, cases):
    with shop.db.sessions() as s:
        rows = list_cases(s, shop.actors["counter"], shop.customers["a1"])
        assert {r.id for r in rows} == {cases["a_repair"], cases["a_complaint"]}


def test_case_types_settings(shop, cases):
    owner, counter = shop.actors["owner"], shop.actors["counter"]
    with shop.db.sessions.begin() as s:
        with pytest.raises(PermissionDenied):
            add_case_type(s, counter, "安装")
        new = add_case_type(s, owner, "Install 安装", 4, 12, 48)
        assert new.code == "install" and new.active and [t.code for t in list_case_types(s, counter)][-1] == "install"
        with pytest.raises(ValidationError):
            add_case_type(s, owner, "维修")  # the name is taken
        with pytest.raises(ValidationError):
            update_case_type(s, owner, new.id, "安装", 0, 12, 48)
        repair = next(t for t in list_case_types(s, owner) if t.code == "repair")
        assert repair.cases == 2
        update_case_type(s, owner, repair.id, "设备维修", 2, 10, 20)
        # the SLA changed: existing due dates stay, new cases get the new one
        assert {r.due_at for r in list_queue(s, owner, QueueFilter(case_type="repair"))} == {T0 + 24 * H}
        fresh = open_case(s, counter, CaseInput(customer_id=shop.customers["a1"], subject="x", case_type="repair",
                                                priority=2, opened_at=T0))
        assert fresh.due_at == T0 + 10 * H
        assert list_queue(s, owner, QueueFilter(case_type="repair"))[0].type_name == "设备维修"
        move_case_type(s, owner, new.id, -1)
        codes = [t.code for t in list_case_types(s, owner)]
        assert codes.index("install") == len(codes) - 2
        set_case_type_active(s, owner, repair.id, False)
        assert "repair" not in [t.code for t in list_case_types(s, counter)]
        assert "repair" in [t.code for t in list_case_types(s, owner, include_inactive=True)]
        assert s.scalar(select(CaseType.code).where(CaseType.id == repair.id)) == "repair"  # the code stays
        fields = set(s.scalars(select(AuditLog.field).where(AuditLog.entity == "case_types")).all())
        assert {"name", "sla_hours_normal", "sort_order", "active"} <= fields
