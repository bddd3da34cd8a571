"""Customer types and their custom fields: the type editor, and parsing, validating
and formatting values. Values are stored as canonical text (ISO date, plain decimal,
money units, ``1``/``0``) so that they sort and filter."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crmdesk.core.search_text import pinyin_keys
from crmdesk.db.models import Customer, CustomerType, CustomFieldDef, CustomFieldValue, FieldType
from crmdesk.i18n import _
from crmdesk.money import format_yuan, to_units
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import CustomerError, NotFound, ValidationError
from crmdesk.services.permissions import require, require_customer

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
    choices = tuple(c.strip() for c in (f.choices or "").splitlines() if c.strip())
    return FieldInfo(id=f.id, type_id=f.customer_type_id, key=f.key, label=f.label, field_type=f.field_type,
                     required=bool(f.required), choices=choices, sort_order=f.sort_order)


def list_types(session: Session) -> list[TypeInfo]:
    types = session.scalars(select(CustomerType).order_by(CustomerType.sort_order, CustomerType.id)).all()
    fields = session.scalars(select(CustomFieldDef).order_by(CustomFieldDef.sort_order, CustomFieldDef.id)).all()
    by_type: dict[int, list[FieldInfo]] = {}
    for f in fields:
        by_type.setdefault(f.customer_type_id, []).append(field_info(f))
    return [TypeInfo(id=t.id, code=t.code, name=t.name, sort_order=t.sort_order,
                     fields=tuple(by_type.get(t.id, ()))) for t in types]


def type_fields(session: Session, type_id: int | None) -> list[FieldInfo]:
    if type_id is None:
        return []
    rows = session.scalars(select(CustomFieldDef).where(CustomFieldDef.customer_type_id == type_id)
                           .order_by(CustomFieldDef.sort_order, CustomFieldDef.id))
    return [field_info(f) for f in rows]


def _slug(text: str, fallback: str) -> str:
    full, _initials = pinyin_keys(text.strip())
    slug = re.sub(r"[^a-z0-9]+", "_", full.lower()).strip("_")
    return (slug or fallback)[:40]


def _get_type(session: Session, type_id: int) -> CustomerType:
    t = session.get(CustomerType, type_id)
    if t is None:
        raise NotFound(_("Customer type {id} does not exist").format(id=type_id))
    return t


def _get_field(session: Session, field_id: int) -> CustomFieldDef:
    f = session.get(CustomFieldDef, field_id)
    if f is None:
        raise NotFound(_("Custom field {id} does not exist").format(id=field_id))
    return f


def _check_type_name(session: Session, name: str, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("A customer type needs a name"))
    clash = session.scalar(select(CustomerType.id).where(CustomerType.name == name))
    if clash is not None and clash != exclude_id:
        raise ValidationError(_("A customer type named {name} exists already").format(name=name))
    return name


def create_type(session: Session, actor: Actor, name: str, code: str = "") -> CustomerType:
    require(actor, "customers.types")
    name = _check_type_name(session, name)
    code = (code.strip() or _slug(name, "type"))[:20]
    base, n = code, 1
    while session.scalar(select(CustomerType.id).where(CustomerType.code == code)) is not None:
        n += 1
        code = f"{base[:17]}_{n}"
    order = (session.scalar(select(func.max(CustomerType.sort_order))) or 0) + 1
    t = CustomerType(code=code, name=name, sort_order=order)
    session.add(t)
    session.flush()
    audit.record(session, actor, "customer_types", t.id, "create", "name", None, name)
    return t


def rename_type(session: Session, actor: Actor, type_id: int, name: str) -> CustomerType:
    require(actor, "customers.types")
    t = _get_type(session, type_id)
    name = _check_type_name(session, name, exclude_id=type_id)
    if name != t.name:
        audit.record(session, actor, "customer_types", t.id, "update", "name", t.name, name)
        t.name = name
    return t


def reorder_types(session: Session, actor: Actor, ordered_ids: list[int]) -> None:
    require(actor, "customers.types")
    for pos, type_id in enumerate(ordered_ids, start=1):
        t = _get_type(session, type_id)
        if t.sort_order != pos:
            audit.record(session, actor, "customer_types", t.id, "update", "sort_order", t.sort_order, pos)
            t.sort_order = pos


def delete_type(session: Session, actor: Actor, type_id: int) -> None:
    require(actor, "customers.types")
    t = _get_type(session, type_id)
    used = session.scalar(select(func.count()).select_from(Customer).where(Customer.type_id == type_id))
    if used:
        raise CustomerError(_("{count} customers have the type {name}; give them another type first")
                            .format(count=used, name=t.name))
    audit.record(session, actor, "customer_types", t.id, "delete", "name", t.name, None)
    session.delete(t)
    session.flush()


def _clean_choices(field_type: str, choices: list[str] | tuple[str, ...] | None) -> str:
    items = [c.strip() for c in (choices or ()) if c and c.strip()]
    if field_type == FieldType.CHOICE.value and not items:
        raise ValidationError(_("A choice field needs at least one choice"))
    return "\n".join(dict.fromkeys(items))


def _check_field_type(field_type: str) -> str:
    if field_type not in FIELD_TYPES:
        raise ValidationError(_("Unknown field type {type}; use one of {types}")
                              .format(type=field_type, types=", ".join(FIELD_TYPES)))
    return field_type


def add_field(session: Session, actor: Actor, type_id: int, label: str, field_type: str = "text",
              required: bool = False, choices: list[str] | tuple[str, ...] = (), key: str = "") -> CustomFieldDef:
    require(actor, "customers.types")
    _get_type(session, type_id)
    label = label.strip()
    if not label:
        raise ValidationError(_("A custom field needs a label"))
    _check_field_type(field_type)
    siblings = session.scalars(select(CustomFieldDef).where(CustomFieldDef.customer_type_id == type_id)).all()
    if any(f.label == label for f in siblings):
        raise ValidationError(_("This type has a field labelled {label} already").format(label=label))
    key = key.strip() or _slug(label, "field")
    keys = {f.key for f in siblings}
    base, n = key, 1
    while key in keys:
        n += 1
        key = f"{base}_{n}"
    f = CustomFieldDef(customer_type_id=type_id, key=key, label=label, field_type=field_type,
                       required=required, choices=_clean_choices(field_type, choices),
                       sort_order=max((s.sort_order for s in siblings), default=0) + 1)
    session.add(f)
    session.flush()
    audit.record(session, actor, "custom_field_defs", f.id, "create", "label", None, label)
    return f


def update_field(session: Session, actor: Actor, field_id: int, label: str | None = None,
                 field_type: str | None = None, required: bool | None = None,
                 choices: list[str] | tuple[str, ...] | None = None) -> CustomFieldDef:
    require(actor, "customers.types")
    f = _get_field(session, field_id)
    before = {"label": f.label, "field_type": f.field_type, "required": f.required, "choices": f.choices}
    if label is not None:
        label = label.strip()
        if not label:
            raise ValidationError(_("A custom field needs a label"))
        f.label = label
    if field_type is not None and field_type != f.field_type:
        _check_field_type(field_type)
        used = session.scalar(select(func.count()).select_from(CustomFieldValue)
                              .where(CustomFieldValue.field_id == field_id, CustomFieldValue.value != ""))
        if used:
            raise CustomerError(_("{label} has values already; its type cannot change").format(label=f.label))
        f.field_type = field_type
    if required is not None:
        f.required = required
    if choices is not None or field_type is not None:
        f.choices = _clean_choices(f.field_type, choices if choices is not None else f.choices.splitlines())
    after = {"label": f.label, "field_type": f.field_type, "required": f.required, "choices": f.choices}
    audit.record_changes(session, actor, "custom_field_defs", f.id, before, after)
    return f


def reorder_fields(session: Session, actor: Actor, type_id: int, ordered_ids: list[int]) -> None:
    require(actor, "customers.types")
    for pos, field_id in enumerate(ordered_ids, start=1):
        f = _get_field(session, field_id)
        if f.customer_type_id != type_id:
            raise CustomerError(_("Field {label} belongs to another type").format(label=f.label))
        if f.sort_order != pos:
            audit.record(session, actor, "custom_field_defs", f.id, "update", "sort_order", f.sort_order, pos)
            f.sort_order = pos


def delete_field(session: Session, actor: Actor, field_id: int) -> None:
    require(actor, "customers.types")
    f = _get_field(session, field_id)
    session.execute(delete(CustomFieldValue).where(CustomFieldValue.field_id == field_id))
    audit.record(session, actor, "custom_field_defs", f.id, "delete", "label", f.label, None)
    session.delete(f)
    session.flush()


_TRUE = {"1", "y", "yes", "true", "t", "是", "对", "有", "√", "✓"}
_FALSE = {"0", "n", "no", "false", "f", "否", "不", "无", "×"}


def _plain(text: str) -> str:
    """Full-width digits and signs → ASCII; thousands separators and currency signs dropped."""
    text = unicodedata.normalize("NFKC", text).strip()
    return text.replace(",", "").replace("¥", "").replace("￥", "").replace("元", "").strip()


def _parse_date(text: str) -> dt.date:
    t = unicodedata.normalize("NFKC", text).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", t)
    if m is None:
        m2 = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
        if m2 is None:
            raise ValueError(t)
        m = m2
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def parse_value(f: FieldInfo, text: str | None) -> str:
    raw = "" if text is None else str(text).strip()
    if raw == "":
        return ""
    kind = f.field_type
    try:
        if kind == FieldType.NUMBER.value:
            d = Decimal(_plain(raw))
            if not d.is_finite():
                raise InvalidOperation
            return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))
        if kind == FieldType.MONEY.value:
            return str(to_units(_plain(raw)))
        if kind == FieldType.DATE.value:
            return _parse_date(raw).isoformat()
        if kind == FieldType.BOOL.value:
            low = raw.lower()
            if low in _TRUE:
                return "1"
            if low in _FALSE:
                return "0"
            raise ValueError(raw)
    except (ValueError, InvalidOperation, ArithmeticError) as exc:
        messages = {
            FieldType.NUMBER.value: _("{label} is not a number: {value}"),
            FieldType.MONEY.value: _("{label} is not a money amount: {value}"),
            FieldType.DATE.value: _("{label} is not a date (use YYYY-MM-DD): {value}"),
            FieldType.BOOL.value: _("{label} must be yes or no: {value}"),
        }
        raise FieldValueError(messages[kind].format(label=f.label, value=raw)) from exc
    if kind == FieldType.CHOICE.value and raw not in f.choices:
        raise FieldValueError(_("{label} must be one of {choices}: {value}")
                              .format(label=f.label, choices=" / ".join(f.choices), value=raw))
    return raw


def format_value(f: FieldInfo, canonical: str | None) -> str:
    if not canonical:
        return ""
    if f.field_type == FieldType.MONEY.value:
        try:
            return format_yuan(int(canonical), symbol="")
        except ValueError:
            return canonical
    if f.field_type == FieldType.BOOL.value:
        return _("yes") if canonical == "1" else _("no")
    return canonical


def validate_values(session: Session, type_id: int | None, values: dict[int, str]) -> dict[int, str]:
    problems: list[str] = []
    out: dict[int, str] = {}
    for f in type_fields(session, type_id):
        try:
            value = parse_value(f, values.get(f.id))
        except FieldValueError as exc:
            problems.append(str(exc))
            continue
        if f.required and value == "":
            problems.append(_("{label} is required").format(label=f.label))
        out[f.id] = value
    if problems:
        raise ValidationError(problems)
    return out


def customer_values(session: Session, actor: Actor, customer_id: int) -> dict[int, str]:
    require_customer(session, actor, customer_id)
    rows = session.execute(select(CustomFieldValue.field_id, CustomFieldValue.value)
                           .where(CustomFieldValue.customer_id == customer_id))
    return {fid: value for fid, value in rows}


def set_customer_values(session: Session, actor: Actor, customer_id: int, canonical: dict[int, str]) -> int:
    require_customer(session, actor, customer_id, "customers.update")
    existing = {v.field_id: v for v in session.scalars(
        select(CustomFieldValue).where(CustomFieldValue.customer_id == customer_id))}
    labels = dict(session.execute(select(CustomFieldDef.id, CustomFieldDef.label)
                                  .where(CustomFieldDef.id.in_(list(canonical)))).all()) if canonical else {}
    changed = 0
    for field_id, value in canonical.items():
        row = existing.get(field_id)
        old = row.value if row is not None else ""
        if old == value:
            continue
        if value == "":
            session.delete(row)
        elif row is None:
            session.add(CustomFieldValue(customer_id=customer_id, field_id=field_id, value=value))
        else:
            row.value = value
        audit.record(session, actor, "customers", customer_id, "update",
                     f"custom:{labels.get(field_id, field_id)}", old, value)
        changed += 1
    return changed
