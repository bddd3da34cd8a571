"""A customer's contacts: several per customer, one primary at most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crmdesk.db.models import Contact
from crmdesk.services.actor import Actor


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
    raise NotImplementedError


def list_contacts(session: Session, customer_id: int) -> list[ContactInfo]:
    """Primary first, then by name."""
    raise NotImplementedError


def validate_contact(data: ContactInput) -> None:
    """ValidationError naming each bad field (name required, email shape)."""
    raise NotImplementedError


def add_contact(session: Session, actor: Actor, customer_id: int, data: ContactInput) -> Contact:
    """Add a contact; if it is primary the others stop being primary. Updates the search text."""
    raise NotImplementedError


def update_contact(session: Session, actor: Actor, contact_id: int, data: ContactInput,
                   loaded_updated_at: dt.datetime | None = None) -> Contact:
    raise NotImplementedError


def delete_contact(session: Session, actor: Actor, contact_id: int) -> None:
    raise NotImplementedError


def set_primary(session: Session, actor: Actor, contact_id: int) -> Contact:
    raise NotImplementedError
