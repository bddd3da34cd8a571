"""Products and dated stock snapshots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, Money, TimestampMixin


class Product(TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (Index("ix_products_category_brand", "category", "brand"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    brand: Mapped[str] = mapped_column(String(100), default="", index=True)
    barcode: Mapped[str] = mapped_column(String(50), default="")
    list_price: Mapped[Money]
    cost: Mapped[Money]
    reorder_point: Mapped[float] = mapped_column(Float, default=0.0)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    search_text: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))


class StockSnapshot(Base):
    """Stock on hand of one product in one warehouse on one date.

    The newest snapshot per product is "current stock"; older ones give the
    stock-value trend.
    """

    __tablename__ = "stock_snapshots"
    __table_args__ = (
        # NULL branch = a one-shop database; it must collide with itself (migration 0015).
        Index("uq_stock_snapshots_key", "product_id", "warehouse", "snapshot_date", text("coalesce(branch_id, 0)"),
              unique=True),
        Index("ix_stock_snapshots_date", "snapshot_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_date: Mapped[dt.date] = mapped_column(Date)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    warehouse: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    cost_value: Mapped[Money]  # stock value at cost
    notes: Mapped[str] = mapped_column(Text, default="")
    source_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    branch_id: Mapped[int | None] = mapped_column(Integer)  # branches.id; None = no branch
