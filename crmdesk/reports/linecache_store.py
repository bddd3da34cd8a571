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
from sqlalchemy import func
from sqlalchemy.orm import Session

from crmdesk.db import change_feed
from crmdesk.db.columnar import fetch_columns, read_columns
from crmdesk.db.location import database_file
from crmdesk.db.models import Receipt, SalesLine, SalesOrder, StockSnapshot
from crmdesk.db.sqlfuncs import day_number

log = logging.getLogger(__name__)
EPOCH = np.datetime64("1970-01-01", "D")


# Tables whose rows the copy holds besides the lines ("*": a write the feed could not name).
EXTRA_TABLES = {"receipts", "stock_snapshots", "*"}
# Positions in the signature.
SIG_URL, SIG_EPOCH, SIG_SERIAL, SIG_TAG = range(4)


def signature(session: Session) -> tuple:
    """Where the data stands: the database and its committed change feed (``crmdesk.db.change_feed``:
    one row). Read before any line, so whatever the lines read next hold, the feed entries after
    this point name it."""
    point = change_feed.current(session)
    return (change_feed.database_key(session), point.epoch, point.serial, point.tag)


def _point(sig: tuple) -> change_feed.Point:
    return change_feed.Point(sig[SIG_EPOCH], sig[SIG_SERIAL], sig[SIG_TAG])


def _change(session: Session, old: tuple, new: tuple) -> tuple[str, int | None]:
    """How the data moved from ``old`` to ``new`` and, for "append", the line id above which the
    copy must be read again: "same"; "kept" (lines, receipts and stock untouched: customers,
    products or anything else changed — a login, say); "attributes" (lines untouched, receipts
    or stock changed); "append" (only lines added: every line above the bound is read again — on
    PostgreSQL ids are taken at insert, not at commit, so lines of other transactions may lie
    there too); or "full" (lines rewritten, merged, deleted, or the feed cannot tell)."""
    if old == new:
        return "same", None
    if len(old) != len(new) or old[SIG_URL] != new[SIG_URL]:
        return "full", None
    changes = change_feed.since(session, _point(old), _point(new))
    if changes is None or changes.lines == "rewritten" or changes.orders_updated:
        return "full", None
    if changes.lines == "added":
        return "append", changes.lines_after
    if changes.tables & EXTRA_TABLES:
        return "attributes", None
    return "kept", None


# Column → (SQL expression, dtype); dates travel as day numbers since 1970.
_COLUMNS = {
    "customer": (SalesLine.customer_id, "int32"), "product": (SalesLine.product_id, "int32"),
    "order": (SalesLine.order_id, "int32"), "amount": (SalesLine.amount, "int64"),
    "cost": (SalesLine.cost_amount, "int64"), "quantity": (SalesLine.quantity, "float64"),
}
_LINE_COLUMNS = {"day": (day_number(SalesLine.order_date), "int32"), **_COLUMNS,
                 "line_id": (SalesLine.id, "int64")}


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
        "rec_amount": (Receipt.amount, "int64"), "rec_branch": (Receipt.branch_id, "int32")},
        order_by=[Receipt.id], full_scan=True)
    S = StockSnapshot
    # Per branch too (0 = none): ``linecache.snapshots`` sums them unless a branch filter picks some.
    snap = read_columns(session, S.__table__, {
        "snap_product": (S.product_id, "int64"), "snap_day": (day_number(S.snapshot_date), "int64"),
        "snap_quantity": (func.sum(S.quantity), "float64"), "snap_value": (func.sum(S.cost_value), "int64"),
        "snap_branch": (S.branch_id, "int32")},
        group_by=[S.product_id, S.snapshot_date, S.branch_id], order_by=[S.product_id, S.snapshot_date, S.branch_id])
    return {**rec, **snap}


def _read_columns_generic(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """The same arrays as ``_read_columns_fast`` in one query, rows through the driver."""
    return fetch_columns(session, SalesLine.__table__, _LINE_COLUMNS, where=SalesLine.id > int(after_id),
                         order_by=[SalesLine.id])


def _read_lines(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """Lines with id > after_id, in id order, as arrays (salesperson and branch from their orders)."""
    arrays = _read_columns_fast(session, after_id)
    # Whole columns, not rows: 200,000 orders as Python rows cost more than the lines' own read.
    orders = read_columns(session, SalesOrder.__table__, {
        "id": (SalesOrder.id, "int64"), "sp": (func.coalesce(SalesOrder.salesperson_id, -1), "int32"),
        "br": (SalesOrder.branch_id, "int32")}, order_by=[SalesOrder.id], full_scan=True)
    order = arrays["order"]
    size = int(max(orders["id"].max(initial=0), order.max(initial=0))) + 1
    sp = np.full(size, -1, dtype="int32")
    sp[orders["id"]] = orders["sp"]
    arrays["salesperson"] = sp[order]
    br = np.zeros(size, dtype="int32")  # 0 = no branch
    br[orders["id"]] = orders["br"]
    arrays["branch"] = br[order]
    return arrays


ARRAYS = ("day", "customer", "product", "order", "salesperson", "amount", "cost", "quantity", "branch",
          "line_id")
EXTRAS = ("rec_customer", "rec_day", "rec_amount", "rec_branch", "snap_product", "snap_day", "snap_quantity",
          "snap_value", "snap_branch")


def _cache_file(session: Session) -> Path | None:
    """Where the arrays persist between runs: per data file, or per server database keyed by its
    URL without the password (None: an in-memory database, kept in memory only)."""
    path = database_file(session)
    key = str(path.resolve()) if path is not None else change_feed.database_key(session)
    if key is None:
        return None
    home = os.environ.get("CRMDESK_HOME")
    folder = Path(home) / "cache" if home else Path(platformdirs.user_cache_dir("crmdesk", appauthor=False))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
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
