"""``crmdesk contacts import FILE… --match [--dry-run] [--create-customers]``: an address book
matched to the customers (services.address_book); prints one line per card and the counts. The
whole book is written in one transaction; ``--dry-run`` writes nothing."""

from __future__ import annotations

import argparse

from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError
from crmdesk.i18n import _
from crmdesk.importers.address_book_file import plan_files
from crmdesk.services.address_book import AddressBookPlan, CardMatch, apply_address_book
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.permissions import PermissionDenied


class _DryRun(Exception):
    """Raised inside the transaction so that a dry run rolls back (the plan reads only, but be sure)."""


def _outcome_words(m: CardMatch) -> str:
    return {"matched": _("matched"), "new_customer": _("new customer"), "unmatched": _("unmatched")}[m.outcome]


def _action_words(m: CardMatch, create: bool) -> str:
    if m.outcome == "unmatched" or not m.name:
        return _("not imported")
    if m.outcome == "new_customer" and not create:
        return _("offered (--create-customers creates it)")
    if m.outcome == "new_customer":
        return _("create customer, add contact")
    return {"add": _("add contact"), "update": _("update contact"), "same": _("already there")}[m.contact_action]


def card_line(m: CardMatch, create: bool) -> str:
    """``card 3 王伟 (晨星文具) → matched 广州晨星文具店 by phone 138…: add contact``."""
    who = m.name or "?"
    if m.organisation and m.organisation != m.name:
        who = f"{who} ({m.organisation})"
    target = f" {m.customer_name}" if m.customer_name else ""
    why = f" [{m.why}]" if m.why else ""
    return _("{file}, card {n} {who} → {outcome}{target}{why}: {action}").format(
        file=m.file, n=m.card_no, who=who, outcome=_outcome_words(m), target=target, why=why,
        action=_action_words(m, create))


def print_plan(plan: AddressBookPlan, create: bool) -> None:
    for problem in plan.problems:
        print(problem)
    for m in plan.cards:
        print(card_line(m, create))
        for problem in m.problems:
            print(f"  {problem}")
    if plan.ignored:
        print(_("not read: {fields}").format(fields=", ".join(f"{k} ×{v}" for k, v in sorted(plan.ignored.items()))))
    c = plan.counts()
    print(_("{cards} cards: {matched} matched ({add} to add, {update} to update, {same} already there), "
            "{new} new customers offered, {unmatched} unmatched; {lines} lines skipped").format(
        cards=c["cards"], matched=c["matched"], add=c["add"], update=c["update"], same=c["same"],
        new=c["new_customer"], unmatched=c["unmatched"], lines=plan.lines_skipped))


def run_match(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.customer:
        raise CliError(_("--customer and --match exclude each other"), EXIT_USAGE)
    failed_files = False
    try:
        with ctx.transaction() as (session, actor):
            plan = plan_files(session, actor, list(args.files), args.encoding)
            failed_files = bool(plan.failed_files)
            print_plan(plan, args.create_customers)
            if args.dry_run:
                print(_("dry run: nothing changed"))
                raise _DryRun
            ticked = {m.index for m in plan.cards if m.outcome == "new_customer"} if args.create_customers else set()
            result = apply_address_book(session, actor, plan, ticked)
    except _DryRun:
        return 1 if failed_files else 0  # a file that could not be read, as the other commands
    except PermissionDenied as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except (CustomerError, OSError) as exc:
        raise CliError(str(exc)) from exc
    print(_("contacts: {added} added, {updated} updated, {same} already there; new customers: {created}; "
            "cards not imported: {skipped}").format(added=result.added, updated=result.updated, same=result.same,
                                                   created=result.customers_created, skipped=result.not_imported))
    return 1 if failed_files else 0
