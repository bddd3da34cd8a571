"""Customer attachments: files copied into a managed folder beside the database
(``<db folder>/attachments/<customer id>/<sanitised name>``) or linked by absolute path.
Copies are removed only after the removing transaction commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crmdesk import paths
from crmdesk.db.engine import sqlite_path
from crmdesk.db.models import Attachment, User
from crmdesk.i18n import _
from crmdesk.services import attachment_store, audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError, NotFound
from crmdesk.services.permissions import require_customer

log = logging.getLogger(__name__)
FOLDER_NAME = "attachments"
MAX_NAME = 120
# Windows device names, whatever the extension ("nul.tar.gz" too). Windows also takes the superscripts
# ¹²³ for digits (COM¹ is a port); names are compared after NFKC, which maps them (and full-width
# letters) to plain ones.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


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
    name = unicodedata.normalize("NFC", name or "")
    # Only the last part of any path: "../../x", "C:\\x", "/etc/x" all become "x".
    name = re.split(r"[\\/]", name)[-1]
    name = _BAD_CHARS.sub("_", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = name.strip().lstrip(".").rstrip(" .")  # Windows drops trailing dots and spaces; leading dots hide files
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if _is_reserved(stem or ext):
        stem = "_" + stem
    if not stem:
        stem = "file"
    ext = ext[:20]
    stem = stem[: MAX_NAME - len(ext) - 1].rstrip(" .") or "file"
    return f"{stem}.{ext}" if ext else stem


def _is_reserved(stem: str) -> bool:
    """Windows reads the part before the first dot, trailing spaces dropped, as a device name."""
    first = unicodedata.normalize("NFKC", stem).split(".")[0].rstrip(" ").lower()
    return first in _WINDOWS_RESERVED


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path`` resolves (links and ``..`` followed) to a place inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def attachments_root_for_url(url: str) -> Path:
    db_file = sqlite_path(url)
    if db_file is not None:
        return db_file.parent / FOLDER_NAME
    # A server or in-memory database: the managed folder lives in this PC's data folder.
    return paths.data_dir() / FOLDER_NAME


def attachments_root(session: Session) -> Path:
    return attachments_root_for_url(session.get_bind().url.render_as_string(hide_password=False))


def list_attachment_files(url: str) -> list[Path]:
    root = attachments_root_for_url(url)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def copy_attachment_folder(url: str, dest: Path | str) -> int:
    """Copy this database's managed attachment folder into ``dest`` (for a backup beside the
    database copy, or back from one when restoring); returns how many files were copied."""
    root = attachments_root_for_url(url)
    files = list_attachment_files(url)
    dest = Path(dest)
    for path in files:
        target = dest / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return len(files)


def _pending(session: Session, key: str) -> list[Path]:
    """Files to delete once the transaction ends (after commit, or after rollback for new copies)."""
    store = session.info.setdefault(key, [])
    if not session.info.get("_attachments_hooked"):
        session.info["_attachments_hooked"] = True
        event.listen(session, "after_commit", _after_commit)
        # Fires after a rollback and after a close without commit alike (after_commit ran first on commit).
        event.listen(session, "after_transaction_end", _after_transaction_end)
    return store


def _unlink_all(files: list[Path]) -> None:
    attachment_store.drop_cached(files)
    files.clear()


def _after_commit(session: Session) -> None:
    _unlink_all(session.info.get("attachments_delete", []))
    session.info.get("attachments_new", []).clear()


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    _unlink_all(session.info.get("attachments_new", []))
    session.info.get("attachments_delete", []).clear()


def delete_files_after_commit(session: Session, files: list[Path]) -> None:
    """Only files inside the managed folder are ever deleted: a stored path such as ``../x`` (a
    damaged or forged row) must not remove a file elsewhere; it is logged and left alone."""
    root = attachments_root(session)
    safe = []
    for path in files:
        if _inside(root, path) and path.resolve() != root.resolve():
            safe.append(path.resolve())
        else:
            log.warning("not deleting %s: outside the attachments folder %s", path, root)
    _pending(session, "attachments_delete").extend(safe)


def managed_files_of_customer(session: Session, customer_id: int) -> list[Path]:
    root = attachments_root(session)
    stored = session.scalars(select(Attachment.stored_path).where(Attachment.customer_id == customer_id,
                                                                  Attachment.is_link.is_(False)))
    return [root / p for p in stored]


def _unique_name(folder: Path, name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.lower() in taken or (folder / candidate).exists():
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    return candidate


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def add_attachment(session: Session, actor: Actor, customer_id: int, source: Path | str, link: bool = False,
                   description: str = "") -> Attachment:
    # Imported here: backups import this module before the login window, customers brings pandas.
    from crmdesk.services.customers import get_customer

    get_customer(session, customer_id)
    require_customer(session, actor, customer_id, "customers.attachments")
    src = Path(source).expanduser()
    if not src.is_file():
        raise CustomerError(_("File not found: {path}").format(path=src))
    size = src.stat().st_size
    digest = _sha256(src)
    if link:
        stored = str(src.resolve())
    else:
        root = attachments_root(session)
        folder = root / str(customer_id)
        in_database = attachment_store.uses_blobs(session)  # a server database: every PC must see it
        if not in_database:
            folder.mkdir(parents=True, exist_ok=True)
        taken = {Path(p).name.lower() for p in session.scalars(
            select(Attachment.stored_path).where(Attachment.customer_id == customer_id,
                                                 Attachment.is_link.is_(False)))}
        name = _unique_name(folder, sanitize_filename(src.name), taken)
        target = folder / name
        if target.resolve().parent != folder.resolve():
            raise CustomerError(_("Unsafe attachment name: {name}").format(name=src.name))
        if not in_database:
            shutil.copy2(src, target)
            _pending(session, "attachments_new").append(target)
        stored = f"{customer_id}/{name}"
    att = Attachment(customer_id=customer_id, original_name=src.name, stored_path=stored, is_link=link,
                     size_bytes=size, sha256=digest, description=description, added_by_id=actor.user_id)
    session.add(att)
    session.flush()
    if not link and in_database:
        attachment_store.store(session, att, src, size)
    audit.record(session, actor, "customers", customer_id, "update", "attachment", None, src.name)
    return att


def _get(session: Session, actor: Actor, attachment_id: int, action: str) -> Attachment:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_("Attachment {id} does not exist (any more)").format(id=attachment_id))
    require_customer(session, actor, att.customer_id, action)
    return att


def remove_attachment(session: Session, actor: Actor, attachment_id: int) -> None:
    att = _get(session, actor, attachment_id, "customers.attachments")
    if not att.is_link:
        # The stored bytes (server) go with the row (ON DELETE CASCADE); a cached copy is rebuilt if needed.
        attachment_store.drop_cached(attachment_store.cached_copies(session, att))
        local = attachments_root(session) / att.stored_path
        if not attachment_store.uses_blobs(session) or local.is_file():
            delete_files_after_commit(session, [local])
    audit.record(session, actor, "customers", att.customer_id, "update", "attachment", att.original_name, None)
    session.delete(att)
    session.flush()


def attachment_path(session: Session, attachment: Attachment) -> Path:
    if attachment.is_link:
        return Path(attachment.stored_path)
    local = attachments_root(session) / attachment.stored_path
    if attachment_store.uses_blobs(session) or not local.is_file():
        cached = attachment_store.materialize(session, [attachment]).get(attachment.id)
        if cached is not None:
            return cached
    return local


def open_attachment(session: Session, actor: Actor, attachment_id: int) -> Path:
    """Where the file to open is, for an actor who may see its customer."""
    att = _get(session, actor, attachment_id, "customers.view")
    path = attachment_path(session, att)
    if not att.is_link and not (_inside(attachments_root(session), path)
                                or _inside(attachment_store.cache_root(session), path)):
        raise CustomerError(_("Attachment {name} points outside the attachments folder").format(
            name=att.original_name))
    return path


def list_attachments(session: Session, actor: Actor, customer_id: int) -> list[AttachmentInfo]:
    require_customer(session, actor, customer_id)
    rows = session.execute(select(Attachment, User.display_name).outerjoin(User, User.id == Attachment.added_by_id)
                           .where(Attachment.customer_id == customer_id)
                           .order_by(Attachment.added_at.desc(), Attachment.id.desc())).all()
    out = []
    for att, user_name in rows:
        path = attachment_path(session, att)
        out.append(AttachmentInfo(id=att.id, customer_id=att.customer_id, original_name=att.original_name, path=path,
                                  is_link=att.is_link, exists=path.is_file(), size_bytes=att.size_bytes,
                                  description=att.description, added_at=att.added_at,
                                  added_by_name=user_name or ""))
    return out
