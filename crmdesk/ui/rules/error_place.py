"""Where a ``RuleError`` belongs in the editor. The store's messages start with the
condition or action they name ("Condition 2 (Grade): …", "Action 1 (Add tag): …", in the
language in use), so the editor can show each next to its row."""

from __future__ import annotations

import re

from crmdesk.i18n import _


def _prefix(template: str) -> re.Pattern[str]:
    # "Condition {n}" → r"^\s*Condition\s*(\d+)" in whatever language the catalog gives.
    head = _(template).split("{n}")[0]
    return re.compile(r"^\s*" + re.escape(head.strip()) + r"\s*(\d+)")


def place(exc: BaseException) -> tuple[str, int | None]:
    """("condition", 0-based row) | ("action", row) | ("name", None) | ("conditions", None) |
    ("actions", None) | ("rule", None) for anything else."""
    part = getattr(exc, "part", None)  # should the store ever say so itself
    index = getattr(exc, "index", None)
    if part in ("condition", "action") and isinstance(index, int):
        return part, index
    message = str(exc)
    for kind, template in (("condition", "Condition {n}"), ("action", "Action {n}")):
        found = _prefix(template).match(message)
        if found:
            return kind, int(found.group(1)) - 1
    if message in (_("The rule needs a name"), _("The rule's name is longer than 100 characters")):
        return "name", None
    if message == _("The rule needs at least one condition"):
        return "conditions", None
    if message == _("The rule needs at least one action"):
        return "actions", None
    return "rule", None
