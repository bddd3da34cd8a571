"""What every subcommand shares: the context (database, acting user) and errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.db import Database, open_database
from crmdesk.paths import default_db_path
from crmdesk.services.actor import Actor, actor_for_username

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_DATABASE = 3


class CliError(Exception):
    """A user-level failure: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CliContext:
    db_location: str | None
    username: str | None
    _db: Database | None = field(default=None, repr=False)

    def db_location_or_default(self) -> str:
        return self.db_location or str(default_db_path())

    def database(self) -> Database:
        if self._db is None:
            location = self.db_location_or_default()
            try:
                self._db = open_database(location)
            except Exception as exc:  # noqa: BLE001 - any driver error becomes one line
                reason = getattr(exc, "orig", None) or exc
                first_line = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
                raise CliError(f"cannot open database {location}: {first_line}", EXIT_NO_DATABASE) from exc
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[tuple[Session, Actor]]:
        """A session in one transaction, and the acting user."""
        with self.database().sessions.begin() as session:
            try:
                actor = actor_for_username(session, self.username)
            except LookupError as exc:
                raise CliError(str(exc), EXIT_USAGE) from exc
            yield session, actor

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise CliError(f"{text}: no such file", EXIT_USAGE)
    return path
