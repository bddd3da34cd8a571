"""Service case types and their SLA (hours from opening to resolved, per priority).

A type's ``code`` is what ``service_cases.case_type`` holds, so it never changes: renaming,
reordering or deactivating a type leaves its cases alone. Changing an SLA sets the due date of
cases opened from then on; existing cases keep the due date they were opened with (a promise
made to a customer does not move because the shop changed its targets)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import CaseType, ServiceCase
from crmdesk.i18n import N_, _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import NotFound, ValidationError
from crmdesk.services.permissions import require

PRIORITIES = (1, 2, 3)
PRIORITY_LABELS = {1: N_("High"), 2: N_("Normal"), 3: N_("Low")}
MAX_SLA_HOURS = 24 * 365
_SLA_FIELDS = {1: "sla_hours_high", 2: "sla_hours_normal", 3: "sla_hours_low"}


@dataclass(frozen=True)
class CaseTypeInfo:
    id: int
    code: str
    name: str
    sort_order: int
    sla_high: int
    sla_normal: int
    sla_low: int
    active: bool
    cases: int = 0  # how many cases have this type (a type in use is deactivated, not deleted)

    def sla_hours(self, priority: int) -> int:
        return {1: self.sla_high, 2: self.sla_normal, 3: self.sla_low}.get(priority, self.sla_normal)


def priority_label(priority: int) -> str:
    return _(PRIORITY_LABELS.get(priority, N_("Normal")))


def list_case_types(session: Session, actor: Actor, include_inactive: bool = False) -> list[CaseTypeInfo]:
    """Every role that works cases reads the types (the new-case dialog, the queue's filter)."""
    require(actor, "customers.cases")
    used = dict(session.execute(select(ServiceCase.case_type, func.count()).group_by(ServiceCase.case_type)).all())
    stmt = select(CaseType).order_by(CaseType.sort_order, CaseType.id)
    if not include_inactive:
        stmt = stmt.where(CaseType.active.is_(True))
    return [_info(t, used.get(t.code, 0)) for t in session.scalars(stmt)]


def type_names(session: Session) -> dict[str, str]:
    """code → name of every type, inactive ones too (old cases keep showing their type)."""
    return dict(session.execute(select(CaseType.code, CaseType.name)).all())


def sla_hours(session: Session, code: str, priority: int) -> int | None:
    """The SLA of a type and priority; None for a code with no type row (no due date then)."""
    row = session.scalar(select(CaseType).where(CaseType.code == code))
    if row is None:
        return None
    return int(getattr(row, _SLA_FIELDS.get(priority, "sla_hours_normal")))


def _info(t: CaseType, cases: int = 0) -> CaseTypeInfo:
    return CaseTypeInfo(t.id, t.code, t.name, t.sort_order, t.sla_hours_high, t.sla_hours_normal,
                        t.sla_hours_low, bool(t.active), cases)


def _check_sla(high: int, normal: int, low: int) -> None:
    for value in (high, normal, low):
        if not isinstance(value, int) or not 1 <= value <= MAX_SLA_HOURS:
            raise ValidationError(_("SLA hours must be whole hours from 1 to {max}").format(max=MAX_SLA_HOURS))


def _check_name(session: Session, name: str, type_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("A case type needs a name"))
    clash = session.scalar(select(CaseType.id).where(func.lower(CaseType.name) == name.lower()))
    if clash is not None and clash != type_id:
        raise ValidationError(_("There is already a case type named {name}").format(name=name))
    return name


def _new_code(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "type"
    codes = set(session.scalars(select(CaseType.code)).all())
    code, k = base[:24], 2
    while code in codes:
        code, k = f"{base[:24]}_{k}", k + 1
    return code


def add_case_type(session: Session, actor: Actor, name: str, sla_high: int = 24, sla_normal: int = 72,
                  sla_low: int = 168) -> CaseTypeInfo:
    require(actor, "settings.edit")
    name = _check_name(session, name)
    _check_sla(sla_high, sla_normal, sla_low)
    last = session.scalar(select(func.max(CaseType.sort_order))) or 0
    row = CaseType(code=_new_code(session, name), name=name, sort_order=last + 1, sla_hours_high=sla_high,
                   sla_hours_normal=sla_normal, sla_hours_low=sla_low, active=True)
    session.add(row)
    session.flush()
    audit.record(session, actor, "case_types", row.id, "create", "name", None, name)
    return _info(row)


def _get(session: Session, type_id: int) -> CaseType:
    row = session.get(CaseType, type_id)
    if row is None:
        raise NotFound(_("The case type no longer exists"))
    return row


def update_case_type(session: Session, actor: Actor, type_id: int, name: str, sla_high: int, sla_normal: int,
                     sla_low: int) -> CaseTypeInfo:
    """Rename and/or change the SLA. Cases already open keep their due dates."""
    require(actor, "settings.edit")
    row = _get(session, type_id)
    name = _check_name(session, name, type_id)
    _check_sla(sla_high, sla_normal, sla_low)
    before = {"name": row.name, "sla_hours_high": row.sla_hours_high, "sla_hours_normal": row.sla_hours_normal,
              "sla_hours_low": row.sla_hours_low}
    after = {"name": name, "sla_hours_high": sla_high, "sla_hours_normal": sla_normal, "sla_hours_low": sla_low}
    for key, value in after.items():
        setattr(row, key, value)
    audit.record_changes(session, actor, "case_types", row.id, before, after)
    session.flush()
    return _info(row)


def set_case_type_active(session: Session, actor: Actor, type_id: int, active: bool) -> None:
    """An inactive type is no longer offered for new cases; its cases keep it."""
    require(actor, "settings.edit")
    row = _get(session, type_id)
    if bool(row.active) == active:
        return
    if not active and session.scalar(select(func.count()).select_from(CaseType)
                                     .where(CaseType.active.is_(True))) <= 1:
        raise ValidationError(_("At least one case type must stay active"))
    audit.record(session, actor, "case_types", row.id, "update", "active", row.active, active)
    row.active = active
    session.flush()


def move_case_type(session: Session, actor: Actor, type_id: int, step: int) -> None:
    """Move a type up (step -1) or down (+1) in the list; the order is renumbered 1…n."""
    require(actor, "settings.edit")
    rows = list(session.scalars(select(CaseType).order_by(CaseType.sort_order, CaseType.id)))
    pos = next((k for k, r in enumerate(rows) if r.id == type_id), None)
    if pos is None:
        raise NotFound(_("The case type no longer exists"))
    target = max(0, min(len(rows) - 1, pos + step))
    if target == pos:
        return
    rows.insert(target, rows.pop(pos))
    for k, r in enumerate(rows, start=1):
        if r.sort_order != k:
            r.sort_order = k
    audit.record(session, actor, "case_types", type_id, "update", "sort_order", pos + 1, target + 1)
    session.flush()
