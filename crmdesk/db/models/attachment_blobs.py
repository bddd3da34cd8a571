"""Attachment files kept inside a server database, so that every PC sees them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base


class AttachmentBlob(Base):
    """The bytes of one managed attachment on a server database (migration 0014). A SQLite shop
    file keeps its files in the folder beside it; a blob found there (a server backup opened as a
    file) is still read."""

    __tablename__ = "attachment_blobs"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
