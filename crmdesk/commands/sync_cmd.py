"""``crmdesk sync [--folder DIR]``: import new or changed files from the inbox folder
(setting ``sync.inbox``), after a backup. Meant for the Windows Task Scheduler.

Prints the backup file, then one line per imported file as ``crmdesk import`` does, then a
summary line. Exit 0 when every file was read, 1 when one could not be read (the others are
still imported) or no inbox is set, 2 usage, 3 database could not be opened.
Without ``--user`` it runs as the scheduler identity (import and backup rights only), so the
Task Scheduler needs no password.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crmdesk.commands.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliContext, CliError
from crmdesk.commands.import_cmd import print_result
from crmdesk.i18n import _
from crmdesk.importers import SyncError, run_sync
from crmdesk.services.permissions import PermissionDenied


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="import new export files from the inbox folder (for a scheduled task)")
    p.add_argument("--folder", metavar="DIR", help="inbox folder (default: the sync.inbox setting)")
    p.set_defaults(func=run, unattended=True)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.folder and not Path(args.folder).is_dir():
        raise CliError(_("{folder}: no such folder").format(folder=args.folder), EXIT_USAGE)
    db = ctx.database()
    actor = ctx.login()
    try:
        result = run_sync(db, actor, folder=args.folder)
    except SyncError as exc:
        raise CliError(str(exc)) from exc
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    if result.backup:
        print(_("backup: {file}").format(file=result.backup))
    for res in result.files:
        print_result(res)
    for line in result.rules:
        print(line)
    print(_("sync {folder}: {n} files imported, {known} already imported").format(
        folder=result.folder, n=sum(1 for r in result.files if r.status == "done"), known=result.already_imported))
    return EXIT_OK if result.ok else EXIT_FAILED
