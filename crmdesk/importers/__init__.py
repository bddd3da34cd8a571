"""Importing the inventory program's exports (进销存: 管家婆, 金蝶 KIS, 用友 T3/T+, 秦丝 …). Qt-free.

The API below is what the GUI (import wizard, rejected-rows view, sync timer) and the CLI use.
Everything takes plain paths and returns plain dataclasses; nothing keeps a session open.

Kinds and their fields (the contract; header synonyms in ``fields.FIELDS``):

* ``customers`` – code, name, short_name, customer_type, grade, province, city, district,
  address, phone, mobile, email, tax_id, credit_limit, payment_terms_days, contact_name,
  salesperson, notes. Key: code (name when there is no code column).
* ``products`` – code, name, spec, unit, category, brand, barcode, list_price, cost,
  reorder_point, lead_time_days, notes. Key: code.
* ``sales`` (order header and line in one flat row) – order_number, line_no, order_date,
  doc_type, customer_code, customer_name, customer_type, salesperson, warehouse, product_code,
  product_name, spec, unit, category, brand, quantity, unit_price, amount, cost_amount,
  unit_cost, profit, province, city, notes. Key: order_number + line_no, else order_number +
  product + occurrence. cost = amount − profit when only profit is given.
* ``receipts`` – number, receipt_date, customer_code, customer_name, amount, method,
  order_number, notes. Key: number.
* ``stock`` (dated snapshot) – product_code, product_name, spec, unit, category, warehouse,
  quantity, cost_value, unit_cost, snapshot_date. Key: product + warehouse + date.
* ``expenses`` (费用明细) – doc_number, line_no, expense_date, item, amount, customer_code,
  customer_name, salesperson, order_number, product_code, product_name, brand, notes. Key:
  doc_number + line_no, else doc_number + place in the document. Unknown customers: shared, warned.

Detect and preview (wizard page 1–2)::

    p = preview(path, kind=None, profile=None, encoding=None, sheet=None, header_row=None, rows=20)
    p.kind, p.kind_detected, p.encoding, p.delimiter, p.sheet, p.sheets, p.header_row,
    p.columns, p.mapping ({header: field or ""}), p.missing (required fields), p.title_lines, p.rows

    raises ReadError (one message naming the file) when it cannot be read.

Profiles (wizard "save these settings")::

    prof = Profile(name="my-layout", kind="sales", header_row=3, columns={"单号": "order_number"})
    save_profile(prof)            # → <config>/import_profiles/my-layout.toml; or save_profile(prof, path)
    profile_from_preview(p, "my-layout", mapping=edited_mapping, date_format="%d.%m.%Y")
    load_profile("superstore")    # by name (user folder, then shipped) or a .toml path
    list_profiles()               # names

Import (one transaction per file; run it off the GUI thread with a ``Progress``)::

    r = import_file(db, actor, path, kind=None, profile=None, encoding=None, sheet=None,
                    header_row=None, dry_run=False, strict=False, progress=None)
    r.status in {"done", "skipped", "failed", "refused", "dry-run", "held"}; r.ok (false also when
    every row was rejected: r.all_rejected, with r.reasons = [(reason, column, rows)])
    r.kind, r.added, r.updated, r.unchanged, r.rejected, r.batch_id, r.message, r.notes
    r.columns: [ColumnMatch(position, header, field or "", confidence, how, note)] (r.mapped, r.ignored)
    r.warnings: [FileWarning(code, message, count, examples)] — kept in the history too
    import_file(..., hold_unsure=True)  # what sync does: a guessed column holds the file

    Cancelling the Progress raises ``Cancelled`` after the file's transaction is rolled back.

Rejected rows and history::

    list_batches(session, limit=100) -> [BatchInfo]
    list_rejected(session, batch_id=None) -> [RejectedRow(batch_id, file_name, row_number, column,
                                                          value, reason, raw)]
    export_rejected_xlsx(session, "rejected.xlsx", batch_id=None) -> rows written

Sync (the GUI's timer calls ``run_sync`` every ``interval_minutes``)::

    load_sync_settings(session) -> SyncSettings(inbox, interval_minutes, done_folder, move_done,
                                                backup_keep, profile)
    save_sync_settings(session, actor, settings); get_setting / set_setting for single keys
    run_sync(db, actor, folder=None, progress=None) -> SyncResult(folder, files=[ImportResult],
                                                                   already_imported, backup, moved)
    raises SyncError when no inbox is set or it does not exist.
"""

from crmdesk.core.progress import Cancelled, Progress
from crmdesk.importers.detect import Preview, preview, profile_from_preview
from crmdesk.importers.fields import FIELDS, KINDS, REQUIRED
from crmdesk.importers.profiles import (
    Profile,
    ProfileError,
    list_profiles,
    load_profile,
    save_profile,
)
from crmdesk.importers.reading import ReadError
from crmdesk.importers.rejects import (
    BatchInfo,
    RejectedRow,
    export_rejected_xlsx,
    list_batches,
    list_rejected,
)
from crmdesk.importers.run import ImportResult, import_file
from crmdesk.importers.sync import (
    SyncError,
    SyncResult,
    SyncSettings,
    get_setting,
    load_sync_settings,
    run_sync,
    save_sync_settings,
    set_setting,
)

__all__ = [
    "FIELDS", "KINDS", "REQUIRED", "BatchInfo", "Cancelled", "ImportResult", "Preview", "Profile", "ProfileError",
    "Progress", "ReadError", "RejectedRow", "SyncError", "SyncResult", "SyncSettings", "export_rejected_xlsx",
    "get_setting", "import_file", "list_batches", "list_profiles", "list_rejected", "load_profile",
    "load_sync_settings", "preview", "profile_from_preview", "run_sync", "save_profile", "save_sync_settings", "set_setting",
]
