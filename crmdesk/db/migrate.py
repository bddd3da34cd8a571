"""Bring a database to the current schema: fresh ones are created, older ones
are upgraded in place after a backup copy."""

from __future__ import annotations

import logging
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crmdesk.db.backup import backup_before_upgrade
from crmdesk.db.engine import Database, connect

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer crmdesk than this one."""


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# The newest migration's id. Every command opens the database, and asking Alembic for the head
# means importing it and reading every migration file (~0.1 s); a test keeps this equal to
# Alembic's answer, and Alembic is still asked whenever a database is not at this revision.
SCHEMA_HEAD = "0015"


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(db: Database) -> str | None:
    """The revision recorded in the database, read with plain SQL (no Alembic import)."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None  # no version table: a new database
    return rows[0][0] if len(rows) == 1 else None


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises ResolutionError/CommandError for unknown ids
        return False


def open_database(db_location: str | Path, echo: bool = False) -> Database:
    """Connect and make the schema current. Returns the open database."""
    db = connect(db_location, echo=echo)
    if _stored_revision(db) == SCHEMA_HEAD:
        return db
    from alembic.script import ScriptDirectory

    current = current_revision(db)
    head = head_revision()
    if current == head:
        return db
    script = ScriptDirectory.from_config(alembic_config(db.url))
    if current is not None and not _known(script, current):
        db.dispose()
        raise SchemaTooNewError(
            f"{db.describe()} was written by a newer crmdesk (schema {current}); update crmdesk to open it"
        )
    if current is not None:
        backup = backup_before_upgrade(db, current)
        if backup:
            log.info("backed up %s to %s before upgrading from %s", db.describe(), backup, current)
    upgrade(db)
    return db
