"""crmdesk/db's dialect helpers on PostgreSQL (pgserver ships a server in a wheel): the same
answers as on SQLite, so the callers need no dialect checks."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile

import numpy as np
import pytest
from sqlalchemy import Date, func, literal, select

from crmdesk.db import open_database
from crmdesk.db.columnar import fetch_columns, read_columns
from crmdesk.db.interrupt import query_interrupter
from crmdesk.db.location import database_file
from crmdesk.db.models import Contact, Customer, Receipt
from crmdesk.db.sqlfuncs import day_number, month_day, month_key, year_key
from crmdesk.services.actor import Actor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATES = [dt.date(2024, 2, 29), dt.date(1969, 12, 31), dt.date(1970, 1, 1), dt.date(2026, 11, 28)]


@pytest.fixture(scope="module")
def pg_db():
    import pgserver

    folder = tempfile.mkdtemp(prefix="crmdesk-pgdialect-")  # not pytest's root-private tmp: see test_postgres
    server = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        server.psql("CREATE DATABASE crmdesk_dialect;")
        db = open_database(server.get_uri("crmdesk_dialect").replace("postgresql://", "postgresql+psycopg://", 1))
        yield db
        db.dispose()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_session(pg_db):
    with pg_db.sessions() as s:
        yield s
        s.rollback()


def test_date_pieces_match_python(pg_session):
    for day in DATES:
        value = literal(day, Date)
        got = pg_session.execute(select(month_key(value), year_key(value), month_day(value), day_number(value))).one()
        assert tuple(got) == (day.strftime("%Y-%m"), day.strftime("%Y"), day.strftime("%m-%d"),
                              (day - dt.date(1970, 1, 1)).days), day


def test_column_reader_on_postgres(pg_session):
    pg_session.add(Customer(code="KH1", name="文具店", credit_limit=0))
    pg_session.flush()
    cid = pg_session.scalar(select(Customer.id).where(Customer.code == "KH1"))
    for i, day in enumerate(DATES):
        pg_session.add(Receipt(number=f"S{i}", receipt_date=day, customer_id=cid, amount=100 * (i + 1)))
    pg_session.flush()
    spec = {"day": (day_number(Receipt.receipt_date), "int64"), "amount": (Receipt.amount, "int64"),
            "order": (Receipt.order_id, "int64"), "total": (func.sum(Receipt.amount), "int64")}
    args = dict(group_by=[Receipt.id], order_by=[Receipt.id])
    fast = read_columns(pg_session, Receipt.__table__, spec, full_scan=True, **args)
    slow = fetch_columns(pg_session, Receipt.__table__, spec, **args)
    expected_days = [(d - dt.date(1970, 1, 1)).days for d in DATES]
    assert fast["day"].tolist() == slow["day"].tolist() == expected_days
    assert fast["total"].tolist() == fast["amount"].tolist() == [100, 200, 300, 400]
    assert fast["order"].tolist() == [0, 0, 0, 0]  # NULL reads as 0
    assert all(fast[k].dtype == np.dtype(d) for k, (_e, d) in spec.items())


def test_birthdays_this_week_on_postgres(pg_session):
    from crmdesk.services.tasks import birthdays_this_week

    pg_session.add(Customer(code="KH2", name="办公用品行", credit_limit=0))
    pg_session.flush()
    cid = pg_session.scalar(select(Customer.id).where(Customer.code == "KH2"))
    pg_session.add_all([Contact(customer_id=cid, name="王芳", birthday=dt.date(1990, 3, 5)),
                        Contact(customer_id=cid, name="李雷", birthday=dt.date(1985, 3, 12))])
    pg_session.flush()
    found = birthdays_this_week(pg_session, Actor.system(), today=dt.date(2026, 3, 4))  # week of Mon 2 March
    assert [(b.contact_name, b.date_this_year) for b in found] == [("王芳", dt.date(2026, 3, 5))]


def test_no_file_and_no_interrupter_on_a_server(pg_session):
    assert database_file(pg_session) is None
    assert query_interrupter(pg_session) is None
