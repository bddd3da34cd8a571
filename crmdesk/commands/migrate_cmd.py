"""``crmdesk migrate-to URL`` and ``crmdesk migrate-from FILE``: a shop moves between a file on
one PC and a shop server (PostgreSQL), every table and attachment with it (crmdesk.db.portable).

- ``migrate-to URL``: the current shop file → an empty server database (created by the server's
  administrator; crmdesk sets up its tables). The file stays as it was.
- ``migrate-from FILE``: a shop file (or a backup of one) → the current server database; refused
  when the server already holds shop data, unless ``--replace`` (which first keeps the server's
  current state as a backup file in this PC's data folder).

Both are the owner's (the right to restore). The server's password: the saved server profile's
keyring entry, else ``PGPASSWORD``, else a hidden prompt — never the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError, ask_password
from crmdesk.i18n import _
from crmdesk.services.permissions import PermissionDenied, require


def register(sub: argparse._SubParsersAction) -> None:
    to = sub.add_parser("migrate-to", help="move the shop file onto an empty shop server database (PostgreSQL)")
    to.add_argument("url", help="the server database, e.g. postgresql+psycopg://crmdesk_owner@192.168.1.10/crmdesk "
                                "(no password in it: it comes from the keyring, PGPASSWORD or a prompt)")
    to.add_argument("--quiet", action="store_true", help="no progress on stderr")
    to.set_defaults(func=run_migrate_to)
    back = sub.add_parser("migrate-from", help="copy a shop file (or a backup) into the current server database")
    back.add_argument("file", help="a crmdesk database file")
    back.add_argument("--replace", action="store_true",
                      help="replace the server's data (its current state is kept as a backup file first)")
    back.add_argument("--quiet", action="store_true", help="no progress on stderr")
    back.set_defaults(func=run_migrate_from)


def _owner(ctx: CliContext) -> None:
    try:
        require(ctx.login(), "database.restore")
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def _with_password(url: str) -> None:
    """A server URL without a password and no keyring entry for it: PGPASSWORD (read by the driver
    itself), else a hidden prompt whose answer goes to the driver the same way — not into a file."""
    from crmdesk.db.server_profile import password_for

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" or parsed.password is not None or password_for(url):
        return
    if os.environ.get("PGPASSWORD"):
        return
    typed = ask_password(_("Password for {user} on the server: ").format(user=parsed.username or ""))
    if typed:
        os.environ["PGPASSWORD"] = typed


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    state = {"last": ""}

    def show(share: float | None, table: str) -> None:
        line = f"\r{(share or 0) * 100:5.1f} %  {table:<40}"
        if line != state["last"]:
            print(line, end="", file=sys.stderr, flush=True)
            state["last"] = line

    return show


def _copy(src_url: str, dst_url: str, quiet: bool, replace: bool = False) -> dict[str, int]:
    from crmdesk.db.portable import PortableCopyError, copy_database

    progress = _progress(quiet)
    try:
        return copy_database(src_url, dst_url, progress=progress, replace=replace)
    except PortableCopyError as exc:
        raise CliError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - a driver error (refused, unreachable) becomes one line
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise CliError(_("the copy failed, nothing was changed: {reason}").format(
            reason=reason[0] if reason else type(exc).__name__)) from exc
    finally:
        if progress is not None:
            print(file=sys.stderr)


def _summary(counts: dict[str, int]) -> str:
    return _("{tables} tables, {rows} rows").format(tables=len(counts), rows=f"{sum(counts.values()):,}")


def run_migrate_to(args: argparse.Namespace, ctx: CliContext) -> int:
    db = ctx.database()
    _owner(ctx)
    if db.file_path is None:
        raise CliError(_("migrate-to moves a shop file; {db} is already a server database").format(db=db.describe()),
                       EXIT_USAGE)
    if make_url(args.url).get_backend_name() == "sqlite":
        raise CliError(_("migrate-to needs a server database URL (postgresql+psycopg://…)"), EXIT_USAGE)
    _with_password(args.url)
    counts = _copy(db.url, args.url, args.quiet)
    target = make_url(args.url).render_as_string(hide_password=True)
    print(_("moved {what} from {file} to {url}").format(what=_summary(counts), file=db.file_path, url=target))
    print(_("Next: on every PC, Log in → Shop server… (or crmdesk --db {url}).").format(url=target))
    return 0


def run_migrate_from(args: argparse.Namespace, ctx: CliContext) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise CliError(_("{file}: no such file").format(file=source), EXIT_USAGE)
    db = ctx.database()
    _owner(ctx)
    if db.file_path is not None:
        raise CliError(_("migrate-from fills a server database; to bring back a file here use crmdesk restore"),
                       EXIT_USAGE)
    from crmdesk import paths
    from crmdesk.db.portable import is_empty, sqlite_file_url

    if not is_empty(db):
        if not args.replace:
            raise CliError(_("{db} already holds shop data; add --replace to replace it").format(db=db.describe()))
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = paths.data_dir() / "backups" / f"server-before-migrate-from-{stamp}.db"
        safety.parent.mkdir(parents=True, exist_ok=True)
        _copy(db.url, sqlite_file_url(safety), args.quiet)
        print(_("the server's previous content is in {file}").format(file=safety))
    counts = _copy(sqlite_file_url(source), db.url, args.quiet, replace=True)
    _record(ctx, source)
    print(_("copied {what} from {file} into {db}").format(what=_summary(counts), file=source, db=db.describe()))
    return 0


def _record(ctx: CliContext, source: Path) -> None:
    """The audit log of the filled database says where its data came from and who brought it."""
    from sqlalchemy import select

    from crmdesk.db.models import User
    from crmdesk.services import audit
    from crmdesk.services.actor import Actor

    with ctx.database().sessions.begin() as session:
        # The accounts are the file's now: the same login name there, else the built-in system actor.
        user = session.scalar(select(User).where(User.username == ctx.login().username))
        by = Actor.from_user(user) if user is not None else Actor.system()
        audit.record(session, by, "database", 0, "restore", "migrate-from", None, str(source))
