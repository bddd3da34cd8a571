"""Importing one file: content-hash skip, detection, one transaction, batch bookkeeping."""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.core.progress import Cancelled, Progress, ensure
from crmdesk.db.base import utcnow
from crmdesk.db.bulk import bulk_load_connection
from crmdesk.db.engine import Database
from crmdesk.db.models import ImportBatch, ImportRejectedRow
from crmdesk.i18n import _
from crmdesk.importers.busy import reported_when_busy
from crmdesk.importers.derive import prepare
from crmdesk.importers.detect import Layout, require_columns, resolve_layout
from crmdesk.importers.findings import FileWarning, after_import, to_json
from crmdesk.importers.limits import read_limits
from crmdesk.importers.mapping import ColumnMatch
from crmdesk.importers.prepare import Prepared, Reject
from crmdesk.importers.branch_stamp import resolve_branch, stamp_branch
from crmdesk.importers.profiles import Profile, ProfileError
from crmdesk.importers.reading import ReadError
from crmdesk.importers.rules_after import run_import_rules
from crmdesk.importers.tables import insert
from crmdesk.importers.write_expenses import write_expenses
from crmdesk.importers.write_masters import write_customers, write_products, write_receipts, write_stock
from crmdesk.importers.write_sales import Counts, write_sales
from crmdesk.money import format_yuan
from crmdesk.services import audit, backups, settlement
from crmdesk.services.actor import Actor
from crmdesk.services.branches import BranchError
from crmdesk.services.permissions import require

log = logging.getLogger(__name__)
WRITERS = {"sales": write_sales, "customers": write_customers, "products": write_products,
           "receipts": write_receipts, "stock": write_stock, "expenses": write_expenses}

DONE, SKIPPED, FAILED, REFUSED, DRY_RUN, HELD = "done", "skipped", "failed", "refused", "dry-run", "held"


@dataclass
class ImportResult:
    """What happened to one file. ``status``: done, skipped (same content as an earlier batch),
    failed (unreadable; nothing written), refused (--strict and bad rows; nothing but the batch
    and its rejected rows written), dry-run (counted, rolled back), held (the file does not look
    like the detected kind, or an unattended sync was unsure of a column: nothing but the batch
    with the reason written). ``columns``: every source column with its field ("" = ignored),
    confidence and reason; ``warnings``: what landed but may be wrong, with counts."""

    path: Path
    status: str
    kind: str = ""
    batch_id: int | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    blank_rows: int = 0
    footer_rows: int = 0
    message: str = ""
    notes: list[str] = field(default_factory=list)
    encoding: str = ""
    sheet: str = ""
    header_row: int = 0
    profile: str = ""
    columns: list[ColumnMatch] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, column, rows), most first
    rules: list[str] = field(default_factory=list)  # what the "import" process rules did afterwards
    receivable: int = 0  # sales: money units of the file now owed (on credit; services.settlement)
    settled_at_sale: int = 0  # sales: money units of the file settled at sale

    @property
    def ok(self) -> bool:
        return self.status in (DONE, SKIPPED, DRY_RUN) and not self.all_rejected

    @property
    def all_rejected(self) -> bool:
        """Rows were read and not one landed: as much a failure as an unreadable file."""
        return self.status in (DONE, DRY_RUN) and self.rejected > 0 and \
            self.added + self.updated + self.unchanged == 0

    @property
    def mapped(self) -> list[ColumnMatch]:
        return [c for c in self.columns if c.field]

    @property
    def ignored(self) -> list[ColumnMatch]:
        return [c for c in self.columns if not c.field]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_as(profile: str, sheet: str = "", paid_at_sale: bool = False) -> str:
    """How a file was read, as kept in ``import_batches.profile``: the profile's name, and for a
    workbook the sheet (another sheet of the same workbook is other data); "paid at sale" when
    its sales were settled at sale (the same file imported again with that option is not skipped)."""
    label = profile or "auto"
    label = f"{label} / {sheet}" if sheet else label
    return (f"{label} / paid at sale" if paid_at_sale else label)[:100]


def find_same_content(session: Session, sha256: str, kind: str = "", how: str = "",
                      mapping: str = "") -> ImportBatch | None:
    """An earlier finished batch of the same bytes, read as the same kind the same way (``how``:
    ``read_as``; ``mapping``: ``mapping_json``), that landed rows. A batch that landed nothing
    (every row rejected) or that was read with another kind, profile or column mapping does not
    count: a corrected re-import must not be skipped."""
    landed = ImportBatch.rows_added + ImportBatch.rows_updated + ImportBatch.rows_unchanged
    stmt = select(ImportBatch).where(ImportBatch.file_sha256 == sha256, ImportBatch.status == DONE, landed > 0)
    if kind:
        stmt = stmt.where(ImportBatch.kind == kind)
    if how:
        stmt = stmt.where(ImportBatch.profile == how)
    if mapping:  # batches from before the history kept mappings ("") still count
        stmt = stmt.where(ImportBatch.mapping.in_([mapping, ""]))
    return session.scalar(stmt.order_by(ImportBatch.id))


def _without_cyclic_gc(func):
    """Python's cycle collector paused while a file is imported: a million rows make millions of
    short-lived tuples, and the collections they trigger walk every live object again and again
    (about 5% of a 1M-line import). Rows hold no reference cycles; it runs again afterwards."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return run


@reported_when_busy(lambda path, message: ImportResult(path=path, status=FAILED, message=message))
@_without_cyclic_gc
def import_file(db: Database, actor: Actor, path: str | Path, kind: str | None = None,
                profile: Profile | str | None = None, encoding: str | None = None, sheet: str | int | None = None,
                header_row: int | None = None, dry_run: bool = False, strict: bool = False,
                progress: Progress | None = None, skip_same_content: bool = True,
                hold_unsure: bool = False, run_rules: bool = True, paid_at_sale: bool | None = None,
                backup: bool = True, branch: str | None = None) -> ImportResult:
    """Import one file in one transaction. Never raises for bad files: see ``ImportResult.status``.
    ``hold_unsure`` (an unattended sync): a column mapped by a guess holds the file instead.
    Raises ``Cancelled`` (after rolling back) when ``progress`` is cancelled, PermissionDenied.
    ``run_rules``: after the file committed, the "import" process rules run (``result.rules``).
    ``paid_at_sale``: a sales file's sales were all paid on the spot (None: as the profile says).
    ``branch``: the code of the branch the file came from (None: the profile's ``branch``, if any)."""
    require(actor, "import.run")
    progress = ensure(progress)
    path = Path(path)
    progress.update(0.0, _("reading {file}").format(file=path.name), force=True)
    try:
        stat = path.stat()
        sha = file_sha256(path)
    except OSError as exc:
        return ImportResult(path=path, status=FAILED, message=_("{file}: cannot read ({error})").format(
            file=path.name, error=exc.strerror or exc))
    try:
        layout = resolve_layout(path, kind, profile, encoding, sheet, header_row)
    except (ReadError, ProfileError) as exc:
        return ImportResult(path=path, status=FAILED, message=str(exc))
    except (MemoryError, UnicodeError) as exc:
        return ImportResult(path=path, status=FAILED, message=_("{file}: cannot read ({error})").format(
            file=path.name, error=exc))
    layout.source.limits = read_limits(db)  # plausibility limits: shop settings (importers.limits)
    paid = layout.kind == "sales" and (layout.profile.paid_at_sale if paid_at_sale is None else paid_at_sale)
    how = read_as(layout.profile.name, layout.source.sheet, paid)
    try:
        branch_id = resolve_branch(db, layout.profile.branch if branch is None else branch)
    except BranchError as exc:
        return ImportResult(path=path, status=FAILED, message=f"{path.name}: {exc}")
    if skip_same_content:
        skipped = _skip_same_content(db, actor, path, stat, sha, layout.kind, how, mapping_json(layout.columns),
                                     dry_run)
        if skipped is not None:
            return skipped
    reason = layout.evidence.refusal or (_unsure_reason(path, layout) if hold_unsure else "")
    if reason:
        return _hold(db, actor, path, stat, sha, layout, reason, dry_run)
    try:
        require_columns(layout)
        progress.update(0.05, _("checking rows"))
        prep = prepare(layout)
        prep.paid_at_sale = paid
        prep.branch_id = branch_id
    except ReadError as exc:
        return ImportResult(path=path, status=FAILED, message=str(exc))
    result = ImportResult(path=path, status=DONE, kind=layout.kind, rejected=len(prep.rejects),
                          blank_rows=prep.blank_rows, footer_rows=prep.footer_rows, notes=list(prep.notes),
                          encoding=layout.source.encoding, sheet=layout.source.sheet, header_row=layout.header_row,
                          profile=layout.profile.name, columns=list(layout.columns), reasons=reason_counts(prep.rejects),
                          warnings=layout.warnings + prep.warnings +
                          after_import(layout.kind, prep.frame, layout.columns, prep.present))
    batch = ImportBatch(file_name=path.name, file_path=str(path.resolve()), file_sha256=sha, file_size=stat.st_size,
                        file_mtime=stat.st_mtime, kind=layout.kind, profile=how,
                        encoding=layout.source.encoding, user_id=actor.user_id,
                        rows_total=prep.data_rows, rows_rejected=len(prep.rejects), status="running",
                        warnings=to_json(result.warnings), mapping=mapping_json(layout.columns),
                        branch_id=branch_id)
    if strict and prep.rejects:
        result.status = REFUSED
        first = prep.rejects[0]
        result.message = _("{file}: refused (--strict): {n} bad rows, first row {row} column {column}: "
                           "{reason}").format(file=path.name, n=len(prep.rejects), row=first.row,
                                              column=first.column, reason=first.reason)
        if not dry_run:
            with db.sessions.begin() as s:
                batch.status, batch.message, batch.finished_at = FAILED, result.message, utcnow()
                s.add(batch)
                s.flush()
                _store_rejects(s, batch.id, prep.rejects)
                result.batch_id = batch.id
        return result
    if backup and not dry_run:  # a sync backs up once before all its files and passes False
        backups.before_import(db)
    with bulk_load_connection(db.engine) as conn, db.sessions(bind=conn) as s:
        try:
            s.add(batch)
            s.flush()
            counts = WRITERS[layout.kind](s.connection(), prep, batch.id, progress)
            stamp_branch(s.connection(), layout.kind, batch.id, branch_id)
            _finish_batch(s, actor, batch, prep, counts, result)
            progress.update(0.98, _("saving"))
            if dry_run:
                s.rollback()
                result.status, result.batch_id = DRY_RUN, None
            else:
                s.commit()
                result.batch_id = batch.id
        except Cancelled:
            s.rollback()
            raise
        except Exception:
            s.rollback()
            raise
    if run_rules and result.status == DONE:
        result.rules = run_import_rules(db, actor)
    progress.update(1.0, _("done"), force=True)
    return result


def settlement_note(receivable: int, settled: int) -> str:
    """How much of a sales file is owed and how much was paid on the spot (services.settlement)."""
    return _("of the file's {total}: {receivable} receivable (on credit), {settled} settled at sale").format(
        total=format_yuan(receivable + settled), receivable=format_yuan(receivable), settled=format_yuan(settled))


def reason_counts(rejects: list[Reject], top: int = 5) -> list[tuple[str, str, int]]:
    """Why rows were rejected, grouped: (reason, column, rows), the most frequent first."""
    from collections import Counter

    counts = Counter((r.reason, r.column) for r in rejects)
    return [(reason, column, n) for (reason, column), n in counts.most_common(top)]


def mapping_json(columns: list[ColumnMatch]) -> str:
    """The mapping as the history keeps it: [[header, field, confidence], …] ("" = ignored)."""
    import json

    return json.dumps([[c.header, c.field, round(c.confidence, 2)] for c in columns], ensure_ascii=False)


def _unsure_reason(path: Path, layout: Layout) -> str:
    unsure = layout.unsure
    if not unsure:
        return ""
    return _("{file}: held, nothing imported: unsure which field these columns are: {columns}. Check the "
             "mapping in the Import page and save it as a profile (or set the sync profile)").format(
        file=path.name, columns="; ".join(c.describe() for c in unsure))


def _hold(db: Database, actor: Actor, path: Path, stat, sha: str, layout: Layout, reason: str,
          dry_run: bool) -> ImportResult:
    """The file is not imported; the history keeps why, with the mapping that was proposed."""
    result = ImportResult(path=path, status=HELD, kind=layout.kind, message=reason, encoding=layout.source.encoding,
                          sheet=layout.source.sheet, header_row=layout.header_row, profile=layout.profile.name,
                          columns=list(layout.columns), warnings=layout.warnings)
    if not dry_run:
        with db.sessions.begin() as s:
            batch = ImportBatch(file_name=path.name, file_path=str(path.resolve()), file_sha256=sha,
                                file_size=stat.st_size, file_mtime=stat.st_mtime, kind=layout.kind,
                                profile=read_as(layout.profile.name, layout.source.sheet),
                                encoding=layout.source.encoding, user_id=actor.user_id, status=HELD,
                                finished_at=utcnow(), message=reason, warnings=to_json(result.warnings),
                                mapping=mapping_json(layout.columns))
            s.add(batch)
            s.flush()
            result.batch_id = batch.id
    return result


def _skip_same_content(db: Database, actor: Actor, path: Path, stat, sha: str, kind: str, how: str,
                       mapping: str, dry_run: bool) -> ImportResult | None:
    """A finished batch that landed the same bytes read the same way makes this a no-op."""
    with db.sessions() as s:
        same = find_same_content(s, sha, kind, how, mapping)
        if same is None:
            return None
        result = ImportResult(path=path, status=SKIPPED, kind=same.kind, batch_id=same.id, message=_(
            "{file}: same content as batch {batch} ({name}, {when}); skipped").format(
            file=path.name, batch=same.id, name=same.file_name, when=f"{same.started_at:%Y-%m-%d %H:%M}"))
        if not dry_run:  # remembered, so a sync does not read this file again
            s.add(ImportBatch(file_name=path.name, file_path=str(path.resolve()), file_sha256=sha,
                              file_size=stat.st_size, file_mtime=stat.st_mtime, kind=same.kind,
                              profile=same.profile, encoding=same.encoding, status=SKIPPED, finished_at=utcnow(),
                              message=result.message, user_id=actor.user_id))
            s.commit()
        return result


def _finish_batch(s: Session, actor: Actor, batch: ImportBatch, prep: Prepared, counts: Counts,
                  result: ImportResult) -> None:
    _store_rejects(s, batch.id, prep.rejects)
    if counts.stubs_customers:
        result.notes.append(_("{n} unknown customers created as incomplete records").format(n=counts.stubs_customers))
    if counts.stubs_products:
        result.notes.append(_("{n} unknown products created as incomplete records").format(n=counts.stubs_products))
    result.added, result.updated, result.unchanged = counts.added, counts.updated, counts.unchanged
    found = getattr(counts, "warnings", [])  # what the writer met (expenses: unknown customers, new items)
    if found:
        result.warnings.extend(found)
        batch.warnings = to_json(result.warnings)
    if batch.kind == "sales":
        result.receivable, result.settled_at_sale = counts.receivable, counts.settled
        result.notes.append(settlement_note(counts.receivable, counts.settled))
    elif batch.kind == "receipts":
        s.flush()
        n, total = settlement.receipts_of_cash_customers(s, batch.id)
        if n:
            result.notes.append(_("{n} receipts ({amount}) are from customers whose sales were all settled at "
                                  "sale: their balance goes below zero. If they buy on credit, set them so "
                                  "(customer form or Settings → Settlement) and apply the rules again").format(
                n=n, amount=format_yuan(total)))
    batch.rows_added, batch.rows_updated, batch.rows_unchanged = counts.added, counts.updated, counts.unchanged
    batch.status, batch.finished_at = DONE, utcnow()
    batch.message = "\n".join(result.notes)
    audit.record(s, actor, "import_batches", batch.id, "import", "file_name", None, batch.file_name)


def _store_rejects(s: Session, batch_id: int, rejects: list[Reject]) -> None:
    if not rejects:
        return
    insert(s.connection(), ImportRejectedRow.__table__, {
        "batch_id": [batch_id] * len(rejects), "row_number": [r.row for r in rejects],
        "column": [r.column[:100] for r in rejects], "value": [r.value for r in rejects],
        "reason": [r.reason for r in rejects], "raw": [r.raw for r in rejects],
    })
