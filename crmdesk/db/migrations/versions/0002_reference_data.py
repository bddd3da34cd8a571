"""reference data: customer types with their custom fields, pipeline stages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Data, not UI text: the shop's own names for its customer types.
CUSTOMER_TYPES = [
    (1, "retail", "零售客户", 1),
    (2, "direct", "直销客户", 2),
    (3, "dealer", "经销商", 3),
]
CUSTOM_FIELDS = [
    (1, "member_no", "会员卡号", "text", False, "", 1),
    (1, "preferred_store", "常去门店", "choice", False, "总店\n分店", 2),
    (2, "industry", "行业", "choice", True, "学校\n政府机关\n企业\n医院\n银行", 1),
    (2, "annual_budget", "年度办公用品预算", "money", False, "", 2),
    (2, "invoice_title", "发票抬头", "text", False, "", 3),
    (2, "contract_until", "协议到期日", "date", False, "", 4),
    (3, "region", "经销区域", "text", True, "", 1),
    (3, "deposit", "保证金", "money", False, "", 2),
    (3, "exclusive", "独家经销", "bool", False, "", 3),
    (3, "signed_on", "签约日期", "date", False, "", 4),
    (3, "store_count", "门店数", "number", False, "", 5),
]
STAGES = [
    ("线索", 1, 10.0, False, False),
    ("需求确认", 2, 25.0, False, False),
    ("报价", 3, 50.0, False, False),
    ("谈判", 4, 75.0, False, False),
    ("成交", 5, 100.0, True, False),
    ("失败", 6, 0.0, False, True),
]

customer_types = sa.table(
    "customer_types", sa.column("id", sa.Integer), sa.column("code", sa.String),
    sa.column("name", sa.String), sa.column("sort_order", sa.Integer),
)
custom_field_defs = sa.table(
    "custom_field_defs", sa.column("customer_type_id", sa.Integer), sa.column("key", sa.String),
    sa.column("label", sa.String), sa.column("field_type", sa.String), sa.column("required", sa.Boolean),
    sa.column("choices", sa.Text), sa.column("sort_order", sa.Integer),
)
stages = sa.table(
    "opportunity_stages", sa.column("name", sa.String), sa.column("sort_order", sa.Integer),
    sa.column("probability", sa.Float), sa.column("is_won", sa.Boolean), sa.column("is_lost", sa.Boolean),
)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM customer_types")).scalar():
        return  # a database that already has its own types keeps them
    op.bulk_insert(customer_types, [dict(id=i, code=c, name=n, sort_order=s) for i, c, n, s in CUSTOMER_TYPES])
    op.bulk_insert(custom_field_defs, [
        dict(customer_type_id=t, key=k, label=lbl, field_type=ft, required=r, choices=ch, sort_order=s)
        for t, k, lbl, ft, r, ch, s in CUSTOM_FIELDS
    ])
    op.bulk_insert(stages, [
        dict(name=n, sort_order=s, probability=p, is_won=w, is_lost=lo) for n, s, p, w, lo in STAGES
    ])


def downgrade() -> None:
    op.execute("DELETE FROM custom_field_defs")
    op.execute("DELETE FROM customer_types")
    op.execute("DELETE FROM opportunity_stages")
