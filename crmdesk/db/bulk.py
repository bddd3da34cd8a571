"""Fast column-wise bulk inserts for generated data (the demo shop).

``conn.execute(table.insert(), list_of_dicts)`` builds a dict per row and runs
SQLAlchemy's per-row parameter processing; for a million rows that costs more
than the database's own work. Here each column's bind processor runs once per
*distinct* value (dates repeat a lot) and rows go to the driver's
``executemany`` as plain tuples. Any DBAPI driver works: the statement is
compiled by the connection's own dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table

CHUNK_ROWS = 50_000


def _as_list(values: Any, start: int, stop: int) -> list:
    part = values[start:stop]
    return part.tolist() if isinstance(part, np.ndarray) else list(part)


def _memoized(processor: Callable[[Any], Any]) -> Callable[[list], list]:
    cache: dict[Any, Any] = {}

    def run(values: list) -> list:
        out = []
        append = out.append
        for v in values:
            try:
                append(cache[v])
            except KeyError:
                cache[v] = r = processor(v)
                append(r)
            except TypeError:  # unhashable: process directly
                append(processor(v))
        return out

    return run


def _default_of(table: Table, key: str) -> Any:
    default = table.c[key].default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy wraps zero-argument callables to take a context
    raise ValueError(f"{table.name}.{key}: give a value (its default is computed by SQL)")


def insert_columns(conn: Connection, table: Table, columns: Mapping[str, Sequence[Any] | np.ndarray],
                   chunk_rows: int = CHUNK_ROWS, on_chunk: Callable[[int], None] | None = None) -> int:
    """Insert rows given as equal-length columns (lists or numpy arrays); returns the row count.

    numpy arrays are converted with ``tolist()``, so ``datetime64[D]`` becomes ``datetime.date``.
    ``on_chunk(rows_done)`` is called after each chunk (progress, cancellation).
    """
    names = list(columns)
    if not names:
        return 0
    total = len(columns[names[0]])
    for name in names:
        if len(columns[name]) != total:
            raise ValueError(f"{table.name}.{name}: {len(columns[name])} values, expected {total}")
    if total == 0:
        return 0
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    processors = {}
    for name in names:
        proc = table.c[name].type._cached_bind_processor(dialect)
        if proc is not None:
            processors[name] = _memoized(proc)
    positional = compiled.positiontup
    sql = str(compiled)
    # The compiled statement also has parameters for columns with a Python-side default.
    defaults = {key: _default_of(table, key) for key in (positional or compiled.params) if key not in columns}
    for key, value in defaults.items():
        proc = table.c[key].type._cached_bind_processor(dialect)
        defaults[key] = proc(value) if proc is not None else value
    for start in range(0, total, chunk_rows):
        stop = min(start + chunk_rows, total)
        data = {key: [value] * (stop - start) for key, value in defaults.items()}
        for name in names:
            values = _as_list(columns[name], start, stop)
            data[name] = processors[name](values) if name in processors else values
        if positional is not None:
            rows: list = list(zip(*(data[key] for key in positional), strict=True))
        else:
            keys = list(data)
            rows = [dict(zip(keys, row, strict=True)) for row in zip(*(data[k] for k in keys), strict=True)]
        conn.exec_driver_sql(sql, rows)
        if on_chunk is not None:
            on_chunk(stop)
    return total
