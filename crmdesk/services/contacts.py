"""A customer's contacts: several per customer, one primary at most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crmdesk.db.models import Contact, Opportunity
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import NotFound, ValidationError
from crmdesk.services.customers import check_not_changed, get_customer, refresh_search_text
from crmdesk.services.permissions import require_customer

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


CONTACT_FIELDS = ("name", "role", "phone", "mobile", "email", "wechat", "birthday", "is_primary", "notes")


def contact_info(c: Contact) -> ContactInfo:
    return ContactInfo(id=c.id, customer_id=c.customer_id, name=c.name, role=c.role or "", phone=c.phone or "",
                       mobile=c.mobile or "", email=c.email or "", wechat=c.wechat or "", birthday=c.birthday,
                       is_primary=bool(c.is_primary), notes=c.notes or "", updated_at=c.updated_at)


def list_contacts(session: Session, actor: Actor, customer_id: int) -> list[ContactInfo]:
    require_customer(session, actor, customer_id)
    rows = session.scalars(select(Contact).where(Contact.customer_id == customer_id)
                           .order_by(Contact.is_primary.desc(), Contact.name, Contact.id))
    return [contact_info(c) for c in rows]


def validate_contact(data: ContactInput) -> None:
    problems = []
    if not data.name.strip():
        problems.append(_("Contact name is required"))
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        problems.append(_("Email is not an email address: {value}").format(value=data.email))
    if problems:
        raise ValidationError(problems)


def _get(session: Session, actor: Actor, contact_id: int) -> Contact:
    c = session.get(Contact, contact_id)
    if c is None:
        raise NotFound(_("Contact {id} does not exist (any more)").format(id=contact_id))
    require_customer(session, actor, c.customer_id, "customers.contacts")
    return c


def _values(c: Contact) -> dict[str, object]:
    return {name: getattr(c, name) for name in CONTACT_FIELDS}


def _clear_other_primaries(session: Session, actor: Actor, contact: Contact) -> None:
    others = session.scalars(select(Contact).where(Contact.customer_id == contact.customer_id,
                                                   Contact.id != contact.id, Contact.is_primary.is_(True))).all()
    for other in others:
        audit.record(session, actor, "contacts", other.id, "update", "is_primary", True, False)
    if others:
        session.execute(update(Contact).where(Contact.id.in_([o.id for o in others]))
                        .values(is_primary=False).execution_options(synchronize_session="fetch"))


def _apply(contact: Contact, data: ContactInput) -> None:
    for name in CONTACT_FIELDS:
        value = getattr(data, name)
        setattr(contact, name, value.strip() if isinstance(value, str) else value)


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
