"""Expenses (费用): what serving customers and running the shop costs, beyond the goods.

An expense with a customer (directly, or through an order) is that customer's direct cost; one
without is shared and spread over customers by its item's ``allocation`` rule when a report
asks (nothing derived is stored, so nothing goes stale)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, Money, TimestampMixin


class Allocation(str, enum.Enum):
    """How the shared expenses of an item are spread over customers."""
    REVENUE = "revenue"
    GROSS_PROFIT = "gross_profit"
    ORDERS = "orders"
    LINES = "lines"
    NONE = "none"  # left as overhead: one explicit row in the reports


class ExpenseItem(Base):
    """费用项目: the kinds of expense, each with its allocation rule (the owner's choice)."""

    __tablename__ = "expense_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    allocation: Mapped[str] = mapped_column(String(20), default=Allocation.REVENUE.value)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Expense(TimestampMixin, Base):
    """One expense line. Imported lines are found again by (doc_number, line_no) so a re-import
    updates rather than doubles; typed ones have ``source_batch_id`` None."""

    __tablename__ = "expenses"
    __table_args__ = (Index("ix_expenses_doc_line", "doc_number", "line_no"),
                      Index("ix_expenses_date", "expense_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    expense_date: Mapped[dt.date] = mapped_column(Date)
    doc_number: Mapped[str] = mapped_column(String(50), default="")
    line_no: Mapped[int] = mapped_column(Integer, default=1)
    item_id: Mapped[int] = mapped_column(ForeignKey("expense_items.id"), index=True)
    amount: Mapped[Money]
    # A customer's expenses go with it (a merge moves them: services.merge).
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    brand: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
