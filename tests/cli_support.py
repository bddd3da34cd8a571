"""Running ``crmdesk`` in-process for the CLI tests (imported by name)."""

from __future__ import annotations

from crmdesk.cli import main


def run_cli(capsys, *args: str) -> tuple[int | str | None, str, str]:
    """(exit code, stdout, stderr) of ``crmdesk ARGS``; argparse's usage errors exit, that code counts too."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
