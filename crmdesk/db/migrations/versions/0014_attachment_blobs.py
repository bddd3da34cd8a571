"""attachments stored in the database for server databases

A server database (PostgreSQL) is shared by several PCs, so its managed attachment files live in
``attachment_blobs`` (one row per attachment, the file's bytes) instead of one PC's data folder.
Upgrading a server database moves the files this PC holds for it into the table; a SQLite file
gets the (empty) table and keeps its folder.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment_blobs",
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], ondelete="CASCADE",
                                name="fk_attachment_blobs_attachment_id_attachments"),
        sa.PrimaryKeyConstraint("attachment_id", name="pk_attachment_blobs"),
    )
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        _load_local_files(bind)


def _load_local_files(bind) -> None:
    """The files this PC kept for the server database (the old per-PC folder) go into the table;
    attachments whose file is on another PC stay listed as missing until added again there."""
    from crmdesk import paths

    root = paths.data_dir() / "attachments"
    if not root.is_dir():
        return
    rows = bind.execute(sa.text("SELECT id, stored_path FROM attachments WHERE is_link = :no"),
                        {"no": False}).all()
    blobs = sa.table("attachment_blobs", sa.column("attachment_id", sa.Integer),
                     sa.column("data", sa.LargeBinary))
    for attachment_id, stored in rows:
        path = root / stored
        if stored and ".." not in Path(stored).parts and path.is_file():
            bind.execute(blobs.insert().values(attachment_id=attachment_id, data=path.read_bytes()))


def downgrade() -> None:
    op.drop_table("attachment_blobs")
