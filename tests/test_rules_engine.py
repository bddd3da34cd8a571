"""The engine on the tiny shop: every action, dry run = the real run's set, no double firing,
firing again after the reason cleared and returned, a salesperson's rule stays in their
customers, validation errors, and the store's permissions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

import crmdesk.rules  # noqa: F401
from crmdesk.db.models import (AuditLog, Customer, CustomerAlert, RuleFiring, SalesOrder, ServiceCase, Tag, Task,
                               WorkflowRule, customer_tags)
from crmdesk.rules import engine, firings, store
from crmdesk.rules.model import Action, Condition, RuleInput
from crmdesk.rules.store import RuleError
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied
from tests.rules_support import T, build_shop

SILENT = (Condition("customer_type", "=", "dealer"), Condition("silence_ratio", ">=", 2))


@pytest.fixture
def shop(db):
    return build_shop(db)


def _rule(conditions=SILENT, actions=None, name="r", trigger="daily", active=True) -> RuleInput:
    actions = actions or (Action("task", {"assignee": "owner", "title": "回访 {customer}：{days_since_purchase} 天",
                                          "due_days": 3}),)
    return RuleInput(name, trigger, tuple(conditions), tuple(actions), "", active)


def _save(db, actor, rule) -> int:
    with db.sessions.begin() as s:
        return store.save_rule(s, actor, rule)


def _run(db, actor, rule_id, dry=False):
    with db.sessions.begin() as s:
        return engine.run_rules(s, actor, rule_ids=[rule_id], dry_run=dry, as_of=T)[0]


def test_task_action_and_no_double_firing(db, shop):
    owner = shop.actor(db, "owner")
    rid = _save(db, owner, _rule())
    dry = _run(db, owner, rid, dry=True)
    assert [h.customer_id for h in dry.hits] == [shop.a1] and not dry.hits[0].already_fired
    first = _run(db, owner, rid)
    assert {h.customer_id for h in first.hits} == {h.customer_id for h in dry.hits}
    assert first.fired == 1 and first.actions == {"task": 1}
    with db.sessions() as s:
        task = s.scalar(select(Task).where(Task.rule_id == rid))
        assert task.assignee_id == shop.s1_id and task.customer_id == shop.a1
        assert task.title == "回访 甲经销：210 天" and "Silence ratio 7" in task.reason
        assert (task.due_date - T).days == 3
        f = s.scalar(select(RuleFiring).where(RuleFiring.rule_id == rid))
        assert json.loads(f.matched) == {"customer_type": "dealer", "silence_ratio": 7.0}
        assert json.loads(f.actions_done)[0].startswith("task: 回访 甲经销")
        assert s.get(WorkflowRule, rid).last_run_at is not None
    again = _run(db, owner, rid, dry=True)
    assert again.hits[0].already_fired
    second = _run(db, owner, rid)
    assert second.fired == 0 and second.actions == {}
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.rule_id == rid)) == 1


def test_fires_again_after_the_reason_cleared_and_returned(db, shop):
    owner = shop.actor(db, "owner")
    rid = _save(db, owner, _rule((Condition("grade", "=", "A"), Condition("customer_type", "=", "dealer"))))
    assert _run(db, owner, rid).fired == 1
    with db.sessions.begin() as s:
        s.execute(update(Customer).where(Customer.id == shop.a1).values(grade="B"))
    cleared = _run(db, owner, rid)
    assert cleared.cleared == 1 and cleared.fired == 0 and not cleared.hits
    with db.sessions.begin() as s:
        s.execute(update(Customer).where(Customer.id == shop.a1).values(grade="A"))
    back = _run(db, owner, rid)
    assert back.fired == 1
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.rule_id == rid)) == 2
        assert len(firings.open_firings(s, rid)) == 1


def test_dry_run_equals_the_real_run_and_writes_nothing(db, shop):
    owner = shop.actor(db, "owner")
    rule = _rule((Condition("days_since_purchase", ">=", 10),))
    with db.sessions.begin() as s:
        preview = engine.dry_run(s, owner, rule, as_of=T)
        assert s.scalar(select(func.count()).select_from(RuleFiring)) == 0
    rid = _save(db, owner, rule)
    real = _run(db, owner, rid)
    assert sorted(h.customer_id for h in preview.hits) == sorted(h.customer_id for h in real.hits)
    assert real.fired == len(preview.hits) == 3


def test_every_other_action(db, shop):
    owner = shop.actor(db, "owner")
    actions = (Action("set_grade", {"grade": "D"}), Action("add_tag", {"tag": "流失预警"}),
               Action("assign", {"user_id": shop.s2_id}), Action("alert", {"message": "{code} 沉默 {silence_ratio} 倍"}),
               Action("case", {"case_type": "complaint", "subject": "跟进 {customer}", "priority": 1}),
               Action("task", {"assignee": "shop_owner", "title": "老板看看", "due_days": 0}),
               Action("task", {"assignee": "user", "user_id": shop.s2_id, "title": "s2 看看", "due_days": 1}))
    rid = _save(db, owner, _rule(actions=actions))
    result = _run(db, owner, rid)
    assert result.actions == {"set_grade": 1, "add_tag": 1, "assign": 1, "alert": 1, "case": 1, "task": 2}
    with db.sessions() as s:
        a1 = s.get(Customer, shop.a1)
        assert a1.grade == "D" and a1.owner_id == shop.s2_id and a1.owner_source == "manual"
        tag = s.scalar(select(Tag).where(Tag.name == "流失预警"))
        assert s.scalar(select(customer_tags.c.customer_id).where(customer_tags.c.tag_id == tag.id)) == shop.a1
        alert = s.scalar(select(CustomerAlert).where(CustomerAlert.rule_id == rid))
        assert alert.message == "A1 沉默 7 倍" and alert.firing_id is not None
        case = s.scalar(select(ServiceCase).where(ServiceCase.customer_id == shop.a1))
        assert case.number.startswith("FW") and case.subject == "跟进 甲经销" and case.priority == 1
        assert (case.due_at - case.opened_at).total_seconds() == 4 * 3600  # complaint, high: 4 h
        assignees = set(s.scalars(select(Task.assignee_id).where(Task.rule_id == rid)))
        assert assignees == {shop.owner_id, shop.s2_id}
        audited = set(s.scalars(select(AuditLog.field).where(AuditLog.entity == "customers",
                                                             AuditLog.entity_id == shop.a1)))
        assert {"grade", "owner_id", "tags"} <= audited


def test_case_rule_fires_again_for_a_new_unhappy_case(db, shop):
    owner = shop.actor(db, "owner")
    rid = _save(db, owner, _rule((Condition("last_satisfaction", "<=", 2),), trigger="case_closed"))
    first = _run(db, owner, rid)
    assert [h.reason_key for h in first.hits] == [f"case:{shop.case_closed}"] and first.fired == 1
    assert _run(db, owner, rid).fired == 0
    with db.sessions.begin() as s:
        s.execute(update(ServiceCase).where(ServiceCase.id == shop.case_open).values(
            status="closed", satisfaction=1, closed_at=func.datetime("now")))
    again = _run(db, owner, rid)
    assert again.fired == 1 and again.cleared == 1 and again.hits[0].reason_key == f"case:{shop.case_open}"


def test_a_salespersons_rule_stays_in_their_customers(db, shop):
    s1 = shop.actor(db, "s1")
    rule = _rule((Condition("orders_total", ">=", 0),), actions=(Action("set_grade", {"grade": "S"}),))
    rid = _save(db, s1, rule)
    result = _run(db, s1, rid)
    assert {h.customer_id for h in result.hits} == {shop.a1, shop.a2}
    with db.sessions() as s:
        assert s.get(Customer, shop.b1).grade == "A" and s.get(WorkflowRule, rid).created_by_id == shop.s1_id
    # run by the scheduler (or the owner), the rule still has its author's rights
    with db.sessions.begin() as s:
        by_scheduler = engine.run_rules(s, Actor.scheduler(), rule_ids=[rid], as_of=T)[0]
    assert {h.customer_id for h in by_scheduler.hits} == {shop.a1, shop.a2}
    # a shop-wide rule dry-run by a salesperson shows only their customers
    owner = shop.actor(db, "owner")
    wide = _save(db, owner, _rule((Condition("orders_total", ">=", 1),)))
    with db.sessions() as s:
        assert {h.customer_id for h in engine.dry_run(s, s1, wide, as_of=T).hits} == {shop.a1, shop.a2}
        # and they cannot see, change or run another salesperson's rules
        with pytest.raises(RuleError):
            store.get_rule(s, shop.actor(db, "s2"), rid)
        with pytest.raises(PermissionDenied):
            store.set_active(s, s1, wide, False)
        assert engine.run_rules(s, shop.actor(db, "s2"), rule_ids=[rid]) == []


@pytest.mark.parametrize("rule, words", [
    (_rule((Condition("nonsense", "=", 1),)), "unknown measure"),
    (_rule((Condition("silence_ratio", "contains", 2),)), "operator"),
    (_rule((Condition("silence_ratio", ">", "many"),)), "not a number"),
    (_rule((Condition("customer_type", "=", "martian"),)), "not one of the choices"),
    (_rule((Condition("grade", "in", []),)), "list of values"),
    (_rule(actions=(Action("task", {"assignee": "user", "user_id": 999, "title": "x"}),)), "not active"),
    (_rule(actions=(Action("task", {"assignee": "owner", "title": "{secret}"}),)), "unknown placeholder"),
    (_rule(actions=(Action("set_grade", {"grade": ""}),)), "grade"),
    (_rule(actions=(Action("add_tag", {"tag": " "}),)), "tag"),
    (_rule(actions=(Action("case", {"case_type": "nope", "subject": "x"}),)), "case type"),
    (_rule(actions=(Action("explode", {}),)), "unknown kind"),
    (RuleInput("x", "hourly", SILENT, (Action("alert", {"message": "m"}),)), "trigger"),
    (RuleInput("", "daily", SILENT, (Action("alert", {"message": "m"}),)), "name"),
])
def test_validation_names_the_problem(db, shop, rule, words):
    with db.sessions() as s:
        with pytest.raises(RuleError, match=words):
            store.validate(s, shop.actor(db, "owner"), rule)


def test_salesperson_may_not_assign_and_store_is_audited(db, shop):
    s1 = shop.actor(db, "s1")
    with db.sessions() as s:
        with pytest.raises(RuleError, match="assign"):
            store.validate(s, s1, _rule(actions=(Action("assign", {"user_id": shop.s2_id}),)))
    owner = shop.actor(db, "owner")
    rid = _save(db, owner, _rule(active=False))
    with db.sessions.begin() as s:
        store.set_active(s, owner, rid, True)
        store.save_rule(s, owner, _rule(name="renamed"), rid)
        info = store.get_rule(s, owner, rid)
        assert info.name == "renamed" and info.active and info.created_by_name == ""
        store.delete_rule(s, owner, rid)
        fields = set(s.scalars(select(AuditLog.action + ":" + AuditLog.field).where(
            AuditLog.entity == "workflow_rules", AuditLog.entity_id == rid)))
    assert {"create:name", "update:active", "update:name", "delete:name"} <= fields


def test_list_firings_and_a_failing_rule_is_reported(db, shop):
    owner = shop.actor(db, "owner")
    rid = _save(db, owner, _rule())
    _run(db, owner, rid)
    with db.sessions() as s:
        found = firings.list_firings(s, owner, rule_id=rid)
        assert [f.customer_code for f in found] == ["A1"] and found[0].cleared_at is None
        assert firings.list_firings(s, shop.actor(db, "s2"), rule_id=rid) == []
    with db.sessions.begin() as s:  # a rule whose task goes to a user who left cannot run
        s.execute(update(WorkflowRule).where(WorkflowRule.id == rid).values(
            action=json.dumps([{"kind": "task", "assignee": "user", "user_id": 999, "title": "x"}])))
        result = engine.run_rules(s, owner, rule_ids=[rid], as_of=T)[0]
    assert "not active" in result.error and result.fired == 0


def test_open_order_count_follows_the_order_status(db, shop):
    owner = shop.actor(db, "owner")
    rid = _save(db, owner, _rule((Condition("credit_use_pct", ">", 100), Condition("open_orders", ">=", 1)),
                                 actions=(Action("alert", {"message": "超额"}),)))
    assert _run(db, owner, rid).fired == 1
    with db.sessions.begin() as s:
        s.execute(update(SalesOrder).where(SalesOrder.number == "O5").values(status="completed"))
    assert _run(db, owner, rid).cleared == 1
