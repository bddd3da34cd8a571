"""Customer types and their custom fields: the type editor, and parsing, validating
and formatting values. Values are stored as canonical text (ISO date, plain decimal,
money units, ``1``/``0``) so that they sort and filter."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crmdesk.db.models import CustomerType, CustomFieldDef, FieldType
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import ValidationError  # noqa: F401

FIELD_TYPES = tuple(t.value for t in FieldType)


@dataclass(frozen=True)
class FieldInfo:
    id: int
    type_id: int
    key: str
    label: str
    field_type: str  # one of FIELD_TYPES
    required: bool
    choices: tuple[str, ...]
    sort_order: int


@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    name: str
    sort_order: int
    fields: tuple[FieldInfo, ...]


class FieldValueError(ValueError):
    """One value that does not fit its field; the message names the field."""


def field_info(f: CustomFieldDef) -> FieldInfo:
    raise NotImplementedError


def list_types(session: Session) -> list[TypeInfo]:
    """All customer types in their order, each with its fields in order."""
    raise NotImplementedError


def type_fields(session: Session, type_id: int | None) -> list[FieldInfo]:
    raise NotImplementedError


def create_type(session: Session, actor: Actor, name: str, code: str = "") -> CustomerType:
    """Add a type at the end of the order (code derived from the name's pinyin when empty)."""
    raise NotImplementedError


def rename_type(session: Session, actor: Actor, type_id: int, name: str) -> CustomerType:
    raise NotImplementedError


def reorder_types(session: Session, actor: Actor, ordered_ids: list[int]) -> None:
    raise NotImplementedError


def delete_type(session: Session, actor: Actor, type_id: int) -> None:
    """Refused while customers have this type."""
    raise NotImplementedError


def add_field(session: Session, actor: Actor, type_id: int, label: str, field_type: str = "text",
              required: bool = False, choices: list[str] | tuple[str, ...] = (), key: str = "") -> CustomFieldDef:
    raise NotImplementedError


def update_field(session: Session, actor: Actor, field_id: int, label: str | None = None,
                 field_type: str | None = None, required: bool | None = None,
                 choices: list[str] | tuple[str, ...] | None = None) -> CustomFieldDef:
    raise NotImplementedError


def reorder_fields(session: Session, actor: Actor, type_id: int, ordered_ids: list[int]) -> None:
    raise NotImplementedError


def delete_field(session: Session, actor: Actor, field_id: int) -> None:
    """Deletes the field and every customer's value for it."""
    raise NotImplementedError


def parse_value(f: FieldInfo, text: str | None) -> str:
    """The canonical stored text for what the user typed ('' for empty); FieldValueError naming the field."""
    raise NotImplementedError


def format_value(f: FieldInfo, canonical: str | None) -> str:
    """The canonical text for display (money as yuan with 2 decimals, 是/否 …)."""
    raise NotImplementedError


def validate_values(session: Session, type_id: int | None, values: dict[int, str]) -> dict[int, str]:
    """Parse every value for the type's fields and check required ones; ValidationError listing all
    problems (e.g. "行业 is required", "年度办公用品预算 is not a money amount"). Returns canonical values."""
    raise NotImplementedError


def customer_values(session: Session, customer_id: int) -> dict[int, str]:
    """The stored canonical values by field id."""
    raise NotImplementedError


def set_customer_values(session: Session, actor: Actor, customer_id: int, canonical: dict[int, str]) -> int:
    """Write canonical values (empty deletes); one audit row per changed field; returns how many changed."""
    raise NotImplementedError
