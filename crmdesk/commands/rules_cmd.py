"""``crmdesk rules list`` and ``crmdesk rules run [--dry-run] [--rule NAME] [--trigger T]
[--as-of DATE]``: the process rules without the GUI (``run`` is for the Task Scheduler).

``run`` without ``--rule``/``--trigger`` runs every active rule; ``--rule`` (name or id) runs that
rule even when it is switched off. Prints per rule how many customers it hit and what it did
(a dry run: what it would do, and the first customers with the reason). Exit 0; 1 when a rule
could not run (its reason is printed; the other rules still ran); 2 usage or refused.
Without ``--user``, ``run`` works as the scheduler identity: shop-wide rules with the shop's
rights, each salesperson's rule with its author's."""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy import select

from crmdesk.commands.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliContext, CliError
from crmdesk.db.models import WorkflowRule
from crmdesk.i18n import _
from crmdesk.rules import catalog, engine, store
from crmdesk.rules.model import TRIGGERS, RuleRunResult

SHOWN_HITS = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list and run the process rules")
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    ls = rsub.add_parser("list", help="list the rules")
    ls.set_defaults(func=run_list)
    run = rsub.add_parser("run", help="run the active rules now (for a scheduled task)")
    run.add_argument("--dry-run", action="store_true", help="show whom the rules would hit; change nothing")
    run.add_argument("--rule", metavar="NAME", help="only this rule (name or id), even when switched off")
    run.add_argument("--trigger", choices=TRIGGERS, help="only the active rules of this trigger")
    run.add_argument("--as-of", metavar="YYYY-MM-DD", type=_date, help="evaluate as of this day (default today)")
    run.set_defaults(func=run_rules, unattended=True)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        rules = store.list_rules(session, actor)
        for r in rules:
            state = _("on") if r.active else _("off")
            last = r.last_run_at.strftime("%Y-%m-%d %H:%M") if r.last_run_at else "-"
            owner = r.created_by_name or _("shop-wide")
            print("\t".join((str(r.id), state, r.trigger, r.name, owner, r.summary,
                             _("last run {when}").format(when=last),
                             _("{n} open firings").format(n=r.open_firings))))
        if not rules:
            print(_("no rules"))
    return EXIT_OK


def _find(session, name: str) -> int:
    """The rule's id by name or id (whether the actor may run it, ``engine.run_rules`` decides)."""
    for rule_id, rule_name in session.execute(select(WorkflowRule.id, WorkflowRule.name).order_by(WorkflowRule.id)):
        if rule_name == name or str(rule_id) == name:
            return rule_id
    raise CliError(_("no rule named {name}").format(name=name), EXIT_USAGE)


def _actions_text(result: RuleRunResult) -> str:
    if not result.actions:
        return _("no actions")
    return ", ".join(f"{catalog.action_label(k)} {n}" for k, n in result.actions.items())


def print_result(result: RuleRunResult, dry_run: bool) -> None:
    if result.error:
        print(_("{rule}: not run: {error}").format(rule=result.name, error=result.error))
        return
    if dry_run:
        new = sum(1 for h in result.hits if not h.already_fired)
        print(_("{rule}: {n} customers hit ({new} new, {old} already fired) — dry run, nothing changed").format(
            rule=result.name, n=len(result.hits), new=new, old=len(result.hits) - new))
        for h in result.hits[:SHOWN_HITS]:
            mark = _(" (already fired)") if h.already_fired else ""
            print(f"  {h.code}\t{h.name}\t{h.reason}{mark}")
        if len(result.hits) > SHOWN_HITS:
            print("  " + _("… and {n} more").format(n=len(result.hits) - SHOWN_HITS))
        return
    print(_("{rule}: {n} customers hit, {fired} fired, {cleared} cleared; actions: {actions}").format(
        rule=result.name, n=len(result.hits), fired=result.fired, cleared=result.cleared,
        actions=_actions_text(result)))


def run_rules(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.transaction() as (session, actor):
        rule_ids = [_find(session, args.rule)] if args.rule else None
        results = engine.run_rules(session, actor, trigger=args.trigger, rule_ids=rule_ids,
                                   dry_run=args.dry_run, as_of=args.as_of)
        for result in results:
            print_result(result, args.dry_run)
        if not results:
            print(_("no active rules to run"))
    return EXIT_FAILED if any(r.error for r in results) else EXIT_OK
