"""row versions for optimistic saves and the committed change feed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

- ``version`` (integer, 1 on every existing row) on the tables users edit in a form with an
  optimistic check: customers, contacts, opportunities. A save claims the row with
  ``UPDATE … SET version = version + 1 WHERE id = ? AND version = ?`` (``crmdesk.db.row_version``).
- ``change_feed`` (one row: serial, tag, epoch) and ``change_log`` (one row per committed writing
  transaction): see ``crmdesk.db.change_feed``. The feed starts at serial 0 with a fresh epoch.
Columns with a server default and new tables only: existing rows keep their data.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

VERSIONED = ("customers", "contacts", "opportunities")


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    feed = op.create_table(
        "change_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("tag", sa.String(20), nullable=False, server_default=""),
        sa.Column("epoch", sa.String(20), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_change_feed"),
    )
    op.create_table(
        "change_log",
        sa.Column("serial", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tag", sa.String(20), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("tables", sa.String(1000), nullable=False, server_default=""),
        sa.Column("lines", sa.String(10), nullable=False, server_default=""),
        sa.Column("lines_after", sa.BigInteger(), nullable=True),
        sa.Column("orders_updated", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("serial", name="pk_change_log"),
    )
    op.bulk_insert(feed, [{"id": 1, "serial": 0, "tag": "", "epoch": secrets.token_hex(8)}])


def downgrade() -> None:
    op.drop_table("change_log")
    op.drop_table("change_feed")
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
