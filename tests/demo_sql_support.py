"""What the test_demo_* files share to read the demo shop with plain SQL (imported by name)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_END_DATE

END = dt.date.fromisoformat(DEMO_END_DATE)


@pytest.fixture
def conn(demo_db):
    with demo_db.engine.connect() as c:
        yield c


def rows(conn, sql: str, **params) -> list:
    return conn.execute(text(sql), params).all()


def D(value) -> dt.date:
    """A date column read through plain SQL (SQLite gives ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
