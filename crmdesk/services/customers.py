"""Creating, editing, archiving and deleting customers: validation, the duplicate
warning, tags, custom values, search text upkeep, audit log and optimistic concurrency."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crmdesk.core.search_text import customer_search_text
from crmdesk.db.base import utcnow
from crmdesk.db import row_version
from crmdesk.db.models import Contact, ContactPoint, Customer, CustomerStatus, CustomerType, Receipt, SalesLine, SalesOrder, Tag, \
    Territory, User
from crmdesk.i18n import _
from crmdesk.services import audit, custom_fields, customer_codes, events, settlement
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import SALES, require, require_customer
from crmdesk.services.spot_assignment import assign_on_the_spot
from crmdesk.services.duplicates import (  # noqa: F401  (normalize_name, phone_digits re-exported)
    DuplicateHit,
    find_similar,
    normalize_name,
    phone_digits,
)
from crmdesk.services.customer_errors import (  # noqa: F401  (re-exported for callers)
    ConcurrencyError,
    CustomerError,
    DeleteRefused,
    NotFound,
    ValidationError,
)

if TYPE_CHECKING:
    from crmdesk.services import territories

log = logging.getLogger(__name__)


@dataclass
class CustomerInput:
    """What the customer form edits. Money (credit_limit) in integer units.

    ``custom_values`` maps custom field id → the value as the user typed it
    (parsed and validated against the customer type's fields); ``None`` leaves
    the stored values alone, as does ``tags=None``.
    """

    name: str
    code: str = ""  # empty: a new code is generated on create
    short_name: str = ""
    type_id: int | None = None
    grade: str = ""
    status: str = "active"
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    tax_id: str = ""
    credit_limit: int = 0
    payment_terms_days: int = 0
    settlement: str = ""  # "" (by the rules), credit or at_sale: services.settlement
    owner_id: int | None = None
    territory_id: int | None = None
    notes: str = ""
    tags: list[str] | None = None
    custom_values: dict[int, str] | None = None


# Plain columns copied between CustomerInput and Customer (and audited one by one).
PLAIN_FIELDS = ("code", "name", "short_name", "type_id", "grade", "status", "province", "city", "district",
                "address", "phone", "mobile", "email", "tax_id", "credit_limit", "payment_terms_days",
                "settlement", "owner_id", "territory_id", "notes")
# Set by the assignment (territories.set_manual / the rules), never copied from the form as such.
ASSIGNMENT_FIELDS = ("owner_id", "territory_id")
EDITED_FIELDS = tuple(f for f in PLAIN_FIELDS if f not in ASSIGNMENT_FIELDS)


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("Customer {id} does not exist (any more)").format(id=customer_id))
    return customer


def input_from_customer(session: Session, actor: Actor, customer_id: int) -> CustomerInput:
    c = get_customer(session, customer_id)
    require_customer(session, actor, customer_id)
    data = CustomerInput(**{name: getattr(c, name) for name in PLAIN_FIELDS})
    data.tags = sorted(t.name for t in c.tags)
    stored = custom_fields.customer_values(session, actor, customer_id)
    data.custom_values = {f.id: custom_fields.format_value(f, stored.get(f.id))
                          for f in custom_fields.type_fields(session, c.type_id)}
    return data


def new_customer_code(session: Session, prefix: str = "C") -> str:
    """A code of exactly this prefix (C000001 …). New customers follow the shop's numbering
    instead (crmdesk.services.customer_codes.next_code)."""
    width = 6
    last = session.scalar(select(Customer.code)
                          .where(Customer.code.like(f"{prefix}%"), func.length(Customer.code) == len(prefix) + width)
                          .order_by(Customer.code.desc()).limit(1))
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    while True:
        code = f"{prefix}{n:0{width}d}"
        if session.scalar(select(Customer.id).where(Customer.code == code)) is None:
            return code
        n += 1


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_customer(session: Session, data: CustomerInput, customer_id: int | None = None) -> dict[int, str]:
    problems: list[str] = []
    if not data.name.strip():
        problems.append(_("Name is required"))
    code = data.code.strip()
    if code:
        clash = session.scalar(select(Customer.id).where(Customer.code == code))
        if clash is not None and clash != customer_id:
            problems.append(_("Code {code} is used by another customer").format(code=code))
    if data.status not in {s.value for s in CustomerStatus}:
        problems.append(_("Unknown status {status}").format(status=data.status))
    if data.email.strip() and not _EMAIL.match(data.email.strip()):
        problems.append(_("Email is not an email address: {value}").format(value=data.email))
    if data.credit_limit < 0:
        problems.append(_("Credit limit cannot be negative"))
    if data.payment_terms_days < 0:
        problems.append(_("Payment terms cannot be negative"))
    if data.settlement not in settlement.CHOICES:
        problems.append(_("Unknown settlement: {value}").format(value=data.settlement))
    for model, value, label in ((CustomerType, data.type_id, _("Customer type")), (User, data.owner_id, _("Owner")),
                                (Territory, data.territory_id, _("Territory"))):
        if value is not None and session.get(model, value) is None:
            problems.append(_("{field} {id} does not exist").format(field=label, id=value))
    canonical: dict[int, str] = {}
    if data.custom_values is not None:
        try:
            canonical = custom_fields.validate_values(session, data.type_id, data.custom_values)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return canonical


def find_duplicates(session: Session, name: str, phones: list[str] | tuple[str, ...] = (),
                    exclude_id: int | None = None, actor: Actor | None = None,
                    tax_id: str = "") -> list[DuplicateHit]:
    """Customers that look like the one being entered (crmdesk.services.duplicates), each with
    why it matched."""
    return find_similar(session, name, phones, tax_id, exclude_id, actor)


def _apply(customer: Customer, data: CustomerInput) -> None:
    for name in EDITED_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if name == "code" and not value:
            continue
        setattr(customer, name, value)


def create_customer(session: Session, actor: Actor, data: CustomerInput) -> Customer:
    """A new customer, assigned on the spot: an owner or territory chosen on the form is a manual
    assignment (``customers.assign``); else the territories' rules decide."""
    from crmdesk.services import territories  # pandas: loaded when an assignment is made, not by the list
    require(actor, "customers.create")
    manual = {k: getattr(data, k) for k in ASSIGNMENT_FIELDS if getattr(data, k) is not None}
    if manual:
        require(actor, "customers.assign")
    canonical = validate_customer(session, data)
    customer = Customer(code="", name="")
    _apply(customer, data)
    if not customer.code:
        customer.code = customer_codes.next_code(session, customer.type_id)
    if actor.role == SALES and actor.user_id is not None:
        # The salesperson who enters a customer is its fallback owner (like an import's 业务员):
        # theirs unless a territory's rule gives it to someone, so they still see what they made.
        customer.owner_id = customer.import_owner_id = actor.user_id
        customer.owner_source = "import"
    customer.search_text = compute_search_text(customer, [])
    session.add(customer)
    session.flush()
    for name in EDITED_FIELDS:
        value = getattr(customer, name)
        if value not in (None, "", 0) or name == "status":
            audit.record(session, actor, "customers", customer.id, "create", name, None, value)
    if data.tags:
        set_tags(session, actor, customer.id, data.tags)
    if canonical:
        custom_fields.set_customer_values(session, actor, customer.id, canonical)
    if manual:
        territories.set_manual(session, actor, customer.id, **manual)
    else:
        assign_on_the_spot(session, [customer.id])
    events.publish(events.CUSTOMER_SAVED, session, actor, customer_id=customer.id)
    session.refresh(customer)
    return customer


def _same_time(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=None) == b.replace(tzinfo=None)


def check_not_changed(current: dt.datetime | None, loaded: dt.datetime | None, what: str) -> None:
    """ConcurrencyError unless the record's ``updated_at`` is still the one the form loaded."""
    if loaded is not None and not _same_time(current, loaded):
        raise ConcurrencyError(_("{what} was changed by someone else since you opened it; "
                                 "reopen it to see their changes, then edit again").format(what=what))


def claim_for_save(session: Session, model: type, row_id: int, loaded_version: int | None = None) -> None:
    """The save's first statement: ``UPDATE … SET version = version + 1 WHERE id = ? [AND version = ?]``
    (``crmdesk.db.row_version``). Of two saves at the same moment the second waits for the first,
    then its stamp check (or ``loaded_version``) fails: the concurrency message of
    ``check_not_changed``, nothing of it written. A missing row is left to the caller's lookup."""
    outcome = row_version.claim(session, model, row_id, loaded_version)
    if outcome == row_version.LOST:
        row = session.get(model, row_id)
        raise ConcurrencyError(_("{what} was changed by someone else since you opened it; "
                                 "reopen it to see their changes, then edit again").format(
            what=getattr(row, "name", "") or row_id))


def update_customer(session: Session, actor: Actor, customer_id: int, data: CustomerInput,
                    loaded_updated_at: dt.datetime | None, loaded_version: int | None = None) -> Customer:
    """Save the form. An owner or territory that differs from the stored one becomes a manual
    assignment (``customers.assign``; None gives it back to the rules); the unchanged values the
    form sends back need no such right. Other changes re-run the rules for this customer.
    ``loaded_version``: the row version the form loaded (None: the one read here)."""
    from crmdesk.services import territories  # pandas: loaded when an assignment is made, not by the list
    claim_for_save(session, Customer, customer_id, loaded_version)  # first: see claim_for_save
    require_customer(session, actor, customer_id, "customers.update")
    customer = get_customer(session, customer_id)
    # Re-read the row: another session may have committed since this session loaded it.
    session.refresh(customer)
    check_not_changed(customer.updated_at, loaded_updated_at, customer.name)
    manual = {k: getattr(data, k) for k in ASSIGNMENT_FIELDS if getattr(data, k) != getattr(customer, k)}
    if manual:
        require(actor, "customers.assign")
    canonical = validate_customer(session, data, customer_id)
    before = {name: getattr(customer, name) for name in EDITED_FIELDS}
    _apply(customer, data)
    after = {name: getattr(customer, name) for name in EDITED_FIELDS}
    changed = audit.record_changes(session, actor, "customers", customer.id, before, after)
    if data.tags is not None:
        changed += set_tags(session, actor, customer.id, data.tags)
    if data.custom_values is not None:
        changed += custom_fields.set_customer_values(session, actor, customer.id, canonical)
    if changed:
        # Tags and custom values live in other tables: bump the stamp so other open forms notice.
        customer.updated_at = utcnow()
        if customer.is_incomplete and customer.name:
            customer.is_incomplete = False
    session.flush()
    if manual:
        territories.set_manual(session, actor, customer.id, **manual)
    elif changed:
        # Province, type, grade or tags may have moved it to another territory.
        assign_on_the_spot(session, [customer.id])
    events.publish(events.CUSTOMER_SAVED, session, actor, customer_id=customer.id)
    session.refresh(customer)
    refresh_search_text(session, customer)
    return customer


def assignment_back_to_rules(session: Session, actor: Actor, customer_id: int, owner: bool = True,
                             territory: bool = True) -> territories.CustomerAssignment:
    """Clear a manual owner and/or main territory: the rules (and the import's 业务员) decide again."""
    from crmdesk.services import territories  # pandas: loaded when an assignment is made, not by the list
    require_customer(session, actor, customer_id, "customers.assign")
    kwargs = {}
    if owner:
        kwargs["owner_id"] = None
    if territory:
        kwargs["territory_id"] = None
    return territories.set_manual(session, actor, customer_id, **kwargs)


def set_tags(session: Session, actor: Actor, customer_id: int, tag_names: list[str]) -> int:
    require_customer(session, actor, customer_id, "customers.update")
    customer = get_customer(session, customer_id)
    wanted = list(dict.fromkeys(n.strip() for n in tag_names if n and n.strip()))
    old = sorted(t.name for t in customer.tags)
    if old == sorted(wanted):
        return 0
    existing = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(wanted)))} if wanted else {}
    tags = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        tags.append(tag)
    customer.tags = tags
    audit.record(session, actor, "customers", customer_id, "update", "tags", ", ".join(old),
                 ", ".join(sorted(wanted)))
    return 1


def archive_customer(session: Session, actor: Actor, customer_id: int, archived: bool = True) -> Customer:
    customer = get_customer(session, customer_id)
    require_customer(session, actor, customer_id, "customers.archive")
    if customer.archived != archived:
        audit.record(session, actor, "customers", customer_id, "archive" if archived else "update", "archived",
                     customer.archived, archived)
        customer.archived = archived
        session.flush()
    return customer


def delete_customer(session: Session, actor: Actor, customer_id: int) -> None:
    customer = get_customer(session, customer_id)
    require_customer(session, actor, customer_id, "customers.delete")
    orders = session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.customer_id == customer_id))
    lines = session.scalar(select(func.count()).select_from(SalesLine).where(SalesLine.customer_id == customer_id))
    receipts = session.scalar(select(func.count()).select_from(Receipt).where(Receipt.customer_id == customer_id))
    if orders or lines or receipts:
        raise DeleteRefused(_("{name} has {orders} orders and {receipts} receipts and cannot be deleted; "
                              "archive it instead").format(name=customer.name, orders=orders, receipts=receipts))
    from crmdesk.services.attachments import managed_files_of_customer, delete_files_after_commit

    delete_files_after_commit(session, managed_files_of_customer(session, customer_id))
    audit.record(session, actor, "customers", customer_id, "delete", "code", customer.code, None)
    audit.record(session, actor, "customers", customer_id, "delete", "name", customer.name, None)
    session.delete(customer)
    session.flush()


def compute_search_text(customer: Customer, contacts: list[tuple[str, str, str]],
                        more_phones: list[str] | tuple[str, ...] = ()) -> str:
    """The search key from the customer and its contacts' (name, phone, mobile), plus the
    contacts' other phones (contact_points beyond the two summary ones)."""
    phones = [customer.phone, customer.mobile, *(p for _n, p, _m in contacts), *(m for _n, _p, m in contacts)]
    phones += [p for p in more_phones if p not in phones]
    phones = [p for p in phones if p]
    # Digits-only copies so that "88881234" finds "020-8888 1234".
    phones += [d for d in (re.sub(r"\D", "", p) for p in phones) if d and d not in phones]
    return customer_search_text(customer.name, customer.code, tuple(phones), tuple(n for n, _p, _m in contacts))


def refresh_search_text(session: Session, customer: Customer | int) -> None:
    if isinstance(customer, int):
        customer = get_customer(session, customer)
    contacts = session.execute(select(Contact.name, Contact.phone, Contact.mobile)
                               .where(Contact.customer_id == customer.id).order_by(Contact.id)).all()
    more = session.scalars(select(ContactPoint.value).join(Contact, Contact.id == ContactPoint.contact_id)
                           .where(Contact.customer_id == customer.id, ContactPoint.kind == "phone")
                           .order_by(ContactPoint.contact_id, ContactPoint.sort_order)).all()
    text = compute_search_text(customer, [tuple(c) for c in contacts], more)
    if text != customer.search_text:
        # Keep updated_at: the search key is derived data, not an edit another form must notice.
        session.execute(update(Customer).where(Customer.id == customer.id)
                        .values(search_text=text, updated_at=customer.updated_at)
                        .execution_options(synchronize_session=False))
        session.expire(customer, ["search_text"])


def refresh_search_texts(session: Session, customer_ids: list[int] | None = None, batch: int = 2000) -> int:
    """Rebuild the search key of these customers (all when None) from their rows and contacts, in
    batches; returns how many changed. For data written around the services (an import, a repair)."""
    if customer_ids is None:
        customer_ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
    changed = 0
    for start in range(0, len(customer_ids), batch):
        chunk = customer_ids[start:start + batch]
        contacts: dict[int, list[tuple[str, str, str]]] = {}
        for cid, name, phone, mobile in session.execute(
                select(Contact.customer_id, Contact.name, Contact.phone, Contact.mobile)
                .where(Contact.customer_id.in_(chunk)).order_by(Contact.id)):
            contacts.setdefault(cid, []).append((name, phone, mobile))
        more: dict[int, list[str]] = {}
        for cid, value in session.execute(
                select(Contact.customer_id, ContactPoint.value).join(Contact, Contact.id == ContactPoint.contact_id)
                .where(Contact.customer_id.in_(chunk), ContactPoint.kind == "phone")
                .order_by(ContactPoint.contact_id, ContactPoint.sort_order)):
            more.setdefault(cid, []).append(value)
        updates = []
        for customer in session.scalars(select(Customer).where(Customer.id.in_(chunk))):
            text = compute_search_text(customer, contacts.get(customer.id, []), more.get(customer.id, ()))
            if text != customer.search_text:
                updates.append({"id": customer.id, "search_text": text, "updated_at": customer.updated_at})
        if updates:
            session.execute(update(Customer), updates)  # bulk by primary key; updated_at kept as it was
            changed += len(updates)
    session.expire_all()
    return changed
