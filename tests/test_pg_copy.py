"""Bulk loads on PostgreSQL go through COPY (crmdesk/db/bulk.py): every value arrives as it was
(text with tabs, newlines and backslashes, NULLs, dates, booleans, big integers, bytes), rows
without ids take them from the sequence, explicit ids move the sequence past them, and a load
with keys and indexes made afterwards still refuses a dangling reference."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, MetaData,
                        String, Table, func, inspect, select)
from sqlalchemy.exc import IntegrityError

from crmdesk.db.bulk import checks_after_load, insert_columns
from crmdesk.db.engine import connect
from tests.portable_support import new_database, start_server, stop_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
META = MetaData()
PARENTS = Table("parents", META, Column("id", Integer, primary_key=True), Column("name", String(50)))
ROWS = Table("rows", META,
             Column("id", Integer, primary_key=True),
             Column("parent_id", ForeignKey("parents.id"), index=True),
             Column("text", String(200)), Column("flag", Boolean), Column("day", Date), Column("at", DateTime),
             Column("big", BigInteger), Column("ratio", Float), Column("data", LargeBinary))


@pytest.fixture(scope="module")
def pg():
    server, folder = start_server()
    db = connect(new_database(server))
    META.create_all(db.engine)
    yield db
    db.dispose()
    stop_server(server, folder)


def _clean(db) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE rows, parents RESTART IDENTITY")


def test_values_arrive_as_they_were(pg):
    _clean(pg)
    texts = ["tab\there", "new\nline", "back\\slash", "", None, "引号\"和'逗号,", "\\N"]
    n = len(texts)
    with pg.engine.begin() as conn:
        insert_columns(conn, PARENTS, {"id": [1], "name": ["p"]})
        insert_columns(conn, ROWS, {
            "parent_id": [1] * n, "text": texts, "flag": [True, False, None, True, 1, 0, False],
            "day": [dt.date(2026, 6, 30)] * (n - 1) + [None],
            "at": [dt.datetime(2026, 6, 30, 12, 34, 56, 789)] * n,
            "big": [2**62, -(2**62), 0, 1, None, 7, 8], "ratio": [0.1, 1e-300, -2.5, None, 3.0, 0.0, 1.5],
            "data": [b"\x00\x01\\\t\n\xff", None, b"", b"x", b"y", b"z", b"\\N"]})
    with pg.engine.connect() as conn:
        got = conn.execute(select(ROWS).order_by(ROWS.c.id)).all()
    assert [r.id for r in got] == list(range(1, n + 1))  # ids from the sequence, in row order
    assert [r.text for r in got] == texts
    assert [r.flag for r in got] == [True, False, None, True, True, False, False]
    assert got[0].day == dt.date(2026, 6, 30) and got[-1].day is None
    assert got[0].at == dt.datetime(2026, 6, 30, 12, 34, 56, 789)
    assert [r.big for r in got] == [2**62, -(2**62), 0, 1, None, 7, 8]
    assert [r.ratio for r in got] == [0.1, 1e-300, -2.5, None, 3.0, 0.0, 1.5]
    assert bytes(got[0].data) == b"\x00\x01\\\t\n\xff" and got[1].data is None and bytes(got[-1].data) == b"\\N"


def test_explicit_ids_move_the_sequence_past_them(pg):
    _clean(pg)
    with pg.engine.begin() as conn:
        insert_columns(conn, PARENTS, {"id": [10, 500, 20], "name": ["a", "b", "c"]})
        conn.execute(PARENTS.insert().values(name="next"))
        assert conn.execute(select(func.max(PARENTS.c.id))).scalar() == 501


def test_many_rows_in_chunks(pg):
    _clean(pg)
    n = 12_345
    with pg.engine.begin() as conn:
        insert_columns(conn, PARENTS, {"id": [1], "name": ["p"]})
        done: list[int] = []
        insert_columns(conn, ROWS, {"parent_id": [1] * n, "text": [f"行{i}" for i in range(n)]},
                       chunk_rows=5_000, on_chunk=done.append)
    assert done == [5_000, 10_000, 12_345]
    with pg.engine.connect() as conn:
        assert conn.execute(select(func.count(), func.count(func.distinct(ROWS.c.id))).select_from(ROWS)).one() \
            == (n, n)


def test_checks_after_load_restores_keys_and_indexes_and_refuses_dangling_rows(pg):
    _clean(pg)
    with pg.engine.connect() as conn:
        before = (inspect(conn).get_foreign_keys("rows"), inspect(conn).get_indexes("rows"))
    with pytest.raises(IntegrityError, match="parent"):
        with pg.engine.begin() as conn, checks_after_load(conn):
            insert_columns(conn, ROWS, {"parent_id": [99], "text": ["orphan"]})
    with pg.engine.begin() as conn, checks_after_load(conn):
        assert inspect(conn).get_foreign_keys("rows") == []  # dropped for the load …
        insert_columns(conn, ROWS, {"parent_id": [5, 5], "text": ["child before", "its parent"]})
        insert_columns(conn, PARENTS, {"id": [5], "name": ["late parent"]})
    with pg.engine.connect() as conn:
        assert (inspect(conn).get_foreign_keys("rows"), inspect(conn).get_indexes("rows")) == before  # … and back
        assert conn.execute(select(func.count()).select_from(ROWS)).scalar() == 2


def test_a_first_big_load_checks_its_keys_once_and_still_refuses_dangling_rows(pg):
    from crmdesk.db.bulk import KEYS_AFTER_FROM

    _clean(pg)
    n = KEYS_AFTER_FROM
    with pg.engine.connect() as conn:
        keys = inspect(conn).get_foreign_keys("rows")
    with pg.engine.begin() as conn:
        insert_columns(conn, PARENTS, {"id": [1, 2], "name": ["a", "b"]})
    with pytest.raises(IntegrityError, match="parent"):
        with pg.engine.begin() as conn:
            insert_columns(conn, ROWS, {"parent_id": [1] * (n - 1) + [3], "text": ["x"] * n})
    with pg.engine.begin() as conn:
        insert_columns(conn, ROWS, {"parent_id": [1, 2] * (n // 2), "text": ["x"] * n})
    with pg.engine.connect() as conn:
        assert inspect(conn).get_foreign_keys("rows") == keys
        assert conn.execute(select(func.count()).select_from(ROWS)).scalar() == n
