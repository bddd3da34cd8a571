"""Shared fixtures: every test gets its own CRMDESK_HOME (never the user's real
files), English messages, and the offscreen Qt platform."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from pg_fixture import pg_server  # noqa: E402,F401 - one PostgreSQL per test session (skips if it cannot start)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("crmdesk-home")
    monkeypatch.setenv("CRMDESK_HOME", str(home))
    monkeypatch.setenv("CRMDESK_LANG", "en")
    from crmdesk.i18n import set_language

    set_language("en")
    yield home


@pytest.fixture(autouse=True)
def _drain_qt_thread_pool():
    """Background jobs a GUI test started finish before the next test begins: a leftover job
    would hold one of the pool's few threads (two on CI) and make the next test wait."""
    yield
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def db(tmp_path):
    """A fresh database at the current schema."""
    from crmdesk.db import open_database

    database = open_database(tmp_path / "test.db")
    yield database
    database.dispose()


@pytest.fixture
def session(db):
    """A session inside a transaction that the test may flush; rolled back at the end."""
    with db.sessions() as s:
        yield s
        s.rollback()


@pytest.fixture
def owner(db):
    """An owner account (``owner`` / ``secret-pw``) and its Actor."""
    from crmdesk.services.actor import Actor
    from crmdesk.services.users import create_first_owner

    with db.sessions.begin() as s:
        user = create_first_owner(s, "owner", "secret-pw", "店主")
        actor = Actor.from_user(user)
    return actor


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared sample data not found at {SHARED_DATA}")
    return SHARED_DATA


# A small demo shop (crmdesk.demo), generated once per test session (per xdist worker).
DEMO_SIZES = dict(customers=300, products=120, lines=6000, seed=7)
DEMO_END_DATE = "2026-06-30"


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """Path of a demo database (300 customers, 120 products, 6,000 lines, seed 7, ending
    2026-06-30). Read-only: tests that write use ``demo_db``, which gets a copy."""
    import datetime as dt

    from crmdesk.db import open_database
    from crmdesk.demo import generate

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_database(path)
    try:
        generate(database, end_date=dt.date.fromisoformat(DEMO_END_DATE), **DEMO_SIZES)
        with database.engine.connect() as conn:  # fold the WAL into the file so a plain copy is complete
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    return path


@pytest.fixture
def demo_db(demo_db_file, tmp_path):
    """An open copy of the demo database for this test (changes stay in the copy)."""
    import shutil

    from crmdesk.db import open_database

    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_db_file, copy)
    database = open_database(copy)
    yield database
    database.dispose()
