"""import undo: the before-values an import overwrote, so a batch can be undone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

- ``import_batch_changes``: one row per (batch, table, row, column) an import overwrote, with the
  value it had before (as text; NULL = it was NULL). Column ``*`` marks a row the batch created in a
  table without ``source_batch_id`` (customer types, salespeople).
- ``import_batches.changes_kept``: true for batches imported from this revision on; older batches
  kept no before-values and cannot be undone.
- ``contacts.source_batch_id``: the batch that created a contact (a customer file's 联系人), a plain
  integer as in 0006: SQLite can add a FOREIGN KEY only by rebuilding the table.

New table and plain ADD COLUMN only, never a table rebuild (see 0006 for why).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey(
            "import_batches.id", ondelete="CASCADE", name="fk_import_batch_changes_batch_id_import_batches"),
            nullable=False),
        sa.Column("table_name", sa.String(50), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(50), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_import_batch_changes"),
    )
    op.create_index("ix_import_batch_changes_batch", "import_batch_changes", ["batch_id"])
    op.create_index("ix_import_batch_changes_row", "import_batch_changes", ["table_name", "row_id"])
    op.add_column("import_batches", sa.Column("changes_kept", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column("contacts", sa.Column("source_batch_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
