"""Expenses typed by hand (a delivery, a gift, a visit's cost) and the expense items with the
rule that spreads their shared part over customers. Qt-free; the caller owns the transaction.

Who may do what (``permissions``): expenses follow the cost rules — counter staff see none;
a salesperson sees, adds, edits and deletes the expenses of their own customers only, and no
shared expense (rent is the shop's); owner and manager everything. Expense items and their
allocation are settings (``settings.edit``). Every change is audited (entity ``expenses`` /
``expense_items``), so an import batch whose lines a person edited since is not undone blindly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Allocation, Customer, Expense, ExpenseItem, SalesOrder
from crmdesk.i18n import N_, _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError, NotFound, ValidationError
from crmdesk.services.permissions import (PermissionDenied, can, require, require_customer, scope_by_customer,
                                         sees_all_customers)

# allocation value → what the owner reads (translate with _ when shown)
ALLOCATION_LABELS: dict[str, str] = {
    Allocation.REVENUE.value: N_("by revenue"),
    Allocation.GROSS_PROFIT.value: N_("by gross profit"),
    Allocation.ORDERS.value: N_("by number of orders"),
    Allocation.LINES.value: N_("by number of order lines"),
    Allocation.NONE.value: N_("not allocated (overhead)"),
}
_EDITED = ("expense_date", "item_id", "amount", "customer_id", "order_id", "notes")


class ExpenseError(CustomerError):
    """A request the expense services refuse, with a message fit for the user."""


@dataclass
class ExpenseInput:
    expense_date: dt.date
    item_id: int
    amount: int  # money units (crmdesk.money), not zero; negative for a refund
    customer_id: int | None = None  # None: shared (owner and manager only)
    order_id: int | None = None  # its customer when no customer is given
    notes: str = ""


@dataclass(frozen=True)
class ExpenseInfo:
    id: int
    expense_date: dt.date
    doc_number: str
    line_no: int
    item_id: int
    item_name: str
    amount: int
    customer_id: int | None
    order_id: int | None
    order_number: str
    notes: str
    imported: bool  # from an import batch (a re-import of its file overwrites it)


@dataclass(frozen=True)
class ItemInfo:
    id: int
    name: str
    allocation: str
    allocation_label: str
    sort_order: int
    used: int  # expense lines of this item


# --- typed expenses ----------------------------------------------------------------------------

def _info(e: Expense, item_name: str, order_number: str | None) -> ExpenseInfo:
    return ExpenseInfo(e.id, e.expense_date, e.doc_number, e.line_no, e.item_id, item_name, e.amount, e.customer_id,
                       e.order_id, order_number or "", e.notes, e.source_batch_id is not None)


def _query():
    return (select(Expense, ExpenseItem.name, SalesOrder.number).join(ExpenseItem, ExpenseItem.id == Expense.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == Expense.order_id))


def list_customer_expenses(session: Session, actor: Actor, customer_id: int) -> list[ExpenseInfo]:
    """The customer's direct expenses, newest first."""
    require_customer(session, actor, customer_id, "expenses.view")
    stmt = _query().where(Expense.customer_id == customer_id).order_by(Expense.expense_date.desc(),
                                                                        Expense.id.desc())
    return [_info(e, name, number) for e, name, number in session.execute(stmt)]


def list_expenses(session: Session, actor: Actor, start: dt.date | None = None,
                  end: dt.date | None = None) -> list[ExpenseInfo]:
    """Every expense the actor may see in [start, end] (a salesperson: their customers' only)."""
    require(actor, "expenses.view")
    stmt = _query()
    if start is not None:
        stmt = stmt.where(Expense.expense_date >= start)
    if end is not None:
        stmt = stmt.where(Expense.expense_date <= end)
    if not sees_all_customers(actor):
        stmt = scope_by_customer(stmt.where(Expense.customer_id.is_not(None)), actor, Expense.customer_id)
    stmt = stmt.order_by(Expense.expense_date.desc(), Expense.id.desc())
    return [_info(e, name, number) for e, name, number in session.execute(stmt)]


def get_expense(session: Session, actor: Actor, expense_id: int) -> ExpenseInfo:
    expense = _load(session, actor, expense_id, "expenses.view")
    return _info(expense, session.get(ExpenseItem, expense.item_id).name, _order_number(session, expense.order_id))


def _order_number(session: Session, order_id: int | None) -> str:
    return session.scalar(select(SalesOrder.number).where(SalesOrder.id == order_id)) or "" if order_id else ""


def _load(session: Session, actor: Actor, expense_id: int, action: str) -> Expense:
    require(actor, action)
    expense = session.get(Expense, expense_id)
    if expense is None:
        raise NotFound(_("Expense {id} does not exist (any more)").format(id=expense_id))
    _check_customer(session, actor, expense.customer_id, action)
    return expense


def _check_customer(session: Session, actor: Actor, customer_id: int | None, action: str) -> None:
    """A customer's expense: the customer must be the actor's. A shared one: only who sees all."""
    if customer_id is not None:
        require_customer(session, actor, customer_id, action)
    elif not sees_all_customers(actor):
        raise PermissionDenied(action, _("a shared expense (no customer) belongs to the whole shop"))


def _validated(session: Session, data: ExpenseInput) -> ExpenseInput:
    problems = []
    if not isinstance(data.expense_date, dt.date):
        problems.append(_("Date is required"))
    if session.get(ExpenseItem, data.item_id) is None:
        problems.append(_("Choose an expense item"))
    if not data.amount:
        problems.append(_("Amount must not be zero"))
    customer_id = data.customer_id
    if data.order_id is not None:
        order = session.get(SalesOrder, data.order_id)
        if order is None:
            problems.append(_("Order {id} does not exist (any more)").format(id=data.order_id))
        elif customer_id is None:
            customer_id = order.customer_id
        elif order.customer_id != customer_id:
            problems.append(_("Order {number} is another customer's").format(number=order.number))
    if customer_id is not None and session.get(Customer, customer_id) is None:
        problems.append(_("Customer {id} does not exist (any more)").format(id=customer_id))
    if problems:
        raise ValidationError(problems)
    return ExpenseInput(data.expense_date, data.item_id, int(data.amount), customer_id, data.order_id,
                        (data.notes or "").strip())


def add_expense(session: Session, actor: Actor, data: ExpenseInput) -> int:
    """Store a typed expense; returns its id. PermissionDenied, ValidationError."""
    require(actor, "expenses.edit")
    clean = _validated(session, data)
    _check_customer(session, actor, clean.customer_id, "expenses.edit")
    expense = Expense(expense_date=clean.expense_date, item_id=clean.item_id, amount=clean.amount,
                      customer_id=clean.customer_id, order_id=clean.order_id, notes=clean.notes,
                      doc_number="", line_no=1, brand="", created_by_id=actor.user_id)
    session.add(expense)
    session.flush()
    audit.record(session, actor, "expenses", expense.id, "create", "amount", None, clean.amount)
    return expense.id


def update_expense(session: Session, actor: Actor, expense_id: int, data: ExpenseInput) -> bool:
    """Change a typed or imported expense (both the old and the new customer must be the actor's).
    Returns whether anything changed."""
    expense = _load(session, actor, expense_id, "expenses.edit")
    clean = _validated(session, data)
    _check_customer(session, actor, clean.customer_id, "expenses.edit")
    before = {name: getattr(expense, name) for name in _EDITED}
    after = {name: getattr(clean, name) for name in _EDITED}
    changed = audit.record_changes(session, actor, "expenses", expense_id, before, after)
    for name, value in after.items():
        setattr(expense, name, value)
    session.flush()
    return changed > 0


def delete_expense(session: Session, actor: Actor, expense_id: int) -> None:
    expense = _load(session, actor, expense_id, "expenses.edit")
    audit.record(session, actor, "expenses", expense_id, "delete", "amount", expense.amount, None)
    session.delete(expense)
    session.flush()


# --- expense items -----------------------------------------------------------------------------

def list_items(session: Session, actor: Actor) -> list[ItemInfo]:
    """Every item with its allocation rule (anyone who sees expenses: the forms choose from them)."""
    if not can(actor, "settings.edit"):
        require(actor, "expenses.view")
    used = dict(session.execute(select(Expense.item_id, func.count()).group_by(Expense.item_id)).all())
    items = session.scalars(select(ExpenseItem).order_by(ExpenseItem.sort_order, ExpenseItem.id))
    return [ItemInfo(i.id, i.name, i.allocation, _(ALLOCATION_LABELS.get(i.allocation, i.allocation)), i.sort_order,
                     int(used.get(i.id, 0))) for i in items]


def _check_allocation(allocation: str) -> str:
    if allocation not in ALLOCATION_LABELS:
        raise ValidationError(_("Unknown allocation {value}; use one of {values}").format(
            value=allocation, values=", ".join(ALLOCATION_LABELS)))
    return allocation


def _check_name(session: Session, name: str, item_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Name is required"))
    if len(name) > 100:
        raise ValidationError(_("Name is longer than {n} characters").format(n=100))
    other = session.scalar(select(ExpenseItem.id).where(ExpenseItem.name == name))
    if other is not None and other != item_id:
        raise ValidationError(_("An expense item named {name} exists already").format(name=name))
    return name


def add_item(session: Session, actor: Actor, name: str, allocation: str = Allocation.REVENUE.value) -> int:
    require(actor, "settings.edit")
    name = _check_name(session, name)
    top = session.scalar(select(func.max(ExpenseItem.sort_order))) or 0
    item = ExpenseItem(name=name, allocation=_check_allocation(allocation), sort_order=top + 1)
    session.add(item)
    session.flush()
    audit.record(session, actor, "expense_items", item.id, "create", "name", None, name)
    return item.id


def update_item(session: Session, actor: Actor, item_id: int, name: str | None = None,
                allocation: str | None = None) -> bool:
    """Rename an item or set the rule its shared expenses are allocated by. Returns whether anything changed."""
    require(actor, "settings.edit")
    item = session.get(ExpenseItem, item_id)
    if item is None:
        raise NotFound(_("Expense item {id} does not exist (any more)").format(id=item_id))
    after = {"name": item.name if name is None else _check_name(session, name, item_id),
             "allocation": item.allocation if allocation is None else _check_allocation(allocation)}
    before = {"name": item.name, "allocation": item.allocation}
    changed = audit.record_changes(session, actor, "expense_items", item_id, before, after)
    item.name, item.allocation = after["name"], after["allocation"]
    session.flush()
    return changed > 0


def delete_item(session: Session, actor: Actor, item_id: int) -> None:
    """Only an item no expense uses (the lines would lose their kind)."""
    require(actor, "settings.edit")
    item = session.get(ExpenseItem, item_id)
    if item is None:
        raise NotFound(_("Expense item {id} does not exist (any more)").format(id=item_id))
    used = session.scalar(select(func.count()).select_from(Expense).where(Expense.item_id == item_id)) or 0
    if used:
        raise ExpenseError(_("{name} is used by {n} expenses: it cannot be deleted").format(name=item.name, n=used))
    audit.record(session, actor, "expense_items", item_id, "delete", "name", item.name, None)
    session.delete(item)
    session.flush()
