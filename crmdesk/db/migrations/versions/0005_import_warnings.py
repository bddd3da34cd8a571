"""import history keeps warnings and the column mapping

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

- ``import_batches.warnings``: JSON list of the warnings of the import ({code, message, count,
  examples}): a file that landed with an empty column or without quantities says so later too.
- ``import_batches.mapping``: JSON list of [source column, field, confidence] ("" = ignored), so
  the history shows what went where, and why a held file was held.
Existing batches get "" (no warnings were recorded before).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): rejected rows hang on import_batches with ON DELETE CASCADE.
    op.add_column("import_batches", sa.Column("warnings", sa.Text(), nullable=False, server_default=""))
    op.add_column("import_batches", sa.Column("mapping", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("crmdesk migrations go forward only (restore a backup to go back)")
