"""crmdesk/db's dialect helpers on SQLite: date pieces in SQL, the column reader (fast path
equal to the portable one), the database file of a session and the query interrupter.
(tests/test_postgres.py runs the callers on PostgreSQL.)"""

from __future__ import annotations

import datetime as dt
import threading
import time

import numpy as np
import pytest
from sqlalchemy import Date, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError

from crmdesk.db import columnar
from crmdesk.db.columnar import fetch_columns, read_columns
from crmdesk.db.interrupt import query_interrupter
from crmdesk.db.location import database_file
from crmdesk.db.models import Customer, Receipt
from crmdesk.db.sqlfuncs import day_number, month_day, month_key, year_key

DATES = [dt.date(2024, 2, 29), dt.date(1969, 12, 31), dt.date(1970, 1, 1), dt.date(2026, 11, 28),
         dt.date(1999, 12, 31)]


@pytest.mark.parametrize("day", DATES)
def test_date_pieces_match_python(session, day):
    value = literal(day, Date)
    got = session.execute(select(month_key(value), year_key(value), month_day(value), day_number(value))).one()
    assert tuple(got) == (day.strftime("%Y-%m"), day.strftime("%Y"), day.strftime("%m-%d"),
                          (day - dt.date(1970, 1, 1)).days)


def test_date_pieces_group_and_filter_rows(session):
    session.add(Customer(code="KH1", name="文具店", credit_limit=0))
    session.flush()
    for i, day in enumerate(DATES):
        session.add(Receipt(number=f"S{i}", receipt_date=day, customer_id=1, amount=100 * (i + 1)))
    session.flush()
    by_year = dict(session.execute(select(year_key(Receipt.receipt_date), func.sum(Receipt.amount))
                                   .group_by(year_key(Receipt.receipt_date))).all())
    assert by_year == {"2024": 100, "1969": 200, "1970": 300, "2026": 400, "1999": 500}
    leap = session.scalars(select(Receipt.number).where(month_day(Receipt.receipt_date).in_(["02-29", "12-31"]))
                           .order_by(Receipt.number)).all()
    assert leap == ["S0", "S1", "S4"]


def test_postgresql_spelling_uses_real_dates():
    stmt = select(month_key(Receipt.receipt_date), year_key(Receipt.receipt_date), month_day(Receipt.receipt_date),
                  day_number(Receipt.receipt_date))
    sql = str(stmt.compile(dialect=postgresql.dialect()))
    assert "to_char(receipts.receipt_date, 'YYYY-MM')" in sql
    assert "to_char(receipts.receipt_date, 'YYYY')" in sql
    assert "to_char(receipts.receipt_date, 'MM-DD')" in sql
    assert "DATE '1970-01-01'" in sql and "substr" not in sql and "julianday" not in sql


def _receipts(session, n: int) -> None:
    session.add(Customer(code="KH1", name="文具店", credit_limit=0))
    session.flush()
    for i in range(n):
        session.add(Receipt(number=f"S{i}", receipt_date=dt.date(2024, 1, 1) + dt.timedelta(days=i % 40),
                            customer_id=1, amount=(i * 7919) % 100_000, order_id=None))
    session.flush()


SPEC = {"day": (day_number(Receipt.receipt_date), "int32"), "amount": (Receipt.amount, "int64"),
        "order": (Receipt.order_id, "int64")}


def test_fast_reader_equals_portable_reader(session):
    _receipts(session, 300)
    args = dict(where=Receipt.id > 10, order_by=[Receipt.id])
    fast = read_columns(session, Receipt.__table__, SPEC, full_scan=True, **args)
    slow = fetch_columns(session, Receipt.__table__, SPEC, **args)
    assert set(fast) == set(slow) == set(SPEC)
    for name, (_expr, dtype) in SPEC.items():
        assert fast[name].dtype == np.dtype(dtype) and np.array_equal(fast[name], slow[name]), name
    assert len(fast["amount"]) == 290
    assert fast["order"].sum() == 0  # NULL reads as 0
    assert fast["day"][0] == (dt.date(2024, 1, 11) - dt.date(1970, 1, 1)).days
    assert fast["amount"].sum() == sum((i * 7919) % 100_000 for i in range(10, 300))


def test_reader_groups_and_orders(session):
    _receipts(session, 100)
    spec = {"day": (day_number(Receipt.receipt_date), "int64"), "total": (func.sum(Receipt.amount), "int64")}
    group = dict(group_by=[Receipt.receipt_date], order_by=[Receipt.receipt_date.desc()])
    fast = read_columns(session, Receipt.__table__, spec, **group)
    slow = fetch_columns(session, Receipt.__table__, spec, **group)
    assert len(fast["day"]) == 40 and np.all(np.diff(fast["day"]) < 0)
    assert np.array_equal(fast["total"], slow["total"]) and fast["total"].sum() == sum(
        (i * 7919) % 100_000 for i in range(100))


def test_reader_on_empty_table_gives_empty_arrays(session):
    for reader in (read_columns, fetch_columns):
        out = reader(session, Receipt.__table__, SPEC)
        assert {k: (len(v), v.dtype) for k, v in out.items()} == {k: (0, np.dtype(d)) for k, (_e, d) in SPEC.items()}


def test_reader_falls_back_when_columns_disagree(session, monkeypatch):
    _receipts(session, 20)
    monkeypatch.setattr(columnar, "_joined_text_columns", lambda *a: {"day": np.zeros(3), "amount": np.zeros(2)})
    out = read_columns(session, Receipt.__table__, SPEC, order_by=[Receipt.id])
    assert {len(v) for v in out.values()} == {20}


def test_database_file_of_a_session(db, tmp_path):
    with db.sessions() as s:
        assert database_file(s) == db.file_path == tmp_path / "test.db"
    from crmdesk.db.engine import connect

    memory = connect("sqlite://")
    try:
        with memory.sessions() as s:
            assert database_file(s) is None
    finally:
        memory.dispose()


def test_interrupter_stops_a_running_query(db):
    # Minutes of counting if the interrupt never comes (a failure, not a hang).
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) "
               "SELECT count(*) FROM n WHERE i < 0")
    with db.sessions() as s:
        stop = query_interrupter(s)
        assert callable(stop)
        timer = threading.Timer(0.2, stop)
        started = time.perf_counter()
        timer.start()
        with pytest.raises(OperationalError, match="interrupt"):
            s.connection().exec_driver_sql(endless).scalar()
        timer.join()
    assert time.perf_counter() - started < 10
