"""``crmdesk report NAME [filters] [report options] [--out FILE]``.

Without ``--out`` the report goes to stdout as UTF-8 CSV; ``--out`` writes
.csv, .xlsx (formatted, with a chart) or .png (the report's chart), or a
format the report exports itself (e.g. the statement's .pdf); a report with a folder
exporter (the statement with ``--all-with-balance``) also takes a folder. Files other
than CSV say what they hold (``reports.provenance``).
``crmdesk report --list`` / ``crmdesk report list`` lists the reports.
Exit codes: 0 done (an empty result prints the header only), 2 unknown report,
bad option/value or a report the user may not run (one line on stderr), 3 database
could not be opened. Reports run through ``reports.access.run_report``: scoped to the
user, cost columns dropped for counter staff.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError
from crmdesk.i18n import _


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as a single line and exit 2 (the contract of every report)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    def parse_known_args(self, args=None, namespace=None):
        # A report takes no further arguments: reject extras here rather than in the top-level
        # parser, whose error prints the whole usage.
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(_("unrecognized arguments: {args}").format(args=" ".join(extras)))
        return namespace, extras


def register(sub: argparse._SubParsersAction) -> None:
    # The reports' own parsers are built in run(): importing every report module here would
    # slow down every crmdesk command (and the GUI start) by the reports' imports.
    p = sub.add_parser("report", help=_("run an analysis report (CSV to stdout, or --out FILE)"),
                       description=_("Run an analysis report. 'crmdesk report list' shows them all; "
                                     "'crmdesk report NAME --help' shows a report's options."))
    p.error = _OneLineParser.error.__get__(p)  # the subparser's class belongs to cli.py
    p.add_argument("--list", action="store_true", help=_("list the reports and exit"))
    p.add_argument("report_name", nargs="?", metavar="NAME", help=_("report name, or 'list'"))
    p.add_argument("report_args", nargs=argparse.REMAINDER, metavar="...",
                   help=_("filter and report options, --out FILE"))
    p.set_defaults(func=run)


def report_parser(spec) -> argparse.ArgumentParser:
    """The parser of one report: the filters, the report's options and --out."""
    from crmdesk.reports.cli_options import add_filter_arguments, add_report_arguments

    rp = _OneLineParser(prog=f"crmdesk report {spec.name}", description=_(spec.description) or _(spec.title))
    add_filter_arguments(rp)
    add_report_arguments(rp, spec)
    rp.add_argument("--out", type=Path, metavar="FILE",
                    help=_("write to FILE (.csv, .xlsx, .png{extra}) instead of CSV on stdout").format(
                        extra="".join(f", {s}" for s in sorted(spec.exporters) if s not in (".csv", ".xlsx"))))
    return rp


def _write_stdout(text: str) -> None:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        return
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def list_reports() -> str:
    from crmdesk.reports import registry

    width = max((len(n) for n in registry.REPORTS), default=0)
    return "".join(f"{name:<{width}}  {_(spec.title)}\n" for name, spec in sorted(registry.REPORTS.items()))


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.list or args.report_name in (None, "list"):
        if args.report_name is None and not args.list:
            raise CliError(_("name a report; 'crmdesk report list' shows them"), EXIT_USAGE)
        _write_stdout(list_reports())
        return 0
    from crmdesk.reports import registry
    from crmdesk.reports.access import record_export, run_report
    from crmdesk.reports.cli_options import filters_from_args, options_from_args
    from crmdesk.reports.common import ReportError
    from crmdesk.reports.output import SUFFIXES, csv_text, export, with_info
    from crmdesk.reports.provenance import export_info
    from crmdesk.services.permissions import PermissionDenied

    spec = registry.REPORTS.get(args.report_name)
    if spec is None:
        raise CliError(_("unknown report {name!r}; 'crmdesk report list' shows them").format(
            name=args.report_name), EXIT_USAGE)
    args = report_parser(spec).parse_args(args.report_args)
    out: Path | None = args.out
    # A report that writes one file per entity takes a folder: an existing one or a name without suffix.
    to_folder = out is not None and spec.folder_exporter is not None and (out.is_dir() or not out.suffix)
    if out is not None and not to_folder and out.suffix.lower() not in {*SUFFIXES, *spec.exporters}:
        raise CliError(_("cannot write {name}: use .csv, .xlsx or .png").format(name=out.name), EXIT_USAGE)
    options = options_from_args(args, spec)
    try:
        with ctx.transaction() as (session, actor):
            filters = filters_from_args(args, session)
            if filters.branch_ids and not spec.branches:
                print(_("{report}: opportunities, cases and contacts have no branch; --branch does not apply").format(
                    report=spec.name), file=sys.stderr)
            df = run_report(session, actor, spec, filters, options)
            if out is not None:
                record_export(session, actor, spec, out)  # refused before a byte is written
                info = export_info(session, actor, spec, filters, options)
        alternate = spec.alternate_output(df, options) if spec.alternate_output is not None else None
        if alternate is not None:  # e.g. lifetime --params: the fitted parameters
            _write_stdout(csv_text(alternate))
        elif out is None:
            _write_stdout(csv_text(df, spec))
        if to_folder:
            out.mkdir(parents=True, exist_ok=True)
            written = spec.folder_exporter(with_info(df, info), options, out)
            print(_("{n} files written to {folder}").format(n=len(written), folder=out), file=sys.stderr)
        elif out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            export(df, spec, options, out, info)
    except (ReportError, PermissionDenied) as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except OSError as exc:
        raise CliError(str(exc)) from exc
    return 0
