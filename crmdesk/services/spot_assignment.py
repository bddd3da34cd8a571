"""Customers created or imported get their territories and owner on the spot.

With territories, their rules decide (``territories.assign_new``). Without any, the rules
would give nobody: the import's 业务员 (``import_owner_id``) is the owner unless one was set
by hand — the same outcome ``territories.compute`` gives, without loading the rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, Territory
from crmdesk.services.actor import Actor

# Ids per statement: below SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 10_000


def assign_on_the_spot(session: Session, customer_ids: Iterable[int]) -> None:
    from crmdesk.services import territories  # pandas: loaded when an assignment is made, not by the list
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return
    session.flush()
    if session.scalar(select(func.count()).select_from(Territory)):
        if len(ids) * 2 > territories.len_customers(session):
            # Most of the file: one pass over everyone is cheaper than many id lists.
            territories.reassign(session, Actor.system(), None, audited=False)
        else:
            for start in range(0, len(ids), CHUNK):
                territories.assign_new(session, ids[start:start + CHUNK])
        return
    c = Customer.__table__.c
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        differs = or_(c.owner_source != case((c.import_owner_id.is_(None), ""), else_="import"),
                      and_(c.owner_id.is_(None), c.import_owner_id.is_not(None)),
                      and_(c.owner_id.is_not(None), c.import_owner_id.is_(None)),
                      c.owner_id != c.import_owner_id)
        session.execute(update(Customer.__table__)
                        .where(c.id.in_(chunk), c.owner_source != "manual", differs)
                        .values(owner_id=c.import_owner_id,
                                owner_source=case((c.import_owner_id.is_(None), ""), else_="import")))
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Customer) and obj.id in wanted:
            session.expire(obj, ["owner_id", "owner_source"])
