"""Where a session's data lives on disk, for code that keeps files beside it (caches,
attachments) without knowing which database it talks to."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.db.engine import sqlite_path

__all__ = ["database_file"]


def database_file(session: Session) -> Path | None:
    """The file behind the session's database (like ``Database.file_path``); None for a
    server or an in-memory database, which have no file to keep things beside."""
    return sqlite_path(session.get_bind().url.render_as_string(hide_password=False))
