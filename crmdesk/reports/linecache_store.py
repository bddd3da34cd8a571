"""Reading and persisting the line cache's arrays: the signature of the data, how it changed,
the column readers (``crmdesk.db.columnar``: whole columns as numpy arrays) and the
persisted copy in the user's cache folder."""

from __future__ import annotations

import ast
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import platformdirs
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.columnar import fetch_columns, read_columns
from crmdesk.db.location import database_file
from crmdesk.db.models import AuditLog, Customer, ImportBatch, Product, Receipt, SalesLine, SalesOrder, StockSnapshot
from crmdesk.db.sqlfuncs import day_number
from crmdesk.reports.common import frame

log = logging.getLogger(__name__)
EPOCH = np.datetime64("1970-01-01", "D")


# Positions in the signature.
(SIG_LINES, SIG_RECEIPTS, SIG_SNAPSHOTS, SIG_ORDERS, SIG_BATCH, SIG_AUDIT, SIG_CUSTOMERS, SIG_PRODUCTS, SIG_URL,
 SIG_LAST_LINE) = range(10)


def signature(session: Session) -> tuple:
    """Cheap fingerprint of the data the cache holds (no full count of the lines: that costs 0.1 s).

    New rows raise the max ids; deleted lines go with their order (the order count); lines are
    rewritten in place only by imports (a new batch with rows_updated) or moved by a customer
    merge or an import undo (audited); customers and products carry the filter attributes. See ``_change``.
    """
    parts: list[object] = [session.scalar(select(func.max(model.id))) for model in (SalesLine, Receipt, StockSnapshot)]
    parts.append(session.scalar(select(func.count()).select_from(SalesOrder)))
    parts.append(session.scalar(select(func.max(ImportBatch.id))))
    parts.append(session.scalar(select(func.max(AuditLog.id))))
    for model in (Customer, Product):
        parts.append(str(session.scalar(select(func.max(model.updated_at)))))
    parts.append(session.bind.url.render_as_string(hide_password=True) if session.bind else "")
    parts.append(_line_fingerprint(session, parts[SIG_LINES]))
    return tuple(parts)


def _line_fingerprint(session: Session, line_id: int | None) -> str:
    """The newest line's order, customer and amount: an append is trusted only while the line
    the copy ended with is still the same (not so after restoring an older backup)."""
    if line_id is None:
        return ""
    row = session.execute(select(SalesLine.order_id, SalesLine.customer_id, SalesLine.amount)
                          .where(SalesLine.id == line_id)).first()
    return ":".join(str(v) for v in row) if row else ""


def _change(session: Session, old: tuple, new: tuple) -> str:
    """How the data moved from ``old`` to ``new``: "same"; "attributes" (lines untouched:
    customers, products, receipts or stock changed); "append" (only new lines); or "full"."""
    if old == new:
        return "same"
    if len(old) != len(new) or old[SIG_URL] != new[SIG_URL]:
        return "full"
    merged = session.scalar(select(AuditLog.id).where(AuditLog.id > (old[SIG_AUDIT] or 0),
                                                      AuditLog.action.in_(("merge", "undo"))).limit(1))
    rewritten = session.scalar(select(ImportBatch.id).where(ImportBatch.id > (old[SIG_BATCH] or 0),
                                                            ImportBatch.kind == "sales",
                                                            ImportBatch.rows_updated > 0).limit(1))
    old_lines, new_lines = old[SIG_LINES] or 0, new[SIG_LINES] or 0
    if merged is not None or rewritten is not None or new_lines < old_lines or new[SIG_ORDERS] < old[SIG_ORDERS]:
        return "full"
    if new_lines == old_lines and new[SIG_LAST_LINE] != old[SIG_LAST_LINE]:
        return "full"
    if new_lines > old_lines and _line_fingerprint(session, old[SIG_LINES]) != old[SIG_LAST_LINE]:
        return "full"
    return "attributes" if new_lines == old_lines and new[SIG_ORDERS] == old[SIG_ORDERS] else "append"


# Column → (SQL expression, dtype); dates travel as day numbers since 1970.
_COLUMNS = {
    "customer": (SalesLine.customer_id, "int32"), "product": (SalesLine.product_id, "int32"),
    "order": (SalesLine.order_id, "int32"), "amount": (SalesLine.amount, "int64"),
    "cost": (SalesLine.cost_amount, "int64"), "quantity": (SalesLine.quantity, "float64"),
}
_LINE_COLUMNS = {"day": (day_number(SalesLine.order_date), "int32"), **_COLUMNS}


def _read_columns_fast(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """Lines with id > after_id in id order, one array per column (``columnar.read_columns``:
    ~0.2 s per column of a million lines on SQLite instead of ~5 s of row tuples)."""
    return read_columns(session, SalesLine.__table__, _LINE_COLUMNS, where=SalesLine.id > int(after_id),
                        order_by=[SalesLine.id], full_scan=True)


_read_columns_sqlite = _read_columns_fast  # the name tests/test_reports_linecache.py compares


def _read_extras(session: Session) -> dict[str, np.ndarray]:
    """Receipts (rec_*) and stock per product and day (snap_*, sorted by product and day)."""
    rec = read_columns(session, Receipt.__table__, {
        "rec_customer": (Receipt.customer_id, "int64"), "rec_day": (day_number(Receipt.receipt_date), "int64"),
        "rec_amount": (Receipt.amount, "int64")}, order_by=[Receipt.id], full_scan=True)
    S = StockSnapshot
    snap = read_columns(session, S.__table__, {
        "snap_product": (S.product_id, "int64"), "snap_day": (day_number(S.snapshot_date), "int64"),
        "snap_quantity": (func.sum(S.quantity), "float64"), "snap_value": (func.sum(S.cost_value), "int64")},
        group_by=[S.product_id, S.snapshot_date], order_by=[S.product_id, S.snapshot_date])
    return {**rec, **snap}


def _read_columns_generic(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """The same arrays as ``_read_columns_fast`` in one query, rows through the driver."""
    return fetch_columns(session, SalesLine.__table__, _LINE_COLUMNS, where=SalesLine.id > int(after_id),
                         order_by=[SalesLine.id])


def _read_lines(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """Lines with id > after_id, in id order, as arrays (salesperson from their orders)."""
    arrays = _read_columns_fast(session, after_id)
    orders = frame(session, select(SalesOrder.id, SalesOrder.salesperson_id.label("sp")))
    order = arrays["order"]
    sp = np.full(int(max(orders["id"].max() if len(orders) else 0, order.max(initial=0))) + 1, -1, dtype="int32")
    sp[orders["id"].to_numpy(dtype="int64")] = orders["sp"].fillna(-1).to_numpy(dtype="int32")
    arrays["salesperson"] = sp[order]
    return arrays


ARRAYS = ("day", "customer", "product", "order", "salesperson", "amount", "cost", "quantity")
EXTRAS = ("rec_customer", "rec_day", "rec_amount", "snap_product", "snap_day", "snap_quantity", "snap_value")


def _cache_file(session: Session) -> Path | None:
    """Where the arrays of a file database persist between runs (None: keep in memory only)."""
    path = database_file(session)
    if path is None:
        return None
    home = os.environ.get("CRMDESK_HOME")
    folder = Path(home) / "cache" if home else Path(platformdirs.user_cache_dir("crmdesk", appauthor=False))
    digest = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    return folder / f"lines-{digest}.npz"


def _read_persisted(file: Path) -> tuple[tuple, dict[str, np.ndarray]] | None:
    """(signature, arrays) of the persisted copy, whatever its signature; None if unreadable."""
    try:
        with np.load(file, allow_pickle=False) as z:
            sig = ast.literal_eval(str(z["signature"]))
            return tuple(sig), {name: z[name] for name in (*ARRAYS, *EXTRAS)}
    except (OSError, KeyError, ValueError, SyntaxError):
        return None


def _write_persisted(file: Path, sig: tuple, arrays: dict[str, np.ndarray]) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp.npz")
        np.savez(tmp, signature=np.asarray(repr(sig)), **arrays)
        os.replace(tmp, file)
    except OSError as exc:  # a read-only cache folder only costs speed
        log.warning("cannot save the line cache to %s: %s", file, exc)
