"""Attachment files kept in the database (``attachment_blobs``) for a server database.

Several PCs share a server database, so a file attached on one must open on every other: the
bytes go into the database in the same transaction as the attachment row (a backup — a portable
copy — carries them). To open one, the file is written once into this PC's cache folder
(``<data folder>/attachment-cache/<database>/<attachment id>/<name>``) and opened from there; a
cached copy of the wrong size is written again. A SQLite shop file keeps its folder beside it;
a blob found in one (a server backup opened as a file) is read the same way.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk import paths
from crmdesk.db.models import Attachment, AttachmentBlob
from crmdesk.i18n import _
from crmdesk.services.customer_errors import CustomerError

log = logging.getLogger(__name__)
CACHE_FOLDER = "attachment-cache"
# Files go through the driver in one piece; bigger ones belong in a linked shared folder.
MAX_BLOB_BYTES = 100 * 1024 * 1024


def uses_blobs(session: Session) -> bool:
    """New managed attachments go into the database (every engine but SQLite)."""
    return session.get_bind().dialect.name != "sqlite"


def cache_root(session: Session) -> Path:
    """This PC's cache of one database's attachment files (the URL without its password names it)."""
    url = session.get_bind().url.render_as_string(hide_password=True)
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    return paths.data_dir() / CACHE_FOLDER / key


def cached_path(session: Session, attachment: Attachment) -> Path:
    name = re.split(r"[\\/]", attachment.stored_path)[-1] or "file"
    return cache_root(session) / str(attachment.id) / name


def store(session: Session, attachment: Attachment, source: Path, size: int) -> None:
    """The file's bytes into the database, with the (flushed) attachment row."""
    if size > MAX_BLOB_BYTES:
        raise CustomerError(_("{name} is {size} MB; files stored on the shop server may be at most {limit} MB "
                              "(link a file on a shared folder instead)").format(
            name=source.name, size=size // (1024 * 1024), limit=MAX_BLOB_BYTES // (1024 * 1024)))
    session.add(AttachmentBlob(attachment_id=attachment.id, data=source.read_bytes()))
    session.flush()


def stored_sizes(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """Attachment id → size of its stored bytes, for those that have any."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(AttachmentBlob.attachment_id, func.length(AttachmentBlob.data))
                                .where(AttachmentBlob.attachment_id.in_(ids))).all())


def materialize(session: Session, attachments: list[Attachment]) -> dict[int, Path]:
    """The cached file of each attachment that has stored bytes, written where missing or stale;
    attachments without stored bytes are left out."""
    sizes = stored_sizes(session, [a.id for a in attachments])
    out: dict[int, Path] = {}
    stale: dict[int, Path] = {}
    for att in attachments:
        if att.id not in sizes:
            continue
        path = cached_path(session, att)
        out[att.id] = path
        try:
            if not path.is_file() or path.stat().st_size != sizes[att.id]:
                stale[att.id] = path
        except OSError:
            stale[att.id] = path
    if stale:
        rows = session.execute(select(AttachmentBlob.attachment_id, AttachmentBlob.data)
                               .where(AttachmentBlob.attachment_id.in_(list(stale))))
        for attachment_id, data in rows:
            _write(stale[attachment_id], bytes(data))
    return out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    part.replace(path)


def cached_copies(session: Session, attachment: Attachment) -> list[Path]:
    """The cached file to delete when the attachment is removed."""
    return [cached_path(session, attachment)]


def drop_cached(files: list[Path]) -> None:
    """Delete the files (and a folder they leave empty); a file that cannot go is logged, not raised:
    the transaction that dropped its record has already ended."""
    for path in files:
        try:
            path.unlink(missing_ok=True)
            if path.parent.is_dir() and not any(path.parent.iterdir()):
                path.parent.rmdir()
        except OSError as exc:
            log.warning("could not delete attachment file %s: %s", path, exc)
