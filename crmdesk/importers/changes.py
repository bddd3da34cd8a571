"""Keeping what an import overwrites (``import_batch_changes``), so the batch can be undone.

The writers call ``record_updates`` with the stored values of the rows they are about to update
and the values they will write; only values that differ are kept, bulk-inserted in the import's
own transaction. ``record_created`` marks rows created in tables without ``source_batch_id``.
Values are kept as text and read back by the column's type (``decode``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Float, Integer, Table

from crmdesk.db.models import ImportBatchChange
from crmdesk.importers.tables import insert

CHANGES = ImportBatchChange.__table__
CREATED = "*"  # the column of a row the batch created


def encode(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def decode(table: Table, column: str, text: str | None) -> Any:
    if text is None:
        return None
    kind = table.c[column].type
    if isinstance(kind, Boolean):
        return text == "1"
    if isinstance(kind, Integer):  # BigInteger and money too
        try:
            return int(text)
        except ValueError:  # kept from a float column of a frame ("120.0")
            return int(float(text))
    if isinstance(kind, Float):
        return float(text)
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(text)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(text[:10])
    return text


def _array(values: Sequence[Any]) -> np.ndarray:
    return values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iufb" and b.dtype.kind in "iufb":  # the common case, done without a Python loop
        same = a == b
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            same |= np.isnan(a.astype(np.float64)) & np.isnan(b.astype(np.float64))
        return ~same
    a, b = a.astype(object), b.astype(object)
    missing = pd.isna(a) & pd.isna(b)
    same = np.fromiter((_equal(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)), dtype=bool,
                       count=len(a))
    return ~(same | missing)


def _equal(x: Any, y: Any) -> bool:
    try:
        return bool(x == y)
    except (TypeError, ValueError):  # pd.NA against a value
        return False


def _encode_many(values: np.ndarray) -> list[str | None]:
    if values.dtype.kind in "iu":
        return [str(v) for v in values.tolist()]
    return [encode(v) for v in values.tolist()]


def record_updates(conn: Connection, batch_id: int, table: Table, ids: Sequence[int],
                   old: dict[str, Sequence[Any]], new: dict[str, Sequence[Any]] | None = None) -> int:
    """Keep ``old[column][i]`` of row ``ids[i]`` where it differs from ``new[column][i]`` (all of
    them without ``new``). Returns how many values were kept."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return 0
    rows: list[int] = []
    columns: list[str] = []
    values: list[str | None] = []
    for column, before in old.items():
        a = _array(before)
        mask = _differs(a, _array(new[column])) if new is not None else np.ones(len(ids), dtype=bool)
        picked = np.flatnonzero(mask)
        if not len(picked):
            continue
        rows.extend(ids[picked].tolist())
        columns.extend([column] * len(picked))
        values.extend(_encode_many(a[picked]))
    if not rows:
        return 0
    # str(): SQLAlchemy's quoted_name costs the driver an attribute lookup per value
    return insert(conn, CHANGES, {"batch_id": [batch_id] * len(rows), "table_name": [str(table.name)] * len(rows),
                                  "row_id": rows, "column": columns, "old_value": values})


def record_created(conn: Connection, batch_id: int | None, table: Table, ids: Sequence[int]) -> None:
    ids = [int(i) for i in ids]
    if batch_id is None or not ids:
        return
    insert(conn, CHANGES, {"batch_id": [batch_id] * len(ids), "table_name": [str(table.name)] * len(ids),
                           "row_id": ids, "column": [CREATED] * len(ids), "old_value": [None] * len(ids)})
