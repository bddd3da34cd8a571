"""vCard import into one customer and export of customers' contacts (2.1/3.0/4.0 read by
vcard_read, 3.0 or 2.1 written by vcard_write). Importing the same file twice adds nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crmdesk.db.models import Contact, Customer
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.contact_points import PointInput, clean_points, match_key
from crmdesk.services.contacts import (ContactInfo, ContactInput, add_contact, list_contacts, set_points,
                                       stored_points)
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customer_scope import visible_ids
from crmdesk.services.customers import refresh_search_text
from crmdesk.services.permissions import require, require_customer
from crmdesk.services.vcard_read import Card, ReadResult, read_vcards
from crmdesk.services.vcard_write import VERSIONS, contacts_to_vcard, split_name

log = logging.getLogger(__name__)

__all__ = ["VCardImportResult", "split_name", "contacts_to_vcard", "export_vcards", "import_vcards", "parse_vcards",
           "card_input", "card_problems", "merge_into_customer", "read_file", "import_cards"]


@dataclass
class VCardImportResult:
    added: int = 0
    updated: int = 0
    skipped: int = 0  # already there, nothing new
    unnamed: int = 0  # cards without any name (FN, N or ORG): not imported
    phones: int = 0  # kept, in the cards imported
    emails: int = 0
    problems: list[str] = field(default_factory=list)  # "file, card 3 (王伟), line 7: reason"
    ignored: dict[str, int] = field(default_factory=dict)  # property → count
    lines_skipped: int = 0


def card_input(card: Card) -> ContactInput:
    return ContactInput(name=card.name[:100], role=card.title[:50], notes=card.notes, birthday=card.birthday,
                        birthday_month=card.birthday_month, birthday_day=card.birthday_day,
                        points=list(card.points))


def card_problems(file_name: str, card: Card) -> list[str]:
    label = _("{file}, card {n} ({name})").format(file=file_name, n=card.number, name=card.name or "?")
    return [f"{label}, {p}" for p in card.problems]


def read_file(path: Path, fallback_charset: str = "gb18030") -> ReadResult:
    if not path.is_file():
        raise CustomerError(_("File not found: {path}").format(path=path))
    return read_vcards(path.read_bytes(), fallback_charset)


def parse_vcards(text: str | bytes) -> tuple[list[ContactInput], list[str]]:
    """The named cards of a vCard text as contact inputs, and the problems met."""
    result = read_vcards(text.encode("utf-8") if isinstance(text, str) else text)
    problems = list(result.problems)
    inputs = []
    for card in result.cards:
        problems += card_problems("", card)
        if card.name:
            inputs.append(card_input(card))
        else:
            problems.append(_("card {n}: no name").format(n=card.number))
    return inputs, problems


def _same_person(contact: Contact, data: ContactInput) -> bool:
    """Same name, and a phone or email in common (or either has none)."""
    if contact.name != data.name.strip():
        return False
    mine = {p.key() for p in stored_points(contact)}
    theirs = {p.key() for p in data.all_points()}
    return not mine or not theirs or bool(mine & theirs)


def merge_into_customer(session: Session, actor: Actor, customer_id: int, data: ContactInput) -> str:
    """Add the contact, or complete the same person's contact: ``added``, ``updated`` or ``skipped``."""
    contacts = session.scalars(select(Contact).where(Contact.customer_id == customer_id)
                               .options(selectinload(Contact.points)).order_by(Contact.id)).all()
    existing = next((c for c in contacts if _same_person(c, data)), None)
    if existing is None:
        add_contact(session, actor, customer_id, data)
        return "added"
    before = {"points": "; ".join(f"{p.kind}/{p.type}: {p.value}" for p in stored_points(existing)),
              "role": existing.role, "notes": existing.notes, "birthday": existing.birthday,
              "birthday_month": existing.birthday_month, "birthday_day": existing.birthday_day}
    points = stored_points(existing)
    have = {p.key() for p in points}
    new = [PointInput(p.kind, p.value, p.type, False, p.label) for p in data.all_points()
           if (p.kind, match_key(p.kind, p.value)) not in have]
    if new:
        set_points(existing, clean_points(points + new))
    if data.role and not existing.role:
        existing.role = data.role
    if data.notes and data.notes not in (existing.notes or ""):
        existing.notes = f"{existing.notes}\n{data.notes}".strip() if existing.notes else data.notes
    if existing.birthday is None and existing.birthday_month is None and (data.birthday or data.birthday_month):
        existing.birthday = data.birthday
        existing.birthday_month = data.birthday.month if data.birthday else data.birthday_month
        existing.birthday_day = data.birthday.day if data.birthday else data.birthday_day
    after = {"points": "; ".join(f"{p.kind}/{p.type}: {p.value}" for p in stored_points(existing)),
             "role": existing.role, "notes": existing.notes, "birthday": existing.birthday,
             "birthday_month": existing.birthday_month, "birthday_day": existing.birthday_day}
    if not audit.record_changes(session, actor, "contacts", existing.id, before, after):
        return "skipped"
    session.flush()
    refresh_search_text(session, customer_id)
    return "updated"


def import_vcards(session: Session, actor: Actor, customer_id: int, source: Path | str,
                  fallback_charset: str = "gb18030") -> VCardImportResult:
    """Every named card of the file into the customer; problems collected, none aborts the file."""
    require_customer(session, actor, customer_id, "customers.contacts")
    path = Path(source)
    read = read_file(path, fallback_charset)
    result = VCardImportResult(problems=[f"{path.name}, {p}" for p in read.problems], ignored=dict(read.ignored),
                               lines_skipped=read.lines_skipped)
    return import_cards(session, actor, customer_id, path.name, read.cards, result)


def export_vcards(session: Session, actor: Actor, customer_ids: list[int], path: Path | str,
                  version: str = "3.0") -> int:
    """The contacts of those of ``customer_ids`` the actor may see; audited."""
    require(actor, "customers.export")
    if version not in VERSIONS:
        raise CustomerError(_("vCard version {version} is not written; use 3.0 or 2.1").format(version=version))
    customer_ids = list(dict.fromkeys(visible_ids(session, actor, customer_ids)))
    contacts: list[ContactInfo] = []
    for cid in customer_ids:
        contacts.extend(list_contacts(session, actor, cid))
    orgs = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))).all()) \
        if customer_ids else {}
    # Plain UTF-8 without BOM: phones and mail programs read vCard 3.0 as UTF-8.
    Path(path).write_text(contacts_to_vcard(contacts, orgs, version), encoding="utf-8", newline="")
    audit.record(session, actor, "customers", 0, "export", "vcard", None,
                 f"{len(contacts)} contacts of {len(customer_ids)} customers → {Path(path).name} (vCard {version})")
    return len(contacts)


def import_cards(session: Session, actor: Actor, customer_id: int, file_name: str, cards: list[Card],
                 result: VCardImportResult | None = None) -> VCardImportResult:
    """Cards already read (a vCard file or a CSV address book) into the customer."""
    require_customer(session, actor, customer_id, "customers.contacts")
    result = result or VCardImportResult()
    for card in cards:
        result.problems += card_problems(file_name, card)
        if not card.name:
            result.unnamed += 1
            result.problems.append(_("{file}, card {n}: no name (FN, N or ORG); not imported").format(
                file=file_name, n=card.number))
            continue
        outcome = merge_into_customer(session, actor, customer_id, card_input(card))
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.phones += sum(p.kind == "phone" for p in card.points)
        result.emails += sum(p.kind == "email" for p in card.points)
    return result
