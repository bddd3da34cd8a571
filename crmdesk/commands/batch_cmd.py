"""``crmdesk batch list [--limit N]`` and ``crmdesk batch undo N [--dry-run] [--yes]``: the import
history, and taking one import back out.

``list`` prints a header and one tab-separated line per batch, newest first: id, when (local
time), file, kind, profile, status, added, updated, rejected, user. ``undo`` removes what the
batch created and restores what it updated, after a backup, in one transaction; the batch stays
in the history as "undone". Exit 0 done (or ``--dry-run``); 2 refused (the reasons on one line:
later batches or edits depend on it, unknown batch, not allowed); 1 not confirmed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlalchemy import select

from crmdesk.commands.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliContext, CliError
from crmdesk.db.models import ImportBatch, User
from crmdesk.i18n import _
from crmdesk.importers.undo import UndoRefused, preview_undo, undo_batch
from crmdesk.services.permissions import PermissionDenied, require

LIST_COLUMNS = ("id", "when", "file", "kind", "profile", "status", "added", "updated", "rejected", "user")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="the import history; undo an import")
    bsub = p.add_subparsers(dest="batch_command", metavar="ACTION", required=True)
    ls = bsub.add_parser("list", help="the imports, newest first")
    ls.add_argument("--limit", type=_positive, default=50, help="how many (default 50)")
    ls.set_defaults(func=run_list)
    undo = bsub.add_parser("undo", help="remove what an import added and restore what it updated (after a backup)")
    undo.add_argument("batch_id", type=_positive, metavar="N", help="the batch id ('batch list')")
    undo.add_argument("--dry-run", action="store_true", help="say what would be removed and restored; change nothing")
    undo.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    undo.set_defaults(func=run_undo)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text}")
    return value


def _local(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        try:
            require(actor, "import.run")
        except PermissionDenied as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        rows = session.execute(select(ImportBatch, User.username).outerjoin(User, User.id == ImportBatch.user_id)
                               .order_by(ImportBatch.id.desc()).limit(args.limit)).all()
        print("\t".join(LIST_COLUMNS))
        for b, username in rows:
            print("\t".join(str(v) for v in (b.id, _local(b.started_at), b.file_name, b.kind, b.profile, b.status,
                                             b.rows_added, b.rows_updated, b.rows_rejected, username or "")))
    return EXIT_OK


def run_undo(args: argparse.Namespace, ctx: CliContext) -> int:
    db, actor = ctx.database(), ctx.login()
    try:
        plan = preview_undo(db, actor, args.batch_id)
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except LookupError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    if plan.reasons:
        raise CliError(str(UndoRefused(plan)), EXIT_USAGE)
    what = _("batch {id} ({file}, {kind}): {plan}").format(id=plan.batch_id, file=plan.file_name, kind=plan.kind,
                                                          plan=plan.describe())
    if args.dry_run:
        print(_("would undo {what}").format(what=what))
        return EXIT_OK
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError(_("undo {what}? add --yes to confirm").format(what=what), EXIT_USAGE)
        answer = input(_("Undo {what}? [y/N] ").format(what=what))
        if answer.strip().lower() not in {"y", "yes", "是"}:
            raise CliError(_("undo cancelled"), EXIT_FAILED)
    try:
        result = undo_batch(db, actor, args.batch_id)
    except UndoRefused as exc:  # something changed since the check above
        raise CliError(str(exc), EXIT_USAGE) from exc
    print(_("batch {id} undone: {what}").format(id=result.batch_id, what=result.summary))
    for note in result.notes:
        print(note)
    if result.backup:
        print(_("backup before the undo: {path}").format(path=result.backup))
    return EXIT_OK
