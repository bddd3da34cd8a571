"""Fixtures shared by the test_ui_settings_* files (imported by name there): the demo shop with
a context per role, and recorded message boxes."""

from __future__ import annotations

import pytest
from ui_customers_support import boxes  # noqa: F401 - the same recorded message boxes

from crmdesk.services.actor import actor_for_username
from crmdesk.ui.context import AppContext


def context_for(db, username: str | None) -> AppContext:
    with db.sessions() as s:
        actor = actor_for_username(s, username)
    return AppContext(db=db, actor=actor)


@pytest.fixture
def ctx(demo_db) -> AppContext:
    """The demo's owner."""
    return context_for(demo_db, "owner")
