"""Receivables per customer: balance = sales line amounts − receipts; overdue = the part of
orders already past their due date not covered by receipts (receipts pay the oldest first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Balance:
    """Money in integer units (crmdesk.money)."""

    customer_id: int
    sales: int
    receipts: int
    balance: int
    overdue: int


def balances_for(session: Session, customer_ids: Iterable[int] | None = None,
                 as_of: dt.date | None = None) -> dict[int, Balance]:
    """Balances of these customers (all customers with any ledger entry when None)."""
    raise NotImplementedError


def customer_balance(session: Session, customer_id: int, as_of: dt.date | None = None) -> Balance:
    raise NotImplementedError


def overdue_customer_ids_select(as_of: dt.date | None = None) -> Select:
    """A SELECT of the ids of customers with an overdue amount > 0 (to use in a WHERE … IN)."""
    raise NotImplementedError
