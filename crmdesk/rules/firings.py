"""The firing log and the "fire once while the reason holds" state.

An open firing (``cleared_at`` NULL) for (rule, customer, reason_key) means the rule already
acted on that reason; a run that no longer finds the reason sets ``cleared_at``, and the rule
may fire again when the reason returns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import Customer, RuleFiring, WorkflowRule
from crmdesk.rules.model import FiringInfo, Hit
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import SALES, require, scope_by_customer

_CHUNK = 900


def open_firings(session: Session, rule_id: int, customer_ids: Sequence[int] | None = None
                 ) -> dict[tuple[int, str], int]:
    """(customer_id, reason_key) → firing id of the rule's open firings (among ``customer_ids``)."""
    stmt = select(RuleFiring.customer_id, RuleFiring.reason_key, RuleFiring.id).where(
        RuleFiring.rule_id == rule_id, RuleFiring.cleared_at.is_(None))
    if customer_ids is None:
        rows = session.execute(stmt).all()
    else:
        ids = list(customer_ids)
        rows = []
        for i in range(0, len(ids), _CHUNK):
            rows += session.execute(stmt.where(RuleFiring.customer_id.in_(ids[i:i + _CHUNK]))).all()
    return {(int(c), k or ""): int(f) for c, k, f in rows}


def clear(session: Session, firing_ids: list[int]) -> None:
    now = utcnow()
    for i in range(0, len(firing_ids), _CHUNK):
        session.execute(update(RuleFiring).where(RuleFiring.id.in_(firing_ids[i:i + _CHUNK]))
                        .values(cleared_at=now))


def record(session: Session, rule_id: int, trigger: str, user_id: int | None, hits: list[Hit],
           done: list[list[str]]) -> list[int]:
    """Insert one firing per hit (bulk, ids returned in order)."""
    if not hits:
        return []
    now = utcnow()
    rows = [{"rule_id": rule_id, "customer_id": h.customer_id, "reason_key": h.reason_key, "fired_at": now,
             "trigger": trigger, "matched": json.dumps(h.matched, ensure_ascii=False, default=str),
             "actions_done": json.dumps(d, ensure_ascii=False), "user_id": user_id}
            for h, d in zip(hits, done)]
    ids: list[int] = []
    for i in range(0, len(rows), 5000):
        result = session.execute(insert(RuleFiring).returning(RuleFiring.id, sort_by_parameter_order=True),
                                 rows[i:i + 5000])
        ids += [int(r[0]) for r in result]
    return ids


def _loads(text: str, default: Any) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return default


def list_firings(session: Session, actor: Actor, rule_id: int | None = None, customer_id: int | None = None,
                 limit: int = 500) -> list[FiringInfo]:
    """The newest firings first, of the customers the actor may see (a salesperson: of the
    shop-wide rules and their own)."""
    require(actor, "rules.view")
    f, r, c = RuleFiring, WorkflowRule, Customer
    stmt = (select(f.id, f.rule_id, r.name, f.customer_id, c.code, c.name, f.fired_at, f.cleared_at, f.trigger,
                   f.matched, f.actions_done, f.reason_key)
            .join(r, r.id == f.rule_id).join(c, c.id == f.customer_id)
            .order_by(f.fired_at.desc(), f.id.desc()).limit(limit))
    if rule_id is not None:
        stmt = stmt.where(f.rule_id == rule_id)
    if customer_id is not None:
        stmt = stmt.where(f.customer_id == customer_id)
    if actor.role == SALES:
        stmt = stmt.where(r.created_by_id.is_(None) | (r.created_by_id == actor.user_id))
    stmt = scope_by_customer(stmt, actor, f.customer_id)
    return [FiringInfo(id=row[0], rule_id=row[1], rule_name=row[2], customer_id=row[3], customer_code=row[4],
                       customer_name=row[5], fired_at=row[6], cleared_at=row[7], trigger=row[8] or "",
                       matched=_loads(row[9], {}), actions_done=tuple(_loads(row[10], [])), reason_key=row[11] or "")
            for row in session.execute(stmt)]
