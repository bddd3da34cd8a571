"""Subcommands of ``crmdesk``: one module each, with ``register(subparsers)``.

``SUBCOMMANDS`` is built when first asked for: the GUI imports crmdesk.commands.base (exit codes,
CliContext), and that must not import every subcommand — and pandas with them — before the login
window shows (bench/startup_bench.py)."""


def _subcommands() -> list:
    from crmdesk.commands import contacts_cmd
    from crmdesk.commands import migrate_cmd
    from crmdesk.commands import backup_cmd, batch_cmd, demo_cmd, import_cmd, report_cmd, rules_cmd, sync_cmd, user_cmd

    return [demo_cmd, import_cmd, sync_cmd, report_cmd, backup_cmd, user_cmd, rules_cmd, batch_cmd, contacts_cmd, migrate_cmd]


def __getattr__(name: str):
    if name == "SUBCOMMANDS":
        return _subcommands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
