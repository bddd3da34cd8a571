"""Customer attachments: files copied into a managed folder beside the database
(``<db folder>/attachments/<customer id>/<sanitised name>``) or linked by absolute path.
Copies are removed only after the removing transaction commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.db.models import Attachment
from crmdesk.services.actor import Actor


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    customer_id: int
    original_name: str
    path: Path  # where the file is (managed copy or linked file)
    is_link: bool
    exists: bool
    size_bytes: int
    description: str
    added_at: dt.datetime
    added_by_name: str


def sanitize_filename(name: str) -> str:
    """A safe single file name: no folders (``../``, absolute paths), no control or reserved
    characters, no Windows device names (CON, NUL, COM1 …), not empty, not too long."""
    raise NotImplementedError


def attachments_root(session: Session) -> Path:
    """The managed folder for the session's database: beside a database file, else under data_dir()."""
    raise NotImplementedError


def attachments_root_for_url(url: str) -> Path:
    """Same as ``attachments_root`` for a database URL (for backup, which has a Database not a session)."""
    raise NotImplementedError


def list_attachment_files(url: str) -> list[Path]:
    """Every file in the managed attachment folder of this database (for backup to include)."""
    raise NotImplementedError


def add_attachment(session: Session, actor: Actor, customer_id: int, source: Path | str, link: bool = False,
                   description: str = "") -> Attachment:
    """Copy ``source`` into the managed folder (name de-duplicated) or link it by absolute path."""
    raise NotImplementedError


def remove_attachment(session: Session, actor: Actor, attachment_id: int) -> None:
    """Delete the row; the managed copy is deleted when the transaction commits (a link's file is kept)."""
    raise NotImplementedError


def list_attachments(session: Session, customer_id: int) -> list[AttachmentInfo]:
    raise NotImplementedError


def attachment_path(session: Session, attachment: Attachment) -> Path:
    raise NotImplementedError
