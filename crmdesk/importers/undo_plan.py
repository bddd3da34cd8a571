"""What undoing an import batch would do, and why it may not: read-only, for the confirm dialog,
``crmdesk batch undo`` and the undo itself (``undo.py``), which plans again in its transaction.

A batch *created* the rows of its tables whose ``source_batch_id`` is the batch and that it did
not update (an update keeps the row's earlier ``source_batch_id`` in ``import_batch_changes``);
it *updated* the rows it kept before-values of. Undo is refused when something depends on them:
a later batch touched the same rows or refers to what it created; a person edited, merged or
logged against a customer (contact log, tasks, opportunities, cases, attachments …) since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, select

from crmdesk.db.base import Base
from crmdesk.db.models import AuditLog, ImportBatch, ImportBatchChange, User
from crmdesk.i18n import N_, _
from crmdesk.importers.changes import CREATED
from crmdesk.importers.tables import fetch_in

# Deleted in this order (what refers to something comes before it).
SOURCE_TABLES = ("expenses", "sales_lines", "receipts", "stock_snapshots", "sales_orders", "contacts", "customers",
                 "products")
# Removed only when nothing refers to them any more (an expenses file's new expense items too).
CREATED_TABLES = ("customer_types", "users", "expense_items")
# Rows that go with a customer (CASCADE) without being a dependency: made by the system, not a person.
GOES_ALONG = {"customer_territories", "rule_firings", "customer_alerts", "import_batch_changes"}
# References without a FOREIGN KEY (added by plain ADD COLUMN): (table, column) → referenced table.
PLAIN_REFS = {("opportunities", "contact_id"): "contacts", ("service_cases", "product_id"): "products",
              ("customers", "import_owner_id"): "users", ("workflow_rules", "created_by_id"): "users"}
EDITABLE = ("customers", "products", "contacts", "expenses")  # audited when a person changes them
DONE, UNDONE = "done", "undone"

LABELS = {
    "customers": N_("customers"), "products": N_("products"), "sales_orders": N_("sales orders"),
    "sales_lines": N_("order lines"), "receipts": N_("receipts"), "stock_snapshots": N_("stock figures"),
    "contacts": N_("contact persons"), "interactions": N_("contact-log entries"), "tasks": N_("tasks"),
    "opportunities": N_("opportunities"), "service_cases": N_("service cases"), "attachments": N_("attachments"),
    "customer_relations": N_("relations"), "custom_field_values": N_("custom field values"),
    "customer_tags": N_("tags"), "opportunity_items": N_("products of interest"), "users": N_("salespeople"),
    "customer_types": N_("customer types"), "case_notes": N_("case notes"), "expenses": N_("expenses"),
    "expense_items": N_("expense items"),
}


def label(table: str) -> str:
    return _(LABELS[table]) if table in LABELS else table


@dataclass
class UndoPlan:
    batch_id: int
    file_name: str = ""
    kind: str = ""
    status: str = ""
    delete: dict[str, np.ndarray] = field(default_factory=dict)  # table → ids the batch created
    restore: pd.DataFrame = field(default_factory=pd.DataFrame)  # table_name, row_id, column, old_value
    created: dict[str, list[int]] = field(default_factory=dict)  # customer types, salespeople it created
    reasons: list[str] = field(default_factory=list)  # why it cannot be undone; empty: it can

    @property
    def possible(self) -> bool:
        return not self.reasons

    def restored(self) -> dict[str, int]:
        if self.restore.empty:
            return {}
        return self.restore.groupby("table_name")["row_id"].nunique().to_dict()

    def removed(self) -> dict[str, int]:
        return {t: len(ids) for t, ids in self.delete.items() if len(ids)}

    def describe(self) -> str:
        """"removes 120 orders, 1,000 order lines; restores 30 customers" (nothing: "nothing to change")."""
        parts = []
        removed = ", ".join(f"{n:,} {label(t)}" for t, n in self.removed().items())
        if removed:
            parts.append(_("removes {what}").format(what=removed))
        restored = ", ".join(f"{n:,} {label(t)}" for t, n in self.restored().items())
        if restored:
            parts.append(_("restores the earlier values of {what}").format(what=restored))
        return "; ".join(parts) or _("nothing to change")


def plan_undo(conn: Connection, batch_id: int) -> UndoPlan:
    """Raises LookupError for an unknown batch."""
    b = ImportBatch.__table__
    row = conn.execute(select(b.c.file_name, b.c.kind, b.c.status, b.c.changes_kept, b.c.started_at)
                       .where(b.c.id == batch_id)).first()
    if row is None:
        raise LookupError(_("no import batch {id}").format(id=batch_id))
    plan = UndoPlan(batch_id, row.file_name, row.kind, row.status)
    if row.status == UNDONE:
        plan.reasons.append(_("batch {id} was already undone").format(id=batch_id))
        return plan
    if row.status != DONE:
        plan.reasons.append(_("batch {id} is '{status}': it wrote no data to undo").format(id=batch_id,
                                                                                          status=row.status))
        return plan
    if not row.changes_kept:
        plan.reasons.append(_("batch {id} was imported by an older crmdesk that kept no before-values; "
                              "restore a backup instead").format(id=batch_id))
        return plan
    changes = _changes(conn, batch_id)
    for name in SOURCE_TABLES:
        table = Base.metadata.tables[name]
        stamped = conn.execute(select(table.c.id).where(table.c.source_batch_id == batch_id)).scalars()
        ids = np.array(sorted(stamped), dtype=np.int64)
        updated = changes.loc[(changes["table_name"] == name) & (changes["column"] == "source_batch_id"), "row_id"]
        plan.delete[name] = np.setdiff1d(ids, updated.to_numpy(dtype=np.int64))
    marks = changes["column"] == CREATED
    for name in CREATED_TABLES:
        ids = changes.loc[marks & (changes["table_name"] == name), "row_id"].astype(int).tolist()
        if ids or name != "expense_items":  # only an expenses file makes items: others need not list them
            plan.created[name] = ids
    restore = changes.loc[~marks]
    gone = pd.Series(False, index=restore.index)
    for name, ids in plan.delete.items():
        gone |= (restore["table_name"] == name) & restore["row_id"].isin(ids)
    plan.restore = restore.loc[~gone].reset_index(drop=True)
    plan.reasons += _later_batches(conn, plan) + _dependents(conn, plan) + _edits(conn, plan, row.started_at)
    return plan


def _changes(conn: Connection, batch_id: int) -> pd.DataFrame:
    c = ImportBatchChange.__table__.c
    rows = conn.execute(select(c.table_name, c.row_id, c.column, c.old_value).where(c.batch_id == batch_id)).all()
    return pd.DataFrame(rows, columns=["table_name", "row_id", "column", "old_value"]) if rows else \
        pd.DataFrame({"table_name": [], "row_id": pd.Series([], dtype=np.int64), "column": [], "old_value": []})


def touched(plan: UndoPlan) -> dict[str, np.ndarray]:
    out = {t: ids for t, ids in plan.delete.items() if len(ids)}
    for name, rows in plan.restore.groupby("table_name")["row_id"]:
        out[name] = np.union1d(out.get(name, np.array([], dtype=np.int64)), rows.to_numpy(dtype=np.int64))
    return out


def _later_batches(conn: Connection, plan: UndoPlan) -> list[str]:
    """A later batch (not undone) that rewrote rows this one created or updated."""
    c, b = ImportBatchChange.__table__.c, ImportBatch.__table__.c
    later: dict[int, int] = {}
    for name, ids in touched(plan).items():
        for start in range(0, len(ids), 5000):
            part = ids[start:start + 5000].tolist()
            for batch, n in conn.execute(
                    select(c.batch_id, c.row_id).join(ImportBatch.__table__, b.id == c.batch_id)
                    .where(c.table_name == name, c.batch_id > plan.batch_id, b.status == DONE, c.row_id.in_(part))
                    .distinct()).all():
                later[batch] = later.get(batch, 0) + 1
    # Rows it created that a later batch updated carry that batch's id now; the later batch kept ours.
    for batch, _row in conn.execute(
            select(c.batch_id, c.row_id).join(ImportBatch.__table__, b.id == c.batch_id)
            .where(c.column == "source_batch_id", c.old_value == str(plan.batch_id), c.batch_id > plan.batch_id,
                   b.status == DONE)).all():
        later[batch] = later.get(batch, 0) + 1
    return [_("later batch {later} changed {n:,} rows this batch wrote: undo batch {later} first").format(
        later=batch, n=n) for batch, n in sorted(later.items(), reverse=True)]


def references_to(name: str) -> list[tuple[Table, str]]:
    """Every (table, column) that refers to ``name``: foreign keys and the plain references."""
    out = []
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if any(fk.column.table.name == name for fk in column.foreign_keys) or \
                    PLAIN_REFS.get((table.name, column.name)) == name:
                out.append((table, column.name))
    return out


def referring(conn: Connection, name: str, ids: np.ndarray, delete: dict[str, np.ndarray]) -> dict[str, pd.DataFrame]:
    """Rows of other tables (not themselves being deleted, not system rows that go along) that
    refer to ``ids`` of ``name``: referring table → DataFrame with the referred id per row (``ref``)."""
    found: dict[str, pd.DataFrame] = {}
    for table, column in references_to(name):
        if table.name in GOES_ALONG or (table.name == name and column == "id") or not len(ids):
            continue
        has_id = "id" in table.c
        cols = (["id"] if has_id else []) + [column] + (["rule_id"] if table.name == "tasks" else [])
        rows = fetch_in(conn, table, column, ids.tolist(), cols)
        if rows.empty:
            continue
        if has_id and table.name in delete:
            rows = rows.loc[~rows["id"].isin(delete[table.name])]
        if table.name == "tasks":  # tasks a process rule made go with their customer
            rows = rows.loc[rows["rule_id"].isna()]
        if len(rows):
            found[table.name] = pd.DataFrame({"ref": rows[column].to_numpy()})
    return found


def _dependents(conn: Connection, plan: UndoPlan) -> list[str]:
    reasons = []
    for name, ids in plan.delete.items():
        if not len(ids):
            continue
        for other, rows in referring(conn, name, ids, plan.delete).items():
            examples = _examples(conn, name, pd.unique(rows["ref"])[:3])
            reasons.append(_("{n:,} {what} refer to {count:,} {target} this batch created (e.g. {examples})").format(
                n=len(rows), what=label(other), count=rows["ref"].nunique(), target=label(name), examples=examples))
    return reasons


def _edits(conn: Connection, plan: UndoPlan, since) -> list[str]:
    """Customers, products and contacts of the batch that a person changed, merged or deleted since."""
    a = AuditLog.__table__.c
    reasons = []
    for name, ids in touched(plan).items():
        if name not in EDITABLE:
            continue
        hits: dict[tuple[str, str], set[int]] = {}
        users = User.__table__.c
        for start in range(0, len(ids), 5000):
            part = ids[start:start + 5000].tolist()
            for entity_id, action, who in conn.execute(
                    select(a.entity_id, a.action, users.username).outerjoin(User.__table__, users.id == a.user_id)
                    .where(a.entity == name, a.at >= since, a.action != "import", a.entity_id.in_(part))).all():
                hits.setdefault((action, who or "?"), set()).add(entity_id)
        for (action, who), rows in sorted(hits.items()):
            examples = _examples(conn, name, sorted(rows)[:3])
            what = _("a merge involved {n:,} {target} of this batch (e.g. {examples})") if action == "merge" else \
                _("{n:,} {target} of this batch were changed since ({action} by {user}; e.g. {examples})")
            reasons.append(what.format(n=len(rows), target=label(name), action=action, user=who, examples=examples))
    return reasons


def _examples(conn: Connection, name: str, ids) -> str:
    table = Base.metadata.tables[name]
    ids = [int(i) for i in ids]
    if "code" in table.c and "name" in table.c:
        rows = conn.execute(select(table.c.code, table.c.name).where(table.c.id.in_(ids))).all()
        return ", ".join(f"{code} {n}" for code, n in rows) or ", ".join(map(str, ids))
    for col in ("number", "name", "username"):
        if col in table.c:
            rows = conn.execute(select(table.c[col]).where(table.c.id.in_(ids))).scalars().all()
            return ", ".join(str(r) for r in rows) or ", ".join(map(str, ids))
    return ", ".join(f"#{i}" for i in ids)
