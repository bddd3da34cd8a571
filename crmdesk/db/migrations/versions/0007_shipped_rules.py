"""the five shipped process rules (off)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Every database gets the rules crmdesk ships, switched off, marked by ``builtin_key`` (fresh files
run every migration, so they get them here too). The rules are data in the form
``crmdesk.rules.store`` validates: written out here, not imported, so that this migration
stays what it was when later code changes. Shop-wide (no author).
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _task(assignee: str, title: str, due_days: int, priority: int = 2) -> dict:
    return {"kind": "task", "assignee": assignee, "user_id": None, "title": title, "due_days": due_days,
            "priority": priority}


RULES = [  # builtin_key, name, trigger, conditions, actions, description
    ("dealer_silent", "经销商久未进货", "daily",
     [{"measure": "customer_type", "op": "=", "value": "dealer"},
      {"measure": "silence_ratio", "op": ">=", "value": 2}],
     [_task("owner", "回访经销商 {customer}：已 {days_since_purchase} 天未进货（平时约 {usual_interval_days} 天一次）", 3)],
     "经销商距上次进货的天数超过其平时进货间隔的 2 倍时，给负责业务员建回访任务。"),
    ("key_customer_decline", "A级客户销售额同比下滑", "daily",
     [{"measure": "grade", "op": "=", "value": "A"},
      {"measure": "spend_change_pct", "op": "<=", "value": -30}],
     [_task("owner", "拜访重点客户 {customer}：近12个月销售额同比 {spend_change_pct}%", 7),
      {"kind": "alert", "message": "重点客户近12个月销售额同比下降 {spend_change_pct}%"}],
     "A 级客户近 12 个月销售额比前 12 个月下降 30% 以上时，给负责业务员建任务并在客户上显示提醒。"),
    ("over_credit_open_order", "超信用额度且有未发完订单", "import",
     [{"measure": "credit_use_pct", "op": ">", "value": 100},
      {"measure": "open_orders", "op": ">=", "value": 1}],
     [{"kind": "alert", "message": "已超信用额度（占用 {credit_use_pct}%），仍有 {open_orders} 张未发完订单"},
      _task("shop_owner", "{customer} 超信用额度（{credit_use_pct}%）且有未发完订单，请确认是否发货", 1, 1)],
     "应收余额超过信用额度且还有未发完的订单时，提醒并给老板建任务。"),
    ("unhappy_case", "服务不满意回访", "case_closed",
     [{"measure": "last_satisfaction", "op": "<=", "value": 2}],
     [_task("shop_owner", "老板回访 {customer}：售后服务满意度 {last_satisfaction} 分", 1, 1)],
     "售后单关闭时满意度不高于 2 分，给老板建回访任务（每个新的不满意售后单都会再触发）。"),
    ("new_customer_second_purchase", "新客户二次进货跟进", "daily",
     [{"measure": "days_since_first_purchase", "op": ">", "value": 60},
      {"measure": "days_since_first_purchase", "op": "<=", "value": 90},
      {"measure": "orders_total", "op": "=", "value": 1}],
     [_task("owner", "跟进新客户 {customer}：首单后 {days_since_first_purchase} 天还没有第二单", 3)],
     "新客户首单后 60 天仍没有第二单时，给负责业务员建跟进任务。"),
]


def upgrade() -> None:
    rules = sa.table("workflow_rules", sa.column("name", sa.String), sa.column("trigger", sa.String),
                     sa.column("conditions", sa.Text), sa.column("action", sa.Text),
                     sa.column("active", sa.Boolean), sa.column("description", sa.Text),
                     sa.column("created_by_id", sa.Integer), sa.column("builtin_key", sa.String))
    conn = op.get_bind()
    have = {k for (k,) in conn.execute(sa.text("SELECT builtin_key FROM workflow_rules WHERE builtin_key != ''"))}
    op.bulk_insert(rules, [dict(name=name, trigger=trigger, conditions=json.dumps(conds, ensure_ascii=False),
                                action=json.dumps(acts, ensure_ascii=False), active=False, description=desc,
                                created_by_id=None, builtin_key=key)
                           for key, name, trigger, conds, acts, desc in RULES if key not in have])


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
