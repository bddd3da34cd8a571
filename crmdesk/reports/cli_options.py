"""Command-line options of ``crmdesk report``: the shared filter options and
each report's own options (from ``ReportSpec.options``), and turning parsed
arguments into a ``ReportFilters`` and an options dict.

The name look-ups (territory names, salespeople) are plain functions so the
GUI can resolve what a user typed the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Territory, User
from crmdesk.i18n import _
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportSpec

FILTER_DESTS = ("f_from", "f_to", "f_as_of", "f_category", "f_brand", "f_price_min", "f_price_max",
                "f_customer_type", "f_grade", "f_territory", "f_salesperson", "f_branch")


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): {text!r}").format(text=text)) from None


def yuan_amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(_("not an amount: {text!r}").format(text=text)) from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(_("not an amount: {text!r}").format(text=text))
    return value


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(_("filters"))
    g.add_argument("--from", dest="f_from", type=iso_date, metavar="YYYY-MM-DD", help=_("first order date"))
    g.add_argument("--to", dest="f_to", type=iso_date, metavar="YYYY-MM-DD", help=_("last order date"))
    g.add_argument("--as-of", dest="f_as_of", type=iso_date, metavar="YYYY-MM-DD",
                   help=_("the 'today' of stock, ageing and recency (default: --to or the newest order)"))
    multi = dict(action="append", default=None)
    g.add_argument("--category", dest="f_category", metavar="NAME", help=_("product category (repeatable or a,b)"),
                   **multi)
    g.add_argument("--brand", dest="f_brand", metavar="NAME", help=_("brand (repeatable or a,b)"), **multi)
    g.add_argument("--price-min", dest="f_price_min", type=yuan_amount, metavar="YUAN", help=_("lowest list price"))
    g.add_argument("--price-max", dest="f_price_max", type=yuan_amount, metavar="YUAN", help=_("highest list price"))
    g.add_argument("--customer-type", dest="f_customer_type", metavar="TYPE",
                   help=_("retail, direct, dealer or the type's name"), **multi)
    g.add_argument("--grade", dest="f_grade", metavar="GRADE", help=_("customer grade"), **multi)
    g.add_argument("--territory", dest="f_territory", metavar="NAME", help=_("territory name"), **multi)
    g.add_argument("--salesperson", dest="f_salesperson", metavar="NAME", help=_("username or display name"),
                   **multi)
    g.add_argument("--branch", dest="f_branch", metavar="CODE",
                   help=_("branch code: its orders, receipts and stock only (repeatable or a,b)"), **multi)


def add_report_arguments(parser: argparse.ArgumentParser, spec: ReportSpec) -> None:
    if not spec.options:
        return
    g = parser.add_argument_group(_("report options"))
    for opt in spec.options:
        help_text = _(opt.help)
        if opt.flag:
            g.add_argument(f"--{opt.name.replace('_', '-')}", dest=f"opt_{opt.name}", action="store_true",
                           default=None, help=help_text)
            continue
        if opt.default is not None:
            help_text += f" ({_('default')}: {opt.default})"
        g.add_argument(f"--{opt.name.replace('_', '-')}", dest=f"opt_{opt.name}", type=opt.type,
                       choices=opt.choices, required=opt.required and not opt.required_unless, default=None,
                       help=help_text,
                       metavar=None if opt.choices else opt.name.upper())


def split_values(values: Iterable[str] | None) -> tuple[str, ...]:
    """``["a,b", "c"]`` → ``("a", "b", "c")``; full-width commas count too."""
    out: list[str] = []
    for v in values or ():
        out += [p.strip() for p in v.replace("，", ",").split(",") if p.strip()]
    return tuple(dict.fromkeys(out))


def resolve_territories(session: Session, names: Iterable[str]) -> tuple[int, ...]:
    ids = []
    for name in names:
        tid = session.scalar(select(Territory.id).where(func.lower(Territory.name) == name.lower()))
        if tid is None:
            raise ReportError(_("no territory named {name!r}").format(name=name))
        ids.append(tid)
    return tuple(ids)


def resolve_salespeople(session: Session, names: Iterable[str]) -> tuple[int, ...]:
    ids = []
    for name in names:
        found = session.scalars(select(User.id).where(or_(User.username == name, User.display_name == name))).all()
        if not found:
            raise ReportError(_("no salesperson named {name!r}").format(name=name))
        ids += found
    return tuple(dict.fromkeys(ids))


def resolve_branches(session: Session, codes: Iterable[str]) -> tuple[int, ...]:
    from crmdesk.services.branches import BranchError, branch_ids

    try:
        return branch_ids(session, tuple(codes))
    except BranchError as exc:
        raise ReportError(str(exc)) from None


def filters_from_args(args: argparse.Namespace, session: Session) -> ReportFilters:
    f = ReportFilters(
        date_from=args.f_from, date_to=args.f_to, as_of=args.f_as_of,
        categories=split_values(args.f_category), brands=split_values(args.f_brand),
        price_min=args.f_price_min, price_max=args.f_price_max,
        customer_types=split_values(args.f_customer_type), grades=split_values(args.f_grade),
        territory_ids=resolve_territories(session, split_values(args.f_territory)),
        salesperson_ids=resolve_salespeople(session, split_values(args.f_salesperson)),
        branch_ids=resolve_branches(session, split_values(getattr(args, "f_branch", None))),
    )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ReportError(_("--from is after --to"))
    return f


def options_from_args(args: argparse.Namespace, spec: ReportSpec) -> dict[str, Any]:
    """The report's options; unset ones take the spec's default."""
    out: dict[str, Any] = {}
    for opt in spec.options:
        value = getattr(args, f"opt_{opt.name}", None)
        out[opt.name] = opt.default if value is None else value
    return out
