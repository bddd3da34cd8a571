"""Creating, editing, archiving and deleting customers: validation, the duplicate
warning, tags, custom values, search text upkeep, audit log and optimistic concurrency."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crmdesk.db.models import Customer
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import (  # noqa: F401  (re-exported for callers)
    ConcurrencyError,
    CustomerError,
    DeleteRefused,
    NotFound,
    ValidationError,
)

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
    owner_id: int | None = None
    territory_id: int | None = None
    notes: str = ""
    tags: list[str] | None = None
    custom_values: dict[int, str] | None = None


@dataclass(frozen=True)
class DuplicateHit:
    """An existing customer that looks like the one being entered."""

    id: int
    code: str
    name: str
    reason: str  # "name" or "phone"
    matched: str  # the name or phone that matched


# Plain columns copied between CustomerInput and Customer (and audited one by one).
PLAIN_FIELDS = ("code", "name", "short_name", "type_id", "grade", "status", "province", "city", "district",
                "address", "phone", "mobile", "email", "tax_id", "credit_limit", "payment_terms_days",
                "owner_id", "territory_id", "notes")


def get_customer(session: Session, customer_id: int) -> Customer:
    """The customer or NotFound."""
    raise NotImplementedError


def input_from_customer(session: Session, customer_id: int) -> CustomerInput:
    """The form's starting values for an existing customer (custom values formatted for display)."""
    raise NotImplementedError


def new_customer_code(session: Session, prefix: str = "C") -> str:
    """The next free code like ``C000123``."""
    raise NotImplementedError


def validate_customer(session: Session, data: CustomerInput, customer_id: int | None = None) -> dict[int, str]:
    """Raise ValidationError naming every bad field; return the canonical custom values."""
    raise NotImplementedError


def find_duplicates(session: Session, name: str, phones: list[str] | tuple[str, ...] = (),
                    exclude_id: int | None = None) -> list[DuplicateHit]:
    """Existing customers whose normalised name (trimmed, full-width→half-width, case-folded)
    or any phone/mobile (digits only, customer or contact) matches. A warning, not a refusal."""
    raise NotImplementedError


def create_customer(session: Session, actor: Actor, data: CustomerInput) -> Customer:
    """Validate and add a customer (flushed, so ``id`` is set); audit rows for every set field."""
    raise NotImplementedError


def update_customer(session: Session, actor: Actor, customer_id: int, data: CustomerInput,
                    loaded_updated_at: dt.datetime | None) -> Customer:
    """Save the form. ``loaded_updated_at`` is the customer's ``updated_at`` when the form loaded it:
    if it differs now, ConcurrencyError ("changed by someone else") and nothing is saved."""
    raise NotImplementedError


def set_tags(session: Session, actor: Actor, customer_id: int, tag_names: list[str]) -> None:
    """Replace the customer's tags (new tag names are created)."""
    raise NotImplementedError


def archive_customer(session: Session, actor: Actor, customer_id: int, archived: bool = True) -> Customer:
    """Hide (or bring back) a customer from the default list; keeps all its data."""
    raise NotImplementedError


def delete_customer(session: Session, actor: Actor, customer_id: int) -> None:
    """Delete a customer with no orders or receipts; otherwise DeleteRefused (archive instead)."""
    raise NotImplementedError


def refresh_search_text(session: Session, customer: Customer | int) -> None:
    """Rebuild ``customers.search_text`` from the customer and its contacts (call after any change)."""
    raise NotImplementedError
