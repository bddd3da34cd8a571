"""Territories, their assignment rules, and workflow rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, TimestampMixin, utcnow


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
    """A process rule: trigger + conditions → actions, stored as data (JSON) that
    ``crmdesk.services.rules`` validates; nothing typed is ever evaluated as code.

    ``trigger``: "import" (after each import/sync), "daily", "customer_saved", "case_closed".
    ``conditions``: JSON list of {"measure", "op", "value"} (all must hold).
    ``action``: JSON list of {"kind", …} actions. ``created_by_id``: the rule runs with this
    user's rights (a salesperson's rule sees only their customers); None = shop-wide.
    ``builtin_key``: set on the rules crmdesk ships, so an upgrade can find them."""

    __tablename__ = "workflow_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(50))
    conditions: Mapped[str] = mapped_column(Text, default="[]")
    action: Mapped[str] = mapped_column(Text, default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: see migration 0006
    builtin_key: Mapped[str] = mapped_column(String(50), default="", server_default="")
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RuleFiring(Base):
    """One time a rule fired for a customer. While ``cleared_at`` is empty the reason still
    holds and the rule does not fire again for that customer and ``reason_key``; a run that
    finds the reason gone sets ``cleared_at``, and a later run may fire again.

    ``reason_key`` is "" for reasons about the customer as a whole, or names the event
    (e.g. "case:17") for reasons that come from one event. ``matched``: JSON {measure: value};
    ``actions_done``: JSON list of one-line descriptions of what the firing did."""

    __tablename__ = "rule_firings"
    __table_args__ = (Index("ix_rule_firings_rule_customer", "rule_id", "customer_id", "cleared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("workflow_rules.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    reason_key: Mapped[str] = mapped_column(String(100), default="")
    fired_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    trigger: Mapped[str] = mapped_column(String(50), default="")
    matched: Mapped[str] = mapped_column(Text, default="{}")
    actions_done: Mapped[str] = mapped_column(Text, default="[]")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who ran it


class CustomerAlert(Base):
    """A notice shown when the customer is opened, until someone dismisses it."""

    __tablename__ = "customer_alerts"
    __table_args__ = (Index("ix_customer_alerts_customer_open", "customer_id", "dismissed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_rules.id", ondelete="SET NULL"))
    firing_id: Mapped[int | None] = mapped_column(ForeignKey("rule_firings.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    dismissed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
