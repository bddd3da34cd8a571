"""What the GUI's start imports before the login window: none of the heavy libraries (they come on a
worker thread while the login dialog waits, crmdesk/ui/app.py ``import_ahead``), and no subcommand
module. Measured in a fresh interpreter, since this test process has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "matplotlib", "scipy", "pyarrow", "crmdesk.rules", "crmdesk.ui.main_window")

# What run_gui imports up to the login dialog, and what parsing a GUI start's arguments imports.
PRE_LOGIN = """
import json, sys
import crmdesk.cli
args = crmdesk.cli._parse(["--db", "x.db"])
assert args.command is None
import crmdesk.ui.app, crmdesk.ui.startup_checks, crmdesk.ui.connect_flow, crmdesk.ui.login_dialog
import crmdesk.ui.startup_probe
print(json.dumps(sorted(sys.modules)))
"""


def _modules(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_nothing_heavy_before_the_login_window():
    loaded = _modules(PRE_LOGIN)
    assert {name for name in HEAVY if name in loaded} == set()
    assert not any(name.startswith("crmdesk.commands.") and name.endswith("_cmd") for name in loaded)


def test_a_subcommand_still_gets_its_parser_and_the_rules():
    loaded = _modules("import json, sys\nimport crmdesk.cli\n"
                      "assert crmdesk.cli.main(['report', 'list']) == 0\n"
                      "print(json.dumps(sorted(sys.modules)))")
    assert {"crmdesk.commands.report_cmd", "crmdesk.commands.demo_cmd", "crmdesk.rules"} <= loaded


def test_the_import_ahead_thread_brings_what_the_main_window_needs():
    loaded = _modules("import json, sys\nimport crmdesk.ui.app as app\napp.import_ahead().join()\n"
                      "print(json.dumps(sorted(sys.modules)))")
    assert {"pandas", "matplotlib", "crmdesk.rules", "crmdesk.services.customer_query"} <= loaded
