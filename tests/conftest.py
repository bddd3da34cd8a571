"""Shared fixtures: every test gets its own CRMDESK_HOME (never the user's real
files), English messages, and the offscreen Qt platform."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    """An owner account (``owner`` / ``secret``) and its Actor."""
    from crmdesk.services.actor import Actor
    from crmdesk.services.users import create_first_owner

    with db.sessions.begin() as s:
        user = create_first_owner(s, "owner", "secret", "店主")
        actor = Actor.from_user(user)
    return actor


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared sample data not found at {SHARED_DATA}")
    return SHARED_DATA
