"""Creating, editing, archiving and deleting customers: validation, duplicates, audit log,
optimistic concurrency, delete refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_customers_support import add_order, add_receipt, make_customer

from crmdesk.db.models import AuditLog, Customer
from crmdesk.services.contacts import ContactInput, add_contact
from crmdesk.services.customers import (ConcurrencyError, CustomerInput, DeleteRefused, ValidationError,
                                        archive_customer, create_customer, delete_customer, find_duplicates,
                                        input_from_customer, update_customer)

from crmdesk.services.actor import Actor as _Actor

SYSTEM = _Actor.system()


def audit_rows(s, customer_id, action=None):
    stmt = select(AuditLog).where(AuditLog.entity == "customers", AuditLog.entity_id == customer_id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return s.scalars(stmt.order_by(AuditLog.id)).all()


def test_create_generates_code_and_audits(db, owner):
    with db.sessions.begin() as s:
        c1 = make_customer(s, owner, "  广州文具店 ", city="广州", credit_limit=50_000_0000)
        c2 = make_customer(s, owner, "佛山文具店", code="FS-01")
        ids = c1.id, c2.id
    with db.sessions() as s:
        c1, c2 = s.get(Customer, ids[0]), s.get(Customer, ids[1])
        assert (c1.code, c1.name, c2.code) == ("C000001", "广州文具店", "FS-01")
        fields = {r.field: r.new_value for r in audit_rows(s, c1.id, "create")}
        assert fields["name"] == "广州文具店" and fields["city"] == "广州" and fields["credit_limit"] == "500000000"
        assert all(r.user_id == owner.user_id for r in audit_rows(s, c1.id))


def test_validation_names_each_field(db, owner):
    with db.sessions.begin() as s:
        make_customer(s, owner, "甲", code="X1")
        with pytest.raises(ValidationError) as err:
            create_customer(s, owner, CustomerInput(name=" ", code="X1", email="not-mail", credit_limit=-1,
                                                    status="gone", type_id=2,
                                                    custom_values={4: "很多", 6: "明天"}))
    text = str(err.value)
    for part in ("Name is required", "Code X1 is used", "Email is not an email address", "Credit limit",
                 "Unknown status", "行业 is required", "年度办公用品预算 is not a money amount", "协议到期日 is not a date"):
        assert part in text, part


def test_update_audits_old_and_new_and_bumps_stamp(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店", city="广州", type_id=2, custom_values={3: "学校"}).id
    with db.sessions() as s:
        form = input_from_customer(s, SYSTEM, cid)
        stamp = s.get(Customer, cid).updated_at
    assert form.custom_values[3] == "学校" and form.custom_values[4] == ""
    form.city, form.grade, form.tags = "佛山", "A", ["重点客户"]
    form.custom_values[4] = "12,000.50"
    with db.sessions.begin() as s:
        update_customer(s, owner, cid, form, stamp)
    with db.sessions() as s:
        changes = {(r.field, r.old_value, r.new_value) for r in audit_rows(s, cid, "update")}
        c = s.get(Customer, cid)
        assert c.updated_at != stamp
        assert input_from_customer(s, SYSTEM, cid).custom_values[4] == "12,000.50"
    assert ("city", "广州", "佛山") in changes and ("grade", "", "A") in changes
    assert ("tags", "", "重点客户") in changes and ("custom:年度办公用品预算", "", "120005000") in changes


def test_concurrent_edit_is_refused_not_lost(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店").id
    with db.sessions() as s:
        form_a, stamp_a = input_from_customer(s, SYSTEM, cid), s.get(Customer, cid).updated_at
    with db.sessions() as s:
        form_b, stamp_b = input_from_customer(s, SYSTEM, cid), s.get(Customer, cid).updated_at
    form_a.city = "广州"
    with db.sessions.begin() as s:
        update_customer(s, owner, cid, form_a, stamp_a)
    form_b.city = "深圳"
    with db.sessions.begin() as s, pytest.raises(ConcurrencyError, match="changed by someone else"):
        update_customer(s, owner, cid, form_b, stamp_b)
    with db.sessions() as s:
        assert s.get(Customer, cid).city == "广州"


def test_contact_changes_do_not_make_the_form_stale(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店").id
    with db.sessions() as s:
        form, stamp = input_from_customer(s, SYSTEM, cid), s.get(Customer, cid).updated_at
    with db.sessions.begin() as s:
        add_contact(s, owner, cid, ContactInput(name="王伟"))  # changes search_text only
    form.grade = "B"
    with db.sessions.begin() as s:
        update_customer(s, owner, cid, form, stamp)


def test_duplicates_by_normalised_name_and_phone(db, owner):
    with db.sessions.begin() as s:
        a = make_customer(s, owner, "广州（天河）文具店 ABC", phone="020-8888 1234")
        b = make_customer(s, owner, "深圳办公用品店")
        add_contact(s, owner, b.id, ContactInput(name="李娜", mobile="138 1234 5678"))
        a_id, b_id = a.id, b.id
    with db.sessions() as s:
        by_name = find_duplicates(s, " 广州(天河)文具店  abc ", [])
        assert [(h.id, h.reason) for h in by_name] == [(a_id, "name")]
        by_phone = find_duplicates(s, "别的名字", ["+86 13812345678", "02088881234"])
        assert {(h.id, h.reason) for h in by_phone} == {(a_id, "phone"), (b_id, "phone")}
        assert find_duplicates(s, "广州天河文具店", []) == []
        assert find_duplicates(s, "广州(天河)文具店 ABC", [], exclude_id=a_id) == []


def test_delete_refused_with_orders_or_receipts(db, owner):
    with db.sessions.begin() as s:
        with_order = make_customer(s, owner, "有订单").id
        with_receipt = make_customer(s, owner, "有收款").id
        empty = make_customer(s, owner, "空客户").id
        add_contact(s, owner, empty, ContactInput(name="张三"))
        add_order(s, with_order, dt.date(2025, 1, 2), ["10"])
        add_receipt(s, with_receipt, dt.date(2025, 1, 2), "10")
    for cid in (with_order, with_receipt):
        with db.sessions.begin() as s, pytest.raises(DeleteRefused, match="archive it instead"):
            delete_customer(s, owner, cid)
    with db.sessions.begin() as s:
        archive_customer(s, owner, with_order)
        delete_customer(s, owner, empty)
    with db.sessions() as s:
        assert s.get(Customer, with_order).archived is True
        assert s.get(Customer, empty) is None
        assert [r.action for r in audit_rows(s, with_order, "archive")] == ["archive"]
        assert {r.field: r.old_value for r in audit_rows(s, empty, "delete")}["code"] == "C000003"


def test_completing_a_stub_clears_incomplete(db, owner):
    with db.sessions.begin() as s:
        c = make_customer(s, owner, "KH9")
        c.is_incomplete = True
        cid = c.id
    with db.sessions() as s:
        form, stamp = input_from_customer(s, SYSTEM, cid), s.get(Customer, cid).updated_at
    form.name = "广州新客户"
    with db.sessions.begin() as s:
        update_customer(s, owner, cid, form, stamp)
    with db.sessions() as s:
        assert s.get(Customer, cid).is_incomplete is False


def test_refresh_search_texts_after_raw_writes(db, owner):
    from sqlalchemy import text

    from crmdesk.services.customer_query import CustomerQuery, search_customer_ids
    from crmdesk.services.customers import refresh_search_texts

    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店").id
        stamp = s.get(Customer, cid).updated_at
    with db.engine.begin() as conn:  # e.g. a repair script writing contacts directly
        conn.execute(text("INSERT INTO contacts (customer_id, name, role, phone, mobile, email, wechat, is_primary, "
                          "notes, created_at, updated_at) VALUES (:c, '司马光', '', '', '13900001111', '', '', 0, '', "
                          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"c": cid})
    with db.sessions.begin() as s:
        assert refresh_search_texts(s) == 1
        assert refresh_search_texts(s, [cid]) == 0
    with db.sessions() as s:
        assert search_customer_ids(s, owner, CustomerQuery(text="simaguang")) == [cid]
        assert search_customer_ids(s, owner, CustomerQuery(text="13900001111")) == [cid]
        assert s.get(Customer, cid).updated_at == stamp


def test_duplicates_outside_a_salespersons_reach_are_reported_without_details(db, owner):
    from crmdesk.db.models import User
    from crmdesk.services.actor import Actor

    with db.sessions.begin() as s:
        seller = User(username="s1", display_name="业务一", role="sales", active=True)
        s.add(seller)
        s.flush()
        theirs = make_customer(s, owner, "东莞文具店")
        theirs.owner_id = seller.id
        make_customer(s, owner, "惠州文具店")  # nobody's: outside the salesperson's reach
        sales = Actor(seller.id, "s1", "sales")
        theirs_id = theirs.id
    with db.sessions() as s:
        mine = find_duplicates(s, "东莞文具店", [], actor=sales)
        other = find_duplicates(s, "惠州文具店", [], actor=sales)
    assert [(h.id, h.name) for h in mine] == [(theirs_id, "东莞文具店")]
    assert [(h.id, h.code, h.reason) for h in other] == [(0, "", "name")] and "惠州" not in other[0].name
