"""The customer list: which customer ids match a query (ordered), and the display
rows for a batch of ids. The list view holds only ids and fetches rows in batches."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)

# Sortable columns of the list; "balance" and "overdue" aggregate the ledger, the rest are plain columns.
SORT_KEYS = ("code", "name", "type", "grade", "status", "city", "owner", "territory", "updated_at", "balance",
             "overdue")


@dataclass
class CustomerQuery:
    """What the customer list shows. Empty lists mean "no restriction"."""

    text: str = ""  # words ANDed; matches name, code, phones, contacts, pinyin (full and initials)
    type_codes: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    territory_ids: list[int] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # tag names; a customer with any of them matches
    incomplete_only: bool = False
    overdue_only: bool = False
    custom_fields: dict[int, str] = field(default_factory=dict)  # field id → value as typed (parsed per field)
    include_archived: bool = False
    sort_key: str = "name"
    descending: bool = False

    def to_json(self) -> str:
        data = asdict(self)
        data["custom_fields"] = {str(k): v for k, v in self.custom_fields.items()}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CustomerQuery:
        """Tolerant: unknown keys are ignored, missing ones take their defaults."""
        raise NotImplementedError


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list. Money in integer units (crmdesk.money)."""

    id: int
    code: str
    name: str
    type_name: str
    grade: str
    status: str
    city: str
    phone: str
    mobile: str
    owner_name: str
    territory_name: str
    tags: tuple[str, ...]
    is_incomplete: bool
    archived: bool
    balance: int
    overdue: int
    updated_at: object = None  # datetime.datetime


@dataclass(frozen=True)
class Option:
    """A choice for a filter or form combo box: stored value and shown label."""

    value: object
    label: str


@dataclass(frozen=True)
class ListOptions:
    """Everything the filter bar and the customer form offer to choose from."""

    types: list[Option]  # value = type code
    type_ids: list[Option]  # value = type id
    grades: list[str]
    statuses: list[Option]
    territories: list[Option]  # value = territory id
    owners: list[Option]  # value = user id
    tags: list[str]


def search_customer_ids(session: Session, actor: Actor, query: CustomerQuery, limit: int | None = None) -> list[int]:
    """Ids of the customers matching ``query``, in its sort order (ties by id)."""
    raise NotImplementedError


def count_customers(session: Session, actor: Actor, query: CustomerQuery) -> int:
    """How many customers match (for the status bar)."""
    raise NotImplementedError


def fetch_customer_rows(session: Session, ids: list[int]) -> list[CustomerRow]:
    """Display rows for exactly these ids, in the same order (missing ids are skipped)."""
    raise NotImplementedError


def list_options(session: Session, actor: Actor) -> ListOptions:
    """Types, grades in use, statuses, territories, owners and tags for filters and forms."""
    raise NotImplementedError
