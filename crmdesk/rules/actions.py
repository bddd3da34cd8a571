"""What a firing does, for many customers at once: bulk inserts and updates (a rule may fire for
tens of thousands of customers after the first import), inside the caller's transaction.

- task: assignee = the customer's owner (else the shop owner), the shop owner (first active
  owner account) or a named user; title from the template, ``reason`` = the hit's one line.
- set_grade / assign: the customer row changes, one audit row per customer. ``assign`` has the
  semantics of a manual owner set on the form (``territories.set_manual``): owner_source
  "manual", so the territory rules leave it until "Back to rules".
- add_tag: the tag is created when missing; customers that have it already are left alone.
- alert: a ``customer_alerts`` row. case: a ``service_cases`` row (number "FW" + date + serial,
  due by the case type's SLA for its priority, assigned to the customer's owner)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import (AuditLog, CaseType, Customer, CustomerAlert, Role, ServiceCase, Tag, Task,
                               User, customer_tags)
from crmdesk.i18n import _
from crmdesk.rules.model import Action, Hit
from crmdesk.services.actor import Actor

PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")
_CHUNK = 900


def render(template: str, hit: Hit, values: dict[str, Any]) -> str:
    def value(m: re.Match) -> str:
        name = m.group(1)
        if name == "customer":
            return hit.name
        if name == "code":
            return hit.code
        v = values.get(name)
        if v is None:
            return "—"
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        if isinstance(v, float):
            return f"{v:g}"
        return str(v)
    return PLACEHOLDER.sub(value, template)


def shop_owner_id(session: Session) -> int | None:
    return session.scalar(select(User.id).where(User.role == Role.OWNER.value, User.active.is_(True))
                          .order_by(User.id))


def describe_done(a: Action, hit: Hit, values: dict[str, Any]) -> str:
    """The one-line entry of ``rule_firings.actions_done`` for this action."""
    p = a.params
    if a.kind == "task":
        return _("task: {title}").format(title=render(p["title"], hit, values))
    if a.kind == "set_grade":
        return _("grade → {grade}").format(grade=p["grade"])
    if a.kind == "add_tag":
        return _("tag + {tag}").format(tag=p["tag"])
    if a.kind == "assign":
        return _("assigned to user {id}").format(id=p["user_id"])
    if a.kind == "alert":
        return _("alert: {message}").format(message=render(p["message"], hit, values))
    return _("case: {subject}").format(subject=render(p["subject"], hit, values))


def _audit(session: Session, actor: Actor, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(AuditLog), [{"user_id": actor.user_id, **r} for r in rows])


def _chunks(seq: Sequence) -> list[Sequence]:
    return [seq[i:i + _CHUNK] for i in range(0, len(seq), _CHUNK)]


def _owners(session: Session, ids: list[int]) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    for part in _chunks(ids):
        out.update(dict(session.execute(select(Customer.id, Customer.owner_id).where(Customer.id.in_(part))).all()))
    return out


def apply(session: Session, actor: Actor, rule_id: int, a: Action, hits: list[Hit], values: list[dict[str, Any]],
          firing_ids: list[int], today: dt.date) -> int:
    """Do action ``a`` for every hit; returns how many rows it made or changed."""
    if not hits:
        return 0
    ids = [h.customer_id for h in hits]
    p = a.params
    if a.kind == "task":
        owner = shop_owner_id(session)
        owners = _owners(session, ids) if p["assignee"] == "owner" else {}
        assignee = {"shop_owner": lambda cid: owner, "user": lambda cid: p["user_id"],
                    "owner": lambda cid: owners.get(cid) or owner}[p["assignee"]]
        due = today + dt.timedelta(days=int(p.get("due_days") or 0))
        now = utcnow()
        rows = [{"customer_id": h.customer_id, "assignee_id": assignee(h.customer_id), "created_by_id": actor.user_id,
                 "title": render(p["title"], h, v)[:200], "notes": "", "due_date": due, "status": "open",
                 "priority": int(p.get("priority") or 2), "rule_id": rule_id, "reason": h.reason,
                 "created_at": now, "updated_at": now} for h, v in zip(hits, values)]
        session.execute(insert(Task), rows)
        return len(rows)
    if a.kind == "alert":
        now = utcnow()
        rows = [{"customer_id": h.customer_id, "rule_id": rule_id, "firing_id": f,
                 "message": render(p["message"], h, v), "created_at": now}
                for h, v, f in zip(hits, values, firing_ids)]
        session.execute(insert(CustomerAlert), rows)
        return len(rows)
    if a.kind == "set_grade":
        return _set_column(session, actor, ids, "grade", p["grade"], "update")
    if a.kind == "assign":
        changed = _set_column(session, actor, ids, "owner_id", int(p["user_id"]), "assign")
        for part in _chunks(ids):
            session.execute(update(Customer).where(Customer.id.in_(part)).values(owner_source="manual"))
        return changed
    if a.kind == "add_tag":
        return _add_tag(session, actor, ids, p["tag"])
    return _open_cases(session, actor, hits, values, p)


def _set_column(session: Session, actor: Actor, ids: list[int], column: str, value: Any, action: str) -> int:
    col = getattr(Customer, column)
    old: dict[int, Any] = {}
    for part in _chunks(ids):
        old.update(dict(session.execute(select(Customer.id, col).where(Customer.id.in_(part))).all()))
    changing = [cid for cid in ids if old.get(cid) != value]
    now = utcnow()
    for part in _chunks(changing):
        session.execute(update(Customer).where(Customer.id.in_(part)).values({column: value, "updated_at": now}))
    _audit(session, actor, [{"entity": "customers", "entity_id": cid, "action": action, "field": column,
                             "old_value": "" if old.get(cid) is None else str(old.get(cid)),
                             "new_value": str(value)} for cid in changing])
    return len(changing)


def _add_tag(session: Session, actor: Actor, ids: list[int], name: str) -> int:
    tag_id = session.scalar(select(Tag.id).where(Tag.name == name))
    if tag_id is None:
        tag = Tag(name=name)
        session.add(tag)
        session.flush()
        tag_id = tag.id
    t = customer_tags.c
    have: set[int] = set()
    for part in _chunks(ids):
        have.update(session.scalars(select(t.customer_id).where(t.tag_id == tag_id, t.customer_id.in_(part))).all())
    new = [cid for cid in ids if cid not in have]
    if new:
        session.execute(insert(customer_tags), [{"customer_id": cid, "tag_id": tag_id} for cid in new])
        _audit(session, actor, [{"entity": "customers", "entity_id": cid, "action": "update", "field": "tags",
                                 "old_value": "", "new_value": "+" + name} for cid in new])
    return len(new)


def _case_numbers(session: Session, n: int, now: dt.datetime) -> list[str]:
    prefix = "FW" + now.strftime("%Y%m%d") + "-"
    last = session.scalar(select(func.max(ServiceCase.number)).where(ServiceCase.number.like(prefix + "%")))
    start = 1
    if last:
        try:
            start = int(last[len(prefix):]) + 1
        except ValueError:
            start = 1
    return [f"{prefix}{i:04d}" for i in range(start, start + n)]


def _open_cases(session: Session, actor: Actor, hits: list[Hit], values: list[dict[str, Any]],
                p: dict[str, Any]) -> int:
    ctype = session.scalar(select(CaseType).where(CaseType.code == p["case_type"]))
    priority = int(p.get("priority") or 2)
    hours = 72
    if ctype is not None:
        hours = {1: ctype.sla_hours_high, 2: ctype.sla_hours_normal, 3: ctype.sla_hours_low}[priority]
    now = utcnow()
    owners = _owners(session, [h.customer_id for h in hits])
    numbers = _case_numbers(session, len(hits), now)
    rows = [{"number": num, "customer_id": h.customer_id, "assignee_id": owners.get(h.customer_id),
             "case_type": p["case_type"], "subject": render(p["subject"], h, v)[:200],
             "description": h.reason, "status": "open", "priority": priority, "opened_at": now,
             "due_at": now + dt.timedelta(hours=hours), "feedback": "", "created_at": now, "updated_at": now}
            for num, h, v in zip(numbers, hits, values)]
    session.execute(insert(ServiceCase), rows)
    return len(rows)
