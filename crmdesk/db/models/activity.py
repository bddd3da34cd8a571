"""The contact log, tasks, the pipeline and service cases."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crmdesk.db.base import Base, Money, TimestampMixin, utcnow


class Channel(str, enum.Enum):
    VISIT = "visit"
    CALL = "call"
    WECHAT = "wechat"
    EMAIL = "email"
    STORE = "store"


class Interaction(TimestampMixin, Base):
    """One entry of the contact log."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.CALL.value)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    next_follow_up: Mapped[dt.date | None] = mapped_column(Date)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"))


class TaskStatus(str, enum.Enum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(TimestampMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assignee_status_due", "assignee_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN.value)
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 high, 2 normal, 3 low
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_rules.id", ondelete="SET NULL"))
    # One line saying why a process rule made this task ("silent 95 days, usually 30"); "" for typed tasks.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class OpportunityStage(Base):
    """Configurable pipeline stages; ``probability`` (0–100) weights the forecast."""

    __tablename__ = "opportunity_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[float] = mapped_column(Float, default=0.0)
    is_won: Mapped[bool] = mapped_column(Boolean, default=False)
    is_lost: Mapped[bool] = mapped_column(Boolean, default=False)
    # A card that sat longer than this in the stage is marked stale on the board.
    stale_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")


class Opportunity(TimestampMixin, Base):
    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_stage_owner", "stage_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Claimed by a form's save: UPDATE … SET version = version + 1 WHERE id = ? AND version = ?
    # (crmdesk.db.row_version; migration 0013).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("opportunity_stages.id"))
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Money]
    expected_close: Mapped[dt.date | None] = mapped_column(Date)
    opened_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(50), default="")
    lost_reason: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Plain integers, not foreign keys, for columns added to existing tables (see migration 0006):
    # deleting a contact clears it here (services.contacts).
    contact_id: Mapped[int | None] = mapped_column(Integer)
    next_step: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # When the opportunity entered its current stage (days in stage, stale cards).
    stage_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OpportunityStageChange(Base):
    """The stage history of an opportunity: one row each time it entered a stage (the first
    row, with no ``from_stage_id``, is its creation)."""

    __tablename__ = "opportunity_stage_changes"
    __table_args__ = (Index("ix_opportunity_stage_changes_opportunity", "opportunity_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity_stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity_stages.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")  # the lost reason when it closed as lost


class OpportunityItem(Base):
    """A product of interest: quantity × unit price = the line's amount; the opportunity's
    amount is the sum of its items when it has any."""

    __tablename__ = "opportunity_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[float] = mapped_column(Float, default=1.0)
    unit_price: Mapped[Money]
    amount: Mapped[Money]  # round(quantity × unit_price), kept by the service that writes the item
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class LostReason(Base):
    """The editable list offered when an opportunity closes as lost."""

    __tablename__ = "lost_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class CaseStatus(str, enum.Enum):
    OPEN = "open"  # shown as "New"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # waiting for the customer
    RESOLVED = "resolved"
    CLOSED = "closed"


class ServiceCase(TimestampMixin, Base):
    __tablename__ = "service_cases"
    __table_args__ = (Index("ix_service_cases_status_opened", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    case_type: Mapped[str] = mapped_column(String(30), default="consult")  # complaint, repair, return, delivery, consult
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN.value)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1–5, asked when the case closes
    feedback: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_orders.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: see migration 0006
    # opened_at + the SLA hours of its type and priority; overdue when past and not resolved/closed.
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CaseType(Base):
    """The editable case types, each with its SLA: hours from opening to resolved, per priority."""

    __tablename__ = "case_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # service_cases.case_type holds this
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    sla_hours_high: Mapped[int] = mapped_column(Integer, default=24)
    sla_hours_normal: Mapped[int] = mapped_column(Integer, default=72)
    sla_hours_low: Mapped[int] = mapped_column(Integer, default=168)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CaseNote(Base):
    """A case's timeline: notes typed by staff and every status change."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_time", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_cases.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="note")  # note, status, assign
    text: Mapped[str] = mapped_column(Text, default="")
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
