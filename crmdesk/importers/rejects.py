"""Import history and rejected rows: listing them and exporting them to Excel for fixing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import ImportBatch, ImportRejectedRow
from crmdesk.i18n import _


@dataclass(frozen=True)
class RejectedRow:
    batch_id: int
    file_name: str
    row_number: int
    column: str
    value: str
    reason: str
    raw: dict[str, str]


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file_name: str
    kind: str
    status: str
    started_at: object
    rows_total: int
    rows_added: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    message: str
    warnings: tuple[str, ...] = ()  # as printed: the message with count and examples


def list_batches(session: Session, limit: int = 100) -> list[BatchInfo]:
    """The newest import batches first."""
    rows = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))
    from crmdesk.importers.findings import from_json

    return [BatchInfo(b.id, b.file_name, b.kind, b.status, b.started_at, b.rows_total, b.rows_added,
                      b.rows_updated, b.rows_unchanged, b.rows_rejected, b.message,
                      tuple(str(w) for w in from_json(b.warnings))) for b in rows]


def list_rejected(session: Session, batch_id: int | None = None, limit: int | None = None) -> list[RejectedRow]:
    """Rejected rows of one batch (or of all batches), in file order."""
    stmt = (select(ImportRejectedRow, ImportBatch.file_name)
            .join(ImportBatch, ImportBatch.id == ImportRejectedRow.batch_id)
            .order_by(ImportRejectedRow.batch_id, ImportRejectedRow.row_number))
    if batch_id is not None:
        stmt = stmt.where(ImportRejectedRow.batch_id == batch_id)
    if limit:
        stmt = stmt.limit(limit)
    out = []
    for rej, file_name in session.execute(stmt):
        try:
            raw = json.loads(rej.raw) if rej.raw else {}
        except ValueError:
            raw = {}
        out.append(RejectedRow(rej.batch_id, file_name, rej.row_number, rej.column, rej.value, rej.reason, raw))
    return out


def export_rejected_xlsx(session: Session, path: str | Path, batch_id: int | None = None) -> int:
    """Write the rejected rows to ``path`` (.xlsx): file, row, column, value, reason, then the
    row's own columns so it can be fixed and imported again. Returns the number of rows."""
    from openpyxl import Workbook  # only an export needs it: not loaded for every import

    from crmdesk.core.table_out import append_row

    rows = list_rejected(session, batch_id)
    raw_headers: list[str] = []
    for r in rows:
        for key in r.raw:
            if key not in raw_headers:
                raw_headers.append(key)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Rejected rows"))
    # The rejected values are whatever the file held ("=cmd|…" included): written as text, never formulas.
    append_row(sheet, [_("File"), _("Row"), _("Column"), _("Value"), _("Reason"), *raw_headers])
    for r in rows:
        append_row(sheet, [r.file_name, r.row_number, r.column, r.value, r.reason,
                           *(r.raw.get(h, "") for h in raw_headers)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(rows)
