"""Follow-ups: open tasks (due, overdue), done, reschedule; who a follow-up goes to; the
"Today" page's data — tasks (with the reason when a process rule made them), contacts'
birthdays this week, and customers flagged by a simple built-in rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.sqlfuncs import month_day
from crmdesk.db.models import (Contact, Customer, CustomerStatus, SalesOrder, Task, TaskStatus, User,
                               WorkflowRule)
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError, NotFound, ValidationError
from crmdesk.services.customers import get_customer
from crmdesk.services.permissions import (PermissionDenied, customer_condition, require, require_customer,
                                         scope_customers, sees_all_customers)


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
    reason: str = ""  # one line: why a process rule made this task ("" for typed tasks)
    rule_name: str = ""


@dataclass(frozen=True)
class BirthdayInfo:
    contact_id: int
    contact_name: str
    customer_id: int
    customer_name: str
    birthday: dt.date | None  # None: the year is unknown, only month and day
    date_this_year: dt.date  # the day it falls on this week

    @property
    def birthday_text(self) -> str:
        return self.birthday.isoformat() if self.birthday else self.date_this_year.strftime("--%m-%d")


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
                interaction_id: int | None = None, reason: str = "", rule_id: int | None = None) -> Task:
    require(actor, "customers.tasks")
    if not title.strip():
        raise ValidationError(_("A task needs a title"))
    if priority not in (1, 2, 3):
        raise ValidationError(_("Priority must be 1 (high), 2 (normal) or 3 (low)"))
    if customer_id is not None:
        get_customer(session, customer_id)
        require_customer(session, actor, customer_id, "customers.tasks")
    task = Task(customer_id=customer_id, assignee_id=assignee_id if assignee_id is not None else actor.user_id,
                created_by_id=actor.user_id, title=title.strip(), notes=notes.strip(), due_date=due_date,
                status=TaskStatus.OPEN.value, priority=priority, interaction_id=interaction_id,
                reason=" ".join(reason.split()), rule_id=rule_id)
    session.add(task)
    session.flush()
    audit.record(session, actor, "tasks", task.id, "create", "title", None, task.title)
    if task.assignee_id != actor.user_id:
        audit.record(session, actor, "tasks", task.id, "create", "assignee_id", None, task.assignee_id)
    if due_date:
        audit.record(session, actor, "tasks", task.id, "create", "due_date", None, due_date.isoformat())
    return task


def _task_select() -> Select:
    # Plain columns, not Task objects: the owner's Today list can hold thousands of tasks.
    return (select(Task.id, Task.customer_id, Customer.code, Customer.name, Task.title, Task.notes, Task.due_date,
                   Task.status, Task.priority, Task.assignee_id, User.display_name, Task.reason, WorkflowRule.name)
            .select_from(Task)
            .outerjoin(Customer, Customer.id == Task.customer_id)
            .outerjoin(User, User.id == Task.assignee_id)
            .outerjoin(WorkflowRule, WorkflowRule.id == Task.rule_id))


def _task_scope(stmt: Select, actor: Actor) -> Select:
    """A task of a customer: the actor must see the customer. A task of no customer: everyone's
    for those who see all customers, else only the actor's own (assigned or created)."""
    if sees_all_customers(actor):
        return stmt
    cond = customer_condition(actor, Task.customer_id)
    own = or_(Task.assignee_id == actor.user_id, Task.created_by_id == actor.user_id) \
        if actor.user_id is not None else Task.id.is_(None)
    return stmt.where(or_(and_(Task.customer_id.is_not(None), cond),
                          and_(Task.customer_id.is_(None), own)))


def _infos(session: Session, stmt: Select, today: dt.date) -> list[TaskInfo]:
    out = []
    for (tid, cid, code, name, title, notes, due, status, priority, assignee_id, assignee, reason,
         rule_name) in session.execute(stmt):
        out.append(TaskInfo(id=tid, customer_id=cid, customer_code=code or "", customer_name=name or "",
                            title=title, notes=notes, due_date=due, status=status, priority=priority,
                            assignee_id=assignee_id, assignee_name=assignee or "",
                            is_overdue=status == TaskStatus.OPEN.value and due is not None and due < today,
                            reason=reason or "", rule_name=rule_name or ""))
    return out


def open_tasks(session: Session, actor: Actor, customer_id: int | None = None, all_users: bool = False,
               due_through: dt.date | None = None, today: dt.date | None = None) -> list[TaskInfo]:
    require(actor, "customers.tasks")
    today = today or dt.date.today()
    stmt = _task_select().where(Task.status == TaskStatus.OPEN.value)
    if customer_id is not None:
        stmt = stmt.where(Task.customer_id == customer_id)
    if not all_users:
        stmt = stmt.where(Task.assignee_id == actor.user_id) if actor.user_id is not None \
            else stmt.where(Task.assignee_id.is_(None))
    if due_through is not None:
        stmt = stmt.where(Task.due_date <= due_through)
    stmt = _task_scope(stmt, actor).order_by(Task.due_date.is_(None), Task.due_date, Task.priority, Task.id)
    return _infos(session, stmt, today)


def customer_tasks(session: Session, actor: Actor, customer_id: int, include_closed: bool = True) -> list[TaskInfo]:
    require_customer(session, actor, customer_id)
    stmt = _task_select().where(Task.customer_id == customer_id)
    if not include_closed:
        stmt = stmt.where(Task.status == TaskStatus.OPEN.value)
    stmt = stmt.order_by((Task.status == TaskStatus.OPEN.value).desc(), Task.due_date.is_(None), Task.due_date.desc(),
                         Task.id.desc())
    return _infos(session, stmt, dt.date.today())


def _get(session: Session, actor: Actor, task_id: int) -> Task:
    """The task, if the actor may change it (see ``_task_scope``)."""
    require(actor, "customers.tasks")
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(_("Task {id} does not exist (any more)").format(id=task_id))
    if session.scalar(_task_scope(select(Task.id).where(Task.id == task_id), actor)) is None:
        raise PermissionDenied("customers.tasks", _("task {id} is not yours").format(id=task_id))
    return task


def mark_done(session: Session, actor: Actor, task_id: int) -> Task:
    task = _get(session, actor, task_id)
    if task.status != TaskStatus.DONE.value:
        audit.record(session, actor, "tasks", task.id, "update", "status", task.status, TaskStatus.DONE.value)
        task.status = TaskStatus.DONE.value
        task.done_at = utcnow()
        session.flush()
    return task


def reschedule(session: Session, actor: Actor, task_id: int, new_due: dt.date) -> Task:
    task = _get(session, actor, task_id)
    if task.status != TaskStatus.OPEN.value:
        raise CustomerError(_("Only an open task can be rescheduled"))
    if task.due_date != new_due:
        audit.record(session, actor, "tasks", task.id, "update", "due_date",
                     task.due_date.isoformat() if task.due_date else None, new_due.isoformat())
        task.due_date = new_due
        session.flush()
    return task


def cancel_task(session: Session, actor: Actor, task_id: int) -> Task:
    task = _get(session, actor, task_id)
    if task.status == TaskStatus.OPEN.value:
        audit.record(session, actor, "tasks", task.id, "update", "status", task.status, TaskStatus.CANCELLED.value)
        task.status = TaskStatus.CANCELLED.value
        session.flush()
    return task


def _birthday_in(year: int, birthday: dt.date) -> dt.date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a common year: celebrate on the 28th
        return dt.date(year, 2, 28)


def birthdays_this_week(session: Session, actor: Actor, today: dt.date | None = None) -> list[BirthdayInfo]:
    require(actor, "customers.view")
    today = today or dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    wanted = {d.strftime("%m-%d") for d in days}
    if "02-28" in wanted and not _is_leap(monday.year) and not _is_leap(days[-1].year):
        wanted.add("02-29")
    # Month and day (migration 0012): a birthday whose year is unknown reminds as well.
    wanted_md = sorted(int(w[:2]) * 100 + int(w[3:]) for w in wanted)
    stmt = (select(Contact.id, Contact.name, Contact.birthday, Customer.id, Customer.name,
                   Contact.birthday_month, Contact.birthday_day)
            .join(Customer, Customer.id == Contact.customer_id)
            .where(or_((Contact.birthday_month * 100 + Contact.birthday_day).in_(wanted_md),
                       # rows written around the services (bulk demo, older code) have only birthday
                       and_(Contact.birthday_month.is_(None), Contact.birthday.is_not(None),
                            month_day(Contact.birthday).in_(sorted(wanted)))),
                   Customer.archived.is_(False)))
    stmt = scope_customers(stmt, actor)
    out = []
    for cid, cname, birthday, cust_id, cust_name, month, day in session.execute(stmt):
        when = next((d for d in days if _birthday_in(d.year, birthday or dt.date(2000, month, day)) == d), None)
        if when is None:
            continue
        out.append(BirthdayInfo(contact_id=cid, contact_name=cname, customer_id=cust_id, customer_name=cust_name,
                                birthday=birthday, date_this_year=when))
    out.sort(key=lambda b: (b.date_this_year, b.customer_name, b.contact_name))
    return out


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def customers_without_purchase(session: Session, actor: Actor, days: int = 90, today: dt.date | None = None,
                               limit: int = 50) -> list[FlaggedCustomer]:
    require(actor, "customers.view")
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(days=days)
    last = (select(SalesOrder.customer_id.label("cid"), func.max(SalesOrder.order_date).label("last"))
            .group_by(SalesOrder.customer_id).subquery())
    stmt = (select(Customer.id, Customer.code, Customer.name, last.c.last)
            .join(last, last.c.cid == Customer.id)
            .where(last.c.last < cutoff, Customer.archived.is_(False),
                   or_(Customer.status == CustomerStatus.ACTIVE.value, Customer.status.is_(None)))
            .order_by(last.c.last, Customer.id).limit(limit))
    stmt = scope_customers(stmt, actor)
    reason = _("No purchase for {days} days").format(days=days)
    return [FlaggedCustomer(customer_id=cid, customer_code=code, customer_name=name, reason=reason,
                            last_order_date=last_date) for cid, code, name, last_date in session.execute(stmt)]


def today_data(session: Session, actor: Actor, today: dt.date | None = None, all_users: bool | None = None,
               no_purchase_days: int = 90) -> TodayData:
    today = today or dt.date.today()
    if all_users is None:
        all_users = actor.is_owner
    tasks = open_tasks(session, actor, all_users=all_users, due_through=today + dt.timedelta(days=7), today=today)
    return TodayData(
        overdue=[t for t in tasks if t.due_date is not None and t.due_date < today],
        due_today=[t for t in tasks if t.due_date == today],
        upcoming=[t for t in tasks if t.due_date is not None and t.due_date > today],
        birthdays=birthdays_this_week(session, actor, today),
        flagged=customers_without_purchase(session, actor, no_purchase_days, today),
    )
