"""Follow-ups: open tasks (due, overdue), done, reschedule; the "Today" page's data —
tasks, contacts' birthdays this week, and customers flagged by a simple built-in rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crmdesk.db.models import Task
from crmdesk.services.actor import Actor


@dataclass(frozen=True)
class TaskInfo:
    id: int
    customer_id: int | None
    customer_code: str
    customer_name: str
    title: str
    notes: str
    due_date: dt.date | None
    status: str
    priority: int
    assignee_id: int | None
    assignee_name: str
    is_overdue: bool


@dataclass(frozen=True)
class BirthdayInfo:
    contact_id: int
    contact_name: str
    customer_id: int
    customer_name: str
    birthday: dt.date
    date_this_year: dt.date  # the day it falls on this week


@dataclass(frozen=True)
class FlaggedCustomer:
    customer_id: int
    customer_code: str
    customer_name: str
    reason: str
    last_order_date: dt.date | None


@dataclass
class TodayData:
    overdue: list[TaskInfo] = field(default_factory=list)
    due_today: list[TaskInfo] = field(default_factory=list)
    upcoming: list[TaskInfo] = field(default_factory=list)  # the next 7 days
    birthdays: list[BirthdayInfo] = field(default_factory=list)
    flagged: list[FlaggedCustomer] = field(default_factory=list)


def create_task(session: Session, actor: Actor, customer_id: int | None, title: str, due_date: dt.date | None,
                assignee_id: int | None = None, notes: str = "", priority: int = 2,
                interaction_id: int | None = None) -> Task:
    """An open task; assigned to the actor unless ``assignee_id`` is given."""
    raise NotImplementedError


def open_tasks(session: Session, actor: Actor, customer_id: int | None = None, all_users: bool = False,
               due_through: dt.date | None = None) -> list[TaskInfo]:
    """Open tasks by due date (undated last): the actor's own, or everyone's when ``all_users``."""
    raise NotImplementedError


def customer_tasks(session: Session, customer_id: int, include_closed: bool = True) -> list[TaskInfo]:
    raise NotImplementedError


def mark_done(session: Session, actor: Actor, task_id: int) -> Task:
    raise NotImplementedError


def reschedule(session: Session, actor: Actor, task_id: int, new_due: dt.date) -> Task:
    raise NotImplementedError


def cancel_task(session: Session, actor: Actor, task_id: int) -> Task:
    raise NotImplementedError


def birthdays_this_week(session: Session, actor: Actor, today: dt.date | None = None) -> list[BirthdayInfo]:
    """Contacts whose birthday falls in the ISO week (Monday–Sunday) of ``today``."""
    raise NotImplementedError


def customers_without_purchase(session: Session, actor: Actor, days: int = 90, today: dt.date | None = None,
                               limit: int = 50) -> list[FlaggedCustomer]:
    """Active, non-archived customers that bought before but not in the last ``days`` days (longest silent first)."""
    raise NotImplementedError


def today_data(session: Session, actor: Actor, today: dt.date | None = None, all_users: bool | None = None,
               no_purchase_days: int = 90) -> TodayData:
    """Everything the Today page shows. ``all_users`` defaults to True for the owner, else the actor's own."""
    raise NotImplementedError
