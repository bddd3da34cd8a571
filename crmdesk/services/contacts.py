"""A customer's contacts: several per customer, one primary at most; each with any number of
phones, emails and handles (services.contact_points)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from crmdesk.db.models import Contact, ContactPoint, Opportunity
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.contact_points import EMAIL, PointInput, clean_points, describe, points_from_legacy, summary
from crmdesk.services.contact_points import match_key
from crmdesk.services.customer_errors import NotFound, ValidationError
from crmdesk.services.customers import check_not_changed, claim_for_save, get_customer, refresh_search_text
from crmdesk.services.permissions import require_customer


@dataclass
class ContactInput:
    name: str
    role: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    wechat: str = ""
    birthday: dt.date | None = None
    is_primary: bool = False
    notes: str = ""
    # None: the points are phone/mobile/email/wechat above; else these (and those four are ignored).
    points: list[PointInput] | None = None
    birthday_month: int | None = None  # a birthday whose year is unknown
    birthday_day: int | None = None

    def all_points(self) -> list[PointInput]:
        if self.points is None:
            return points_from_legacy(self.phone, self.mobile, self.email, self.wechat)
        return clean_points(self.points)


@dataclass(frozen=True)
class ContactInfo:
    id: int
    customer_id: int
    name: str
    role: str
    phone: str
    mobile: str
    email: str
    wechat: str
    birthday: dt.date | None
    is_primary: bool
    notes: str
    updated_at: dt.datetime | None = None
    points: tuple[PointInput, ...] = ()
    birthday_month: int | None = None
    birthday_day: int | None = None

    @property
    def preferred_phone(self) -> str:
        return _preferred(self.points, "phone")

    @property
    def preferred_email(self) -> str:
        return _preferred(self.points, "email")

    @property
    def birthday_text(self) -> str:
        """``1980-02-03``, or ``--02-03`` when the year is unknown (as vCard writes it)."""
        if self.birthday is not None:
            return self.birthday.isoformat()
        if self.birthday_month and self.birthday_day:
            return f"--{self.birthday_month:02d}-{self.birthday_day:02d}"
        return ""


def _preferred(points, kind: str) -> str:
    return next((p.value for p in points if p.kind == kind and p.preferred),
                next((p.value for p in points if p.kind == kind), ""))


CONTACT_FIELDS = ("name", "role", "phone", "mobile", "email", "wechat", "birthday", "birthday_month", "birthday_day",
                  "is_primary", "notes")


def stored_points(c: Contact) -> list[PointInput]:
    """The contact's points; a contact written around the services (the customer-file import
    writes only phone/mobile) has them from its summary columns."""
    if c.points:
        return [PointInput(kind=p.kind, value=p.value, type=p.type, preferred=bool(p.preferred), label=p.label or "")
                for p in c.points]
    return points_from_legacy(c.phone or "", c.mobile or "", c.email or "", c.wechat or "")


def contact_info(c: Contact) -> ContactInfo:
    return ContactInfo(id=c.id, customer_id=c.customer_id, name=c.name, role=c.role or "", phone=c.phone or "",
                       mobile=c.mobile or "", email=c.email or "", wechat=c.wechat or "", birthday=c.birthday,
                       is_primary=bool(c.is_primary), notes=c.notes or "", updated_at=c.updated_at,
                       points=tuple(stored_points(c)), birthday_month=c.birthday_month, birthday_day=c.birthday_day)


def list_contacts(session: Session, actor: Actor, customer_id: int) -> list[ContactInfo]:
    require_customer(session, actor, customer_id)
    rows = session.scalars(select(Contact).where(Contact.customer_id == customer_id)
                           .options(selectinload(Contact.points))
                           .order_by(Contact.is_primary.desc(), Contact.name, Contact.id))
    return [contact_info(c) for c in rows]


def _month_day_ok(month: int | None, day: int | None) -> bool:
    if month is None and day is None:
        return True
    try:
        dt.date(2000, int(month or 0), int(day or 0))  # a leap year: 29 February is a birthday
    except ValueError:
        return False
    return True


def validate_contact(data: ContactInput) -> None:
    problems = []
    if not data.name.strip():
        problems.append(_("Contact name is required"))
    for p in data.all_points():
        if p.kind == "email" and not EMAIL.match(p.value):
            problems.append(_("Email is not an email address: {value}").format(value=p.value))
    if data.birthday is None and not _month_day_ok(data.birthday_month, data.birthday_day):
        problems.append(_("Birthday {month}-{day} is not a day of the year").format(month=data.birthday_month,
                                                                                   day=data.birthday_day))
    if problems:
        raise ValidationError(problems)


def _get(session: Session, actor: Actor, contact_id: int) -> Contact:
    c = session.get(Contact, contact_id)
    if c is None:
        raise NotFound(_("Contact {id} does not exist (any more)").format(id=contact_id))
    require_customer(session, actor, c.customer_id, "customers.contacts")
    return c


def _values(c: Contact) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(c, name) for name in CONTACT_FIELDS}
    values["points"] = "; ".join(describe(p) for p in stored_points(c))
    return values


def _clear_other_primaries(session: Session, actor: Actor, contact: Contact) -> None:
    others = session.scalars(select(Contact).where(Contact.customer_id == contact.customer_id,
                                                   Contact.id != contact.id, Contact.is_primary.is_(True))).all()
    for other in others:
        audit.record(session, actor, "contacts", other.id, "update", "is_primary", True, False)
    if others:
        session.execute(update(Contact).where(Contact.id.in_([o.id for o in others]))
                        .values(is_primary=False).execution_options(synchronize_session="fetch"))


def _apply(contact: Contact, data: ContactInput) -> None:
    for name in ("name", "role", "is_primary", "notes"):
        value = getattr(data, name)
        setattr(contact, name, value.strip() if isinstance(value, str) else value)
    contact.birthday = data.birthday
    if data.birthday is not None:
        contact.birthday_month, contact.birthday_day = data.birthday.month, data.birthday.day
    else:
        contact.birthday_month, contact.birthday_day = data.birthday_month, data.birthday_day
    set_points(contact, data.all_points())


def set_points(contact: Contact, points: list[PointInput]) -> None:
    """Replace the contact's points and refresh its summary columns."""
    points = clean_points(points)
    contact.points[:] = [ContactPoint(kind=p.kind, type=p.type, label=p.label, value=p.value,
                                      match_key=match_key(p.kind, p.value)[:200], preferred=p.preferred, sort_order=i)
                         for i, p in enumerate(points)]
    for name, value in summary(points).items():
        setattr(contact, name, value)


def add_contact(session: Session, actor: Actor, customer_id: int, data: ContactInput) -> Contact:
    customer = get_customer(session, customer_id)
    require_customer(session, actor, customer_id, "customers.contacts")
    validate_contact(data)
    contact = Contact(customer_id=customer_id, name="")
    _apply(contact, data)
    session.add(contact)
    session.flush()
    for name, value in _values(contact).items():
        if value not in (None, "", False):
            audit.record(session, actor, "contacts", contact.id, "create", name, None, value)
    audit.record(session, actor, "customers", customer_id, "update", "contact", None, contact.name)
    if contact.is_primary:
        _clear_other_primaries(session, actor, contact)
    refresh_search_text(session, customer)
    return contact


def update_contact(session: Session, actor: Actor, contact_id: int, data: ContactInput,
                   loaded_updated_at: dt.datetime | None = None) -> Contact:
    claim_for_save(session, Contact, contact_id)  # first: of two saves at once one wins
    contact = _get(session, actor, contact_id)
    session.refresh(contact)
    check_not_changed(contact.updated_at, loaded_updated_at, contact.name)
    validate_contact(data)
    before = _values(contact)
    _apply(contact, data)
    audit.record_changes(session, actor, "contacts", contact.id, before, _values(contact))
    session.flush()
    if contact.is_primary:
        _clear_other_primaries(session, actor, contact)
    refresh_search_text(session, contact.customer_id)
    return contact


def delete_contact(session: Session, actor: Actor, contact_id: int) -> None:
    contact = _get(session, actor, contact_id)
    customer_id = contact.customer_id
    audit.record(session, actor, "contacts", contact.id, "delete", "name", contact.name, None)
    audit.record(session, actor, "customers", customer_id, "update", "contact", contact.name, None)
    # opportunities.contact_id is a plain integer (migration 0006), so clear it by hand.
    session.execute(update(Opportunity).where(Opportunity.contact_id == contact.id).values(contact_id=None))
    session.delete(contact)
    session.flush()
    refresh_search_text(session, customer_id)


def set_primary(session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = _get(session, actor, contact_id)
    if not contact.is_primary:
        audit.record(session, actor, "contacts", contact.id, "update", "is_primary", False, True)
        contact.is_primary = True
        session.flush()
    _clear_other_primaries(session, actor, contact)
    return contact
