"""pipeline board, service desk and process rules

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

- Pipeline: ``opportunity_stages.stale_days``; ``opportunities.contact_id``, ``next_step``,
  ``stage_changed_at`` (existing rows: when they were last updated); ``opportunity_stage_changes``
  (stage history; every existing opportunity gets one row for the stage it is in);
  ``opportunity_items`` (products of interest); ``lost_reasons`` (seeded with the usual ones).
- Service: ``service_cases.product_id``, ``due_at``, ``resolved_at``; ``case_types`` with SLA
  hours per priority (seeded: delivery, repair, return, complaint, consult, other);
  ``case_notes`` (each case's timeline).
- Rules: ``workflow_rules.description``, ``created_by_id``, ``builtin_key``, ``last_run_at``;
  ``rule_firings``; ``customer_alerts``; ``tasks.reason``.

Columns are added with plain ADD COLUMN (references to other tables as plain integers), never
by rebuilding a table: ``tasks``,
``interactions`` and the new tables point at these tables with ON DELETE rules.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CASE_TYPES = [  # code, name, sort, SLA hours high / normal / low
    ("delivery", "送货", 1, 8, 24, 72),
    ("repair", "维修", 2, 24, 72, 168),
    ("return", "退换货", 3, 24, 72, 168),
    ("complaint", "投诉", 4, 4, 24, 72),
    ("consult", "咨询", 5, 8, 24, 72),
    ("other", "其他", 6, 24, 72, 168),
]
LOST_REASONS = ["价格偏高", "选择了其他供应商", "预算取消", "交期不满足", "需求变化", "联系不上"]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}")


def _add_ref_column(table: str, column: str) -> None:
    # A plain integer, no FOREIGN KEY: SQLite can add one only by rebuilding the table, and a
    # rebuild fires the ON DELETE rules of the tables pointing at it. The services clear these
    # references when what they point at goes (and read them with outer joins).
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))


def upgrade() -> None:
    op.add_column("opportunity_stages", sa.Column("stale_days", sa.Integer(), nullable=False, server_default="30"))
    _add_ref_column("opportunities", "contact_id")
    op.add_column("opportunities", sa.Column("next_step", sa.String(200), nullable=False, server_default=""))
    op.add_column("opportunities", sa.Column("stage_changed_at", sa.DateTime(), nullable=True))
    _add_ref_column("service_cases", "product_id")
    op.add_column("service_cases", sa.Column("due_at", sa.DateTime(), nullable=True))
    op.add_column("service_cases", sa.Column("resolved_at", sa.DateTime(), nullable=True))
    op.add_column("workflow_rules", sa.Column("description", sa.Text(), nullable=False, server_default=""))
    _add_ref_column("workflow_rules", "created_by_id")
    op.add_column("workflow_rules", sa.Column("builtin_key", sa.String(50), nullable=False, server_default=""))
    op.add_column("workflow_rules", sa.Column("last_run_at", sa.DateTime(), nullable=True))
    op.add_column("tasks", sa.Column("reason", sa.Text(), nullable=False, server_default=""))

    op.create_table(
        "opportunity_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), _fk("opportunity_stage_changes", "opportunity_id",
                                                      "opportunities", "CASCADE"), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), _fk("opportunity_stage_changes", "from_stage_id",
                                                     "opportunity_stages", "SET NULL"), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), _fk("opportunity_stage_changes", "to_stage_id",
                                                   "opportunity_stages", "SET NULL"), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), _fk("opportunity_stage_changes", "user_id", "users", "SET NULL"),
                  nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_opportunity_stage_changes"),
    )
    op.create_index("ix_opportunity_stage_changes_opportunity", "opportunity_stage_changes",
                    ["opportunity_id", "changed_at"])
    op.create_table(
        "opportunity_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), _fk("opportunity_items", "opportunity_id", "opportunities",
                                                      "CASCADE"), nullable=False),
        sa.Column("product_id", sa.Integer(), _fk("opportunity_items", "product_id", "products", "SET NULL"),
                  nullable=True),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("amount", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_opportunity_items"),
    )
    op.create_index("ix_opportunity_items_opportunity_id", "opportunity_items", ["opportunity_id"])
    lost = op.create_table(
        "lost_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lost_reasons"),
        sa.UniqueConstraint("name", name="uq_lost_reasons_name"),
    )
    types = op.create_table(
        "case_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("sla_hours_high", sa.Integer(), nullable=False),
        sa.Column("sla_hours_normal", sa.Integer(), nullable=False),
        sa.Column("sla_hours_low", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_types"),
        sa.UniqueConstraint("code", name="uq_case_types_code"),
        sa.UniqueConstraint("name", name="uq_case_types_name"),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), _fk("case_notes", "case_id", "service_cases", "CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), _fk("case_notes", "user_id", "users", "SET NULL"), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
    )
    op.create_index("ix_case_notes_case_time", "case_notes", ["case_id", "at"])
    op.create_table(
        "rule_firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), _fk("rule_firings", "rule_id", "workflow_rules", "CASCADE"),
                  nullable=False),
        sa.Column("customer_id", sa.Integer(), _fk("rule_firings", "customer_id", "customers", "CASCADE"),
                  nullable=False),
        sa.Column("reason_key", sa.String(100), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("trigger", sa.String(50), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("actions_done", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), _fk("rule_firings", "user_id", "users", "SET NULL"), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rule_firings"),
    )
    op.create_index("ix_rule_firings_rule_customer", "rule_firings", ["rule_id", "customer_id", "cleared_at"])
    op.create_index("ix_rule_firings_customer_id", "rule_firings", ["customer_id"])
    op.create_table(
        "customer_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), _fk("customer_alerts", "customer_id", "customers", "CASCADE"),
                  nullable=False),
        sa.Column("rule_id", sa.Integer(), _fk("customer_alerts", "rule_id", "workflow_rules", "SET NULL"),
                  nullable=True),
        sa.Column("firing_id", sa.Integer(), _fk("customer_alerts", "firing_id", "rule_firings", "SET NULL"),
                  nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), _fk("customer_alerts", "dismissed_by_id", "users", "SET NULL"),
                  nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customer_alerts"),
    )
    op.create_index("ix_customer_alerts_customer_open", "customer_alerts", ["customer_id", "dismissed_at"])

    op.bulk_insert(lost, [dict(name=n, sort_order=i) for i, n in enumerate(LOST_REASONS, 1)])
    op.bulk_insert(types, [dict(code=c, name=n, sort_order=s, sla_hours_high=h, sla_hours_normal=m,
                                sla_hours_low=lo, active=True) for c, n, s, h, m, lo in CASE_TYPES])
    # Existing opportunities: in their stage since their last update, with that one history row.
    op.execute("UPDATE opportunities SET stage_changed_at = updated_at WHERE stage_changed_at IS NULL")
    op.execute("INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, changed_at, "
               "user_id, note) SELECT id, NULL, stage_id, stage_changed_at, owner_id, '' FROM opportunities")
    op.execute("UPDATE service_cases SET resolved_at = closed_at WHERE status IN ('resolved', 'closed')")


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
