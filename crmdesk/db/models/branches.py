"""Branches (门店) of a small chain: where an order, a receipt or a stock count happened."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base


class Branch(Base):
    """One branch. Orders, receipts, stock snapshots and import batches point at it with a plain
    integer ``branch_id`` (no FOREIGN KEY: SQLite adds one only by rebuilding those tables, see
    migration 0015); a branch that is referenced is deactivated, never deleted."""

    __tablename__ = "branches"
    __table_args__ = (UniqueConstraint("code", name="uq_branches_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
