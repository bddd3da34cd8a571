"""The integrity check at start: quick when the file changed, full after an unclean shutdown (a
marker file in the data folder), none when the file is as the app left it; damage is found and a
good backup offered; a database from a newer crmdesk is refused, also by the CLI (exit 3)."""

from __future__ import annotations

import sqlite3

import pytest

from crmdesk import paths
from crmdesk.cli import main
from crmdesk.db import integrity, open_database
from crmdesk.services import backups


def _damage(path, pages=(3, 4, 5, 6)):
    """Overwrite some pages in the middle of a closed database file (this test owns the file)."""
    with open(path, "r+b") as fh:
        page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
        for n in pages:
            fh.seek(page * n + 100)
            fh.write(b"\x07" * (page - 200))


def test_modes_follow_the_marker_and_the_files_state(tmp_path):
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    first = integrity.check_at_start(path)
    assert first.ok and first.mode == integrity.QUICK  # never closed by the app: checked
    integrity.mark_open(path)
    marker = integrity.marker_path(path)
    assert marker.is_file() and paths.data_dir() in marker.parents and marker.parent != path.parent
    assert integrity.check_at_start(path).mode == integrity.FULL  # the marker says: a crash
    integrity.mark_closed(path)
    assert not marker.exists()
    assert integrity.check_at_start(path).mode == integrity.UNCHANGED
    db = open_database(path)  # another program writes to it
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO settings(key, value) VALUES ('x', '1')")
    db.dispose()
    assert integrity.check_at_start(path).mode == integrity.QUICK


def test_damage_is_found_and_the_newest_good_backup_offered(tmp_path):
    path = tmp_path / "shop.db"
    db = open_database(path)
    good = backups.back_up(db, reason="manual").path
    newer = backups.back_up(db, reason="daily").path
    db.dispose()
    newer.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # the newest backup is broken too
    _damage(path)
    integrity.mark_open(path)  # the last run did not close cleanly: full check
    report = integrity.check_at_start(path)
    assert not report.ok and report.mode == integrity.FULL and report.detail
    from crmdesk.db.engine import connect

    db = connect(path)
    try:
        candidate = backups.newest_good_backup(db)
        assert candidate is not None and candidate.path == good
    finally:
        db.dispose()


def test_a_database_from_a_newer_crmdesk_is_refused_by_the_cli(tmp_path, capsys):
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    before = path.read_bytes()
    assert main(["--db", str(path), "user", "list"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "newer crmdesk" in err[0] and "0099" in err[0]
    assert path.read_bytes() == before  # never upgraded, never written
    assert not list(tmp_path.glob("backups/*.db"))


@pytest.mark.parametrize("full", [False, True])
def test_run_check_reports_a_file_that_is_no_database(tmp_path, full):
    from crmdesk.db.engine import connect

    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database" * 500)
    db = connect(path)
    try:
        report = integrity.run_check(db, full=full)
    finally:
        db.dispose()
    assert not report.ok and "not a database" in report.detail
