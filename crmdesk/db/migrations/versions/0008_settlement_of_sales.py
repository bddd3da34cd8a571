"""settlement of sales: which sales were paid at the counter

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

- ``sales_orders.settlement``: ``credit`` (the sale is owed until receipts pay it), ``at_sale``
  (paid on the spot, decided by the customer's settlement rule when it was imported) or
  ``file`` (the import said every sale of the file was paid at sale). Existing orders stay
  ``credit``: the balances they make today do not change silently on an upgrade; Settings →
  Settlement applies the rules to them when the shop asks.
- ``customers.settlement`` and ``customer_types.settlement``: ``""`` (follow the next rule),
  ``credit`` or ``at_sale``.

Plain ADD COLUMN (see 0006 for why a table is never rebuilt here).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sales_orders", sa.Column("settlement", sa.String(10), nullable=False, server_default="credit"))
    op.add_column("customers", sa.Column("settlement", sa.String(10), nullable=False, server_default=""))
    op.add_column("customer_types", sa.Column("settlement", sa.String(10), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
