"""The ``crmdesk`` command. No subcommand opens the GUI; each subcommand does
the same work headless for scripts and the Windows Task Scheduler.

Exit codes (a public contract, see README): 0 success; 1 the work failed
(a file could not be read, a strict import refused, a check failed);
2 usage error (unknown option, bad value) or refused (no/wrong ``--user`` password, a locked
account, an action the user's role may not do); 3 the database could not be opened;
130 interrupted.

Who runs a command is settled before the command does anything (``CliContext.login``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from crmdesk import __version__
from crmdesk.commands.base import EXIT_USAGE, CliContext, CliError
from crmdesk.i18n import language_from_environment, set_language
from crmdesk.logsetup import setup_logging
from crmdesk.services.permissions import PermissionDenied

log = logging.getLogger(__name__)


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", metavar="PATH|URL",
                        help="database file or SQLAlchemy URL (default: crmdesk.db in the user data folder)")
    parser.add_argument("--user", metavar="NAME",
                        help="act as this user; password from CRMDESK_PASSWORD or a prompt (required once "
                             "the database has accounts, except for sync and backup)")
    parser.add_argument("--lang", choices=["en", "zh_CN"], help="language of messages and the GUI")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation in a temporary folder (database, import, report, chart, "
                             "login window); exit 0 when all pass")
    return parser


def build_parser() -> argparse.ArgumentParser:
    from crmdesk.commands import SUBCOMMANDS  # their modules bring pandas; the GUI's start does without

    parser = argparse.ArgumentParser(
        prog="crmdesk",
        description="Desktop CRM for a wholesale/retail shop. Without a subcommand, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"crmdesk {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Without a subcommand (the GUI, the self-test) only the global options are parsed, so the
    subcommands' modules are not imported before the login window; anything else (a subcommand,
    --help, --version, an unknown option) goes through the full parser."""
    globals_only = _global_options(argparse.ArgumentParser(prog="crmdesk", add_help=False))
    args, rest = globals_only.parse_known_args(argv)
    if rest:
        return build_parser().parse_args(argv)
    args.command = None
    return args


def _needs_login(args: argparse.Namespace) -> bool:
    """Everything but printing what is built in (``report list``, a report's ``--help``) runs as
    someone, and that someone is authenticated before the command starts."""
    if args.command == "report":
        listing = getattr(args, "list", False) or args.report_name in (None, "list")
        helping = any(a in ("-h", "--help") for a in getattr(args, "report_args", []) or [])
        return not (listing or helping)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    set_language(args.lang or language_from_environment())
    setup_logging(console=args.command is not None)
    if args.self_test:
        from crmdesk.selftest import run

        return run()
    ctx = CliContext(db_location=args.db, username=args.user, unattended=getattr(args, "unattended", False))
    if args.command is None:
        from crmdesk.ui.app import run_gui  # Qt is loaded only when the GUI is wanted

        return run_gui(ctx.db_location_or_default(), lang=args.lang)
    import crmdesk.rules  # noqa: F401 - subscribes the process rules to the services' events (the GUI: after login)

    try:
        if _needs_login(args):
            ctx.login()
        return int(args.func(args, ctx) or 0)
    except CliError as exc:
        print(f"crmdesk {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except PermissionDenied as exc:  # the core refused; a command that did not catch it is no back door
        print(f"crmdesk {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"crmdesk {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
