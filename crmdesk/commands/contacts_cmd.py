"""``crmdesk contacts import FILE… --customer CODE`` (every card into one customer, each file in
one transaction), ``crmdesk contacts import FILE… --match [--dry-run] [--create-customers]`` (an
address book matched to customers: services.address_book; the whole book in one transaction) and
``crmdesk contacts export --customer CODE --out FILE.vcf``. vCard 2.1/3.0/4.0 files and CSV address
books (Google, Outlook, Chinese phone exporters); problems printed per card."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select

from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError, existing_file
from crmdesk.commands.contacts_match_cmd import run_match
from crmdesk.db.models import Customer
from crmdesk.i18n import _
from crmdesk.importers.table_file import read_table
from crmdesk.services.contact_csv_layouts import read_csv_book
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.permissions import PermissionDenied
from crmdesk.services.vcard import VCardImportResult, export_vcards, import_cards, read_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("contacts", help="import contacts from vCard/CSV address books, export them as vCard")
    inner = p.add_subparsers(dest="contacts_command", required=True)
    imp = inner.add_parser("import", help="import .vcf files or CSV address books into a customer, or match "
                                          "an address book to the customers")
    imp.add_argument("files", nargs="+", type=existing_file, metavar="FILE")
    target = imp.add_mutually_exclusive_group(required=True)
    target.add_argument("--customer", metavar="CODE", help="the customer the contacts belong to")
    target.add_argument("--match", action="store_true",
                        help="match each card to a customer by phone, email or company name")
    imp.add_argument("--dry-run", action="store_true", help="with --match: print the plan, change nothing")
    imp.add_argument("--create-customers", action="store_true",
                     help="with --match: create the customers the cards' companies name (else only offered)")
    imp.add_argument("--encoding", default="gb18030",
                     help="for vCard lines that are neither UTF-8 nor declare a CHARSET (default gb18030)")
    imp.set_defaults(func=run_import)
    exp = inner.add_parser("export", help="write a customer's contacts as a .vcf file")
    exp.add_argument("--customer", required=True, metavar="CODE")
    exp.add_argument("--out", required=True, metavar="FILE.vcf")
    exp.add_argument("--vcard-version", choices=("3.0", "2.1"), default="3.0")
    exp.set_defaults(func=run_export)


def _customer_id(session, code: str) -> int:
    cid = session.scalar(select(Customer.id).where(Customer.code == code))
    if cid is None:
        raise CliError(_("no customer with code {code}").format(code=code), EXIT_USAGE)
    return int(cid)


def _import_one(session, actor, customer_id: int, path: Path, encoding: str) -> VCardImportResult:
    if path.suffix.lower() in (".csv", ".txt", ".xlsx", ".xls"):
        table = read_table(path)
        book = read_csv_book(table.headers, table.rows)
        if book is None:
            raise CliError(_("{file}: not a known address book (Google, Outlook or 姓名/手机 headers)").format(
                file=path.name))
        result = VCardImportResult(ignored={h: 1 for h in book.ignored})
        return import_cards(session, actor, customer_id, path.name, book.cards, result)
    read = read_file(path, encoding)
    result = VCardImportResult(problems=[f"{path.name}, {p}" for p in read.problems], ignored=dict(read.ignored),
                               lines_skipped=read.lines_skipped)
    return import_cards(session, actor, customer_id, path.name, read.cards, result)


def run_import(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.match:
        return run_match(args, ctx)
    if args.dry_run or args.create_customers:
        raise CliError(_("--dry-run and --create-customers go with --match"), EXIT_USAGE)
    failed = False
    for path in args.files:
        try:
            with ctx.transaction() as (session, actor):
                result = _import_one(session, actor, _customer_id(session, args.customer), path, args.encoding)
        except PermissionDenied as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        except (CustomerError, OSError) as exc:
            print(f"{path.name}: {exc}")
            failed = True
            continue
        print(_("{file}: {added} added, {updated} updated, {skipped} skipped (already there), {unnamed} without "
                "a name; {phones} phones and {emails} emails kept; {lines} lines skipped").format(
            file=path.name, added=result.added, updated=result.updated, skipped=result.skipped,
            unnamed=result.unnamed, phones=result.phones, emails=result.emails, lines=result.lines_skipped))
        if result.ignored:
            print("  " + _("not read: {fields}").format(
                fields=", ".join(f"{k} ×{v}" for k, v in sorted(result.ignored.items()))))
        for problem in result.problems:
            print(f"  {problem}")
    return 1 if failed else 0


def run_export(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        with ctx.transaction() as (session, actor):
            count = export_vcards(session, actor, [_customer_id(session, args.customer)], Path(args.out),
                                  args.vcard_version)
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except (CustomerError, OSError) as exc:
        raise CliError(str(exc)) from exc
    print(_("{count} contacts written to {file} (vCard {version})").format(count=count, file=args.out,
                                                                           version=args.vcard_version))
    return 0
