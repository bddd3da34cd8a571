"""Subcommands of ``crmdesk``: one module each, with ``register(subparsers)``."""

from crmdesk.commands import backup_cmd, batch_cmd, demo_cmd, import_cmd, report_cmd, rules_cmd, sync_cmd, user_cmd

SUBCOMMANDS = [demo_cmd, import_cmd, sync_cmd, report_cmd, backup_cmd, user_cmd, rules_cmd, batch_cmd]
