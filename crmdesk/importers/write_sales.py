"""Writing sales lines: orders from the flat rows, lines matched by natural key, row_hash compare.

New orders get their settlement (``services.settlement``): paid at sale when the file says so
(``Prepared.paid_at_sale``: then every order of the file, old ones too), else by their
customer's rule; ``Counts.receivable`` / ``Counts.settled`` say how much of the file is owed.

Line key: (order number, line number) when the file numbers its lines (行号, Row ID), else
(order number, product, n-th occurrence of that product in the order). A line whose key is
known and whose ``row_hash`` (int64 over the source values) is equal is *unchanged* and not
written; a different hash is *updated*; an unknown key is *added*. Orders keep
``total_amount`` = sum of their lines; lines repeat the order's date and customer.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, func, select

from crmdesk.core.progress import Progress
from crmdesk.db.models import Customer, DocType, SalesLine, SalesOrder
from crmdesk.db.table_rights import may_rebuild_indexes
from crmdesk.importers import refs
from crmdesk.importers.assign import assign_imported
from crmdesk.importers.changes import record_updates
from crmdesk.importers.prepare import Prepared
from crmdesk.importers.tables import fetch_in, fetch_where, insert, map_keys, update_by_id
from crmdesk.services import settlement

log = logging.getLogger(__name__)
REBUILD_INDEXES_FROM = 50_000  # lines added in one import
ORDERS = SalesOrder.__table__
LINES = SalesLine.__table__
CUSTOMERS = Customer.__table__
_HASHED = ["order_number", "order_date", "customer_code", "product_code", "quantity", "unit_price", "amount",
           "cost_amount", "salesperson", "warehouse", "doc_type", "line_key"]
_ORDER_FIELDS = ["order_date", "customer_id", "salesperson_id", "doc_type", "warehouse"]


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    stubs_customers: int = 0
    stubs_products: int = 0
    receivable: int = 0  # money units of the file's lines now owed (orders on credit)
    settled: int = 0  # money units of the file's lines settled at sale


def row_hash(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A stable int64 per row over ``columns`` (pandas' SipHash with its fixed key)."""
    part = frame[columns].copy()
    for c in columns:
        if part[c].dtype == object:  # dates: hash their day numbers, not their text
            codes, uniques = pd.factorize(part[c])
            text = pd.util.hash_array(np.array([str(u) for u in uniques], dtype=object)).view(np.int64)
            keys = np.array([u.toordinal() if hasattr(u, "toordinal") else t for u, t in zip(uniques, text,
                                                                                             strict=True)] + [0],
                            dtype=np.int64)
            part[c] = keys[codes]
    return pd.util.hash_pandas_object(part, index=False).to_numpy().view(np.int64)


def write_sales(conn: Connection, prep: Prepared, batch_id: int, progress: Progress) -> Counts:
    f = prep.frame
    counts = Counts()
    if f.empty:
        return counts
    progress.update(0.30, "customers and products")
    stubs: list[int] = []
    f["customer_id"], counts.stubs_customers = refs.customer_ids(conn, f, batch_id, stubs)
    assign_imported(conn, stubs)
    f["product_id"], counts.stubs_products = refs.product_ids(conn, f, batch_id)
    people = refs.user_ids(conn, pd.unique(f["salesperson"]).tolist(), batch_id)
    sp = map_keys(f["salesperson"], people)
    f["salesperson_id"] = pd.array(np.where(sp < 0, 0, sp), dtype="Int64")
    f.loc[sp < 0, "salesperson_id"] = pd.NA
    progress.update(0.40, "orders")
    # One factorize of the order numbers serves the order heads, totals and every line's order id.
    order_of, numbers = pd.factorize(f["order_number"], use_na_sentinel=False)
    order_ids, changed_orders, known_orders = _write_orders(conn, f, order_of, pd.Index(numbers), batch_id,
                                                            prep.paid_at_sale)
    f["order_id"] = map_keys(numbers, order_ids)[order_of]
    if prep.paid_at_sale and known_orders:
        _mark_paid(conn, known_orders, batch_id)
    if "line_no" in prep.present:
        f["line_key"] = f["line_no"].astype(np.int64)
    else:
        f["line_key"] = f.groupby(["order_number", "product_code"], sort=False).cumcount().to_numpy() + 1
    f["row_hash"] = row_hash(f, _HASHED)
    progress.update(0.50, "lines")
    touched = _write_lines(conn, f, prep, batch_id, counts, progress, known_orders)
    _refresh_orders(conn, sorted(set(touched) | set(changed_orders)))
    _first_order_dates(conn, f, batch_id)
    _count_settlement(conn, f, counts)
    return counts


def _mark_paid(conn: Connection, order_ids: list[int], batch_id: int) -> None:
    """Orders the file holds that existed before: the file says they were paid at sale too."""
    old = fetch_in(conn, ORDERS, "id", order_ids, ["id", "settlement"])
    old = old[old["settlement"] != settlement.FILE]
    if old.empty:
        return
    ids = old["id"].astype(int).tolist()
    record_updates(conn, batch_id, ORDERS, ids, {"settlement": old["settlement"].tolist()})
    for start in range(0, len(ids), 500):
        conn.execute(ORDERS.update().where(ORDERS.c.id.in_(ids[start:start + 500])).values(settlement=settlement.FILE))


def _count_settlement(conn: Connection, f: pd.DataFrame, counts: Counts) -> None:
    ids = pd.unique(f["order_id"].to_numpy(dtype=np.int64)).tolist()
    stored = fetch_in(conn, ORDERS, "id", ids, ["id", "settlement"])
    settled_ids = stored.loc[stored["settlement"] != settlement.CREDIT, "id"].to_numpy(dtype=np.int64)
    settled = np.isin(f["order_id"].to_numpy(dtype=np.int64), settled_ids)
    amounts = f["amount"].to_numpy(dtype=np.int64)
    counts.settled = int(amounts[settled].sum())
    counts.receivable = int(amounts[~settled].sum())


def _write_orders(conn: Connection, f: pd.DataFrame, order_of: np.ndarray, numbers: pd.Index,
                  batch_id: int, paid_at_sale: bool = False) -> tuple[dict[str, int], list[int], list[int]]:
    """Insert new orders (with their totals), update changed headers. ``order_of``: each line's
    position in ``numbers`` (the distinct order numbers in order of first appearance).
    Returns (number → id, ids of changed headers, ids of orders that existed before)."""
    first_line = np.empty(len(numbers), dtype=np.int64)
    first_line[order_of[::-1]] = np.arange(len(order_of) - 1, -1, -1)  # the last write wins: first line
    first = f[["order_date", "customer_id", "salesperson_id", "warehouse", "notes"]].iloc[first_line]
    per_order = pd.DataFrame({"q": f["quantity"].to_numpy(), "r": f["is_return"].to_numpy(dtype=bool),
                              "a": f["amount"].to_numpy()}).groupby(order_of, sort=True)
    is_return = per_order["r"].any().to_numpy(dtype=bool) | (per_order["q"].max().to_numpy() < 0)
    heads = pd.DataFrame({
        "order_date": first["order_date"].to_numpy(), "customer_id": first["customer_id"].to_numpy(),
        "salesperson_id": first["salesperson_id"].array,
        "warehouse": first["warehouse"].astype(str).str.slice(0, 100).to_numpy(),
        "doc_type": np.where(is_return, DocType.RETURN.value, DocType.SALE.value),
        "notes": first["notes"].to_numpy(),
    }, index=numbers)
    columns = ["number", "id"] + _ORDER_FIELDS
    if conn.scalar(select(ORDERS.c.id).limit(1)) is None:  # first import: nothing to look up
        existing = pd.DataFrame({c: [] for c in columns})
    else:
        existing = fetch_in(conn, ORDERS, "number", heads.index.tolist(), columns)
    ids = dict(zip(existing["number"], existing["id"].astype(int), strict=True))
    known = list(ids.values())
    new = heads.loc[map_keys(heads.index, ids) < 0]
    if len(new):
        totals = pd.Series(per_order["a"].sum().to_numpy(), index=numbers)
        sp = new["salesperson_id"]
        with _indexes_rebuilt_after(conn, ORDERS, len(new)):
            _insert_orders(conn, new, totals, sp, batch_id, _settlements(conn, new["customer_id"], paid_at_sale))
        ids.update(fetch_where(conn, ORDERS, "source_batch_id", batch_id, ["number", "id"]))
    changed: list[int] = []
    if len(existing):
        old = existing.set_index("number")
        cur = heads.loc[old.index]
        diff = np.zeros(len(old), dtype=bool)
        for col in _ORDER_FIELDS:
            diff |= _differs(old[col], cur[col])
        if diff.any():
            upd = cur.loc[diff].copy()
            upd["id"] = old.loc[diff, "id"].astype(int).to_numpy()
            upd["salesperson_id"] = [None if pd.isna(v) else int(v) for v in upd["salesperson_id"]]
            before = old.loc[diff]
            record_updates(conn, batch_id, ORDERS, upd["id"].tolist(), {c: before[c].tolist() for c in _ORDER_FIELDS},
                           {c: upd[c].tolist() for c in _ORDER_FIELDS})
            update_by_id(conn, ORDERS, upd, _ORDER_FIELDS)
            changed = upd["id"].tolist()
            conn.execute(LINES.update().where(LINES.c.order_id == bindparam("_oid")).values(
                order_date=bindparam("d"), customer_id=bindparam("c")),
                [{"_oid": int(i), "d": d, "c": int(c)} for i, d, c in
                 zip(upd["id"], upd["order_date"], upd["customer_id"], strict=True)])
    return ids, changed, known


def _settlements(conn: Connection, customer_ids: pd.Series, paid_at_sale: bool) -> list[str]:
    """Each new order's settlement: the file's word, else its customer's rule."""
    if paid_at_sale:
        return [settlement.FILE] * len(customer_ids)
    ids = customer_ids.to_numpy(dtype=np.int64)
    at_sale = settlement.customers_at_sale(conn, pd.unique(ids).tolist())
    return [settlement.AT_SALE if at_sale.get(int(i)) else settlement.CREDIT for i in ids]


def _insert_orders(conn: Connection, new: pd.DataFrame, totals: pd.Series, sp: pd.Series, batch_id: int,
                   settlements: list[str]) -> None:
    insert(conn, ORDERS, {
        "number": new.index.tolist(), "order_date": new["order_date"].tolist(),
        "customer_id": new["customer_id"].astype(np.int64).tolist(),
        "salesperson_id": _ints_or_none(sp),
        "doc_type": new["doc_type"].tolist(), "warehouse": new["warehouse"].tolist(),
        "notes": new["notes"].tolist(), "total_amount": totals.reindex(new.index).astype(np.int64).tolist(),
        "source_batch_id": [batch_id] * len(new), "settlement": settlements,
    })


def _ints_or_none(values: pd.Series) -> list:
    out = values.to_numpy(dtype=np.int64, na_value=0).tolist()
    for i in np.flatnonzero(values.isna().to_numpy(dtype=bool)):
        out[i] = None
    return out


def _differs(old: pd.Series, cur: pd.Series) -> np.ndarray:
    """Where the stored value and the file's differ, across DB and file types (ids as int, float or
    object with None; dates; text); missing equals missing. Done on integers and on codes of one
    factorize: turning 250,000 values into text would hold the GIL for a tenth of a second."""
    if _NUMBERS.issuperset((pd.api.types.infer_dtype(old, skipna=True), pd.api.types.infer_dtype(cur, skipna=True))):
        try:
            a, b = pd.array(old.to_numpy(), dtype="Int64"), pd.array(cur.to_numpy(), dtype="Int64")
        except (TypeError, ValueError):  # a fraction: not an id, compared as values below
            pass
        else:
            return ~((a == b).to_numpy(dtype=bool, na_value=False) | (a.isna() & b.isna()))
    n = len(old)  # (text never goes through Int64: "01" would equal "1")
    codes, _uniques = pd.factorize(np.concatenate([old.to_numpy(dtype=object), cur.to_numpy(dtype=object)]))
    return codes[:n] != codes[n:]  # NA-likes all get -1: equal to each other


_NUMBERS = {"integer", "floating", "mixed-integer-float", "empty"}


def _write_lines(conn: Connection, f: pd.DataFrame, prep: Prepared, batch_id: int, counts: Counts,
                 progress: Progress, known_orders: list[int]) -> list[int]:
    # Only orders that existed before can have lines already: a first import fetches nothing.
    old = fetch_in(conn, LINES, "order_id", known_orders, ["id", "order_id", "line_no", "product_id", "row_hash"])
    by_line_no = "line_no" in prep.present
    if by_line_no:
        keys = ["order_id", "line_key"]
        old["line_key"] = old["line_no"]
    else:
        keys = ["order_id", "product_id", "line_key"]
        old = old.sort_values(["order_id", "line_no"])
        old["line_key"] = old.groupby(["order_id", "product_id"]).cumcount() + 1
    # Match by key positions rather than a merge: a merge would copy every column of a million rows.
    if len(old):
        where = pd.MultiIndex.from_arrays([old[k].to_numpy(dtype=np.int64) for k in keys]).get_indexer(
            pd.MultiIndex.from_arrays([f[k].to_numpy(dtype=np.int64) for k in keys]))
    else:
        where = np.full(len(f), -1, dtype=np.int64)
    is_new = where < 0
    old_ids = old["id"].to_numpy(dtype=np.int64)[where] if len(old) else where
    old_hash = old["row_hash"].to_numpy()[where] if len(old) else where
    same = ~is_new & (old_hash == f["row_hash"].to_numpy())
    counts.unchanged = int(same.sum())
    changed = ~is_new & ~same
    upd = f.loc[changed].assign(id=old_ids[changed], source_batch_id=batch_id)
    counts.updated = len(upd)
    if len(upd):
        _keep_before(conn, upd, batch_id)
        update_by_id(conn, LINES, upd, _LINE_UPDATES)
    add = f if is_new.all() else f.loc[is_new]
    counts.added = len(add)
    if len(add):
        if by_line_no:
            line_no = add["line_key"].to_numpy(dtype=np.int64)
        else:
            base = old.groupby("order_id")["line_no"].max() if len(old) else pd.Series(dtype=np.int64)
            start = add["order_id"].map(base).fillna(0).to_numpy(dtype=np.int64)
            line_no = start + add.groupby("order_id", sort=False).cumcount().to_numpy() + 1
        total = len(add)
        with _indexes_rebuilt_after(conn, LINES, total):
            _insert_lines(conn, add, line_no, batch_id, total, progress)
    # Orders that existed before and got lines added or changed need their totals recomputed.
    known_orders = set(old["order_id"].astype(int)) if len(old) else set()
    touched = set(upd["order_id"].astype(int))
    if known_orders and len(add):  # a first import adds to no known order: no million-int set
        touched |= set(pd.unique(add["order_id"].to_numpy(dtype=np.int64)).tolist()) & known_orders
    return sorted(touched)


_LINE_UPDATES = ["product_id", "order_date", "customer_id", "quantity", "unit_price", "amount", "cost_amount",
                 "row_hash", "source_batch_id"]


def _keep_before(conn: Connection, upd: pd.DataFrame, batch_id: int) -> None:
    """The stored values of the lines about to be rewritten, for undo (only those that change)."""
    before = fetch_in(conn, LINES, "id", upd["id"].tolist(), ["id"] + _LINE_UPDATES).set_index("id").loc[upd["id"]]
    record_updates(conn, batch_id, LINES, upd["id"].tolist(), {c: before[c] for c in _LINE_UPDATES},
                   {c: upd[c] for c in _LINE_UPDATES})


@contextmanager
def _indexes_rebuilt_after(conn: Connection, table, adding: int):
    """A big load into a smaller table is faster with its plain indexes built once afterwards
    (a sort) than kept up to date row by row. Index DDL is transactional in SQLite and
    PostgreSQL, so a failed or killed import leaves them as they were."""
    rebuild = adding >= REBUILD_INDEXES_FROM and adding >= (conn.scalar(select(func.count()).select_from(table)) or 0) \
        and may_rebuild_indexes(conn, table.name)  # the daily role on a server may not: rows only
    plain = [ix for ix in table.indexes if not ix.unique] if rebuild else []
    for ix in plain:
        ix.drop(conn, checkfirst=True)
    yield
    for ix in plain:
        ix.create(conn, checkfirst=True)


def _insert_lines(conn: Connection, add: pd.DataFrame, line_no: np.ndarray, batch_id: int, total: int,
                  progress: Progress) -> None:
    insert(conn, LINES, {
        "order_id": add["order_id"].to_numpy(dtype=np.int64), "line_no": line_no,
        "product_id": add["product_id"].to_numpy(dtype=np.int64),
        "order_date": add["order_date"].to_numpy(dtype=object),
        "customer_id": add["customer_id"].to_numpy(dtype=np.int64),
        "quantity": add["quantity"].to_numpy(dtype=np.float64),
        "unit_price": add["unit_price"].to_numpy(dtype=np.int64),
        "amount": add["amount"].to_numpy(dtype=np.int64),
        "cost_amount": add["cost_amount"].to_numpy(dtype=np.int64),
        "shipped_quantity": add["quantity"].to_numpy(dtype=np.float64),
        "row_hash": add["row_hash"].to_numpy(dtype=np.int64),
        "source_batch_id": np.full(total, batch_id, dtype=np.int64),
    }, on_chunk=lambda done: _written(progress, done, total))


def _written(progress: Progress, done: int, total: int) -> None:
    log.info("sales lines written: %d of %d (not committed yet)", done, total)
    progress.update(0.5 + 0.45 * done / total)


def _refresh_orders(conn: Connection, order_ids: list[int]) -> None:
    if not order_ids:
        return
    total = select(func.coalesce(func.sum(LINES.c.amount), 0)).where(
        LINES.c.order_id == ORDERS.c.id).scalar_subquery()
    stmt = ORDERS.update().where(ORDERS.c.id == bindparam("_id")).values(total_amount=total)
    conn.execute(stmt, [{"_id": i} for i in order_ids])


def _first_order_dates(conn: Connection, f: pd.DataFrame, batch_id: int) -> None:
    """Customers whose first order is earlier than they knew get the new date (others untouched)."""
    codes, days = pd.factorize(f["order_date"])  # few distinct dates: group their ordinals, not objects
    ordinal = np.array([d.toordinal() for d in days], dtype=np.int64)[codes]
    mins = pd.Series(ordinal).groupby(f["customer_id"].to_numpy()).min().map(dt.date.fromordinal)
    cur = fetch_in(conn, CUSTOMERS, "id", [int(i) for i in mins.index], ["id", "first_order_date"])
    if cur.empty:
        return
    new = cur["id"].map(mins)
    old = cur["first_order_date"]
    need = np.array([n is not None and not pd.isna(n) and (o is None or pd.isna(o) or o > n)
                     for o, n in zip(old.tolist(), new.tolist(), strict=True)], dtype=bool)
    if need.any():
        upd = pd.DataFrame({"id": cur.loc[need, "id"].astype(int), "first_order_date": new[need].tolist()})
        record_updates(conn, batch_id, CUSTOMERS, upd["id"].tolist(),
                       {"first_order_date": old[need].tolist()})
        update_by_id(conn, CUSTOMERS, upd, ["first_order_date"])
