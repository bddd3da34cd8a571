"""What the customer form shows, loaded in a few SQL aggregates: basics, financial
summary, purchases by month, top categories and brands, orders (paged) with lines,
contacts, contact log, follow-ups, opportunities, service cases, relations, attachments and
history — only for an actor who may see the customer (``require_customer``). Nothing here
carries cost or gross profit: the purchases tab shows prices and amounts only, for every role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import (AuditLog, Contact, Customer, CustomerType, Interaction, Product, SalesLine, SalesOrder, Task,
                               Territory, User)
from crmdesk.services import balances, settlement
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import AttachmentInfo, list_attachments
from crmdesk.services.contacts import ContactInfo, list_contacts
from crmdesk.services.customer_pipeline import CaseInfo, OpportunityInfo, list_cases, list_opportunities
from crmdesk.services.customers import CustomerInput, get_customer, input_from_customer
from crmdesk.services.interactions import InteractionInfo, list_interactions
from crmdesk.services.permissions import can, require_customer
from crmdesk.services.relations import RelationInfo, list_relations
from crmdesk.services.tasks import TaskInfo, customer_tasks


@dataclass(frozen=True)
class Financial:
    """Money in integer units. ``credit_use_pct`` is balance / credit limit × 100 (None without a limit)."""

    credit_limit: int
    payment_terms_days: int
    balance: int
    overdue: int
    credit_use_pct: float | None
    total_sales: int
    total_receipts: int
    first_order_date: dt.date | None
    last_order_date: dt.date | None
    settlement: str = ""  # the customer's own setting: "", credit, at_sale (services.settlement)
    settles: str = ""  # how its new sales settle now: credit or at_sale
    settles_why: str = ""  # which rule decided that
    settled_sales: int = 0  # sales paid at sale (not owed)


@dataclass(frozen=True)
class ShareRow:
    name: str
    amount: int
    share: float  # 0..1 of the customer's total over the same period


@dataclass(frozen=True)
class OrderLineRow:
    line_no: int
    product_code: str
    product_name: str
    category: str
    brand: str
    quantity: float
    unit_price: int
    amount: int


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    order_date: dt.date
    due_date: dt.date | None
    status: str
    doc_type: str
    salesperson_name: str
    total_amount: int
    lines: tuple[OrderLineRow, ...] = ()


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    user_name: str
    entity: str
    action: str
    field: str
    old_value: str
    new_value: str


@dataclass
class Purchases:
    this_year: int  # the year of ``as_of``
    by_month_this_year: list[int] = field(default_factory=lambda: [0] * 12)
    by_month_last_year: list[int] = field(default_factory=lambda: [0] * 12)
    top_categories: list[ShareRow] = field(default_factory=list)  # last 12 months
    top_brands: list[ShareRow] = field(default_factory=list)
    order_count: int = 0


@dataclass
class CustomerProfile:
    id: int
    code: str
    updated_at: dt.datetime  # pass back to update_customer for the concurrency check
    basic: CustomerInput  # custom values formatted for display
    type_name: str
    owner_name: str
    territory_name: str
    is_incomplete: bool
    archived: bool
    financial: Financial
    purchases: Purchases
    orders: list[OrderRow]  # the first page, newest first, with lines
    contacts: list[ContactInfo]
    interactions: list[InteractionInfo]
    tasks: list[TaskInfo]
    relations: list[RelationInfo]
    attachments: list[AttachmentInfo]
    history: list[HistoryRow]
    owner_source: str = ""  # "manual", "rule", "import" or ""
    owner_source_label: str = ""  # shown beside the owner: "rule: 华东", "manual", "import"
    owner_manual: bool = False
    territory_manual: bool = False
    opportunities: list[OpportunityInfo] = field(default_factory=list)  # empty for counter staff
    cases: list[CaseInfo] = field(default_factory=list)


def load_profile(session: Session, actor: Actor, customer_id: int, as_of: dt.date | None = None,
                 orders_page: int = 50) -> CustomerProfile:
    from crmdesk.services import territories  # pandas: loaded when an assignment is made, not by the list
    customer = get_customer(session, customer_id)
    require_customer(session, actor, customer_id)
    as_of = as_of or dt.date.today()
    names = session.execute(
        select(CustomerType.name, User.display_name, Territory.name).select_from(Customer)
        .outerjoin(CustomerType, CustomerType.id == Customer.type_id)
        .outerjoin(User, User.id == Customer.owner_id)
        .outerjoin(Territory, Territory.id == Customer.territory_id)
        .where(Customer.id == customer_id)).one()
    assignment = territories.customer_assignment(session, customer_id)
    return CustomerProfile(
        id=customer.id, code=customer.code, updated_at=customer.updated_at,
        basic=input_from_customer(session, actor, customer_id),
        type_name=names[0] or "", owner_name=names[1] or "", territory_name=names[2] or "",
        is_incomplete=bool(customer.is_incomplete), archived=bool(customer.archived),
        financial=financial_summary(session, actor, customer_id, as_of),
        purchases=purchases_summary(session, actor, customer_id, as_of),
        orders=list_orders(session, actor, customer_id, 0, orders_page),
        contacts=list_contacts(session, actor, customer_id),
        interactions=list_interactions(session, actor, customer_id),
        tasks=customer_tasks(session, actor, customer_id),
        relations=list_relations(session, actor, customer_id),
        attachments=list_attachments(session, actor, customer_id),
        history=customer_history(session, actor, customer_id),
        owner_source=assignment.owner_source,
        owner_source_label=assignment.source_label(),
        owner_manual=assignment.owner_source == "manual",
        territory_manual=assignment.territory_manual,
        opportunities=list_opportunities(session, actor, customer_id)
        if can(actor, "customers.opportunities") else [],
        cases=list_cases(session, actor, customer_id) if can(actor, "customers.cases") else [],
    )


def financial_summary(session: Session, actor: Actor, customer_id: int, as_of: dt.date | None = None) -> Financial:
    as_of = as_of or dt.date.today()
    customer = get_customer(session, customer_id)
    require_customer(session, actor, customer_id)
    bal = balances.customer_balance(session, customer_id, as_of)
    first, last = session.execute(select(func.min(SalesLine.order_date), func.max(SalesLine.order_date))
                                  .where(SalesLine.customer_id == customer_id)).one()
    limit = customer.credit_limit or 0
    use = round(bal.balance * 100.0 / limit, 1) if limit > 0 else None
    type_name = customer.customer_type.name if customer.customer_type else ""
    settles, why = settlement.explain(customer, settlement.load_rules(session), type_name)
    return Financial(credit_limit=limit, payment_terms_days=customer.payment_terms_days or 0, balance=bal.balance,
                     overdue=bal.overdue, credit_use_pct=use, total_sales=bal.sales, total_receipts=bal.receipts,
                     first_order_date=first, last_order_date=last, settlement=customer.settlement or "",
                     settles=settles, settles_why=why, settled_sales=bal.settled)


def _shares(rows: list[tuple[str | None, int | None]], total: int, top: int) -> list[ShareRow]:
    out = []
    for name, amount in rows[:top]:
        amount = int(amount or 0)
        out.append(ShareRow(name=name or "", amount=amount, share=(amount / total) if total else 0.0))
    return out


def _branch_orders(session: Session, actor: Actor, order_id_column) -> list:
    """A salesperson whose territories are limited to branches sees those branches' orders only
    (``territory_rules.branch_limit``): a condition on the order id, or none."""
    from crmdesk.services.territory_rules import branch_limit

    limit = branch_limit(session, actor)
    if limit is None:
        return []
    return [order_id_column.in_(select(SalesOrder.id).where(SalesOrder.branch_id.in_(limit)))]


def purchases_summary(session: Session, actor: Actor, customer_id: int, as_of: dt.date | None = None,
                      top: int = 5) -> Purchases:
    require_customer(session, actor, customer_id)
    branch = _branch_orders(session, actor, SalesLine.order_id)
    as_of = as_of or dt.date.today()
    year = as_of.year
    result = Purchases(this_year=year)
    # Group by day (a range read of the (customer_id, order_date) index, at most ~730 rows) and fold
    # the days into months here: cheaper than a date function on every line.
    by_day = session.execute(
        select(SalesLine.order_date, func.sum(SalesLine.amount))
        .where(SalesLine.customer_id == customer_id, SalesLine.order_date >= dt.date(year - 1, 1, 1),
               SalesLine.order_date <= as_of, *branch)
        .group_by(SalesLine.order_date))
    for day, amount in by_day:
        target = result.by_month_this_year if day.year == year else result.by_month_last_year
        target[day.month - 1] += int(amount or 0)
    # Top categories and brands over the last 12 months: sum per product once, then fold.
    start = as_of - dt.timedelta(days=365)
    per_product = dict(session.execute(
        select(SalesLine.product_id, func.sum(SalesLine.amount))
        .where(SalesLine.customer_id == customer_id, SalesLine.order_date > start, SalesLine.order_date <= as_of,
               *branch)
        .group_by(SalesLine.product_id)).all())
    total = sum(int(v or 0) for v in per_product.values())
    categories: dict[str, int] = {}
    brands: dict[str, int] = {}
    ids = list(per_product)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        for pid, category, brand in session.execute(select(Product.id, Product.category, Product.brand)
                                                    .where(Product.id.in_(chunk))):
            amount = int(per_product[pid] or 0)
            categories[category or ""] = categories.get(category or "", 0) + amount
            brands[brand or ""] = brands.get(brand or "", 0) + amount
    for folded, target in ((categories, result.top_categories), (brands, result.top_brands)):
        ranked = sorted(folded.items(), key=lambda kv: (-kv[1], kv[0]))
        target.extend(_shares(ranked, total, top))
    result.order_count = int(session.scalar(select(func.count()).select_from(SalesOrder)
                                            .where(SalesOrder.customer_id == customer_id,
                                                   *_branch_orders(session, actor, SalesOrder.id))) or 0)
    return result


def list_orders(session: Session, actor: Actor, customer_id: int, offset: int = 0, limit: int = 50,
                with_lines: bool = True) -> list[OrderRow]:
    require_customer(session, actor, customer_id)
    # Plain columns, not ORM objects: a page of a big customer's orders holds hundreds of lines.
    o = SalesOrder
    orders = session.execute(
        select(o.id, o.number, o.order_date, o.due_date, o.status, o.doc_type, User.display_name, o.total_amount)
        .outerjoin(User, User.id == o.salesperson_id)
        .where(o.customer_id == customer_id, *_branch_orders(session, actor, o.id))
        .order_by(o.order_date.desc(), o.id.desc()).offset(offset).limit(limit)).all()
    lines: dict[int, list[OrderLineRow]] = {}
    if with_lines and orders:
        ln = SalesLine
        for order_id, *values in session.execute(
                select(ln.order_id, ln.line_no, Product.code, Product.name, Product.category, Product.brand,
                       ln.quantity, ln.unit_price, ln.amount)
                .join(Product, Product.id == ln.product_id)
                .where(ln.order_id.in_([row[0] for row in orders])).order_by(ln.order_id, ln.line_no)):
            line_no, code, name, category, brand, quantity, unit_price, amount = values
            lines.setdefault(order_id, []).append(OrderLineRow(
                line_no=line_no, product_code=code, product_name=name, category=category or "", brand=brand or "",
                quantity=quantity, unit_price=unit_price, amount=amount))
    return [OrderRow(id=oid, number=number, order_date=day, due_date=due, status=status, doc_type=doc_type,
                     salesperson_name=sp or "", total_amount=total, lines=tuple(lines.get(oid, ())))
            for oid, number, day, due, status, doc_type, sp, total in orders]


def customer_history(session: Session, actor: Actor, customer_id: int, limit: int = 200) -> list[HistoryRow]:
    require_customer(session, actor, customer_id)
    contact_ids = select(Contact.id).where(Contact.customer_id == customer_id).scalar_subquery()
    task_ids = select(Task.id).where(Task.customer_id == customer_id).scalar_subquery()
    interaction_ids = select(Interaction.id).where(Interaction.customer_id == customer_id).scalar_subquery()
    about = or_(
        and_(AuditLog.entity == "customers", AuditLog.entity_id == customer_id),
        and_(AuditLog.entity == "contacts", AuditLog.entity_id.in_(contact_ids)),
        and_(AuditLog.entity == "tasks", AuditLog.entity_id.in_(task_ids)),
        and_(AuditLog.entity == "interactions", AuditLog.entity_id.in_(interaction_ids)),
    )
    rows = session.execute(select(AuditLog, User.display_name).outerjoin(User, User.id == AuditLog.user_id)
                           .where(about).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit))
    return [HistoryRow(at=a.at, user_name=name or "", entity=a.entity, action=a.action, field=a.field,
                       old_value=a.old_value, new_value=a.new_value) for a, name in rows]
