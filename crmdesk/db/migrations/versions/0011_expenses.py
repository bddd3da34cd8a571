"""expenses and their items (profit after expenses)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

- ``expense_items`` (费用项目) with the allocation rule of their shared expenses (revenue, gross
  profit, orders, lines, or none = overhead), seeded with the usual items.
- ``expenses``: one line each; direct when it names a customer (or an order), else shared.
New tables only.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ITEMS = [  # name, allocation of the shared part
    ("运费", "orders"), ("返利", "revenue"), ("招待费", "gross_profit"), ("样品", "revenue"),
    ("房租", "revenue"), ("水电费", "revenue"), ("仓储费", "lines"), ("工资", "gross_profit"),
    ("其他", "none"),
]


def _fk(table: str, column: str, target: str, ondelete: str | None) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    items = op.create_table(
        "expense_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("allocation", sa.String(20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expense_items"),
        sa.UniqueConstraint("name", name="uq_expense_items_name"),
    )
    op.create_table(
        "expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expense_date", sa.Date(), nullable=False),
        sa.Column("doc_number", sa.String(50), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), _fk("expenses", "item_id", "expense_items", None), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("customer_id", sa.Integer(), _fk("expenses", "customer_id", "customers", "CASCADE"),
                  nullable=True),
        sa.Column("salesperson_id", sa.Integer(), _fk("expenses", "salesperson_id", "users", "SET NULL"),
                  nullable=True),
        sa.Column("order_id", sa.Integer(), _fk("expenses", "order_id", "sales_orders", "SET NULL"), nullable=True),
        sa.Column("product_id", sa.Integer(), _fk("expenses", "product_id", "products", "SET NULL"), nullable=True),
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("source_batch_id", sa.Integer(), _fk("expenses", "source_batch_id", "import_batches", "SET NULL"),
                  nullable=True),
        sa.Column("created_by_id", sa.Integer(), _fk("expenses", "created_by_id", "users", "SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expenses"),
    )
    op.create_index("ix_expenses_doc_line", "expenses", ["doc_number", "line_no"])
    op.create_index("ix_expenses_date", "expenses", ["expense_date"])
    op.create_index("ix_expenses_customer_id", "expenses", ["customer_id"])
    op.create_index("ix_expenses_item_id", "expenses", ["item_id"])
    op.bulk_insert(items, [dict(name=n, allocation=a, sort_order=i) for i, (n, a) in enumerate(ITEMS, 1)])


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
