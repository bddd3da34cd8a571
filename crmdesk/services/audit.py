"""Writing the audit log: who changed what, when, old → new."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crmdesk.db.models import AuditLog
from crmdesk.services.actor import Actor


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def record(session: Session, actor: Actor, entity: str, entity_id: int, action: str,
           field: str = "", old: Any = None, new: Any = None) -> None:
    session.add(AuditLog(user_id=actor.user_id, entity=entity, entity_id=entity_id, action=action,
                         field=field, old_value=_text(old), new_value=_text(new)))


def record_changes(session: Session, actor: Actor, entity: str, entity_id: int,
                   before: dict[str, Any], after: dict[str, Any]) -> int:
    """One audit row per field whose value changed; returns how many."""
    changed = 0
    for key, new in after.items():
        old = before.get(key)
        if _text(old) != _text(new):
            record(session, actor, entity, entity_id, "update", key, old, new)
            changed += 1
    return changed
