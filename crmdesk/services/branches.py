"""Branches (门店) of a small chain: listing, adding, editing (audited) and resolving a code.

A shop with no branch or one branch never sees them: the filter pickers hide themselves
(``shown``) and reports, imports and the demo behave as before (``branch_id`` stays NULL).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Branch, ImportBatch, Receipt, SalesOrder, StockSnapshot
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require


class BranchError(ValueError):
    """A branch cannot be saved or found (the message says why)."""


@dataclass(frozen=True)
class BranchInfo:
    id: int | None
    code: str
    name: str
    active: bool = True
    sort_order: int = 0

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" if self.name and self.name != self.code else self.code


def list_branches(session: Session, active_only: bool = False) -> list[BranchInfo]:
    stmt = select(Branch).order_by(Branch.sort_order, Branch.code)
    if active_only:
        stmt = stmt.where(Branch.active.is_(True))
    return [BranchInfo(b.id, b.code, b.name, bool(b.active), b.sort_order) for b in session.scalars(stmt)]


def shown(session: Session) -> bool:
    """Whether branch pickers are worth showing: the shop has two branches or more."""
    return (session.scalar(select(func.count()).select_from(Branch)) or 0) > 1


def branch_id(session: Session, code: str) -> int:
    """The id of the branch with this code (case-insensitive); BranchError naming the known codes."""
    text = (code or "").strip()
    found = session.scalar(select(Branch.id).where(func.lower(Branch.code) == text.lower()))
    if found is None:
        known = ", ".join(b.code for b in list_branches(session)) or _("none yet (Settings → Branches)")
        raise BranchError(_("no branch with code {code!r}; branches: {known}").format(code=text, known=known))
    return found


def branch_ids(session: Session, codes: tuple[str, ...] | list[str]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(branch_id(session, c) for c in codes))


def names(session: Session) -> dict[int, str]:
    """Branch id → label, for report rows and pickers."""
    return {b.id: b.label for b in list_branches(session) if b.id is not None}


def save_branch(session: Session, actor: Actor, info: BranchInfo) -> int:
    """Add (``info.id`` None) or edit a branch; audited. Codes are unique, case-insensitively."""
    require(actor, "settings.edit")
    code, name = info.code.strip(), info.name.strip()
    if not code:
        raise BranchError(_("A branch needs a code"))
    if len(code) > 30 or len(name) > 100:
        raise BranchError(_("Branch code at most 30 characters, name at most 100"))
    clash = session.scalar(select(Branch.id).where(func.lower(Branch.code) == code.lower()))
    if clash is not None and clash != info.id:
        raise BranchError(_("A branch with code {code} exists already").format(code=code))
    values = {"code": code, "name": name or code, "active": bool(info.active), "sort_order": int(info.sort_order)}
    if info.id is None:
        branch = Branch(**values)
        session.add(branch)
        session.flush()
        audit.record(session, actor, "branches", branch.id, "create", "code", None, code)
        return branch.id
    branch = session.get(Branch, info.id)
    if branch is None:
        raise BranchError(_("Branch {id} does not exist (any more)").format(id=info.id))
    before = {k: getattr(branch, k) for k in values}
    for k, v in values.items():
        setattr(branch, k, v)
    audit.record_changes(session, actor, "branches", branch.id, before, values)
    session.flush()
    return branch.id


def in_use(session: Session, branch: int) -> int:
    """How many orders, receipts, stock snapshots and import batches name the branch."""
    return sum(session.scalar(select(func.count()).select_from(model).where(model.branch_id == branch)) or 0
               for model in (SalesOrder, Receipt, StockSnapshot, ImportBatch))


def delete_branch(session: Session, actor: Actor, branch: int) -> None:
    """Delete an unused branch; a used one is deactivated instead (its figures stay its own)."""
    require(actor, "settings.edit")
    row = session.get(Branch, branch)
    if row is None:
        raise BranchError(_("Branch {id} does not exist (any more)").format(id=branch))
    used = in_use(session, branch)
    if used:
        raise BranchError(_("Branch {code} is named by {n} records: deactivate it instead").format(
            code=row.code, n=used))
    audit.record(session, actor, "branches", branch, "delete", "code", row.code, None)
    session.delete(row)
    session.flush()
