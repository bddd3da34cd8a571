"""``crmdesk import FILE... [--kind K] [--profile NAME|FILE.toml] [--dry-run] [--strict]
[--encoding E] [--sheet S] [--header-row N] [--rejected-xlsx OUT] [--force] [--paid-at-sale] [--quiet]``

One line per file on stdout::

    sales.csv: sales, added 120, updated 3, unchanged 877, rejected 2

then, indented, the mapping (``columns: Order ID → order_number, …``; ``ignored: Ship Mode (no
field of sales fits), …``; a guess shows its confidence), the warnings with their counts
(``warning: column Quantity (quantity) is empty or zero in all 120 rows``) and the notes
(walk-in rows, stubs, where rejected rows are). Files that cannot be read, that ``--strict``
refuses or that are held (they do not look like the kind detected) print one line on stderr.

Exit 0 when every file landed (rejected rows are reported, not fatal); 1 when a file could not
be read, was refused or held, or had every row rejected (then the first reasons are printed with
their counts); 4 with ``--strict-warnings`` when everything landed but with warnings; 2 usage
(unknown option or profile, a file that does not exist), 3 database could not be opened.
While a file imports, a progress bar on stderr when it is a terminal (``--quiet``: none).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmdesk.commands.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliContext, CliError, existing_file
from crmdesk.commands.progress_bar import ProgressBar
from crmdesk.i18n import _
from crmdesk.importers import KINDS, ImportResult, ProfileError, export_rejected_xlsx, import_file, load_profile
from crmdesk.importers.mapping import ignored_text
from crmdesk.services.permissions import PermissionDenied

EXIT_WARNINGS = 4  # --strict-warnings: landed, but with warnings (a contract for scripts)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import exports of the inventory program (CSV, TXT, XLSX, XLS)")
    p.add_argument("files", nargs="+", metavar="FILE", help="files to import, each in its own transaction")
    p.add_argument("--kind", choices=KINDS, help="what the files hold (default: detected from the headers)")
    p.add_argument("--profile", metavar="NAME|FILE.toml", help="import profile (default: detected)")
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--strict", action="store_true", help="refuse a file that has any bad row")
    p.add_argument("--encoding", metavar="E", help="text encoding (default: detected; e.g. gb18030, utf-16)")
    p.add_argument("--sheet", metavar="S", help="Excel sheet name or 1-based number (default: the first)")
    p.add_argument("--header-row", type=int, metavar="N", help="1-based row of the column headers")
    p.add_argument("--rejected-xlsx", metavar="OUT", help="write the rejected rows of the import(s) to this .xlsx")
    p.add_argument("--force", action="store_true", help="import even when the same content was imported before")
    p.add_argument("--strict-warnings", action="store_true",
                   help=f"exit {EXIT_WARNINGS} when the files landed but with warnings (default: exit 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr (shown only on a terminal)")
    p.add_argument("--paid-at-sale", action="store_true", default=None,
                   help="sales files: every sale was paid on the spot, none becomes receivable "
                        "(default: the profile's paid_at_sale, else each customer's settlement rule)")
    p.add_argument("--branch", metavar="CODE",
                   help="the branch the files come from: their orders, receipts and stock carry it "
                        "(default: the profile's branch, else none)")
    p.set_defaults(func=run)


def describe(result: ImportResult) -> str:
    """The per-file summary line (also used by ``crmdesk sync``)."""
    name = result.path.name
    if result.status in ("skipped", "failed", "held"):
        return result.message
    line = _("{file}: {kind}, added {added}, updated {updated}, unchanged {unchanged}, rejected {rejected}").format(
        file=name, kind=result.kind, added=result.added, updated=result.updated, unchanged=result.unchanged,
        rejected=result.rejected)
    if result.status == "dry-run":
        line += " " + _("(dry run, nothing written)")
    return line


def print_result(result: ImportResult) -> None:
    if result.status in ("failed", "refused", "held"):
        print(f"crmdesk import: {result.message}", file=sys.stderr)
        if result.status == "held":
            print_mapping(result)
        return
    print(describe(result))
    print_mapping(result)
    for warning in result.warnings:
        print("  " + _("warning: {warning}").format(warning=warning))
    for note in result.notes:
        print(f"  {note}")
    if result.all_rejected:
        print("crmdesk import: " + _("{file}: every row was rejected ({n}); nothing imported").format(
            file=result.path.name, n=result.rejected), file=sys.stderr)
        print("  " + _("every row was rejected; the reasons:"))
        for reason, column, n in result.reasons:
            print("    " + _("{n} rows: {reason} ({column})").format(n=n, reason=reason, column=column))
    if result.rejected and result.batch_id:
        print("  " + _("rejected rows are kept with batch {batch}").format(batch=result.batch_id))
    for line in result.rules:
        print(f"  {line}")


def print_mapping(result: ImportResult) -> None:
    """Which source column went to which field, and which were ignored (and why)."""
    if result.mapped:
        print("  " + _("columns: {mapping}").format(mapping=", ".join(c.describe() for c in result.mapped)))
    if result.ignored:
        print("  " + _("ignored: {columns}").format(columns=ignored_text(result.ignored)))


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    for name in args.files:
        existing_file(name)
    if args.header_row is not None and args.header_row < 1:
        raise CliError(_("--header-row must be 1 or more"), EXIT_USAGE)
    try:
        profile = load_profile(args.profile) if args.profile else None
    except ProfileError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    db = ctx.database()
    with ctx.transaction() as (_session, actor):
        pass
    if args.branch:
        from crmdesk.importers.branch_stamp import resolve_branch
        from crmdesk.services.branches import BranchError

        try:
            resolve_branch(db, args.branch)
        except BranchError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
    failed = warned = False
    batches: list[int] = []
    with ProgressBar(quiet=args.quiet) as bar:
        for name in args.files:
            try:
                result = import_file(db, actor, name, kind=args.kind, profile=profile, encoding=args.encoding,
                                     sheet=args.sheet, header_row=args.header_row, dry_run=args.dry_run,
                                     strict=args.strict, progress=bar.track(Path(name).name),
                                     skip_same_content=not args.force, paid_at_sale=args.paid_at_sale,
                                     branch=args.branch)
            except PermissionDenied as exc:
                raise CliError(str(exc)) from exc
            bar.finish()  # the bar goes before the file's result line is printed
            print_result(result)
            failed |= not result.ok
            warned |= bool(result.warnings)
            if result.batch_id and result.rejected and result.status != "skipped":
                batches.append(result.batch_id)
    if args.rejected_xlsx and batches:
        with db.sessions() as s:
            count = sum(export_rejected_xlsx(s, _suffix(args.rejected_xlsx, b, len(batches)), b) for b in batches)
        print(_("{n} rejected rows written to {file}").format(n=count, file=args.rejected_xlsx))
    if failed:
        return EXIT_FAILED
    return EXIT_WARNINGS if args.strict_warnings and warned else EXIT_OK


def _suffix(path: str, batch: int, count: int) -> str:
    """One workbook per batch when several files had rejected rows."""
    if count == 1:
        return path
    stem, dot, ext = path.rpartition(".")
    return f"{stem}-{batch}.{ext}" if dot else f"{path}-{batch}"
