"""Fast column-wise bulk inserts for generated data (the demo shop).

``conn.execute(table.insert(), list_of_dicts)`` builds a dict per row and runs
SQLAlchemy's per-row parameter processing; for a million rows that costs more
than the database's own work. Here each column's bind processor runs once per
*distinct* value (dates repeat a lot) and rows go to the driver's
``executemany`` as plain tuples. Any DBAPI driver works: the statement is
compiled by the connection's own dialect.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Table

from crmdesk.db import change_feed
from crmdesk.db.pg_load import (KEYS_AFTER_FROM, add_keys, checks_after_load, copy_in,  # noqa: F401 - re-exported
                                copy_statement, drop_own_keys)

CHUNK_ROWS = 50_000
MULTIROW_ROWS = 500  # rows per INSERT statement on SQLite (bounded by its variable limit)
BULK_CACHE_KIB = -262_144  # page cache of a bulk load: a million lines and their index builds


def _as_list(values: Any, start: int, stop: int) -> list:
    part = values[start:stop]
    return part.tolist() if isinstance(part, np.ndarray) else list(part)


def _memoized(processor: Callable[[Any], Any]) -> Callable[[list], list]:
    cache: dict[Any, Any] = {}

    def run(values: list) -> list:
        if len(values) > 1000:
            fast = _by_distinct(processor, values)
            if fast is not None:
                return fast
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


def _by_distinct(processor: Callable[[Any], Any], values: list) -> list | None:
    """The processor run once per distinct value and broadcast with numpy (a million dates are a
    few hundred days); None when there are missing values or unhashable ones (the caller loops)."""
    import pandas as pd

    try:
        codes, uniques = pd.factorize(np.fromiter(values, dtype=object, count=len(values)), use_na_sentinel=True)
    except (TypeError, ValueError):
        return None
    if len(uniques) * 2 > len(values) or (codes < 0).any():
        return None
    done = np.empty(len(uniques), dtype=object)
    done[:] = [processor(v) for v in uniques]
    return done[codes].tolist()


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
    # Rows go through the driver's cursor (multi-row INSERT, COPY), unseen by the change feed's
    # watcher: say so before writing (the feed records the newest line id before new lines).
    change_feed.note(conn, table.name, "insert")
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    # Columns of the same type share one memo: created_at and updated_at often hold the same values.
    processors: dict[str, Callable[[list], list]] = {}
    by_type: dict[type, Callable[[list], list]] = {}
    for name in names:
        column_type = table.c[name].type
        proc = column_type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            key = type(column_type)
            if key not in by_type:
                by_type[key] = _memoized(proc)
            processors[name] = by_type[key]
    positional = compiled.positiontup
    sql = str(compiled)
    # The compiled statement also has parameters for columns with a Python-side default.
    defaults = {key: _default_of(table, key) for key in (positional or compiled.params) if key not in columns}
    for key, value in defaults.items():
        proc = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        defaults[key] = proc(value) if proc is not None else value
    per_statement = _rows_per_statement(conn, len(positional)) if positional is not None else 0
    copy_sql = copy_statement(conn, table, list(defaults) + names)
    held_keys = drop_own_keys(conn, table, total) if copy_sql is not None else []
    for start in range(0, total, chunk_rows):
        stop = min(start + chunk_rows, total)
        data = {key: [value] * (stop - start) for key, value in defaults.items()}
        for name in names:
            values = _as_list(columns[name], start, stop)
            data[name] = processors[name](values) if name in processors else values
        if copy_sql is not None:
            copy_in(conn, copy_sql, [data[key] for key in list(defaults) + names])
        elif per_statement > 1:
            _insert_multirow(conn, sql, [data[key] for key in positional], per_statement)
        elif positional is not None:
            conn.exec_driver_sql(sql, list(zip(*(data[key] for key in positional), strict=True)))
        else:
            keys = list(data)
            conn.exec_driver_sql(sql, [dict(zip(keys, row, strict=True))
                                       for row in zip(*(data[k] for k in keys), strict=True)])
        if on_chunk is not None:
            on_chunk(stop)
    _advance_id_sequence(conn, table, names)
    add_keys(conn, table, held_keys)  # a failure rolls the transaction back, the keys with it
    return total


def execute_many(conn: Connection, stmt: Any, columns: Mapping[str, Sequence[Any]]) -> int:
    """Run one UPDATE/DELETE ``stmt`` (written with typed ``bindparam`` names) once per row of
    ``columns`` (bind name → values), compiled once and handed to the driver's ``executemany``:
    SQLAlchemy's own per-row parameter handling costs more than the database's work here."""
    compiled = stmt.compile(dialect=conn.dialect)
    keys = list(compiled.positiontup) if compiled.positiontup is not None else list(columns)
    total = len(columns[keys[0]]) if keys else 0
    if total == 0:
        return 0
    data = []
    for key in keys:
        proc = compiled.binds[key].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        values = _as_list(columns[key], 0, total)
        data.append(_memoized(proc)(values) if proc is not None else values)
    rows = zip(*data, strict=True)
    if compiled.positiontup is not None:
        conn.exec_driver_sql(str(compiled), list(rows))
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(keys, row, strict=True)) for row in rows])
    return total


def update_rows(conn: Connection, table: Table, key: str, columns: Mapping[str, Sequence[Any]],
                fixed: Mapping[str, Any] | None = None) -> int:
    """``UPDATE table SET col = new … WHERE key = …`` for many rows at once: the new values go
    into a temporary table and one ``UPDATE … FROM`` applies them. With foreign keys on, SQLite
    spends three times as long on ``executemany`` of one-row UPDATEs as on this. ``fixed`` sets
    the same value (or SQL expression) on every row."""
    names = [n for n in columns if n != key]
    total = len(columns[key])
    if total == 0:
        return 0
    change_feed.note(conn, table.name, "update")
    if conn.dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 33, 0):  # no UPDATE … FROM
        from sqlalchemy import bindparam, update

        stmt = update(table).where(table.c[key] == bindparam("_k", type_=table.c[key].type)).values(
            **{n: bindparam(f"_{n}", type_=table.c[n].type) for n in names}, **(fixed or {}))
        return execute_many(conn, stmt, {"_k": columns[key], **{f"_{n}": columns[n] for n in names}})
    from sqlalchemy import Column, MetaData, update

    temp = Table(f"tmp_update_{table.name}", MetaData(),
                 Column(key, table.c[key].type, primary_key=True),
                 *[Column(n, table.c[n].type) for n in names], prefixes=["TEMPORARY"])
    temp.drop(conn, checkfirst=True)
    temp.create(conn)
    try:
        insert_columns(conn, temp, columns)
        conn.execute(update(table).where(table.c[key] == temp.c[key])
                     .values(**{n: temp.c[n] for n in names}, **(fixed or {})))
    finally:
        temp.drop(conn)
    return total


def delete_rows(conn: Connection, table: Table, columns: Mapping[str, Sequence[Any]], where: Any = None) -> int:
    """``DELETE FROM table`` the rows whose key columns match one of the given rows (and ``where``),
    through a temporary table, for the reason ``update_rows`` gives."""
    names = list(columns)
    total = len(columns[names[0]]) if names else 0
    if total == 0:
        return 0
    from sqlalchemy import Column, MetaData, and_, delete, exists, select

    change_feed.note(conn, table.name, "delete")

    # The key columns are the temporary table's primary key: the EXISTS probe is an index lookup.
    temp = Table(f"tmp_delete_{table.name}", MetaData(),
                 *[Column(n, table.c[n].type, primary_key=True) for n in names], prefixes=["TEMPORARY"])
    temp.drop(conn, checkfirst=True)
    temp.create(conn)
    try:
        insert_columns(conn, temp, columns)
        match = exists(select(1).select_from(temp).where(and_(*[temp.c[n] == table.c[n] for n in names])))
        conn.execute(delete(table).where(match, *([where] if where is not None else [])))
    finally:
        temp.drop(conn)
    return total


def _rows_per_statement(conn: Connection, width: int) -> int:
    """Rows per multi-row ``INSERT … VALUES (…), (…)`` on SQLite, where one statement carrying
    hundreds of rows runs a third faster than ``executemany`` of one-row statements; 0 elsewhere
    (PostgreSQL's driver pipelines ``executemany`` itself)."""
    if conn.dialect.name != "sqlite" or width == 0:
        return 0
    raw = conn.connection.driver_connection
    try:
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # an sqlite3 module without getlimit: the oldest limit there is
        limit = 999
    return min(MULTIROW_ROWS, limit // width)


def _insert_multirow(conn: Connection, sql: str, columns: list[list], per_statement: int) -> None:
    """``sql`` (a one-row ``INSERT … VALUES (?, …)``) run for all rows of ``columns``, ``per_statement``
    rows at a time, straight on the driver's cursor (inside the caller's transaction)."""
    head, _sep, group = sql.rpartition(" VALUES ")
    width = len(columns)
    flat = list(chain.from_iterable(zip(*columns, strict=True)))
    rows = len(flat) // width
    full = f"{head} VALUES {', '.join([group] * per_statement)}"
    cursor = conn.connection.cursor()
    try:
        step = per_statement * width
        whole = rows - rows % per_statement
        for at in range(0, whole * width, step):
            cursor.execute(full, flat[at:at + step])
        if whole < rows:
            tail = f"{head} VALUES {', '.join([group] * (rows - whole))}"
            cursor.execute(tail, flat[whole * width:])
    finally:
        cursor.close()


def _advance_id_sequence(conn: Connection, table: Table, names: list[str]) -> None:
    """Rows written with explicit ids leave PostgreSQL's id sequence behind; move it past them
    so later ORM inserts get fresh ids. SQLite takes max(id) + 1 by itself."""
    if conn.dialect.name != "postgresql" or "id" not in names or "id" not in table.c:
        return
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)")


_INSERT_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+AFTER\s+INSERT\s+ON\s+\S+\s+"
    r"(?:FOR\s+EACH\s+ROW\s+)?BEGIN(?P<body>.*)END\s*$", re.I | re.S)
_COPY_STATEMENT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<target>[\w\"]+)\s*\((?P<columns>[^()]*)\)\s*"
    r"VALUES\s*\((?P<values>\s*new\.\w+\s*(?:,\s*new\.\w+\s*)*)\)\s*$", re.I | re.S)


def _as_set_statements(trigger_sql: str, table: str, key: str) -> list[str] | None:
    """The statements of a trigger that only copies ``new.<column>`` values into other
    tables, rewritten to copy every row whose ``key`` is above a bound; None for any other trigger."""
    match = _INSERT_TRIGGER.match(trigger_sql)
    if not match:
        return None
    statements = [part for part in match.group("body").split(";") if part.strip()]
    out = []
    for statement in statements:
        copy = _COPY_STATEMENT.match(statement)
        if not copy:
            return None
        values = re.sub(r"\bnew\.", "", copy.group("values"), flags=re.I)
        out.append(f'INSERT INTO {copy.group("target")} ({copy.group("columns")}) '
                   f'SELECT {values} FROM "{table}" WHERE "{key}" > ? ORDER BY "{key}"')
    return out


@contextmanager
def set_based_triggers(conn: Connection, table: Table, key: str = "id") -> Iterator[None]:
    """Bulk-load ``table`` with its copy-only AFTER INSERT triggers run once, set-based, at the end.

    On SQLite a per-row trigger that feeds a full-text index costs several times more than
    the same copy done as one ``INSERT … SELECT`` over the new rows. Triggers that do only
    that (``INSERT INTO x (…) VALUES (new.a, new.b)``) are dropped, their copies replayed
    for the rows added (``key`` above its old maximum, in key order) and the triggers
    re-created, all inside the caller's transaction. Any other trigger stays and fires as
    usual. Other databases: nothing changes.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table.name,)).all()
    replays = [(name, sql, _as_set_statements(sql, table.name, key)) for name, sql in triggers]
    replays = [(name, sql, statements) for name, sql, statements in replays if statements]
    if not replays:
        yield
        return
    bound = conn.exec_driver_sql(f'SELECT COALESCE(MAX("{key}"), 0) FROM "{table.name}"').scalar_one()
    for name, _sql, _statements in replays:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql, statements in replays:
        for statement in statements:
            conn.exec_driver_sql(statement, (bound,))
        conn.exec_driver_sql(sql)


@contextmanager
def bulk_load_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for one bulk-load transaction whose references the loader resolved itself
    (ids looked up or inserted in the same transaction).

    On SQLite the per-row foreign-key checks cost about as much as the inserts of a million
    lines; they are switched off for this connection's transaction (the pragma only takes
    effect outside one, so it goes straight to the driver before SQLAlchemy's BEGIN) and
    switched on again before the connection goes back to the pool. Other databases keep
    their checks: nothing changes.
    """
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        raw = conn.connection.driver_connection
        cache = raw.execute("PRAGMA cache_size").fetchone()[0]
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute(f"PRAGMA cache_size={BULK_CACHE_KIB}")
        try:
            yield conn
        finally:
            if conn.in_transaction():
                conn.rollback()
            raw.execute("PRAGMA foreign_keys=ON")
            raw.execute(f"PRAGMA cache_size={int(cache)}")  # frees the pages above it
