"""Undoing an import batch: after a backup, in one transaction, remove what it created, put back
the values it overwrote, mark it "undone" (it stays in the history) and audit it. Refused, with
the reasons, when something depends on it (``undo_plan``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, select

from crmdesk.db.backup import BackupNotSupportedError
from crmdesk.db.base import Base, utcnow
from crmdesk.db.bulk import delete_rows
from crmdesk.db.engine import Database
from crmdesk.db.models import ImportBatch, SalesLine, SalesOrder, User
from crmdesk.i18n import _
from crmdesk.importers.assign import assign_imported
from crmdesk.importers.changes import decode
from crmdesk.importers.tables import fetch_in, update_by_id
from crmdesk.importers.undo_plan import SOURCE_TABLES, UNDONE, UndoPlan, label, plan_undo, referring
from crmdesk.importers.write_sales import _refresh_orders
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.backups import back_up
from crmdesk.services.permissions import require

log = logging.getLogger(__name__)
LINES, ORDERS = SalesLine.__table__, SalesOrder.__table__


class UndoRefused(Exception):
    """Something depends on the batch: ``plan.reasons`` says what."""

    def __init__(self, plan: UndoPlan) -> None:
        super().__init__(_("batch {id} cannot be undone: {reasons}").format(id=plan.batch_id,
                                                                             reasons="; ".join(plan.reasons)))
        self.plan = plan


@dataclass
class UndoResult:
    batch_id: int
    summary: str  # "removes 120 orders …; restores …"
    removed: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # salespeople or types kept because others use them
    backup: Path | None = None


def preview_undo(db: Database, actor: Actor, batch_id: int) -> UndoPlan:
    """What undo would remove and restore, or why it cannot (LookupError: no such batch)."""
    require(actor, "import.undo")
    with db.engine.connect() as conn:
        return plan_undo(conn, batch_id)


def undo_batch(db: Database, actor: Actor, batch_id: int, backup: bool = True) -> UndoResult:
    """Raises PermissionDenied, LookupError (no such batch) or UndoRefused (nothing changed)."""
    plan = preview_undo(db, actor, batch_id)  # refuse before making a backup for nothing
    if plan.reasons:
        raise UndoRefused(plan)
    copy = None
    if backup:
        try:
            copy = back_up(db, reason="undo").path
        except BackupNotSupportedError:
            log.warning("no backup before undoing batch %s: %s cannot be copied", batch_id, db.describe())
    with db.sessions.begin() as session:
        conn = session.connection()
        plan = plan_undo(conn, batch_id)  # again inside the transaction: nothing changed in between
        if plan.reasons:
            raise UndoRefused(plan)
        result = UndoResult(batch_id, plan.describe(), plan.removed(), plan.restored(), backup=copy)
        _apply(conn, plan, result)
        batch = session.get(ImportBatch, batch_id)
        when = utcnow()
        note = _("undone {when} UTC by {user}: {what}").format(when=f"{when:%Y-%m-%d %H:%M}", user=actor.username,
                                                              what=result.summary)
        batch.status = UNDONE
        batch.message = "\n".join(m for m in (batch.message, note, *result.notes) if m)
        audit.record(session, actor, "import_batches", batch_id, "undo", "file_name", batch.file_name,
                     result.summary)
    log.info("batch %s undone: %s", batch_id, result.summary)
    return result


def _apply(conn: Connection, plan: UndoPlan, result: UndoResult) -> None:
    orders = set()
    lines = plan.delete.get("sales_lines", np.array([], dtype=np.int64))
    if len(lines):
        orders |= set(fetch_in(conn, LINES, "id", lines.tolist(), ["order_id"])["order_id"].astype(int).tolist())
    for name in SOURCE_TABLES:
        ids = plan.delete.get(name)
        if ids is not None and len(ids):
            delete_rows(conn, Base.metadata.tables[name], {"id": ids.tolist()})
    restored = plan.restore
    for (name, column), part in restored.groupby(["table_name", "column"], sort=False):
        table = Base.metadata.tables[name]
        frame = pd.DataFrame({"id": part["row_id"].astype(np.int64).to_numpy(),
                              column: [decode(table, column, v) for v in part["old_value"]]})
        update_by_id(conn, table, frame, [column])
    heads = _ids(restored, "sales_orders")
    if heads:  # lines repeat their order's date and customer
        conn.execute(LINES.update().where(LINES.c.order_id == bindparam("_oid")).values(
            order_date=select(ORDERS.c.order_date).where(ORDERS.c.id == LINES.c.order_id).scalar_subquery(),
            customer_id=select(ORDERS.c.customer_id).where(ORDERS.c.id == LINES.c.order_id).scalar_subquery()),
            [{"_oid": i} for i in heads])
    rewritten = _ids(restored, "sales_lines")
    if rewritten:
        orders |= set(fetch_in(conn, LINES, "id", rewritten, ["order_id"])["order_id"].astype(int).tolist())
    gone = set(plan.delete.get("sales_orders", np.array([], dtype=np.int64)).tolist())
    _refresh_orders(conn, sorted((orders | set(heads)) - gone))
    assign_imported(conn, _ids(restored, "customers"))  # territories and owner follow the restored values
    _drop_created(conn, plan, result)


def _ids(restore: pd.DataFrame, name: str) -> list[int]:
    if restore.empty:
        return []
    return sorted(set(restore.loc[restore["table_name"] == name, "row_id"].astype(int).tolist()))


def _drop_created(conn: Connection, plan: UndoPlan, result: UndoResult) -> None:
    """Customer types and salespeople the batch created go when nothing refers to them any more;
    a salesperson who has since been given a login stays."""
    for name, ids in plan.created.items():
        if not ids:
            continue
        table = Base.metadata.tables[name]
        existing = set(conn.execute(select(table.c.id).where(table.c.id.in_(ids))).scalars())
        if name == "users":
            users = User.__table__.c
            existing -= set(conn.execute(select(users.id).where(users.id.in_(ids),
                                                                users.password_hash.is_not(None))).scalars())
        arr = np.array(sorted(existing), dtype=np.int64)
        used = referring(conn, name, arr, {})
        still = set().union(*(set(rows["ref"].astype(int)) for rows in used.values())) if used else set()
        drop = [i for i in arr.tolist() if i not in still]
        if drop:
            delete_rows(conn, table, {"id": drop})
            result.removed[name] = len(drop)
        kept = len(ids) - len(drop)
        if kept:
            result.notes.append(_("{n} {what} it created are kept: used elsewhere since").format(
                n=kept, what=label(name)))
    result.summary = _removed_text(result) or _("nothing to change")


def _removed_text(result: UndoResult) -> str:
    parts = []
    if result.removed:
        parts.append(_("removed {what}").format(what=", ".join(f"{n:,} {label(t)}" for t, n in result.removed.items())))
    if result.restored:
        parts.append(_("restored the earlier values of {what}").format(
            what=", ".join(f"{n:,} {label(t)}" for t, n in result.restored.items())))
    return "; ".join(parts)
