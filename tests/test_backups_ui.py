"""Settings → Backups, and the GUI start's checks: the list, "Back up now" and "Restore…" off the
GUI thread, who sees what, a second start refused, a damaged database offered its last backup."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from crmdesk.db import integrity, open_database
from crmdesk.db.models import Customer
from crmdesk.services import backups
from crmdesk.services.actor import Actor
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.backups_section import BackupsSection, reason_text


@pytest.fixture
def quiet_boxes(monkeypatch):
    shown = []
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, _n=name, **k: shown.append((_n, a[2] if len(a) > 2 else "")))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    return shown


def _customers(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def test_the_section_backs_up_and_restores_in_the_background(qtbot, db, owner, quiet_boxes):
    ctx = AppContext(db=db, actor=owner)
    section = BackupsSection(ctx)
    qtbot.addWidget(section)
    assert section.model.rowCount() == 0 and section.restore_button.isVisibleTo(section)
    section.back_up_button.click()
    qtbot.waitUntil(lambda: section.model.rowCount() == 1, timeout=20_000)
    assert section.model.text(0, 2) == "made by hand" and section.model.text(0, 3) == "0015"
    with db.sessions.begin() as s:
        s.add(Customer(code="K9", name="后来的客户", credit_limit=0))
    assert _customers(db) == 1
    section.table.selectRow(0)
    changed = []
    ctx.bus.changed.connect(changed.append)
    section.restore_button.click()
    qtbot.waitUntil(lambda: bool(changed), timeout=20_000)
    assert _customers(db) == 0  # the backup's state: before the customer was added
    assert "customers" in changed[0]  # every page is told to reload
    assert any("has been restored" in text for _kind, text in quiet_boxes)
    section.refresh()
    assert sorted(section.model.text(r, 2) for r in range(2)) == ["before a restore", "made by hand"]


def test_a_manager_backs_up_but_cannot_restore(qtbot, db, owner):
    manager = Actor(user_id=None, username="boss2", role="manager")
    section = BackupsSection(AppContext(db=db, actor=manager))
    qtbot.addWidget(section)
    assert section.back_up_button.isEnabled() and not section.restore_button.isVisibleTo(section)


def test_reason_text_names_the_revision_of_an_upgrade():
    assert reason_text("pre-upgrade-0011") == "before an upgrade (from 0011)"
    assert reason_text("odd") == "odd"


def test_a_second_start_on_the_same_database_is_refused(qapp, tmp_path, quiet_boxes):
    from crmdesk.ui.startup_checks import claim_instance

    first = claim_instance(str(tmp_path / "shop.db"))
    try:
        assert first is not None
        assert claim_instance(str(tmp_path / "shop.db")) is None
        assert quiet_boxes and "already" in quiet_boxes[-1][1]
    finally:
        first.release()


def test_a_damaged_database_is_restored_from_its_newest_good_backup(qapp, tmp_path, quiet_boxes):
    from crmdesk.ui.startup_checks import check_database

    path = tmp_path / "shop.db"
    db = open_database(path)
    backups.back_up(db, reason="daily")
    db.dispose()
    with open(path, "r+b") as fh:  # the test owns this closed file
        fh.seek(16384 * 3)
        fh.write(b"\x05" * 16384 * 3)
    integrity.mark_open(path)  # and the last run crashed
    assert not integrity.check_at_start(path).ok
    assert check_database(str(path))
    assert integrity.check_at_start(path).ok
    db = open_database(path)
    try:
        assert [e.reason for e in backups.list_backups(db)][:1] == ["pre-restore"]
        assert _customers(db) == 0
    finally:
        db.dispose()


def test_a_gui_start_backs_up_for_the_day_and_closes_cleanly(qapp, tmp_path, monkeypatch):
    from crmdesk.ui import app as gui
    from crmdesk.ui.single_instance import InstanceGuard

    monkeypatch.setattr(gui, "setup_gui_logging", lambda: None)
    monkeypatch.setattr(gui, "install_error_hook", lambda *a: None)
    seen = {}

    def cancel_login(db, parent=None):  # the login shows while the checks' results are in place
        seen["marker"] = integrity.marker_path(path).exists()
        seen["locked"] = not InstanceGuard(path).acquire()
        return db, None
    monkeypatch.setattr("crmdesk.ui.connect_flow.log_in_or_connect", cancel_login)
    path = tmp_path / "shop.db"
    assert gui.run_gui(str(path), "en") == 0
    assert seen == {"marker": True, "locked": True}
    db = open_database(path)
    try:
        assert [e.reason for e in backups.list_backups(db)] == ["daily"]
    finally:
        db.dispose()
    assert not integrity.marker_path(path).exists()
    guard = InstanceGuard(path)
    assert guard.acquire()  # released at the end
    guard.release()
