"""A compact in-memory columnar copy of the sales lines (plus receipts, stock
snapshots and the dimension attributes the filters need), one per database.

The dashboard answers every filter change from these numpy arrays instead of
re-scanning a million rows in SQL. The copy is reloaded when the data changes:
its signature is the row count and highest id of sales lines, receipts and
stock snapshots and the newest import batch id (an import that updates lines
in place opens a new batch). Filter masks are memoised per filter.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.engine import sqlite_path
from crmdesk.db.models import AuditLog, Customer, ImportBatch, Product, Receipt, SalesLine, SalesOrder, StockSnapshot
from crmdesk.reports.common import (customer_ids_select, customers_frame, frame, has_customer_filter,
                                    has_product_filter, product_ids_select, products_frame, scoped)
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)
EPOCH = np.datetime64("1970-01-01", "D")
MASK_CACHE_SIZE = 16
PERSIST_MIN_LINES = 50_000  # small databases load faster than a file


def day_number(day: dt.date) -> int:
    return int((np.datetime64(day, "D") - EPOCH).astype("int64"))


def _days(values: pd.Series) -> np.ndarray:
    """ISO date strings / dates → int32 days since 1970 (factorised: few distinct dates)."""
    codes, uniques = pd.factorize(values)
    days = (pd.to_datetime(pd.Series(uniques).astype(str).str[:10], format="%Y-%m-%d")
            .to_numpy().astype("datetime64[D]") - EPOCH).astype("int32")
    return days[codes] if len(codes) else np.zeros(0, dtype="int32")


@dataclass
class LineCache:
    signature: tuple
    day: np.ndarray  # int32 days since 1970
    customer: np.ndarray  # int32
    product: np.ndarray  # int32
    order: np.ndarray  # int32
    salesperson: np.ndarray  # int32, -1 = none
    amount: np.ndarray  # int64 money units
    cost: np.ndarray  # int64 money units
    quantity: np.ndarray  # float64
    # Derived tables loaded on first use and valid for this signature (customers, products, …).
    memo: dict = field(default_factory=dict, repr=False)
    _masks: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __len__(self) -> int:
        return len(self.day)

    def newest_day(self) -> int | None:
        return int(self.day.max()) if len(self.day) else None

    def base_mask(self, session: Session, actor: Actor, f: ReportFilters) -> np.ndarray | None:
        """Lines passing every filter except the dates (None = all lines); memoised."""
        key = (f.with_(date_from=None, date_to=None, as_of=None).cache_key(), actor.user_id, actor.role)
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        mask = None
        if has_product_filter(f):
            ok = _dense_flags(session.scalars(product_ids_select(f)).all(), self.product)
            mask = ok[self.product]
        if has_customer_filter(f) or scoped(actor):
            ok = _dense_flags(session.scalars(customer_ids_select(f, actor)).all(), self.customer)
            mask = ok[self.customer] if mask is None else mask & ok[self.customer]
        if f.salesperson_ids:
            sp = np.isin(self.salesperson, np.asarray(f.salesperson_ids, dtype="int32"))
            mask = sp if mask is None else mask & sp
        with self._lock:
            self._masks[key] = mask
            while len(self._masks) > MASK_CACHE_SIZE:
                self._masks.popitem(last=False)
        return mask

    def mask(self, session: Session, actor: Actor, f: ReportFilters, start: int | None, end: int | None
             ) -> np.ndarray:
        base = self.base_mask(session, actor, f)
        m = np.ones(len(self.day), dtype=bool) if base is None else base.copy()
        if start is not None:
            m &= self.day >= start
        if end is not None:
            m &= self.day <= end
        return m


def _dense_flags(ids, like: np.ndarray) -> np.ndarray:
    size = int(max(like.max(initial=0), max(ids, default=0))) + 1
    ok = np.zeros(size, dtype=bool)
    ok[np.asarray(list(ids), dtype="int64")] = True
    return ok


# Positions in the signature.
SIG_LINES, SIG_RECEIPTS, SIG_SNAPSHOTS, SIG_ORDERS, SIG_BATCH, SIG_AUDIT, SIG_CUSTOMERS, SIG_PRODUCTS, SIG_URL = range(9)


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
    return tuple(parts)


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


def load(session: Session, sig: tuple | None = None, base: LineCache | None = None) -> LineCache:
    """The cache at signature ``sig``: from ``base`` (the previous in-memory cache) or the persisted
    copy, updated by appending new lines when only lines were added, else read afresh."""
    sig = sig or signature(session)
    file = _cache_file(session)
    stored = (base.signature, {name: getattr(base, name) for name in ARRAYS}) if base is not None else (
        _read_persisted(file) if file is not None and file.exists() else None)
    change = _change(session, stored[0], sig) if stored is not None else "full"
    if change == "same":
        arrays = stored[1]
    elif change == "attributes":
        arrays = {**{name: stored[1][name] for name in ARRAYS}, **_read_extras(session)}
    elif change == "append":
        new = _read_lines(session, after_id=int(stored[0][SIG_LINES] or 0))
        arrays = {**{name: np.concatenate([stored[1][name], new[name]]) for name in ARRAYS}, **_read_extras(session)}
    else:
        arrays = {**_read_lines(session), **_read_extras(session)}
    if change != "same" and file is not None and len(arrays["day"]) >= PERSIST_MIN_LINES:
        _write_persisted(file, sig, arrays)
    cache = LineCache(signature=sig, **{name: arrays[name] for name in ARRAYS})
    cache.memo["receipts"] = pd.DataFrame({"customer_id": arrays["rec_customer"], "day": arrays["rec_day"],
                                           "amount": arrays["rec_amount"]})
    cache.memo["snapshots"] = pd.DataFrame({"product_id": arrays["snap_product"], "day": arrays["snap_day"],
                                            "quantity": arrays["snap_quantity"], "value": arrays["snap_value"]})
    log.info("line cache %s: %d lines", change, len(cache))
    return cache


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


_caches: dict[str, LineCache] = {}
_SIG_KEY = "crmdesk.linecache.signature"
_load_lock = threading.Lock()


def get(session: Session) -> LineCache:
    """The cache for the session's database, reloaded if the data changed.

    The signature is checked once per session (a session is one unit of work)."""
    key = str(session.get_bind().url)
    sig = session.info.get(_SIG_KEY)
    if sig is None:
        sig = session.info[_SIG_KEY] = signature(session)
    with _load_lock:
        cache = _caches.get(key)
        if cache is None or cache.signature != sig:
            cache = load(session, sig, base=cache)
            _caches[key] = cache
        return cache


def clear() -> None:
    with _load_lock:
        _caches.clear()


_KEEP: object = object()
LINE_COLUMNS = ("day", "customer_id", "product_id", "order_id", "salesperson_id", "revenue_u", "cost_u", "quantity")


def line_arrays(session: Session, actor: Actor, f: ReportFilters, columns: tuple[str, ...] = LINE_COLUMNS, *,
                date_from: object = _KEEP, date_to: object = _KEEP, product_filters: bool = True,
                customer_filters: bool = True) -> dict[str, np.ndarray]:
    """The filtered lines as numpy arrays, only the ``columns`` asked for (see ``line_frame``)."""
    c = get(session)
    g = f
    if not product_filters:
        g = g.with_(categories=(), brands=(), price_min=None, price_max=None)
    if not customer_filters:
        g = g.with_(customer_types=(), grades=(), territory_ids=(), salesperson_ids=())
    lo = f.date_from if date_from is _KEEP else date_from
    hi = f.date_to if date_to is _KEEP else date_to
    m = c.mask(session, actor, g, day_number(lo) if lo else None, day_number(hi) if hi else None)
    source = {"day": c.day, "customer_id": c.customer, "product_id": c.product, "order_id": c.order,
              "salesperson_id": c.salesperson, "revenue_u": c.amount, "cost_u": c.cost, "quantity": c.quantity}
    return {name: source[name][m] for name in columns}


def line_frame(session: Session, actor: Actor, f: ReportFilters, columns: tuple[str, ...] = LINE_COLUMNS,
               **kw: object) -> pd.DataFrame:
    """The sales lines passing the filters, as a DataFrame (money in units, ``day`` = days since 1970).

    ``date_from``/``date_to`` override the filter's range (None = open);
    ``product_filters=False`` / ``customer_filters=False`` ignore those filters (the
    salesperson filter counts as a customer filter here).
    """
    return pd.DataFrame(line_arrays(session, actor, f, columns, **kw))


def period_index(days: np.ndarray | pd.Series, unit: str = "M") -> np.ndarray:
    """Days since 1970 → months (unit "M") or years ("Y") since 1970, as int64 (cheap to group on)."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype(f"datetime64[{unit}]").astype("int64")


def period_labels(index: np.ndarray | pd.Series, unit: str = "M") -> np.ndarray:
    """``period_index`` values → "YYYY-MM" / "YYYY"."""
    return np.datetime_as_string(np.asarray(index, dtype="int64").astype(f"datetime64[{unit}]"), unit=unit)


def month_labels(days: np.ndarray | pd.Series, unit: str = "M") -> np.ndarray:
    """Days since 1970 → "YYYY-MM" (unit "M") or "YYYY" (unit "Y") labels."""
    periods = (np.asarray(days, dtype="int64").astype("datetime64[D]")).astype(f"datetime64[{unit}]")
    uniq, inverse = np.unique(periods, return_inverse=True)
    return np.datetime_as_string(uniq, unit=unit).astype(object)[inverse]


def to_dates(days: np.ndarray | pd.Series) -> pd.Series:
    return pd.Series(np.asarray(days, dtype="int64").astype("datetime64[D]")).dt.date


def _memo(session: Session, name: str, build):
    cache = get(session)
    with cache._lock:
        if name in cache.memo:
            return cache.memo[name]
    value = build(session)
    with cache._lock:
        cache.memo[name] = value
    return value


def customers(session: Session) -> pd.DataFrame:
    """``common.customers_frame`` kept with the cache (reloaded when a customer changes)."""
    return _memo(session, "customers", customers_frame)


def products(session: Session) -> pd.DataFrame:
    return _memo(session, "products", products_frame)


def receipts(session: Session) -> pd.DataFrame:
    """Every receipt: customer_id, day, amount (units). Loaded with the cache."""
    return get(session).memo["receipts"]


def snapshots(session: Session) -> pd.DataFrame:
    """Stock per product and snapshot day (summed over warehouses), sorted by product and day:
    product_id, day, quantity, value. Loaded with the cache."""
    return get(session).memo["snapshots"]


def orders(session: Session) -> pd.DataFrame:
    """One row per order present in the lines: order_id, customer_id, day, amt (net units),
    sorted by customer, day and id. Built with bincount: an order's lines share its customer and date."""
    def build(s: Session) -> pd.DataFrame:
        c = get(s)
        if not len(c):
            return pd.DataFrame({"order_id": [], "customer_id": [], "day": [], "amt": []}, dtype="int64")
        size = int(c.order.max()) + 1
        present = np.bincount(c.order, minlength=size) > 0
        amt = np.round(np.bincount(c.order, weights=c.amount, minlength=size)).astype("int64")
        cust = np.zeros(size, dtype="int64")
        cust[c.order] = c.customer
        day = np.zeros(size, dtype="int64")
        day[c.order] = c.day
        ids = np.nonzero(present)[0]
        order = np.lexsort((ids, day[ids], cust[ids]))  # by customer, day, id: what FIFO ageing needs
        ids = ids[order]
        return pd.DataFrame({"order_id": ids, "customer_id": cust[ids], "day": day[ids], "amt": amt[ids]})
    return _memo(session, "orders", build)


def _order_column(session: Session, column: str) -> np.ndarray:
    def build(s: Session) -> np.ndarray:
        table = orders(s)
        out = np.zeros(int(table["order_id"].to_numpy().max(initial=0)) + 1, dtype="int64")
        out[table["order_id"].to_numpy()] = table[column].to_numpy()
        return out
    return _memo(session, f"order_{column}", build)


def order_customers(session: Session) -> np.ndarray:
    """Array order id → customer id (0 where no such order)."""
    return _order_column(session, "customer_id")


def order_days(session: Session) -> np.ndarray:
    """Array order id → order day (days since 1970)."""
    return _order_column(session, "day")
