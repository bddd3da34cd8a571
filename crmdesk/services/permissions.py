"""Permission checks and row scoping, enforced in the core.

Until the sales-force issue lands every role may do everything; the checks
are already called from the services so that issue changes only this file.
"""

from __future__ import annotations

from sqlalchemy import Select

from crmdesk.i18n import _
from crmdesk.services.actor import Actor


class PermissionDenied(PermissionError):
    def __init__(self, action: str) -> None:
        super().__init__(_("Permission denied: {action}").format(action=action))
        self.action = action


# action → roles allowed. Missing actions are allowed to every role for now.
_RULES: dict[str, frozenset[str]] = {
    "users.manage": frozenset({"owner"}),
    "database.restore": frozenset({"owner"}),
}


def can(actor: Actor, action: str) -> bool:
    allowed = _RULES.get(action)
    return allowed is None or actor.role in allowed


def require(actor: Actor, action: str) -> None:
    if not can(actor, action):
        raise PermissionDenied(action)


def scope_customers(stmt: Select, actor: Actor) -> Select:
    """Limit a query over customers to what the actor may see (all, for now)."""
    return stmt
