"""``crmdesk report``: placeholder until its issue lands."""

from __future__ import annotations

import argparse

from crmdesk.commands.base import CliContext, CliError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="(coming)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    raise CliError("not available yet")
