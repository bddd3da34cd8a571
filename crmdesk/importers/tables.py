"""Core-level reads and writes shared by the kind writers (portable SQL, no SQLite specifics).

Bulk inserts go through ``crmdesk.db.bulk.insert_columns`` (column-wise, executemany). It
bypasses SQLAlchemy's per-row default handling, so ``insert`` here fills every column the
caller did not give with the model's Python-side default first.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, Integer, Table, bindparam, select

from crmdesk.db import change_feed
from crmdesk.db.bulk import insert_columns

IN_CHUNK = 5_000  # bound parameters per IN (...) query: well under SQLite's and PostgreSQL's limits


def _default(column) -> Any:
    d = column.default
    if d is None:
        return None
    if d.is_callable:
        return d.arg(None)  # SQLAlchemy wraps zero-argument callables to take the context
    if d.is_scalar:
        return d.arg.value if hasattr(d.arg, "value") else d.arg
    return None


def insert(conn: Connection, table: Table, columns: dict[str, Sequence[Any] | np.ndarray],
           on_chunk: Callable[[int], None] | None = None) -> int:
    """Insert rows given as columns; missing columns get the model default. Returns the row count."""
    n = len(next(iter(columns.values()))) if columns else 0
    if n == 0:
        return 0
    full = dict(columns)
    for col in table.columns:
        if col.primary_key or col.name in full:
            continue
        value = _default(col)
        if value is None and col.nullable:
            continue
        full[col.name] = [value] * n
    return insert_columns(conn, table, full, on_chunk=on_chunk)


def fetch_in(conn: Connection, table: Table, key: str, values: Iterable[Any], columns: list[str]) -> pd.DataFrame:
    """Rows of ``table`` whose ``key`` is in ``values`` (chunked IN queries), as a DataFrame."""
    values = list(values)
    if any(isinstance(v, np.generic) for v in values):  # the driver binds Python values only
        values = [_plain(v) for v in values]
    cols = [table.c[c] for c in columns]
    rows: list = []
    # Whole-number columns become one int64 block per query: a million rows through from_records
    # cost half a second, all of it in one call that holds the GIL (the GUI thread would freeze).
    blocks: list[np.ndarray] | None = [] if all(isinstance(c.type, Integer) for c in cols) else None
    cursor = conn.connection.cursor()  # the driver's cursor, inside the caller's transaction
    try:
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
        prefix = str(select(*cols).compile(dialect=conn.dialect))
        quoted = conn.dialect.identifier_preparer.quote(key)
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start:start + IN_CHUNK]
            if mark:  # building a 5,000-item IN through the SQL compiler costs more than running it
                sql = f"{prefix} WHERE {quoted} IN ({', '.join([mark] * len(chunk))})"
                cursor.execute(sql, tuple(chunk))
            else:
                stmt = select(*cols).where(table.c[key].in_(chunk))
                compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
                params = compiled.construct_params()
                args = tuple(params[k] for k in compiled.positiontup) if compiled.positiontup else params
                cursor.execute(str(compiled), args)
            part = cursor.fetchall()
            if blocks is not None and part:
                try:
                    blocks.append(np.array(part, dtype=np.int64))
                    continue  # the tuples are not kept as well: a million of them cost memory
                except (TypeError, ValueError, OverflowError):  # a NULL: typed the general way below
                    rows = [tuple(r) for block in blocks for r in block.tolist()]
                    blocks = None
            rows.extend(part)
    finally:
        cursor.close()
    if blocks:
        whole = np.concatenate(blocks)
        return pd.DataFrame({c: whole[:, i] for i, c in enumerate(columns)})
    if not rows:
        return pd.DataFrame({c: [] for c in columns})
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for i, c in enumerate(columns):  # a NULL made whole numbers float: 64-bit row hashes would lose digits
        if isinstance(table.c[c].type, Integer) and frame[c].dtype.kind == "f":
            frame[c] = pd.array([row[i] for row in rows], dtype="Int64")
    for c in columns:  # plain driver rows: SQLite hands dates back as ISO text
        if isinstance(table.c[c].type, Date) and len(frame) and frame[c].map(type).eq(str).any():
            frame[c] = _iso_dates(frame[c])
    return frame


def fetch_where(conn: Connection, table: Table, key: str, value: Any, columns: list[str]) -> list[tuple]:
    """Rows (plain tuples of ``columns``) of ``table`` whose ``key`` equals ``value``, read through the
    driver's cursor: SQLAlchemy's per-row result processing costs more than the query on big reads."""
    stmt = select(*[table.c[c] for c in columns]).where(table.c[key] == bindparam("_value"))
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params({"_value": _plain(value)})
    args = tuple(params[k] for k in compiled.positiontup) if compiled.positiontup else params
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _iso_dates(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values)
    parsed = np.array([dt.date.fromisoformat(str(u)[:10]) for u in uniques] + [None], dtype=object)
    return pd.Series(parsed[codes], index=values.index, dtype=object)


def update_by_id(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str]) -> int:
    """``UPDATE table SET columns WHERE id = …`` for every row of ``frame`` (needs an ``id`` column)."""
    if frame.empty:
        return 0
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
    if mark and len(frame) > 1000:
        return _update_plain(conn, table, frame, columns, mark)
    stmt = table.update().where(table.c.id == bindparam("_id")).values(
        **{c: bindparam(c) for c in columns})
    records = []
    data = {c: _plain_list(frame[c]) for c in columns}
    ids = [int(i) for i in frame["id"]]
    for i, row_id in enumerate(ids):
        rec = {c: data[c][i] for c in columns}
        rec["_id"] = row_id
        records.append(rec)
    for start in range(0, len(records), 20_000):
        conn.execute(stmt, records[start:start + 20_000])
    return len(records)


def _update_plain(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str], mark: str) -> int:
    """Big updates straight to the driver's executemany, each column through its type's bind
    processor once per distinct value (SQLAlchemy's per-row parameter handling costs more
    than the database's own work here). Python-side ``onupdate`` values are set once."""
    dialect = conn.dialect
    names = list(columns)
    data = {c: _plain_list(frame[c]) for c in names}
    for col in table.columns:
        if col.onupdate is not None and col.name not in data and col.onupdate.is_callable:
            data[col.name] = [col.onupdate.arg(None)] * len(frame)
            names.append(col.name)
    for c in names:
        proc = table.c[c].type._cached_bind_processor(dialect)
        if proc is not None:
            memo: dict = {}
            data[c] = [memo[v] if v in memo else memo.setdefault(v, proc(v)) for v in data[c]]
    prep = dialect.identifier_preparer
    sets = ", ".join(f"{prep.quote(c)} = {mark}" for c in names)
    sql = f"UPDATE {prep.format_table(table)} SET {sets} WHERE id = {mark}"
    rows = list(zip(*(data[c] for c in names), [int(i) for i in frame["id"]], strict=True))
    change_feed.note(conn, table.name, "update")  # the driver's cursor: unseen by the feed's watcher
    cursor = conn.connection.cursor()
    try:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start:start + 50_000])
    finally:
        cursor.close()
    return len(rows)


def _plain_list(series: pd.Series) -> list:
    """numpy scalars → Python ones (drivers want int/float/str/date)."""
    values = series.to_numpy()
    if values.dtype.kind in "iufb":
        return values.tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def lookup(conn: Connection, table: Table, key: str, values: Iterable[Any] | None = None) -> dict[Any, int]:
    """key → id for the given values (all rows when ``values`` is None)."""
    if values is None:
        return {k: i for k, i in conn.execute(select(table.c[key], table.c.id))}
    frame = fetch_in(conn, table, key, values, [key, "id"])
    return dict(zip(frame[key].tolist(), frame["id"].astype(int).tolist(), strict=True))


def map_keys(values: pd.Series | np.ndarray, ids: dict) -> np.ndarray:
    """id per value through the dict (vectorised; -1 where the key is unknown)."""
    if not ids:
        return np.full(len(values), -1, dtype=np.int64)
    by_dict = _map_keys_by_dict(values, ids)
    if by_dict is not None:
        return by_dict
    # Look up each distinct value once: a million codes are a few thousand customers.
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    pos = pd.Index(list(ids.keys())).get_indexer(uniques)
    found = np.append(np.where(pos >= 0, np.asarray(list(ids.values()), dtype=np.int64)[pos], -1), -1)
    return found[codes]  # code -1 (a missing value) takes the appended -1


DICT_LOOKUP_MIN_KEYS = 20_000
_SLICE = 50_000


def _map_keys_by_dict(values: pd.Series | np.ndarray | pd.Index, ids: dict) -> np.ndarray | None:
    """``map_keys`` for many text keys (order numbers) straight through the dict, a slice at a time
    in a Python loop, which lets the GUI thread take the GIL between values: pandas' factorize and
    hash-table build over a million order numbers held it for a tenth of a second at a time, and the
    GUI froze while an import ran in the background. None: few keys, or not text keys."""
    # A few thousand customer or product codes hash fast in pandas, in one short call.
    if len(ids) < DICT_LOOKUP_MIN_KEYS:
        return None
    if not all(isinstance(k, str) for k in itertools.islice(ids, 100)):
        return None
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype=object, na_value=None)  # pd.NA would not compare with a key
    get = ids.get
    out = np.empty(len(values), dtype=np.int64)
    for a in range(0, len(values), _SLICE):
        out[a:a + _SLICE] = [get(v, -1) if isinstance(v, str) else -1 for v in values[a:a + _SLICE]]
    return out
