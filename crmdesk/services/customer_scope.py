"""Scoping helpers over lists of customer ids, on top of ``permissions``' SQL conditions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import customer_condition

CHUNK = 10_000


def visible_ids(session: Session, actor: Actor, ids: Iterable[int]) -> list[int]:
    """``ids`` (order and duplicates kept) without those the actor may not see."""
    ids = [int(i) for i in ids]
    cond = customer_condition(actor)
    if cond is None:
        return ids
    wanted = sorted(set(ids))
    seen: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        seen.update(session.scalars(select(Customer.id).where(Customer.id.in_(wanted[start:start + CHUNK]), cond)))
    return [i for i in ids if i in seen]
