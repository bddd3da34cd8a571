"""What the customer form shows, loaded in a few SQL aggregates: basics, financial
summary, purchases by month, top categories and brands, orders (paged) with lines,
contacts, contact log, follow-ups, relations, attachments and history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor
from crmdesk.services.attachments import AttachmentInfo
from crmdesk.services.contacts import ContactInfo
from crmdesk.services.customers import CustomerInput
from crmdesk.services.interactions import InteractionInfo
from crmdesk.services.relations import RelationInfo
from crmdesk.services.tasks import TaskInfo


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


def load_profile(session: Session, actor: Actor, customer_id: int, as_of: dt.date | None = None,
                 orders_page: int = 50) -> CustomerProfile:
    raise NotImplementedError


def financial_summary(session: Session, customer_id: int, as_of: dt.date | None = None) -> Financial:
    raise NotImplementedError


def purchases_summary(session: Session, customer_id: int, as_of: dt.date | None = None, top: int = 5) -> Purchases:
    raise NotImplementedError


def list_orders(session: Session, actor: Actor, customer_id: int, offset: int = 0, limit: int = 50,
                with_lines: bool = True) -> list[OrderRow]:
    """A page of the customer's orders, newest first."""
    raise NotImplementedError


def customer_history(session: Session, customer_id: int, limit: int = 200) -> list[HistoryRow]:
    """Audit rows about the customer and its contacts, custom values etc., newest first."""
    raise NotImplementedError
