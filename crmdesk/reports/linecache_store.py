"""Reading and persisting the line cache's arrays: the signature of the data, how it changed,
the fast column readers (SQLite: one joined string per column, parsed by numpy) and the
persisted copy in the user's cache folder."""

from __future__ import annotations

import ast
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.engine import sqlite_path
from crmdesk.db.models import AuditLog, Customer, ImportBatch, Product, Receipt, SalesLine, SalesOrder, StockSnapshot
from crmdesk.reports.common import frame

log = logging.getLogger(__name__)
EPOCH = np.datetime64("1970-01-01", "D")


def _days(values: pd.Series) -> np.ndarray:
    """ISO date strings / dates → int32 days since 1970 (factorised: few distinct dates)."""
    codes, uniques = pd.factorize(values)
    days = (pd.to_datetime(pd.Series(uniques).astype(str).str[:10], format="%Y-%m-%d")
            .to_numpy().astype("datetime64[D]") - EPOCH).astype("int32")
    return days[codes] if len(codes) else np.zeros(0, dtype="int32")


# Positions in the signature.
(SIG_LINES, SIG_RECEIPTS, SIG_SNAPSHOTS, SIG_ORDERS, SIG_BATCH, SIG_AUDIT, SIG_CUSTOMERS, SIG_PRODUCTS, SIG_URL,
 SIG_LAST_LINE) = range(10)


def signature(session: Session) -> tuple:
    """Cheap fingerprint of the data the cache holds (no full count of the lines: that costs 0.1 s).

    New rows raise the max ids; deleted lines go with their order (the order count); lines are
    rewritten in place only by imports (a new batch with rows_updated) or moved by a customer
    merge (audited); customers and products carry the filter attributes. See ``_change``.
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
                                                      AuditLog.action == "merge").limit(1))
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


# Column → (SQL expression, dtype). Dates become days since 1970 in SQL on SQLite.
_COLUMNS = {
    "customer": ("customer_id", "int32"), "product": ("product_id", "int32"), "order": ("order_id", "int32"),
    "amount": ("amount", "int64"), "cost": ("cost_amount", "int64"), "quantity": ("quantity", "float64"),
}
_SQLITE_DAY = "CAST(julianday(order_date) - 2440587.5 AS INTEGER)"


def _read_columns_sqlite(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """One column per query as a single comma-joined string, parsed by numpy in C.

    Fetching a million rows through the DB-API builds a million tuples (~5 s on a
    shop PC); this takes ~0.2 s per column. NOT INDEXED + ORDER BY id keep every
    column in the same (rowid) order.
    """
    conn = session.connection()
    out: dict[str, np.ndarray] = {}
    for name, (expr, dtype) in {"day": (_SQLITE_DAY, "int32"), **_COLUMNS}.items():
        text_ = conn.exec_driver_sql(
            f"SELECT group_concat(v) FROM (SELECT coalesce({expr}, 0) AS v FROM sales_lines NOT INDEXED "
            f"WHERE id > {int(after_id)} ORDER BY id)").scalar()
        out[name] = np.fromstring(text_, dtype=dtype, sep=",") if text_ else np.zeros(0, dtype=dtype)
    return out


def _sqlite_column(session: Session, sql: str, dtype: str) -> np.ndarray:
    """``sql`` selects one column ``v`` in the wanted order; returns it as a numpy array."""
    text_ = session.connection().exec_driver_sql(f"SELECT group_concat(v) FROM ({sql})").scalar()
    return np.fromstring(text_, dtype=dtype, sep=",") if text_ else np.zeros(0, dtype=dtype)


def _sqlite_day(column: str) -> str:
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _read_extras(session: Session) -> dict[str, np.ndarray]:
    """Receipts (rec_*) and stock per product and day (snap_*, sorted by product and day)."""
    if session.get_bind().dialect.name == "sqlite":
        rec = {f"rec_{name}": _sqlite_column(session, f"SELECT coalesce({expr}, 0) AS v FROM receipts NOT INDEXED "
                                                      "ORDER BY id", dtype)
               for name, expr, dtype in (("customer", "customer_id", "int64"),
                                         ("day", _sqlite_day("receipt_date"), "int64"),
                                         ("amount", "amount", "int64"))}
        snap = {f"snap_{name}": _sqlite_column(session, f"SELECT {expr} AS v FROM stock_snapshots GROUP BY product_id, "
                                                        "snapshot_date ORDER BY product_id, snapshot_date", dtype)
                for name, expr, dtype in (("product", "product_id", "int64"),
                                          ("day", _sqlite_day("snapshot_date"), "int64"),
                                          ("quantity", "coalesce(sum(quantity), 0)", "float64"),
                                          ("value", "coalesce(sum(cost_value), 0)", "int64"))}
        if len({len(a) for a in rec.values()}) == 1 and len({len(a) for a in snap.values()}) == 1:
            return {**rec, **snap}
    r = frame(session, select(Receipt.customer_id, Receipt.receipt_date.label("d"), Receipt.amount))
    sn = frame(session, select(StockSnapshot.product_id, StockSnapshot.snapshot_date.label("d"),
                               func.sum(StockSnapshot.quantity).label("quantity"),
                               func.sum(StockSnapshot.cost_value).label("value"))
               .group_by(StockSnapshot.product_id, StockSnapshot.snapshot_date)
               .order_by(StockSnapshot.product_id, StockSnapshot.snapshot_date))
    return {"rec_customer": r["customer_id"].to_numpy(dtype="int64"), "rec_day": _days(r["d"]).astype("int64"),
            "rec_amount": r["amount"].to_numpy(dtype="int64"),
            "snap_product": sn["product_id"].to_numpy(dtype="int64"), "snap_day": _days(sn["d"]).astype("int64"),
            "snap_quantity": sn["quantity"].to_numpy(dtype="float64"), "snap_value": sn["value"].to_numpy(dtype="int64")}


def _read_columns_generic(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    cur = session.connection().execute(select(SalesLine.order_date, *[getattr(SalesLine, c) for c, _ in
                                                                       _COLUMNS.values()])
                                       .where(SalesLine.id > after_id).order_by(SalesLine.id))
    lines = pd.DataFrame(cur.fetchall(), columns=["day", *_COLUMNS])
    out = {"day": _days(lines["day"])}
    for name, (_, dtype) in _COLUMNS.items():
        out[name] = lines[name].to_numpy(dtype=dtype)
    return out


def _read_lines(session: Session, after_id: int = 0) -> dict[str, np.ndarray]:
    """Lines with id > after_id, in id order, as arrays (salesperson from their orders)."""
    if session.get_bind().dialect.name == "sqlite":
        arrays = _read_columns_sqlite(session, after_id)
    else:
        arrays = _read_columns_generic(session, after_id)
    if len({len(a) for a in arrays.values()}) != 1:  # a concurrent write between the column queries
        arrays = _read_columns_generic(session, after_id)
    orders = frame(session, select(SalesOrder.id, SalesOrder.salesperson_id.label("sp")))
    order = arrays["order"]
    sp = np.full(int(max(orders["id"].max() if len(orders) else 0, order.max(initial=0))) + 1, -1, dtype="int32")
    sp[orders["id"].to_numpy(dtype="int64")] = orders["sp"].fillna(-1).to_numpy(dtype="int32")
    arrays["salesperson"] = sp[order]
    return arrays


ARRAYS = ("day", "customer", "product", "order", "salesperson", "amount", "cost", "quantity")
EXTRAS = ("rec_customer", "rec_day", "rec_amount", "snap_product", "snap_day", "snap_quantity", "snap_value")


def _cache_file(session: Session) -> Path | None:
    """Where the arrays of a SQLite file database persist between runs (None: keep in memory only)."""
    path = sqlite_path(str(session.get_bind().url))
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
