"""Receivables per customer: balance = sales line amounts − receipts; overdue = the part of
orders already past their due date not covered by receipts (receipts pay the oldest first,
so overdue = max(0, amounts of orders due before ``as_of`` − all receipts)).

Like the receivables report, every line counts (returns are negative lines). An order without a
due date is due on its order date. Only entries dated on or before ``as_of`` count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, Subquery, case, func, literal, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Receipt, SalesLine, SalesOrder


@dataclass(frozen=True)
class Balance:
    """Money in integer units (crmdesk.money)."""

    customer_id: int
    sales: int
    receipts: int
    balance: int
    overdue: int


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def sales_subquery(as_of: dt.date, ids: list[int] | None = None) -> Subquery:
    """Per customer: ``sales`` (all lines) and ``due`` (lines of orders due before ``as_of``)."""
    due_date = func.coalesce(SalesOrder.due_date, SalesOrder.order_date)
    stmt = (select(SalesLine.customer_id.label("customer_id"),
                   func.sum(SalesLine.amount).label("sales"),
                   func.sum(case((due_date < as_of, SalesLine.amount), else_=literal(0))).label("due"))
            .join(SalesOrder, SalesOrder.id == SalesLine.order_id)
            .where(SalesLine.order_date <= as_of)
            .group_by(SalesLine.customer_id))
    if ids is not None:
        stmt = stmt.where(SalesLine.customer_id.in_(ids))
    return stmt.subquery("ledger_sales")


def receipts_subquery(as_of: dt.date, ids: list[int] | None = None) -> Subquery:
    stmt = (select(Receipt.customer_id.label("customer_id"), func.sum(Receipt.amount).label("paid"))
            .where(Receipt.receipt_date <= as_of).group_by(Receipt.customer_id))
    if ids is not None:
        stmt = stmt.where(Receipt.customer_id.in_(ids))
    return stmt.subquery("ledger_receipts")


def _make(cid: int, sales: int, due: int, paid: int) -> Balance:
    return Balance(customer_id=cid, sales=sales, receipts=paid, balance=sales - paid, overdue=max(0, due - paid))


def balances_for(session: Session, customer_ids: Iterable[int] | None = None,
                 as_of: dt.date | None = None) -> dict[int, Balance]:
    as_of = as_of or dt.date.today()
    batches: Iterable[list[int] | None] = [None] if customer_ids is None else _chunks(list(customer_ids))
    out: dict[int, Balance] = {}
    for ids in batches:
        sales = {cid: (int(s or 0), int(d or 0)) for cid, s, d in session.execute(select(sales_subquery(as_of, ids)))}
        paid = {cid: int(p or 0) for cid, p in session.execute(select(receipts_subquery(as_of, ids)))}
        for cid in sales.keys() | paid.keys():
            s, d = sales.get(cid, (0, 0))
            out[cid] = _make(cid, s, d, paid.get(cid, 0))
    return out


def customer_balance(session: Session, customer_id: int, as_of: dt.date | None = None) -> Balance:
    found = balances_for(session, [customer_id], as_of)
    return found.get(customer_id) or Balance(customer_id, 0, 0, 0, 0)


def overdue_customer_ids_select(as_of: dt.date | None = None) -> Select:
    as_of = as_of or dt.date.today()
    sales = sales_subquery(as_of)
    paid = receipts_subquery(as_of)
    return (select(sales.c.customer_id)
            .outerjoin(paid, paid.c.customer_id == sales.c.customer_id)
            .where(sales.c.due - func.coalesce(paid.c.paid, 0) > 0))
