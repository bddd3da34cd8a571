"""Reading the audit log for the owner's audit view: filtered, newest first, capped.

Times are stored in UTC; the filter's dates are the shop's local calendar days, so they are
turned into UTC bounds here (the view shows local times too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from crmdesk.db.models import AuditLog, Customer, Territory, User
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    entity: str = ""
    action: str = ""
    date_from: dt.date | None = None  # local calendar days, inclusive
    date_to: dt.date | None = None
    text: str = ""  # in the field, old or new value


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime  # UTC, naive (as stored)
    user: str
    entity: str
    entity_id: int
    action: str
    field: str
    old_value: str
    new_value: str
    record: str = ""  # the name of the user, customer or territory the row is about


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int  # rows matching the filter; ``rows`` holds at most the limit of them


@dataclass(frozen=True)
class AuditChoices:
    users: list[tuple[int, str]]  # (id, display name) of everyone who has an audit row
    entities: list[str]
    actions: list[str]


def _local_day_start_utc(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time()).astimezone()  # the machine's zone, with DST
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _filtered(stmt: Select, flt: AuditFilter) -> Select:
    a = AuditLog.__table__.c
    if flt.user_id is not None:
        stmt = stmt.where(a.user_id == flt.user_id)
    if flt.entity:
        stmt = stmt.where(a.entity == flt.entity)
    if flt.action:
        stmt = stmt.where(a.action == flt.action)
    if flt.date_from is not None:
        stmt = stmt.where(a.at >= _local_day_start_utc(flt.date_from))
    if flt.date_to is not None:
        stmt = stmt.where(a.at < _local_day_start_utc(flt.date_to + dt.timedelta(days=1)))
    text = flt.text.strip()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(a.field.like(like), a.old_value.like(like), a.new_value.like(like)))
    return stmt


def query_audit(session: Session, actor: Actor, flt: AuditFilter = AuditFilter(),
                limit: int = DEFAULT_LIMIT) -> AuditPage:
    """The newest ``limit`` rows matching ``flt``, and how many match in all. Owner only."""
    require(actor, "audit.view")
    a = AuditLog.__table__.c
    u = User.__table__.c
    total = session.scalar(_filtered(select(func.count()).select_from(AuditLog.__table__), flt)) or 0
    # The record's name: failed logins have no acting user, only the account tried (entity_id).
    subject = aliased(User)
    cust = Customer.__table__.c
    terr = Territory.__table__.c
    record = func.coalesce(subject.username, cust.name, terr.name, "")
    stmt = (select(a.id, a.at, func.coalesce(func.nullif(u.display_name, ""), u.username, ""), a.entity,
                   a.entity_id, a.action, a.field, a.old_value, a.new_value, record)
            .outerjoin(User.__table__, u.id == a.user_id)
            .outerjoin(subject, and_(a.entity == "users", subject.id == a.entity_id))
            .outerjoin(Customer.__table__, and_(a.entity == "customers", cust.id == a.entity_id))
            .outerjoin(Territory.__table__, and_(a.entity == "territories", terr.id == a.entity_id))
            .order_by(a.at.desc(), a.id.desc()).limit(max(0, int(limit))))
    rows = [AuditRow(i, at, user or "", entity, entity_id, action, field or "", old or "", new or "", rec or "")
            for i, at, user, entity, entity_id, action, field, old, new, rec in session.execute(_filtered(stmt, flt))]
    return AuditPage(rows, int(total))


def audit_choices(session: Session, actor: Actor) -> AuditChoices:
    """What the filters offer: the people, entities and actions the log holds."""
    require(actor, "audit.view")
    a = AuditLog.__table__.c
    users = session.execute(
        select(User.id, func.coalesce(func.nullif(User.display_name, ""), User.username))
        .where(User.id.in_(select(a.user_id).where(a.user_id.is_not(None)).distinct()))
        .order_by(User.id)).all()
    entities = [e for e in session.scalars(select(a.entity).distinct().order_by(a.entity)) if e]
    actions = [x for x in session.scalars(select(a.action).distinct().order_by(a.action)) if x]
    return AuditChoices([(int(i), n) for i, n in users], entities, actions)
