"""Attachments, import batches and their rejected rows, the audit log,
settings and saved filters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, utcnow


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    # Relative to the managed attachment folder beside the database, or an absolute path when linked.
    stored_path: Mapped[str] = mapped_column(String(1000))
    is_link: Mapped[bool] = mapped_column(Boolean, default=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ImportBatch(Base):
    """One file's import: what it was, how it went, counts."""

    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_hash", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_path: Mapped[str] = mapped_column(String(1000), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    file_mtime: Mapped[float | None] = mapped_column()
    kind: Mapped[str] = mapped_column(String(30))
    profile: Mapped[str] = mapped_column(String(100), default="")
    encoding: Mapped[str] = mapped_column(String(30), default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, done, failed, skipped, held
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # JSON: [{code, message, count, examples}] and [[header, field, confidence]] (field "" = ignored)
    warnings: Mapped[str] = mapped_column(Text, default="", server_default="")
    mapping: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Before-values kept (migration 0009): only such batches can be undone.
    changes_kept: Mapped[bool] = mapped_column(Boolean, default=True, server_default="0")
    # The branch the file came from (the sync source): its rows carry it (branches.id; None = none).
    branch_id: Mapped[int | None] = mapped_column(Integer)


class ImportBatchChange(Base):
    """A value an import overwrote (``old_value`` as text, NULL = it was NULL), so the batch can
    be undone; ``column`` "*" marks a row it created where the table has no ``source_batch_id``."""

    __tablename__ = "import_batch_changes"
    __table_args__ = (Index("ix_import_batch_changes_batch", "batch_id"),
                      Index("ix_import_batch_changes_row", "table_name", "row_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)


class ImportRejectedRow(Base):
    __tablename__ = "import_rejected_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # 1-based line/row in the file as the user sees it
    column: Mapped[str] = mapped_column(String(100), default="")
    value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text, default="")  # the whole row as JSON


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entity: Mapped[str] = mapped_column(String(50))  # table name
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, merge, archive, import
    field: Mapped[str] = mapped_column(String(100), default="")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")


class Setting(Base):
    """Shop-wide settings shared by the GUI and the headless CLI (inbox folder, sync interval …).
    Per-PC window state lives in QSettings instead."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class SavedFilter(Base):
    __tablename__ = "saved_filters"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(50))  # customers, analysis …
    name: Mapped[str] = mapped_column(String(100))
    definition: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class ChangeFeed(Base):
    """The committed change counter: one row (id 1), bumped by every writing transaction as it
    commits (``crmdesk.db.change_feed``)."""

    __tablename__ = "change_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[int] = mapped_column(BigInteger, default=0)
    tag: Mapped[str] = mapped_column(String(20), default="")  # random per bump: another history
    epoch: Mapped[str] = mapped_column(String(20), default="")  # random per database


class ChangeLog(Base):
    """One row per bump of ``change_feed``: what that transaction wrote (pruned to the newest)."""

    __tablename__ = "change_log"

    serial: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(String(20), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    tables: Mapped[str] = mapped_column(String(1000), default="")
    lines: Mapped[str] = mapped_column(String(10), default="")  # "", added, rewritten
    lines_after: Mapped[int | None] = mapped_column(BigInteger)
    orders_updated: Mapped[bool] = mapped_column(Boolean, default=False)
