"""One case as the Service page's detail pane shows it (with its timeline), and the choices
the new-case dialog offers: the customer's contacts, recent orders, staff to assign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import CaseNote, CaseType, Contact, Customer, Product, SalesOrder, User
from crmdesk.services.actor import Actor
from crmdesk.services.cases import DONE_STATUSES, NEXT_STATUSES, load_case
from crmdesk.services.permissions import ROLES, require, require_customer

RECENT_ORDERS = 30


@dataclass(frozen=True)
class CaseNoteInfo:
    id: int
    at: dt.datetime
    user_name: str
    kind: str  # note, status, assign
    text: str
    from_status: str
    to_status: str


@dataclass(frozen=True)
class CaseDetail:
    id: int
    number: str
    customer_id: int
    customer_code: str
    customer_name: str
    contact_id: int | None
    contact_name: str
    case_type: str
    type_name: str
    subject: str
    description: str
    status: str
    priority: int
    assignee_id: int | None
    assignee_name: str
    opened_at: dt.datetime
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    satisfaction: int | None
    feedback: str
    order_id: int | None
    order_number: str
    product_id: int | None
    product_name: str
    overdue: bool
    next_statuses: tuple[str, ...]
    timeline: list[CaseNoteInfo] = field(default_factory=list)


@dataclass(frozen=True)
class OrderChoice:
    id: int
    number: str
    order_date: dt.date
    total_amount: int


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user else ""


def get_case(session: Session, actor: Actor, case_id: int, now: dt.datetime | None = None) -> CaseDetail:
    case = load_case(session, actor, case_id)
    now = now or utcnow()
    customer = session.get(Customer, case.customer_id)
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    kind = session.scalar(select(CaseType.name).where(CaseType.code == case.case_type))
    order = session.get(SalesOrder, case.order_id) if case.order_id else None
    product = session.get(Product, case.product_id) if case.product_id else None
    overdue = case.due_at is not None and case.due_at < now and case.status not in DONE_STATUSES
    return CaseDetail(
        id=case.id, number=case.number, customer_id=case.customer_id, customer_code=customer.code if customer else "",
        customer_name=customer.name if customer else "", contact_id=case.contact_id,
        contact_name=contact.name if contact else "", case_type=case.case_type, type_name=kind or case.case_type,
        subject=case.subject, description=case.description or "", status=case.status, priority=case.priority,
        assignee_id=case.assignee_id, assignee_name=_name(session.get(User, case.assignee_id))
        if case.assignee_id else "", opened_at=case.opened_at, due_at=case.due_at, resolved_at=case.resolved_at,
        closed_at=case.closed_at, satisfaction=case.satisfaction, feedback=case.feedback or "",
        order_id=case.order_id, order_number=order.number if order else "", product_id=case.product_id,
        product_name=f"{product.code} {product.name}" if product else "", overdue=overdue,
        next_statuses=NEXT_STATUSES.get(case.status, ()), timeline=timeline(session, case.id))


def timeline(session: Session, case_id: int) -> list[CaseNoteInfo]:
    """Oldest first. The caller checked the actor may see the case (``load_case``)."""
    n = CaseNote
    stmt = (select(n.id, n.at, User.display_name, User.username, n.kind, n.text, n.from_status, n.to_status)
            .outerjoin(User, User.id == n.user_id).where(n.case_id == case_id).order_by(n.at, n.id))
    return [CaseNoteInfo(i, at, display or username or "", kind, text or "", fs or "", ts or "")
            for i, at, display, username, kind, text, fs, ts in session.execute(stmt)]


def recent_orders(session: Session, actor: Actor, customer_id: int, limit: int = RECENT_ORDERS) -> list[OrderChoice]:
    require_customer(session, actor, customer_id, "customers.cases")
    o = SalesOrder
    stmt = (select(o.id, o.number, o.order_date, o.total_amount).where(o.customer_id == customer_id)
            .order_by(o.order_date.desc(), o.id.desc()).limit(limit))
    return [OrderChoice(i, number, day, int(total or 0)) for i, number, day, total in session.execute(stmt)]


def customer_contacts(session: Session, actor: Actor, customer_id: int) -> list[Choice]:
    require_customer(session, actor, customer_id, "customers.cases")
    stmt = (select(Contact.id, Contact.name, Contact.role).where(Contact.customer_id == customer_id)
            .order_by(Contact.is_primary.desc(), Contact.id))
    return [Choice(i, f"{name} {role}".strip()) for i, name, role in session.execute(stmt)]


def assignable_users(session: Session, actor: Actor) -> list[Choice]:
    """Active staff who log in (a salesperson known only from imports cannot work a case)."""
    require(actor, "customers.cases")
    stmt = (select(User.id, User.display_name, User.username)
            .where(User.active.is_(True), User.role.in_(ROLES), User.password_hash.is_not(None))
            .order_by(User.display_name, User.username))
    return [Choice(i, display or username) for i, display, username in session.execute(stmt)]


def find_products(session: Session, actor: Actor, text: str, limit: int = 30) -> list[Choice]:
    require(actor, "customers.cases")
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    stmt = (select(Product.id, Product.code, Product.name)
            .where((Product.code.ilike(like)) | (Product.name.ilike(like))).order_by(Product.code).limit(limit))
    return [Choice(i, f"{code} {name}") for i, code, name in session.execute(stmt)]
