"""Relations listed from both sides; duplicates and self-links refused; merging customers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from test_customers_support import add_order, add_receipt, make_customer

from crmdesk.db.models import (Attachment, AuditLog, Customer, CustomFieldValue, Interaction, Opportunity,
                               OpportunityStage, Receipt, SalesLine, SalesOrder, ServiceCase, Task)
from crmdesk.services.attachments import add_attachment, list_attachments
from crmdesk.services.contacts import ContactInput, add_contact, list_contacts
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customer_query import CustomerQuery, search_customer_ids
from crmdesk.services.interactions import InteractionInput, log_interaction
from crmdesk.services.merge import merge_customers
from crmdesk.services.relations import add_relation, list_relations, remove_relation
from crmdesk.services.tasks import create_task

from crmdesk.services.actor import Actor as _Actor

SYSTEM = _Actor.system()


@pytest.fixture
def three(db, owner):
    with db.sessions.begin() as s:
        return tuple(make_customer(s, owner, n).id for n in ("总店", "天河分店", "番禺分店"))


def test_relations_both_sides(db, owner, three):
    head, branch, other = three
    with db.sessions.begin() as s:
        rel = add_relation(s, owner, branch, head, "branch_of").id
        add_relation(s, owner, head, other, "partner")
    with db.sessions() as s:
        from_head = [(r.label, r.other_name, r.outgoing) for r in list_relations(s, SYSTEM, head)]
        from_branch = [(r.label, r.other_name) for r in list_relations(s, SYSTEM, branch)]
        from_other = [(r.label, r.other_name) for r in list_relations(s, SYSTEM, other)]
    assert from_head == [("Branch", "天河分店", False), ("Partner", "番禺分店", True)]
    assert from_branch == [("Head office", "总店")]
    assert from_other == [("Partner", "总店")]
    with db.sessions.begin() as s:
        with pytest.raises(CustomerError, match="linked like this already"):
            add_relation(s, owner, branch, head, "branch_of")
        with pytest.raises(CustomerError, match="linked like this already"):
            add_relation(s, owner, other, head, "partner")  # symmetric: either direction
        with pytest.raises(CustomerError, match="itself"):
            add_relation(s, owner, head, head, "competitor")
        with pytest.raises(CustomerError, match="Unknown relation"):
            add_relation(s, owner, head, other, "friend")
    with db.sessions.begin() as s:
        remove_relation(s, owner, rel)
    with db.sessions() as s:
        assert list_relations(s, SYSTEM, branch) == []


def test_relation_labels_translated(db, owner, three):
    from crmdesk.i18n import set_language

    head, branch, _other = three
    with db.sessions.begin() as s:
        add_relation(s, owner, branch, head, "branch_of")
    set_language("zh_CN")
    try:
        with db.sessions() as s:
            assert [r.label for r in list_relations(s, SYSTEM, head)] == ["分店"]
            assert [r.label for r in list_relations(s, SYSTEM, branch)] == ["总部"]
    finally:
        set_language("en")


def test_merge_moves_everything(db, owner, tmp_path):
    f = tmp_path / "合同.pdf"
    f.write_bytes(b"pdf")
    day = dt.date(2025, 3, 1)
    with db.sessions.begin() as s:
        keep = make_customer(s, owner, "广州文具店", type_id=2, custom_values={3: "学校"}, tags=["会员"])
        dup = make_customer(s, owner, "广州文具店（重复）", type_id=2, city="广州", phone="020-1",
                            custom_values={3: "企业", 5: "广州文具店发票"}, tags=["批发", "会员"])
        third = make_customer(s, owner, "第三方")
        add_contact(s, owner, keep.id, ContactInput(name="王伟", is_primary=True))
        add_contact(s, owner, dup.id, ContactInput(name="李娜", is_primary=True))
        add_order(s, dup.id, day, ["100", "50"])
        add_receipt(s, dup.id, day, "30")
        log_interaction(s, owner, dup.id, InteractionInput(notes="来过"))
        create_task(s, owner, dup.id, "回访", day)
        stage = s.scalars(select(OpportunityStage)).first()
        s.add(Opportunity(customer_id=dup.id, stage_id=stage.id, name="年度采购"))
        s.add(ServiceCase(number="SC1", customer_id=dup.id, subject="退货"))
        add_attachment(s, owner, dup.id, f)
        add_relation(s, owner, dup.id, third.id, "referred_by")
        add_relation(s, owner, dup.id, keep.id, "partner")  # becomes a self-link: dropped
        ids = keep.id, dup.id, third.id
    keep_id, dup_id, third_id = ids
    with db.sessions.begin() as s:
        result = merge_customers(s, owner, keep_id, dup_id)
    assert result.merged_code == "C000002"
    assert result.moved["sales_lines"] == 2 and result.moved["sales_orders"] == 1
    assert set(result.filled_fields) == {"city", "phone"}
    with db.sessions() as s:
        assert s.get(Customer, dup_id) is None
        for model in (SalesOrder, SalesLine, Receipt, Interaction, Task, Opportunity, ServiceCase, Attachment):
            owners = set(s.scalars(select(model.customer_id)))
            assert owners == {keep_id}, model.__tablename__
        keep = s.get(Customer, keep_id)
        assert (keep.city, keep.phone) == ("广州", "020-1")
        assert sorted(t.name for t in keep.tags) == ["会员", "批发"]
        values = dict(s.execute(select(CustomFieldValue.field_id, CustomFieldValue.value)
                                .where(CustomFieldValue.customer_id == keep_id)).all())
        assert values == {3: "学校", 5: "广州文具店发票"}  # survivor wins, blanks filled
        contacts = list_contacts(s, SYSTEM, keep_id)
        assert [(c.name, c.is_primary) for c in contacts] == [("王伟", True), ("李娜", False)]
        [att] = list_attachments(s, SYSTEM, keep_id)
        assert att.path.parent.name == str(keep_id) and att.path.read_bytes() == b"pdf"
        assert [(r.label, r.other_id) for r in list_relations(s, SYSTEM, keep_id)] == [("Referred by", third_id)]
        merge_rows = s.execute(select(AuditLog.entity_id, AuditLog.old_value, AuditLog.new_value)
                               .where(AuditLog.action == "merge")).all()
        assert set(merge_rows) == {(keep_id, "C000002", "C000001"), (dup_id, "C000002", "C000001")}
        assert search_customer_ids(s, owner, CustomerQuery(text="李娜")) == [keep_id]
        assert s.scalar(select(func.count()).select_from(Customer)) == 2
    old_file = tmp_path.parent  # the merged customer's attachment folder is emptied
    assert not (db.file_path.parent / "attachments" / str(dup_id)).exists(), old_file


def test_merge_refuses_itself(db, owner, three):
    with db.sessions.begin() as s, pytest.raises(CustomerError, match="into itself"):
        merge_customers(s, owner, three[0], three[0])
