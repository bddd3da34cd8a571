"""Territories, their assignment rules, and workflow rules."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, TimestampMixin


class Territory(TimestampMixin, Base):
    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL", use_alter=True))
    notes: Mapped[str] = mapped_column(Text, default="")
    # When a customer falls in several territories, the one with the lowest priority is its
    # main territory and gives it its owner (ties: lowest id).
    priority: Mapped[int] = mapped_column(Integer, default=100, server_default="100")


class TerritoryRule(Base):
    """One allowed value of one field of a territory's definition.

    ``field`` is a customer field (province, city, district, customer_type, grade, tag:
    which customers) or a product field (category, brand: which of their sales). Values of
    one field are alternatives (OR); fields combine with AND; a field with no rows is "all".
    ``operator`` is always "equals" (kept for rules of other kinds later)."""

    __tablename__ = "territory_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    operator: Mapped[str] = mapped_column(String(20), default="equals")
    value: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=100)


class WorkflowRule(TimestampMixin, Base):
    """A rule evaluated on a schedule or an event: trigger + conditions → action.

    ``conditions`` and ``action`` hold JSON text so new rule kinds need no
    schema change.
    """

    __tablename__ = "workflow_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(50))
    conditions: Mapped[str] = mapped_column(Text, default="{}")
    action: Mapped[str] = mapped_column(Text, default="{}")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
