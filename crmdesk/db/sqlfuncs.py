"""Date pieces as SQL expressions that compile right on every database we run on.

SQLite stores a ``Date`` column as ``'YYYY-MM-DD'`` text, so cutting the text is its cheapest
way to the month, the year or the month-day (``strftime()`` per row costs more); PostgreSQL
has real dates and ``to_char``. Code outside ``crmdesk/db`` writes ``month_key(column)`` and
never asks which database it talks to: the dialect picks the SQL when the statement is
compiled (SQLAlchemy's ``@compiles``), so the same ``Select`` also works on a server.

The default (any non-SQLite dialect) is the PostgreSQL spelling.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["day_number", "month_day", "month_key", "year_key"]


class _DatePiece(FunctionElement):
    """One date column in, one derived value out."""

    inherit_cache = True

    def _column(self, compiler: SQLCompiler, **kw) -> str:
        (column,) = self.clauses.clauses
        return compiler.process(column, **kw)


class month_key(_DatePiece):  # noqa: N801 - reads like a SQL function in queries
    """``'YYYY-MM'`` of a date column: the key reports group months by."""

    type = String()
    name = "month_key"
    inherit_cache = True


class year_key(_DatePiece):  # noqa: N801
    """``'YYYY'`` of a date column: the key reports group years by."""

    type = String()
    name = "year_key"
    inherit_cache = True


class month_day(_DatePiece):  # noqa: N801
    """``'MM-DD'`` of a date column: matches birthdays whatever their year."""

    type = String()
    name = "month_day"
    inherit_cache = True


class day_number(_DatePiece):  # noqa: N801
    """Whole days since 1970-01-01 (numpy's ``datetime64[D]`` epoch) as an integer, so a
    column reader can hand dates over as plain numbers instead of text to parse."""

    type = Integer()
    name = "day_number"
    inherit_cache = True


# --- SQLite: ISO text ---------------------------------------------------------------------------

@compiles(month_key, "sqlite")
def _month_key_sqlite(element: month_key, compiler: SQLCompiler, **kw) -> str:
    return f"substr({element._column(compiler, **kw)}, 1, 7)"


@compiles(year_key, "sqlite")
def _year_key_sqlite(element: year_key, compiler: SQLCompiler, **kw) -> str:
    return f"substr({element._column(compiler, **kw)}, 1, 4)"


@compiles(month_day, "sqlite")
def _month_day_sqlite(element: month_day, compiler: SQLCompiler, **kw) -> str:
    return f"substr({element._column(compiler, **kw)}, 6, 5)"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: SQLCompiler, **kw) -> str:
    # 2440587.5 is the Julian day of 1970-01-01 00:00.
    return f"CAST(julianday({element._column(compiler, **kw)}) - 2440587.5 AS INTEGER)"


# --- everything else: real dates (PostgreSQL) ------------------------------------------------------

@compiles(month_key)
def _month_key_default(element: month_key, compiler: SQLCompiler, **kw) -> str:
    return f"to_char({element._column(compiler, **kw)}, 'YYYY-MM')"


@compiles(year_key)
def _year_key_default(element: year_key, compiler: SQLCompiler, **kw) -> str:
    return f"to_char({element._column(compiler, **kw)}, 'YYYY')"


@compiles(month_day)
def _month_day_default(element: month_day, compiler: SQLCompiler, **kw) -> str:
    return f"to_char({element._column(compiler, **kw)}, 'MM-DD')"


@compiles(day_number)
def _day_number_default(element: day_number, compiler: SQLCompiler, **kw) -> str:
    # date - date is a whole number of days in PostgreSQL.
    return f"(CAST({element._column(compiler, **kw)} AS DATE) - DATE '1970-01-01')"
