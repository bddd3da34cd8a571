"""Running ``crmdesk`` in-process for the CLI tests (imported by name)."""

from __future__ import annotations

import os
from contextlib import contextmanager

from crmdesk.cli import main

DEMO_PASSWORD = "demo"  # every demo account's (crmdesk.demo)


@contextmanager
def _env(**values: str | None):
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_cli(capsys, *args: str, user: str | None = None,
            password: str = DEMO_PASSWORD) -> tuple[int | str | None, str, str]:
    """(exit code, stdout, stderr) of ``crmdesk ARGS``; argparse's usage errors exit, that code counts too.

    ``user``: act as that user (``--user``; the password through ``CRMDESK_PASSWORD``, the demo's by
    default), as a database with accounts requires. Without it the environment is left as it is."""
    argv = ["--user", user, *args] if user else list(args)
    with _env(CRMDESK_PASSWORD=password) if user else _env():
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
