"""branches of a small chain on orders, receipts and stock

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

- ``branches`` (code, name, active, sort_order): the stores of a small chain.
- ``branch_id`` on ``sales_orders``, ``receipts``, ``stock_snapshots`` and ``import_batches``
  (the sync source: which branch a file came from). Existing rows keep NULL = "no branch": a shop
  with one branch never needs one, and its figures do not change.
- The unique key of ``stock_snapshots`` (product, warehouse, date) takes ``branch_id`` too.

Columns are added with plain ADD COLUMN as plain integers (no FOREIGN KEY), like 0006: SQLite adds
a foreign key only by rebuilding the table, and a rebuild of ``sales_orders`` would fire the
ON DELETE rules of the lines pointing at it. The services never delete a branch that is used.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("sales_orders", "receipts", "stock_snapshots", "import_batches")


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_branches"),
        sa.UniqueConstraint("code", name="uq_branches_code"),
    )
    for table in TABLES:
        op.add_column(table, sa.Column("branch_id", sa.Integer(), nullable=True))
    op.create_index("ix_sales_orders_branch_id", "sales_orders", ["branch_id"])
    # Two branches count the same product in a store of the same name on the same day: the
    # snapshot's key takes the branch. Nothing points at stock_snapshots and it has no trigger,
    # so SQLite's table rebuild is safe here (rows are copied as they are).
    # A NULL branch (a one-shop database) must still collide with itself — NULLs are distinct in a
    # unique constraint — hence a unique index over coalesce(branch_id, 0).
    with op.batch_alter_table("stock_snapshots") as batch:
        batch.drop_constraint("uq_stock_snapshots_product_id", type_="unique")
    op.create_index("uq_stock_snapshots_key", "stock_snapshots",
                    ["product_id", "warehouse", "snapshot_date", sa.text("coalesce(branch_id, 0)")], unique=True)


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
