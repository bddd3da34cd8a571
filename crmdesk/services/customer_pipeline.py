"""A customer's opportunities and service cases as the form's tabs list them, scoped to the
actor (the pipeline board and the case desk build on these in the next issue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, Opportunity, OpportunityStage, ServiceCase, User
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require, require_customer, scope_by_customer


@dataclass(frozen=True)
class OpportunityInfo:
    id: int
    customer_id: int
    customer_name: str
    name: str
    stage: str
    amount: int  # integer units
    expected_close: dt.date | None
    owner_name: str
    closed_on: dt.date | None


@dataclass(frozen=True)
class CaseInfo:
    id: int
    customer_id: int
    customer_name: str
    number: str
    case_type: str
    subject: str
    status: str
    priority: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    assignee_name: str


def list_opportunities(session: Session, actor: Actor, customer_id: int | None = None) -> list[OpportunityInfo]:
    """One customer's opportunities (None: every opportunity of the actor's customers)."""
    if customer_id is not None:
        require_customer(session, actor, customer_id, "customers.opportunities")
    require(actor, "customers.opportunities")
    o = Opportunity
    stmt = (select(o.id, o.customer_id, Customer.name, o.name, OpportunityStage.name, o.amount, o.expected_close,
                   User.display_name, o.closed_on)
            .join(Customer, Customer.id == o.customer_id)
            .join(OpportunityStage, OpportunityStage.id == o.stage_id)
            .outerjoin(User, User.id == o.owner_id))
    stmt = stmt.where(o.customer_id == customer_id) if customer_id is not None \
        else scope_by_customer(stmt, actor, o.customer_id)
    stmt = stmt.order_by(o.closed_on.is_not(None), o.expected_close, o.id)
    return [OpportunityInfo(i, cid, cname, name, stage, int(amount or 0), close, owner or "", closed)
            for i, cid, cname, name, stage, amount, close, owner, closed in session.execute(stmt)]


def list_cases(session: Session, actor: Actor, customer_id: int | None = None) -> list[CaseInfo]:
    """One customer's service cases (None: every case of the actor's customers)."""
    if customer_id is not None:
        require_customer(session, actor, customer_id, "customers.cases")
    require(actor, "customers.cases")
    c = ServiceCase
    stmt = (select(c.id, c.customer_id, Customer.name, c.number, c.case_type, c.subject, c.status, c.priority,
                   c.opened_at, c.closed_at, User.display_name)
            .join(Customer, Customer.id == c.customer_id)
            .outerjoin(User, User.id == c.assignee_id))
    stmt = stmt.where(c.customer_id == customer_id) if customer_id is not None \
        else scope_by_customer(stmt, actor, c.customer_id)
    stmt = stmt.order_by(c.opened_at.desc(), c.id.desc())
    return [CaseInfo(i, cid, cname, number, kind, subject, status, priority, opened, closed, who or "")
            for i, cid, cname, number, kind, subject, status, priority, opened, closed, who in session.execute(stmt)]
