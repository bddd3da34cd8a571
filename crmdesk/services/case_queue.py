"""The service queue: plain rows of cases for the Service page, by view and filters.

Views: ``mine`` (assigned to the actor), ``unassigned``, ``overdue`` (due date passed and not
resolved/closed) and ``all``. A salesperson's queue holds the cases of the customers they may
see plus the cases assigned to them; counter and office staff see every case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import CaseType, Customer, ServiceCase, User
from crmdesk.i18n import N_
from crmdesk.services.actor import Actor
from crmdesk.services.cases import DONE_STATUSES, STATUS_LABELS
from crmdesk.services.permissions import customer_condition, require

VIEWS = ("mine", "unassigned", "overdue", "all")
VIEW_LABELS = {"mine": N_("Mine"), "unassigned": N_("Not assigned"), "overdue": N_("Overdue"), "all": N_("All")}
ACTIVE = "active"  # status filter: every status but resolved and closed
MAX_ROWS = 20_000


@dataclass
class QueueFilter:
    view: str = "all"
    case_type: str | None = None  # a type code
    status: str | None = None  # a status, ACTIVE, or None for every status
    priority: int | None = None
    text: str = ""
    customer_id: int | None = None
    limit: int | None = MAX_ROWS


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    customer_id: int
    customer_code: str
    customer_name: str
    case_type: str
    type_name: str
    subject: str
    priority: int
    status: str
    assignee_id: int | None
    assignee_name: str
    opened_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class QueueResult:
    rows: list[CaseRow]
    counts: dict[str, int] = field(default_factory=dict)  # view → cases under the same filters


def _overdue(now: dt.datetime):
    c = ServiceCase
    return and_(c.due_at.is_not(None), c.due_at < now, c.status.not_in(DONE_STATUSES))


def scope_cases(stmt: Select, actor: Actor) -> Select:
    """A salesperson: their visible customers' cases plus the cases assigned to them."""
    cond = customer_condition(actor, ServiceCase.customer_id)
    if cond is None:
        return stmt
    mine = ServiceCase.assignee_id == actor.user_id if actor.user_id is not None else None
    return stmt.where(or_(cond, mine) if mine is not None else cond)


def _view_condition(view: str, actor: Actor, now: dt.datetime):
    c = ServiceCase
    if view == "mine":
        return c.assignee_id == actor.user_id if actor.user_id is not None else c.id.is_(None)
    if view == "unassigned":
        return c.assignee_id.is_(None)
    if view == "overdue":
        return _overdue(now)
    if view == "all":
        return None
    raise ValueError(f"unknown queue view {view!r}")


def _filtered(stmt: Select, actor: Actor, f: QueueFilter) -> Select:
    c = ServiceCase
    stmt = scope_cases(stmt, actor)
    if f.case_type:
        stmt = stmt.where(c.case_type == f.case_type)
    if f.status == ACTIVE:
        stmt = stmt.where(c.status.not_in(DONE_STATUSES))
    elif f.status:
        if f.status not in STATUS_LABELS:
            raise ValueError(f"unknown case status {f.status!r}")
        stmt = stmt.where(c.status == f.status)
    if f.priority:
        stmt = stmt.where(c.priority == f.priority)
    if f.customer_id is not None:
        stmt = stmt.where(c.customer_id == f.customer_id)
    for word in f.text.split():
        like = f"%{word}%"
        stmt = stmt.where(or_(c.number.ilike(like), c.subject.ilike(like), c.description.ilike(like),
                              Customer.name.ilike(like), Customer.code.ilike(like)))
    return stmt


def list_queue(session: Session, actor: Actor, f: QueueFilter | None = None,
               now: dt.datetime | None = None) -> list[CaseRow]:
    """The cases of one view, newest first; overdue ones are flagged."""
    require(actor, "service.view")
    f = f or QueueFilter()
    now = now or utcnow()
    c = ServiceCase
    stmt = (select(c.id, c.number, c.customer_id, Customer.code, Customer.name, c.case_type, CaseType.name,
                   c.subject, c.priority, c.status, c.assignee_id, User.display_name, User.username, c.opened_at,
                   c.due_at)
            .select_from(c)
            .join(Customer, Customer.id == c.customer_id)
            .outerjoin(CaseType, CaseType.code == c.case_type)
            .outerjoin(User, User.id == c.assignee_id))
    stmt = _filtered(stmt, actor, f)
    view = _view_condition(f.view, actor, now)
    if view is not None:
        stmt = stmt.where(view)
    stmt = stmt.order_by(c.opened_at.desc(), c.id.desc())
    if f.limit:
        stmt = stmt.limit(f.limit)
    out = []
    for (cid, number, cust_id, code, name, kind, type_name, subject, priority, status, assignee_id, display,
         username, opened, due) in session.execute(stmt):
        overdue = due is not None and due < now and status not in DONE_STATUSES
        out.append(CaseRow(cid, number, cust_id, code or "", name or "", kind, type_name or kind, subject,
                           priority, status, assignee_id, display or username or "", opened, due, overdue))
    return out


def queue_counts(session: Session, actor: Actor, f: QueueFilter | None = None,
                 now: dt.datetime | None = None) -> dict[str, int]:
    """view → how many cases it holds under the same filters (one query)."""
    require(actor, "service.view")
    f = f or QueueFilter()
    now = now or utcnow()
    c = ServiceCase
    mine = c.assignee_id == actor.user_id if actor.user_id is not None else c.id.is_(None)
    stmt = (select(func.count(),
                   func.coalesce(func.sum(_flag(mine)), 0),
                   func.coalesce(func.sum(_flag(c.assignee_id.is_(None))), 0),
                   func.coalesce(func.sum(_flag(_overdue(now))), 0))
            .select_from(c).join(Customer, Customer.id == c.customer_id))
    total, mine_n, unassigned, overdue = session.execute(_filtered(stmt, actor, f)).one()
    return {"mine": int(mine_n), "unassigned": int(unassigned), "overdue": int(overdue), "all": int(total)}


def _flag(cond):
    return case((cond, 1), else_=0)


def load_queue(session: Session, actor: Actor, f: QueueFilter | None = None,
               now: dt.datetime | None = None) -> QueueResult:
    f = f or QueueFilter()
    now = now or utcnow()
    return QueueResult(list_queue(session, actor, f, now), queue_counts(session, actor, f, now))
