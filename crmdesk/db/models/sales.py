"""Sales orders, their lines, and receipts (customer payments)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crmdesk.db.base import Base, Money, TimestampMixin


class OrderStatus(str, enum.Enum):
    OPEN = "open"  # not shipped yet
    PARTIAL = "partial"  # some lines shipped
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DocType(str, enum.Enum):
    SALE = "sale"
    RETURN = "return"  # 销售退货单: its lines carry negative quantities and amounts


class SalesOrder(TimestampMixin, Base):
    __tablename__ = "sales_orders"
    __table_args__ = (Index("ix_sales_orders_customer_date", "customer_id", "order_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    order_date: Mapped[dt.date] = mapped_column(Date, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.COMPLETED.value)
    doc_type: Mapped[str] = mapped_column(String(20), default=DocType.SALE.value)
    warehouse: Mapped[str] = mapped_column(String(100), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)  # order date + payment terms
    total_amount: Mapped[Money]  # sum of the lines' amounts, kept by whoever writes lines
    notes: Mapped[str] = mapped_column(Text, default="")
    # credit (owed until receipts pay it), at_sale (paid on the spot by the customer's settlement
    # rule when imported) or file (the import said the whole file was paid at sale): services.settlement.
    settlement: Mapped[str] = mapped_column(String(10), default="credit", server_default="credit")
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    branch_id: Mapped[int | None] = mapped_column(Integer, index=True)  # branches.id; None = no branch

    lines: Mapped[list[SalesLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="SalesLine.line_no"
    )


class SalesLine(Base):
    """One order line. Returns are negative quantity and amount.

    ``order_date`` and ``customer_id`` repeat the order's on purpose: the
    analysis reports aggregate a million lines without a join.
    """

    __tablename__ = "sales_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        Index("ix_sales_lines_date", "order_date"),
        Index("ix_sales_lines_customer_date", "customer_id", "order_date"),
        Index("ix_sales_lines_product_date", "product_id", "order_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    order_date: Mapped[dt.date] = mapped_column(Date)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    unit_price: Mapped[Money]
    amount: Mapped[Money]
    cost_amount: Mapped[Money]
    shipped_quantity: Mapped[float] = mapped_column(Float, default=0.0)
    # Hash of the imported source values: a re-import compares it to tell unchanged from updated.
    row_hash: Mapped[int | None] = mapped_column(BigInteger)
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))

    order: Mapped[SalesOrder] = relationship(back_populates="lines")


class Receipt(TimestampMixin, Base):
    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("number"),
        Index("ix_receipts_customer_date", "customer_id", "receipt_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50))
    receipt_date: Mapped[dt.date] = mapped_column(Date, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    amount: Mapped[Money]
    method: Mapped[str] = mapped_column(String(30), default="")  # cash, bank, wechat, alipay …
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    row_hash: Mapped[int | None] = mapped_column(BigInteger)
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    branch_id: Mapped[int | None] = mapped_column(Integer)  # branches.id; None = no branch
