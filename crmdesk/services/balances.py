"""Receivables per customer: balance = sales line amounts − receipts; overdue = the part of
orders already past their due date not covered by receipts (receipts pay the oldest first,
so overdue = max(0, amounts of orders due before ``as_of`` − all receipts)).

Like the receivables report, every line counts (returns are negative lines) except those of
orders settled at sale (``services.settlement``: paid on the spot, never owed). An order without a
due date is due on its order date. Only entries dated on or before ``as_of`` count. The overdue
part reads the orders' ``total_amount`` (kept equal to the sum of their lines by every writer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Receipt, SalesLine, SalesOrder
from crmdesk.services.settlement import CREDIT


@dataclass(frozen=True)
class Balance:
    """Money in integer units (crmdesk.money). ``sales``: every sale; ``settled``: the part of
    them paid at sale; balance = sales − settled − receipts."""

    customer_id: int
    sales: int
    receipts: int
    balance: int
    overdue: int
    settled: int = 0


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def sales_subquery(as_of: dt.date, ids: list[int] | None = None, settled: bool = False) -> Subquery:
    """Per customer: ``sales``, the amounts of its lines up to ``as_of`` that are owed (on credit);
    ``settled=True``: of those paid at sale instead.

    Each line looks up its own order's settlement (a primary-key join): an ``IN (orders settled
    at sale)`` list would be built from every order of the shop on each call — 24 ms per screen
    of the customer list at 100,000 customers."""
    wanted = SalesOrder.settlement != CREDIT if settled else SalesOrder.settlement == CREDIT
    stmt = (select(SalesLine.customer_id.label("customer_id"), func.sum(SalesLine.amount).label("sales"))
            .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
            .where(SalesLine.order_date <= as_of, wanted)
            .group_by(SalesLine.customer_id))
    if ids is not None:
        stmt = stmt.where(SalesLine.customer_id.in_(ids))
    return stmt.subquery("ledger_settled" if settled else "ledger_sales")


def due_subquery(as_of: dt.date, ids: list[int] | None = None) -> Subquery:
    """Per customer: ``due``, the amounts of its documents due before ``as_of``.

    Read from the orders' ``total_amount`` (the sum of their lines, kept by the importer and the
    demo generator): one row per document instead of a join over every line.
    """
    due_date = func.coalesce(SalesOrder.due_date, SalesOrder.order_date)
    stmt = (select(SalesOrder.customer_id.label("customer_id"), func.sum(SalesOrder.total_amount).label("due"))
            .where(SalesOrder.order_date <= as_of, due_date < as_of, SalesOrder.settlement == CREDIT)
            .group_by(SalesOrder.customer_id))
    if ids is not None:
        stmt = stmt.where(SalesOrder.customer_id.in_(ids))
    return stmt.subquery("ledger_due")


def receipts_subquery(as_of: dt.date, ids: list[int] | None = None) -> Subquery:
    stmt = (select(Receipt.customer_id.label("customer_id"), func.sum(Receipt.amount).label("paid"))
            .where(Receipt.receipt_date <= as_of).group_by(Receipt.customer_id))
    if ids is not None:
        stmt = stmt.where(Receipt.customer_id.in_(ids))
    return stmt.subquery("ledger_receipts")


def _make(cid: int, sales: int, due: int, paid: int, settled: int = 0) -> Balance:
    return Balance(customer_id=cid, sales=sales + settled, receipts=paid, balance=sales - paid,
                   overdue=max(0, due - paid), settled=settled)


def balances_for(session: Session, customer_ids: Iterable[int] | None = None,
                 as_of: dt.date | None = None) -> dict[int, Balance]:
    as_of = as_of or dt.date.today()
    batches: Iterable[list[int] | None] = [None] if customer_ids is None else _chunks(list(customer_ids))
    out: dict[int, Balance] = {}
    for ids in batches:
        sales = {cid: int(v or 0) for cid, v in session.execute(select(sales_subquery(as_of, ids)))}
        due = {cid: int(v or 0) for cid, v in session.execute(select(due_subquery(as_of, ids)))}
        paid = {cid: int(v or 0) for cid, v in session.execute(select(receipts_subquery(as_of, ids)))}
        settled = {cid: int(v or 0) for cid, v in session.execute(select(sales_subquery(as_of, ids, settled=True)))}
        for cid in sales.keys() | due.keys() | paid.keys() | settled.keys():
            out[cid] = _make(cid, sales.get(cid, 0), due.get(cid, 0), paid.get(cid, 0), settled.get(cid, 0))
    return out


def customer_balance(session: Session, customer_id: int, as_of: dt.date | None = None) -> Balance:
    found = balances_for(session, [customer_id], as_of)
    return found.get(customer_id) or Balance(customer_id, 0, 0, 0, 0)


def overdue_customer_ids_select(as_of: dt.date | None = None) -> Select:
    as_of = as_of or dt.date.today()
    due = due_subquery(as_of)
    paid = receipts_subquery(as_of)
    return (select(due.c.customer_id)
            .outerjoin(paid, paid.c.customer_id == due.c.customer_id)
            .where(due.c.due - func.coalesce(paid.c.paid, 0) > 0))


def overdue_condition(customer_id_column, as_of: dt.date | None = None, correlated: bool = False):
    """A WHERE condition "this customer has something overdue".

    ``correlated``: computed per candidate customer through the (customer_id, date) indexes —
    the fast form when another condition (a search text) already narrows the customers; the
    default form computes every customer's figure once, faster for the whole list.
    """
    as_of = as_of or dt.date.today()
    if not correlated:
        return customer_id_column.in_(overdue_customer_ids_select(as_of))
    due_date = func.coalesce(SalesOrder.due_date, SalesOrder.order_date)
    due = (select(func.coalesce(func.sum(SalesOrder.total_amount), 0))
           .where(SalesOrder.customer_id == customer_id_column, SalesOrder.order_date <= as_of, due_date < as_of,
                  SalesOrder.settlement == CREDIT)
           .scalar_subquery())
    paid = (select(func.coalesce(func.sum(Receipt.amount), 0))
            .where(Receipt.customer_id == customer_id_column, Receipt.receipt_date <= as_of)
            .scalar_subquery())
    return due - paid > 0
