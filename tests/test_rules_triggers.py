"""When rules run by themselves (after an import, a customer save, a case closing, once a day),
the CLI, the shipped rules in fresh and upgraded databases, and the alerts service."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, text, update

import crmdesk.rules  # noqa: F401
from crmdesk.db import connect, open_database
from crmdesk.db.migrate import upgrade
from crmdesk.db.models import AuditLog, CustomerAlert, RuleFiring, Task, WorkflowRule, customer_tags
from crmdesk.rules import builtin, store, triggers
from crmdesk.rules.model import Action, Condition, RuleInput
from crmdesk.services import alerts, events
from crmdesk.services.actor import Actor
from tests.rules_support import build_shop


@pytest.fixture
def shop(db):
    return build_shop(db)


def _save(db, actor, rule: RuleInput) -> int:
    with db.sessions.begin() as s:
        return store.save_rule(s, actor, rule)


def test_rules_run_after_a_real_import_and_a_failing_rule_is_reported(db, shop, tmp_path):
    from crmdesk.importers import import_file

    owner = shop.actor(db, "owner")
    good = _save(db, owner, RuleInput("欠款提醒", "import", (Condition("overdue_amount", ">", 0),),
                                      (Action("alert", {"message": "欠款 {overdue_amount} 元"}),), active=True))
    bad = _save(db, owner, RuleInput("坏规则", "import", (Condition("overdue_amount", ">", 0),),
                                     (Action("alert", {"message": "x"}),), active=True))
    with db.sessions.begin() as s:
        s.execute(update(WorkflowRule).where(WorkflowRule.id == bad).values(
            action=json.dumps([{"kind": "task", "assignee": "user", "user_id": 999, "title": "x"}])))
    path = tmp_path / "receipts.csv"
    path.write_text("收款单号,收款日期,客户编号,客户名称,收款金额,结算方式\nSK9,2026-06-01,A1,甲经销,400,现金\n",
                    encoding="utf-8")
    result = import_file(db, owner, path)
    assert result.status == "done" and result.added == 1
    assert any("欠款提醒" in line and "2 fired" in line for line in result.rules), result.rules  # A1 and B1
    assert any("坏规则" in line and "failed" in line for line in result.rules)
    with db.sessions() as s:
        alert = s.scalar(select(CustomerAlert).where(CustomerAlert.rule_id == good,
                                                     CustomerAlert.customer_id == shop.a1))
        assert alert.message == "欠款 1000 元"  # 1,400 owed, 400 of it paid by the imported receipt


def test_customer_saved_and_case_closed_events(db, shop):
    from crmdesk.services.customers import CustomerInput, create_customer

    owner = shop.actor(db, "owner")
    _save(db, owner, RuleInput("A级打标", "customer_saved", (Condition("grade", "=", "A"),),
                               (Action("add_tag", {"tag": "重点"}),), active=True))
    case_rule = _save(db, owner, RuleInput("不满意", "case_closed", (Condition("last_satisfaction", "<=", 2),),
                                           (Action("task", {"assignee": "shop_owner", "title": "回访"}),), active=True))
    with db.sessions.begin() as s:
        new = create_customer(s, owner, CustomerInput(name="新客户", grade="A"))
        tagged = set(s.scalars(select(customer_tags.c.customer_id)))
    assert tagged == {shop.a2, new.id}  # the saved customer only; A1 and B1 are A-grade too
    with db.sessions.begin() as s:
        events.publish(events.CASE_CLOSED, s, owner, case_id=shop.case_closed)
        tasks = s.scalars(select(Task).where(Task.rule_id == case_rule)).all()
    assert [(t.customer_id, t.assignee_id) for t in tasks] == [(shop.b1, shop.owner_id)]


def test_daily_runs_once_a_day(db, shop):
    owner = shop.actor(db, "owner")
    _save(db, owner, RuleInput("每日", "daily", (Condition("orders_total", ">=", 1),),
                               (Action("alert", {"message": "m"}),), active=True))
    day = dt.date(2026, 6, 30)
    with db.sessions.begin() as s:
        first = triggers.daily_if_due(s, Actor.scheduler(), today=day)
        assert [r.fired for r in first] == [3]
        assert triggers.daily_if_due(s, Actor.scheduler(), today=day) is None
        assert triggers.daily_if_due(s, Actor.scheduler(), today=day + dt.timedelta(days=1))[0].fired == 0


def test_cli_rules_list_and_run(db, shop, monkeypatch, capsys):
    from crmdesk.cli import main

    owner = shop.actor(db, "owner")
    rid = _save(db, owner, RuleInput("沉默经销商", "daily", (Condition("customer_type", "=", "dealer"),
                                                             Condition("silence_ratio", ">=", 2)),
                                     (Action("task", {"assignee": "owner", "title": "回访 {customer}"}),)))
    url = str(db.engine.url.database)
    monkeypatch.setenv("CRMDESK_PASSWORD", "secret-pw")
    assert main(["--db", url, "--user", "owner", "rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "沉默经销商" in out and "经销商久未进货" in out
    assert main(["--db", url, "--user", "owner", "rules", "run", "--dry-run", "--rule", "沉默经销商",
                 "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "沉默经销商: 1 customers hit (1 new, 0 already fired)" in out and "A1\t甲经销" in out
    monkeypatch.delenv("CRMDESK_PASSWORD")
    assert main(["--db", url, "rules", "run", "--rule", str(rid), "--as-of", "2026-06-30"]) == 0  # scheduler
    assert "1 fired" in capsys.readouterr().out
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RuleFiring).where(RuleFiring.rule_id == rid)) == 1


def test_shipped_rules_exist_switched_off_in_a_fresh_database(db):
    with db.sessions() as s:
        rows = s.scalars(select(WorkflowRule).where(WorkflowRule.builtin_key != "")).all()
        assert sorted(r.builtin_key for r in rows) == sorted(builtin.BUILTIN_KEYS)
        assert not any(r.active for r in rows) and all(r.created_by_id is None for r in rows)
        for r in rows:  # each one is valid as shipped
            store.validate(s, Actor.system(), store.rule_input(r))


def test_shipped_rules_arrive_with_the_upgrade_from_0005(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path)
    upgrade(old, "0005")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO workflow_rules (name, trigger, conditions, action, active, created_at, "
                          "updated_at) VALUES ('旧规则', 'daily', '[]', '[]', 1, '2025-01-01', '2025-01-01')"))
    old.dispose()
    new = open_database(path)
    try:
        with new.sessions() as s:
            assert set(builtin.builtin_ids(s)) == set(builtin.BUILTIN_KEYS)
            assert s.scalar(select(WorkflowRule.active).where(WorkflowRule.name == "旧规则"))
    finally:
        new.dispose()


def test_alerts_are_scoped_and_dismissing_is_audited(db, shop):
    owner = shop.actor(db, "owner")
    with db.sessions.begin() as s:
        s.add(CustomerAlert(customer_id=shop.a1, message="超额"))
    with db.sessions.begin() as s:
        found = alerts.open_alerts(s, owner)
        assert [(a.customer_id, a.message) for a in found] == [(shop.a1, "超额")]
        assert alerts.open_alerts(s, shop.actor(db, "s2")) == []
        assert len(alerts.open_alerts(s, shop.actor(db, "s1"), customer_id=shop.a1)) == 1
        alerts.dismiss_alert(s, shop.actor(db, "s1"), found[0].id)
        assert alerts.open_alerts(s, owner) == []
        assert s.scalar(select(AuditLog.action).where(AuditLog.entity == "customer_alerts")) == "dismiss"
