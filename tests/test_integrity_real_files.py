"""The checks on a real SQLite file nobody here wrote (the Chinook sample database, see
tests/data/real/SOURCES.md): intact but not a crmdesk backup — refused by name; cut short as by a
failing disk or an interrupted copy — found damaged by quick_check and by the restore check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crmdesk.db import integrity
from crmdesk.db.backup import BackupCheckError
from crmdesk.db.engine import connect
from crmdesk.services import backups

CHINOOK = Path(__file__).parent / "data" / "real" / "Chinook_Sqlite.sqlite"


def test_an_intact_foreign_database_is_not_a_backup(tmp_path):
    copy = tmp_path / "chinook.db"
    shutil.copyfile(CHINOOK, copy)
    db = connect(copy)
    try:
        assert integrity.run_check(db).ok and integrity.run_check(db, full=True).ok
    finally:
        db.dispose()
    with pytest.raises(BackupCheckError, match="no schema revision"):
        backups.verify(copy)


@pytest.mark.parametrize("full", [False, True])
def test_a_real_file_cut_short_is_found_damaged(tmp_path, full):
    cut = tmp_path / "chinook-cut.db"
    cut.write_bytes(CHINOOK.read_bytes()[: CHINOOK.stat().st_size // 2])
    db = connect(cut)
    try:
        report = integrity.run_check(db, full=full)
    finally:
        db.dispose()
    assert not report.ok and report.detail != "ok"
    with pytest.raises(BackupCheckError):
        backups.verify(cut)
