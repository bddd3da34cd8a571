"""Screenshots of the admin sections: the Territories section with a preview of a rule change
(湖北省 moved from 华中 to 华东) and the Users section.

    python -m crmdesk.ui.settings.screenshots [OUT_DIR]   (default docs/screenshots)

``save_settings_screenshots(ctx, out_dir)`` is what the shell's screenshot script calls; it
writes nothing to the database (the preview is not applied)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

TERRITORIES_SIZE = (1280, 860)
USERS_SIZE = (1000, 380)


def save_settings_screenshots(ctx, out_dir: Path) -> dict[str, Path]:
    from crmdesk.ui.settings.territories_section import TerritoriesSection
    from crmdesk.ui.settings.users_section import UsersSection
    from crmdesk.ui.widgets.grab import pause, save_grab, wait_until

    out_dir.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    section = TerritoriesSection(ctx)
    section.resize(*TERRITORIES_SIZE)
    section.show()
    names = [d.name for d in section.drafts]
    if "华中" in names and "华东" in names:
        section.select_territory("华中")
        d = section.drafts[section._current]
        section.editor.set_values("province", [p for p in d.values("province") if p != "湖北省"])
        section.select_territory("华东")
        d = section.drafts[section._current]
        section.editor.set_values("province", [*d.values("province"), "湖北省"])
    section.start_preview()
    wait_until(lambda: section.job is None)
    pause(200)
    saved["settings_territories_preview"] = save_grab(section, out_dir / "settings_territories_preview.png")
    section.close()

    users = UsersSection(ctx)
    users.resize(*USERS_SIZE)
    users.show()
    pause(200)
    saved["settings_users"] = save_grab(users, out_dir / "settings_users.png")
    users.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    from crmdesk.ui.screenshots import run_alone

    return run_alone(save_settings_screenshots, argv, expected=2)


if __name__ == "__main__":
    sys.exit(main())
