"""Service cases: opening one, its status flow, assignment, notes and closing.

Status flow: new ("open") → in progress → waiting for the customer → resolved → closed;
a resolved or closed case may be reopened (back to in progress). Closing asks for the
customer's satisfaction (1–5, required) and their feedback. Every status change and every
(re)assignment writes a row of the case's timeline (``case_notes``) beside the audit log.

Who may touch a case: staff with "customers.cases" who may see its customer, and whoever the
case is assigned to (a salesperson may be handed a case of a customer outside their territory).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import CaseNote, CaseStatus, Contact, Customer, Product, SalesOrder, ServiceCase, User
from crmdesk.i18n import N_, _
from crmdesk.services import audit, events
from crmdesk.services.actor import Actor
from crmdesk.services.case_settings import PRIORITIES, sla_hours
from crmdesk.services.customer_errors import CustomerError, NotFound, ValidationError
from crmdesk.services.permissions import ROLES, PermissionDenied, can_see_customer, require, require_customer

NUMBER_PREFIX = "FW"
OPEN, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (s.value for s in CaseStatus)
DONE_STATUSES = (RESOLVED, CLOSED)  # not overdue any more
STATUS_LABELS = {OPEN: N_("New"), IN_PROGRESS: N_("In progress"), WAITING: N_("Waiting for customer"),
                 RESOLVED: N_("Resolved"), CLOSED: N_("Closed")}
# status → the statuses it may move to. Closing needs a resolved case (someone said it is
# fixed before the customer rates it); reopening goes back to in progress.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    OPEN: (IN_PROGRESS, WAITING, RESOLVED),
    IN_PROGRESS: (WAITING, RESOLVED),
    WAITING: (IN_PROGRESS, RESOLVED),
    RESOLVED: (CLOSED, IN_PROGRESS),
    CLOSED: (IN_PROGRESS,),
}
NOTE, STATUS, ASSIGN = "note", "status", "assign"


class CaseError(CustomerError):
    """A refused case change (an illegal status move, a missing satisfaction …)."""


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def is_reopen(old: str, new: str) -> bool:
    return old in DONE_STATUSES and new == IN_PROGRESS


@dataclass
class CaseInput:
    customer_id: int
    subject: str
    case_type: str = "consult"
    priority: int = 2
    description: str = ""
    contact_id: int | None = None
    assignee_id: int | None = None  # None: the customer's owning salesperson, else the actor
    order_id: int | None = None
    product_id: int | None = None
    opened_at: dt.datetime | None = None  # None: now


# -- loading and checking ------------------------------------------------------------------
def load_case(session: Session, actor: Actor, case_id: int) -> ServiceCase:
    """The case, if the actor may work it (see the module docstring); else PermissionDenied."""
    require(actor, "customers.cases")
    case = session.get(ServiceCase, case_id)
    if case is None:
        raise NotFound(_("The service case no longer exists"))
    assigned_to_me = actor.user_id is not None and case.assignee_id == actor.user_id
    if not assigned_to_me and not can_see_customer(session, actor, case.customer_id):
        raise PermissionDenied("customers.cases", _("case {number} is not yours to see").format(number=case.number))
    return case


def _check_assignee(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in ROLES:
        raise ValidationError(_("A case can only be assigned to an active member of staff"))
    return user


def _default_assignee(session: Session, actor: Actor, customer: Customer) -> int | None:
    if customer.owner_id is not None:
        owner = session.get(User, customer.owner_id)
        if owner is not None and owner.active and owner.role in ROLES:
            return owner.id
    return actor.user_id


def next_number(session: Session, day: dt.date) -> str:
    """``FW-20260307-0003``: the demo's form, the day's next sequence. The unique index on
    ``number`` still guards two PCs opening a case in the same second."""
    prefix = f"{NUMBER_PREFIX}-{day:%Y%m%d}-"
    last = session.scalar(select(func.max(ServiceCase.number)).where(ServiceCase.number.like(prefix + "%")))
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:04d}"


def _validate(session: Session, data: CaseInput) -> None:
    problems = []
    if not data.subject.strip():
        problems.append(_("A case needs a subject"))
    if data.priority not in PRIORITIES:
        problems.append(_("Priority must be 1 (high), 2 (normal) or 3 (low)"))
    if sla_hours(session, data.case_type, data.priority) is None:
        problems.append(_("Unknown case type: {code}").format(code=data.case_type))
    if data.contact_id is not None:
        if session.scalar(select(Contact.customer_id).where(Contact.id == data.contact_id)) != data.customer_id:
            problems.append(_("The contact is not one of this customer's"))
    if data.order_id is not None:
        if session.scalar(select(SalesOrder.customer_id).where(SalesOrder.id == data.order_id)) != data.customer_id:
            problems.append(_("The order is not one of this customer's"))
    if data.product_id is not None and session.get(Product, data.product_id) is None:
        problems.append(_("The product does not exist"))
    if problems:
        raise ValidationError(problems)


def _note(session: Session, actor: Actor, case: ServiceCase, kind: str, text: str = "", from_status: str = "",
          to_status: str = "", at: dt.datetime | None = None) -> CaseNote:
    note = CaseNote(case_id=case.id, at=at or utcnow(), user_id=actor.user_id, kind=kind, text=text,
                    from_status=from_status, to_status=to_status)
    session.add(note)
    return note


# -- writing -------------------------------------------------------------------------------
def open_case(session: Session, actor: Actor, data: CaseInput) -> ServiceCase:
    require(actor, "customers.cases")
    customer = session.get(Customer, data.customer_id)
    if customer is None:
        raise NotFound(_("The customer no longer exists"))
    require_customer(session, actor, data.customer_id, "customers.cases")
    _validate(session, data)
    assignee = data.assignee_id
    if assignee is None:
        assignee = _default_assignee(session, actor, customer)
    else:
        _check_assignee(session, assignee)
    opened = data.opened_at or utcnow()
    hours = sla_hours(session, data.case_type, data.priority)
    case = ServiceCase(number=next_number(session, opened.date()), customer_id=data.customer_id,
                       contact_id=data.contact_id, assignee_id=assignee, case_type=data.case_type,
                       subject=data.subject.strip(), description=data.description.strip(), status=OPEN,
                       priority=data.priority, opened_at=opened, order_id=data.order_id, product_id=data.product_id,
                       due_at=opened + dt.timedelta(hours=hours) if hours else None)
    session.add(case)
    session.flush()
    audit.record(session, actor, "service_cases", case.id, "create", "number", None, case.number)
    audit.record(session, actor, "service_cases", case.id, "create", "subject", None, case.subject)
    _note(session, actor, case, STATUS, "", "", OPEN, at=opened)
    if assignee is not None:
        _note(session, actor, case, ASSIGN, _user_name(session, assignee), at=opened)
    return case


def _user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return (user.display_name or user.username) if user else ""


def change_status(session: Session, actor: Actor, case_id: int, new_status: str, note: str = "",
                  satisfaction: int | None = None, feedback: str = "",
                  now: dt.datetime | None = None) -> ServiceCase:
    """Move a case along its flow; ``closed`` needs ``satisfaction`` 1–5. Illegal moves raise
    CaseError naming both statuses."""
    case = load_case(session, actor, case_id)
    old = case.status
    if new_status not in STATUS_LABELS:
        raise CaseError(_("Unknown case status: {status}").format(status=new_status))
    if new_status not in NEXT_STATUSES.get(old, ()):
        raise CaseError(_("A case that is {old} cannot become {new}").format(old=status_label(old),
                                                                            new=status_label(new_status)))
    now = now or utcnow()
    text = note.strip()
    if new_status == CLOSED:
        if satisfaction is None or satisfaction not in (1, 2, 3, 4, 5):
            raise CaseError(_("Closing a case needs the customer's satisfaction, 1 to 5"))
        case.satisfaction, case.feedback, case.closed_at = satisfaction, feedback.strip(), now
        audit.record(session, actor, "service_cases", case.id, "update", "satisfaction", None, satisfaction)
        text = " ".join(p for p in (_("Satisfaction {score}/5").format(score=satisfaction), feedback.strip(), text)
                        if p)
    elif new_status == RESOLVED:
        case.resolved_at = now
    if is_reopen(old, new_status):
        # What the case said when it was done stays readable in its timeline.
        earlier = [_("Reopened")]
        if case.satisfaction is not None:
            earlier.append(_("was closed {at} with satisfaction {score}/5").format(
                at=f"{case.closed_at:%Y-%m-%d %H:%M}" if case.closed_at else "", score=case.satisfaction))
        if case.feedback:
            earlier.append(_("feedback: {text}").format(text=case.feedback))
        text = "; ".join([*earlier, text] if text else earlier)
        if case.satisfaction is not None:
            audit.record(session, actor, "service_cases", case.id, "update", "satisfaction", case.satisfaction, None)
        case.closed_at = case.resolved_at = case.satisfaction = None
        case.feedback = ""
    case.status = new_status
    audit.record(session, actor, "service_cases", case.id, "update", "status", old, new_status)
    _note(session, actor, case, STATUS, text, old, new_status, at=now)
    session.flush()
    if new_status == CLOSED:
        events.publish(events.CASE_CLOSED, session, actor, case_id=case.id)
    return case


def close_case(session: Session, actor: Actor, case_id: int, satisfaction: int | None, feedback: str = "",
               now: dt.datetime | None = None) -> ServiceCase:
    return change_status(session, actor, case_id, CLOSED, satisfaction=satisfaction, feedback=feedback, now=now)


def reopen_case(session: Session, actor: Actor, case_id: int, note: str = "",
                now: dt.datetime | None = None) -> ServiceCase:
    case = load_case(session, actor, case_id)
    if case.status not in DONE_STATUSES:
        raise CaseError(_("Only a resolved or closed case can be reopened"))
    return change_status(session, actor, case_id, IN_PROGRESS, note=note, now=now)


def assign_case(session: Session, actor: Actor, case_id: int, user_id: int | None,
                now: dt.datetime | None = None) -> ServiceCase:
    """Hand the case to someone (None: back to the unassigned queue)."""
    case = load_case(session, actor, case_id)
    if user_id is not None:
        _check_assignee(session, user_id)
    if case.assignee_id == user_id:
        return case
    old_name, new_name = _user_name(session, case.assignee_id), _user_name(session, user_id)
    audit.record(session, actor, "service_cases", case.id, "update", "assignee", old_name, new_name)
    case.assignee_id = user_id
    _note(session, actor, case, ASSIGN, new_name or _("unassigned"), at=now)
    session.flush()
    return case


def add_note(session: Session, actor: Actor, case_id: int, text: str, now: dt.datetime | None = None) -> CaseNote:
    case = load_case(session, actor, case_id)
    text = text.strip()
    if not text:
        raise ValidationError(_("Type a note first"))
    note = _note(session, actor, case, NOTE, text, at=now)
    session.flush()
    audit.record(session, actor, "case_notes", note.id, "create", "text", None, text)
    return note


def update_case(session: Session, actor: Actor, case_id: int, subject: str, description: str,
                priority: int) -> ServiceCase:
    """Correct the subject, description or priority. The due date stays: it was promised."""
    case = load_case(session, actor, case_id)
    if not subject.strip():
        raise ValidationError(_("A case needs a subject"))
    if priority not in PRIORITIES:
        raise ValidationError(_("Priority must be 1 (high), 2 (normal) or 3 (low)"))
    before = {"subject": case.subject, "description": case.description, "priority": case.priority}
    after = {"subject": subject.strip(), "description": description.strip(), "priority": priority}
    for key, value in after.items():
        setattr(case, key, value)
    audit.record_changes(session, actor, "service_cases", case.id, before, after)
    session.flush()
    return case
