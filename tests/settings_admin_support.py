"""Fixtures shared by the test_ui_settings_* files (imported by name there): the demo shop with
a context per role, and recorded message boxes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

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


@pytest.fixture
def boxes(monkeypatch):
    """Replace the static message boxes: record (kind, text), answer ``boxes.answer`` to questions."""

    class Boxes:
        shown: list[tuple[str, str]] = []
        answer = QMessageBox.StandardButton.Yes

    def fake(kind):
        def show(_parent, _title, text, *args, **kwargs):
            Boxes.shown.append((kind, text))
            return Boxes.answer if kind == "question" else QMessageBox.StandardButton.Ok
        return staticmethod(show)

    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))
    Boxes.shown = []
    return Boxes
