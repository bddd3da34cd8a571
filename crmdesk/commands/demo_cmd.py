"""``crmdesk demo``: fill a new database with a realistic demo shop."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError
from crmdesk.core.progress import Progress
from crmdesk.i18n import _


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more: {text!r}")
    return value


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="fill a new, empty database with a realistic demo shop (log in as owner / demo)",
        description="Generate three years of a deterministic demo shop: the same seed and end date give the "
                    "same data. The database must not have customers yet.")
    p.add_argument("--customers", type=_positive, default=2000, metavar="N", help="number of customers (default 2000)")
    p.add_argument("--products", type=_positive, default=800, metavar="N", help="number of products (default 800)")
    p.add_argument("--lines", type=_positive, default=150_000, metavar="N",
                   help="number of sales order lines, returns included (default 150000)")
    p.add_argument("--seed", type=_seed, default=1, metavar="S", help="random seed, 0 or more (default 1)")
    p.add_argument("--end-date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                   help="last day of the history (default today)")
    p.add_argument("--branches", type=_positive, default=1, metavar="N",
                   help="branches of a small chain, 1 to 9; each customer buys at one (default 1: one shop, "
                        "no branches)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def _printer(fraction: float | None, message: str) -> None:
    percent = f"{fraction * 100:3.0f}%" if fraction is not None else "   "
    print(f"{percent} {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from crmdesk.demo import DemoError, DemoSizeError, generate

    db = ctx.database()
    progress = Progress(None if args.quiet else _printer, min_interval=1.0)
    try:
        summary = generate(db, customers=args.customers, products=args.products, lines=args.lines,
                           seed=args.seed, end_date=args.end_date, progress=progress, branches=args.branches)
    except DemoSizeError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except DemoError as exc:
        raise CliError(str(exc)) from exc
    print(_("demo shop in {db}: {customers} customers, {products} products, {orders} orders, {returns} returns, "
            "{lines} lines, {receipts} receipts, {start} to {end}; log in as owner / demo").format(
        db=db.describe(), customers=summary.customers, products=summary.products, orders=summary.orders,
        returns=summary.returns, lines=summary.lines, receipts=summary.receipts, start=summary.start_date,
        end=summary.end_date))
    return 0
