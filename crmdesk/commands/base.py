"""What every subcommand shares: the context (database, acting user) and errors.

Who runs a command (``CliContext.login``), decided once before any work:
- ``--user NAME``: NAME's password from ``CRMDESK_PASSWORD``, else a hidden prompt when stdin is
  a terminal, else refused; a wrong password or a locked account is refused (exit 2).
- no ``--user`` on a database nobody can log in to yet (a fresh file): the built-in ``system``
  actor, so that ``demo`` and the first ``user add`` work;
- no ``--user`` for ``sync`` and ``backup`` (``unattended``): the scheduler identity, which may
  import and back up and nothing else — the Task Scheduler runs them without a password;
- otherwise no ``--user`` is refused with one line (exit 2).
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.db import Database, open_database
from crmdesk.i18n import _
from crmdesk.paths import default_db_path
from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_DATABASE = 3

PASSWORD_ENV = "CRMDESK_PASSWORD"  # the --user's password
NEW_PASSWORD_ENV = "CRMDESK_NEW_PASSWORD"  # a password being set (user add, user passwd)


class CliError(Exception):
    """A user-level failure: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def ask_password(prompt: str) -> str | None:
    """A hidden prompt when stdin is a terminal; None when there is none to ask (a script, a pipe)."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return None


@dataclass
class CliContext:
    db_location: str | None
    username: str | None
    unattended: bool = False  # sync/backup: may run as the scheduler identity without --user
    _db: Database | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)
    _password: str | None = field(default=None, repr=False)

    def db_location_or_default(self) -> str:
        """``--db``, else the shop server saved on this PC (Connect to a shop server), else the
        file in the user data folder."""
        if self.db_location:
            return self.db_location
        from crmdesk.db.server_profile import saved_server_url

        return saved_server_url() or str(default_db_path())

    def database(self) -> Database:
        if self._db is None:
            location = self.db_location_or_default()
            try:
                self._db = open_database(location)
            except Exception as exc:  # noqa: BLE001 - any driver error becomes one line
                reason = getattr(exc, "orig", None) or exc
                first_line = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
                raise CliError(_("cannot open database {location}: {reason}").format(
                    location=location, reason=first_line), EXIT_NO_DATABASE) from exc
        return self._db

    def login(self) -> Actor:
        """The acting user (see the module docstring); authenticated once, CliError when refused."""
        if self._actor is None:
            self._actor = self._authenticate() if self.username else self._anonymous()
        return self._actor

    @property
    def login_password(self) -> str | None:
        """The password ``--user`` logged in with (``user passwd`` of one's own account needs it)."""
        return self._password

    def _anonymous(self) -> Actor:
        from crmdesk.services.users import has_login_users

        if self.unattended:
            return Actor.scheduler()
        with self.database().sessions() as session:
            if not has_login_users(session):
                return Actor.system()
        raise CliError(_("this database has user accounts: pass --user NAME (password from {env} or a prompt)")
                       .format(env=PASSWORD_ENV), EXIT_USAGE)

    def _authenticate(self) -> Actor:
        from crmdesk.services.users import AuthError, authenticate_in

        db = self.database()
        password = os.environ.get(PASSWORD_ENV) or ask_password(
            _("Password for {user}: ").format(user=self.username))
        if password is None:
            raise CliError(_("no password for {user}: set {env} or run in a terminal").format(
                user=self.username, env=PASSWORD_ENV), EXIT_USAGE)
        try:
            actor = authenticate_in(db, self.username, password)
        except AuthError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        self._password = password
        return actor

    @contextmanager
    def transaction(self) -> Iterator[tuple[Session, Actor]]:
        """A session in one transaction, and the acting user."""
        actor = self.login()
        with self.database().sessions.begin() as session:
            yield session, actor

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
            from crmdesk.db.integrity import remember_clean_state

            try:  # so the app's next start need not read the whole file again (issue 12 item 5)
                remember_clean_state(self.db_location_or_default())
            except OSError as exc:
                log.warning("could not note the database's clean state: %s", exc)


def existing_file(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise CliError(_("{file}: is a directory, not a file").format(file=text), EXIT_USAGE)
    if not path.is_file():
        raise CliError(_("{file}: no such file").format(file=text), EXIT_USAGE)
    return path
