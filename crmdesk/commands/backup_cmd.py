"""``crmdesk backup [FILE]`` and ``crmdesk restore FILE``.

``backup`` without ``--user`` runs as the scheduler identity (unattended copies); ``restore``
always needs the owner."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError
from crmdesk.db.backup import BackupNotSupportedError
from crmdesk.i18n import _
from crmdesk.services.backups import back_up, restore
from crmdesk.services.permissions import PermissionDenied, require


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="copy the database and its attachments (default: the backups folder beside it)")
    p.add_argument("file", nargs="?", help="where to write the copy")
    p.add_argument("--keep", type=int, default=None,
                   help="newest backups to keep in the backups folder, besides one a month for a year "
                        "(default: the folder's setting, 10 unless changed in Settings)")
    p.set_defaults(func=run_backup, unattended=True)
    r = sub.add_parser("restore", help="replace the database's content with a backup file")
    r.add_argument("file", help="a file made by 'crmdesk backup'")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    r.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace, ctx: CliContext) -> int:
    db = ctx.database()
    actor = ctx.login()
    try:
        require(actor, "database.backup")
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    try:
        result = back_up(db, Path(args.file) if args.file else None, keep=args.keep, actor=actor)
    except BackupNotSupportedError as exc:
        raise CliError(str(exc)) from exc
    print(result.path)
    return 0


def run_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise CliError(_("{file}: no such file").format(file=source), EXIT_USAGE)
    actor = ctx.login()
    try:
        require(actor, "database.restore")
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    if not args.yes:
        answer = input(_("Replace everything in {database} with {file}? [y/N] ").format(
            database=ctx.database().describe(), file=source))
        if answer.strip().lower() not in {"y", "yes"}:
            raise CliError(_("restore cancelled"))
    db = ctx.database()
    try:
        safety = restore(db, source, actor=actor).path
    except (ValueError, BackupNotSupportedError) as exc:
        raise CliError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - sqlite3 reports a non-database file this way
        raise CliError(_("{file} is not a crmdesk backup ({error})").format(file=source, error=exc)) from exc
    print(_("restored {file}; the previous content is in {safety}").format(file=source, safety=safety))
    return 0
