"""Whole numeric columns of a table as numpy arrays, fast.

Fetching a million rows through the DB-API builds a million tuples (~5 s on a shop PC). On
SQLite, ``group_concat`` turns one column into a single comma-joined string that numpy parses
in C (~0.2 s per column), one query per column. Other databases get the portable path: one
query, rows through the driver. Callers describe the columns with SQLAlchemy expressions
(dates via ``crmdesk.db.sqlfuncs.day_number``) and never learn which path ran.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

__all__ = ["ColumnSpec", "fetch_columns", "fetch_ids", "plain_rows", "read_columns"]

log = logging.getLogger(__name__)

# name → (SQL expression, numpy dtype)
ColumnSpec = Mapping[str, tuple[ColumnElement, str]]


def plain_rows(session: Session, stmt) -> list[tuple]:
    """The rows of ``stmt`` as the driver's plain tuples: 100,000s of SQLAlchemy rows cost ten
    times as much to build (a territory holds tens of thousands of customers)."""
    result = session.connection().execute(stmt)
    try:
        return result.cursor.fetchall() if result.cursor is not None else [tuple(r) for r in result]
    finally:
        result.close()


def fetch_ids(session: Session, stmt) -> np.ndarray:
    """The first column of ``stmt`` (whole numbers, no NULL) as int64. SQLite joins them into one
    string that numpy parses (a salesperson's scope is tens of thousands of ids, read per report)."""
    if session.get_bind().dialect.name == "sqlite":
        sub = stmt.subquery()
        text = session.connection().execute(select(func.group_concat(list(sub.c)[0]))).scalar()
        return np.fromstring(text, dtype="int64", sep=",") if text else np.zeros(0, dtype="int64")
    rows = plain_rows(session, stmt)
    return np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows))


def read_columns(session: Session, table: Table, columns: ColumnSpec, *, where: ColumnElement[bool] | None = None,
                 group_by: Sequence[ColumnElement] = (), order_by: Sequence[ColumnElement] = (),
                 full_scan: bool = False) -> dict[str, np.ndarray]:
    """``SELECT coalesce(expr, 0) … FROM table WHERE … GROUP BY … ORDER BY …`` as one array per
    column (NULL reads as 0), in ``order_by`` order; every array has the same length.

    ``full_scan`` reads the table itself rather than through an index (SQLite: ``NOT INDEXED``),
    which keeps the column-per-query reads in one row order and skips an index walk plus sort.
    Falls back to ``fetch_columns`` when a write between the column queries left them unequal.
    """
    if session.get_bind().dialect.name == "sqlite":
        out = _joined_text_columns(session, table, columns, where, group_by, order_by, full_scan)
        if len({len(a) for a in out.values()}) <= 1:
            return out
        log.info("%s changed while being read; reading its rows again in one query", table.name)
    return fetch_columns(session, table, columns, where=where, group_by=group_by, order_by=order_by)


def fetch_columns(session: Session, table: Table, columns: ColumnSpec, *, where: ColumnElement[bool] | None = None,
                  group_by: Sequence[ColumnElement] = (),
                  order_by: Sequence[ColumnElement] = ()) -> dict[str, np.ndarray]:
    """The portable path of ``read_columns``: one query, rows through the driver."""
    stmt = select(*[func.coalesce(expr, 0).label(name) for name, (expr, _dtype) in columns.items()]).select_from(table)
    if where is not None:
        stmt = stmt.where(where)
    stmt = stmt.group_by(*group_by).order_by(*order_by)
    rows = session.connection().execute(stmt).fetchall()
    by_column = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return {name: np.asarray(values, dtype=dtype) for (name, (_expr, dtype)), values in
            zip(columns.items(), by_column, strict=True)}


def _joined_text_columns(session: Session, table: Table, columns: ColumnSpec, where: ColumnElement[bool] | None,
                         group_by: Sequence[ColumnElement], order_by: Sequence[ColumnElement],
                         full_scan: bool) -> dict[str, np.ndarray]:
    """SQLite: one query per column, the column as one comma-joined string parsed by numpy."""
    conn = session.connection()

    def sql(element: ColumnElement) -> str:
        return str(element.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))

    source = conn.dialect.identifier_preparer.format_table(table) + (" NOT INDEXED" if full_scan else "")
    tail = ""
    if where is not None:
        tail += f" WHERE {sql(where)}"
    if group_by:
        tail += " GROUP BY " + ", ".join(sql(c) for c in group_by)
    if order_by:
        tail += " ORDER BY " + ", ".join(sql(c) for c in order_by)
    out: dict[str, np.ndarray] = {}
    for name, (expr, dtype) in columns.items():
        text_ = conn.exec_driver_sql(
            f"SELECT group_concat(v) FROM (SELECT coalesce({sql(expr)}, 0) AS v FROM {source}{tail})").scalar()
        out[name] = np.fromstring(text_, dtype=dtype, sep=",") if text_ else np.zeros(0, dtype=dtype)
    return out
