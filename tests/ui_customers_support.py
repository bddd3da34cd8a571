"""Fixtures shared by the test_ui_customers_* files (imported by name there):
a context over the demo shop, recording message boxes, and the Customers page."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from crmdesk.services.actor import actor_for_username
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.page import CustomersPage


@pytest.fixture
def ctx(demo_db):
    with demo_db.sessions() as s:
        actor = actor_for_username(s, None)
    return AppContext(db=demo_db, actor=actor)


@pytest.fixture
def boxes(monkeypatch):
    """Replace the static message boxes: record what was shown, answer ``boxes.answer``."""

    class Boxes:
        shown: list[tuple[str, str]] = []
        answer = QMessageBox.StandardButton.Yes

    def fake(kind):
        def show(_parent, title, text, *args, **kwargs):
            Boxes.shown.append((kind, text))
            return Boxes.answer if kind == "question" else QMessageBox.StandardButton.Ok
        return staticmethod(show)

    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, fake(kind))
    Boxes.shown = []
    return Boxes


@pytest.fixture
def page(ctx, qtbot, boxes):
    p = CustomersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 600)
    p.show()
    p.activate()
    return p
