"""Screenshot of the rule editor after a dry run of the shipped rule 经销商久未进货 (a dealer
silent for twice their usual interval): which customers it would hit, and why.

    python -m crmdesk.ui.rules.screenshots [OUT_DIR]   (default docs/screenshots)

``save_rules_screenshots(ctx, out_dir)`` is what the shell's screenshot script calls; a dry run
writes nothing to the database."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

EDITOR_SIZE = (1280, 860)
SHOWN_RULE = "dealer_silent"


def save_rules_screenshots(ctx, out_dir: Path) -> dict[str, Path]:
    from crmdesk.rules import builtin
    from crmdesk.ui.rules.page import RulesPage
    from crmdesk.ui.widgets.grab import pause, save_grab, wait_until

    out_dir.mkdir(parents=True, exist_ok=True)
    page = RulesPage(ctx)
    page.resize(*EDITOR_SIZE)
    page.show()
    page.activate()
    with ctx.read() as session:
        rule_id = builtin.builtin_ids(session).get(SHOWN_RULE)
    if rule_id is None or not page.select_rule(rule_id):
        raise RuntimeError(f"the shipped rule {SHOWN_RULE} is not in this database")
    editor = page.edit_selected()
    editor.dry_run()
    wait_until(lambda: not editor.dry_run_panel.busy)
    pause(300)
    saved = {"rules_dry_run": save_grab(page, out_dir / "rules_dry_run.png")}
    page.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    from crmdesk.ui.screenshots import run_alone

    return run_alone(save_rules_screenshots, argv, expected=1)


if __name__ == "__main__":
    sys.exit(main())
