"""Shop-wide settings rows (``settings``: key → text), read and written the one way: a write
that changes the value is audited. Each caller checks its own permission first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crmdesk.db.models import Setting
from crmdesk.services import audit
from crmdesk.services.actor import Actor


def read_setting(session: Session, key: str, default: str = "") -> str:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def write_setting(session: Session, actor: Actor, key: str, value: object) -> bool:
    """Store ``value`` (booleans as 1/0) under ``key``; True when it changed (and was audited)."""
    text = ("1" if value else "0") if isinstance(value, bool) else str(value)
    row = session.get(Setting, key)
    old = row.value if row is not None else None
    if old == text:
        return False
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
    audit.record(session, actor, "settings", 0, "update", key, old, text)
    return True
