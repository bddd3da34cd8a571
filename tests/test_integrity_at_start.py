"""Issue 12 item 5: the integrity check at start. A quick check of a changed file runs while the
login dialog shows and is acted on before the main window opens; a command that closed the file
cleanly spares the app's next start the check; a pending migration waits for the verdict."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from crmdesk.cli import main as cli_main
from crmdesk.db import integrity, open_database
from crmdesk.db.models import Customer
from crmdesk.services import backups
from crmdesk.services.actor import Actor


class Stop(Exception):
    pass


def _customers(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def _shop(path, customers: int):
    db = open_database(path)
    with db.sessions.begin() as s:
        s.add_all(Customer(code=f"C{i:05d}", name=f"客户{i}" * 20, credit_limit=0) for i in range(customers))
    return db


def test_a_changed_file_is_checked_during_the_login_and_a_damaged_one_restored_before_the_window(
        qapp, tmp_path, monkeypatch):
    from crmdesk.ui import app as gui

    path = tmp_path / "shop.db"
    db = _shop(path, 3000)
    backups.back_up(db, reason="daily")
    with db.sessions.begin() as s:
        s.add(Customer(code="LATE", name="备份之后", credit_limit=0))
    db.dispose()
    integrity.mark_open(path)
    integrity.mark_closed(path)  # a clean close…
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # …then the file is damaged (the test owns this closed file)
        fh.seek(size // 2)
        fh.write(b"\x05" * 4096 * 4)
    assert integrity.check_needed(path) == integrity.QUICK
    assert not integrity.check_at_start(path).ok
    open_database(path).dispose()  # the damage leaves the file openable: the login can show

    asked, seen = [], {}
    monkeypatch.setattr(gui, "setup_gui_logging", lambda: None)
    monkeypatch.setattr(gui, "install_error_hook", lambda *a: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: asked.append(a[2]))

    def log_in(db, parent=None):
        seen["asked_before_login"] = list(asked)
        return db, Actor.system()

    def window(ctx):
        seen["customers"] = _customers(ctx.db)
        raise Stop

    monkeypatch.setattr("crmdesk.ui.connect_flow.log_in_or_connect", log_in)
    monkeypatch.setattr(gui, "build_main_window", window)
    with pytest.raises(Stop):
        gui.run_gui(str(path), "en")
    assert seen["asked_before_login"] == []  # the quick check did not hold the login window back
    assert len(asked) == 1 and "damage" in asked[0]  # after the login, before the window
    assert seen["customers"] == 3000  # the window opened on the restored backup
    assert integrity.check_at_start(path).ok


def test_a_command_that_closed_the_file_cleanly_spares_the_next_start_its_check(tmp_path, monkeypatch):
    path = tmp_path / "shop.db"
    _shop(path, 10).dispose()
    assert integrity.check_needed(path) == integrity.QUICK  # nothing known about this file yet
    assert cli_main(["--db", str(path), "report", "margin"]) == 0
    assert integrity.check_needed(path) == integrity.UNCHANGED
    with sqlite3.connect(path) as conn:  # another program writes: the next start checks again
        conn.execute("UPDATE customers SET name = 'x' WHERE code = 'C00001'")
    assert integrity.check_needed(path) == integrity.QUICK
    assert cli_main(["--db", str(path), "report", "margin"]) == 0
    integrity.mark_open(path)  # the app has the file open, and then crashes: the command does not hide it
    assert cli_main(["--db", str(path), "report", "margin"]) == 0
    assert integrity.check_needed(path) == integrity.FULL


def test_a_file_that_needs_a_migration_waits_for_its_check_and_one_at_the_schema_does_not(qapp, tmp_path):
    from crmdesk.ui.startup_checks import StartCheck, must_wait_before_open, settle_check

    path = tmp_path / "shop.db"
    _shop(path, 10).dispose()
    check = StartCheck(str(path))
    assert check.mode == integrity.QUICK and not must_wait_before_open(check)
    assert settle_check(check) and check.settled
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0014'")
    check = StartCheck(str(path))
    assert must_wait_before_open(check)
    assert settle_check(check)


def test_the_background_check_is_the_one_chosen_before_the_file_was_marked_open(qapp, tmp_path):
    from crmdesk.ui.startup_checks import begin_check

    path = tmp_path / "shop.db"
    _shop(path, 10).dispose()
    check = begin_check(str(path))  # marks the file open at once: the check must stay a quick one
    assert integrity.was_closed_uncleanly(path)
    report = check.wait()
    assert report.ok and report.mode == integrity.QUICK
