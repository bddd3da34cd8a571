"""Migration 0013 on a database holding data: every customer, contact and opportunity gets
version 1, the change feed starts at serial 0 and the first write after it bumps it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import text

from crmdesk.db import connect
from crmdesk.db.migrate import upgrade
from crmdesk.db.models import Customer
from crmdesk.db.models.system import ChangeFeed, ChangeLog


def _insert(conn, table: str, **values) -> int:
    """A row of ``table`` as the schema of that revision has it: the given values, plain empty
    values in every other required column."""
    for column in sa.inspect(conn).get_columns(table):
        name = column["name"]
        if name in values or name == "id" or column["nullable"] or column.get("default") is not None:
            continue
        kind = str(column["type"]).upper()
        values[name] = (dt.datetime(2025, 1, 1) if "DATE" in kind or "TIME" in kind else
                        0 if any(k in kind for k in ("INT", "BOOL", "NUM", "FLOAT", "REAL")) else "")
    names = ", ".join(values)
    marks = ", ".join(f":{n}" for n in values)
    return conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id"), values).scalar_one()


def test_0013_keeps_rows_and_sets_version_1(tmp_path):
    db = connect(tmp_path / "old.db")
    try:
        upgrade(db, "0012")
        with db.engine.begin() as conn:
            customer_id = _insert(conn, "customers", code="C1", name="老客户")
            _insert(conn, "contacts", customer_id=customer_id, name="联系人")
        upgrade(db)
        with db.sessions() as s:
            customer = s.query(Customer).one()
            assert (customer.name, customer.version) == ("老客户", 1)
            assert s.execute(text("SELECT version FROM contacts")).scalar_one() == 1
            feed = s.get(ChangeFeed, 1)
            start = feed.serial
            assert feed.epoch
        with db.sessions.begin() as s:
            s.query(Customer).one().grade = "A"
        with db.sessions() as s:
            assert s.get(ChangeFeed, 1).serial == start + 1
            assert "customers" in s.get(ChangeLog, start + 1).tables.split(",")
    finally:
        db.dispose()
