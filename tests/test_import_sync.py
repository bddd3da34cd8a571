"""Sync from an inbox folder; settings; cancellation; a killed import leaves the database as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from data_import.helpers import GJP_SALES, dump, scalar, write

from crmdesk.core.progress import Cancelled, Progress
from crmdesk.importers import (
    SyncError,
    SyncSettings,
    get_setting,
    import_file,
    load_sync_settings,
    run_sync,
    save_sync_settings,
    set_setting,
)

ROOT = Path(__file__).resolve().parents[1]


def test_settings_round_trip(db, owner):
    with db.sessions.begin() as s:
        assert load_sync_settings(s) == SyncSettings()
        save_sync_settings(s, owner, SyncSettings(inbox="/x", interval_minutes=15, move_done=True, backup_keep=3))
        set_setting(s, owner, "sync.profile", "superstore")
    with db.sessions() as s:
        got = load_sync_settings(s)
        assert (got.inbox, got.interval_minutes, got.move_done, got.backup_keep, got.profile) == \
            ("/x", 15, True, 3, "superstore")
        assert get_setting(s, "sync.move_done") == "1"
    assert scalar(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'settings'") >= 5


def test_sync_imports_new_and_changed_files_after_a_backup(db, owner, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with pytest.raises(SyncError):
        run_sync(db, owner)
    with db.sessions.begin() as s:
        set_setting(s, owner, "sync.inbox", str(inbox))
        set_setting(s, owner, "sync.backup_keep", 2)
    write(inbox, "sales.csv", GJP_SALES)
    write(inbox, "customers.csv", "客户编号,客户名称\nC001,广州文具店\n")
    write(inbox, "notes.docx", "not an export")
    first = run_sync(db, owner)
    assert [r.path.name for r in first.files] == ["customers.csv", "sales.csv"]  # masters first
    assert first.ok and first.backup is not None and first.backup.is_file()
    assert scalar(db, "SELECT is_incomplete FROM customers WHERE code = 'C001'") == 0  # no stub needed
    second = run_sync(db, owner)
    assert (second.files, second.already_imported, second.backup) == ([], 2, None)
    time.sleep(0.01)
    write(inbox, "sales.csv", GJP_SALES + "2024-03-11,XS-010,销售单,C001,广州文具店,张三,总店,P001,笔,支,1,2,2,1\n")
    third = run_sync(db, owner)
    assert [(r.path.name, r.added, r.unchanged) for r in third.files] == [("sales.csv", 1, 4)]
    for _ in range(3):
        write(inbox, "sales.csv", (inbox / "sales.csv").read_text() + "\n")
        run_sync(db, owner)
    assert len(list((tmp_path / "backups").glob("*pre-sync*.db"))) == 2


def test_sync_moves_done_files(db, owner, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write(inbox, "a.csv", GJP_SALES)
    write(inbox, "b.csv", "garbage\x00\x01")
    with db.sessions.begin() as s:
        save_sync_settings(s, owner, SyncSettings(inbox=str(inbox), move_done=True))
    result = run_sync(db, owner)
    assert not result.ok  # b.csv could not be read: it stays in the inbox
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["b.csv"]
    assert (inbox / "done" / "a.csv").is_file()
    write(inbox, "a.csv", GJP_SALES)  # the same export again: skipped and moved aside too
    again = run_sync(db, owner)
    assert [r.status for r in again.files if r.path.name == "a.csv"] == ["skipped"]
    assert (inbox / "done" / "a.1.csv").is_file()


def test_cancel_rolls_back_the_current_file(db, owner, tmp_path):
    path = write(tmp_path, "s.csv", GJP_SALES)
    before = dump(db)
    progress = Progress(lambda fraction, message: progress.cancel() if (fraction or 0) >= 0.3 else None,
                        min_interval=0)
    with pytest.raises(Cancelled):
        import_file(db, owner, path, progress=progress)
    assert dump(db) == before


def _big_export(path: Path, lines: int) -> None:
    order = np.arange(lines) // 4
    frame = pd.DataFrame({
        "单据编号": np.char.add("XS", order.astype(str)), "行号": np.arange(lines) % 4 + 1,
        "录单日期": "2024-03-07", "往来单位编号": np.char.add("C", (order % 500).astype(str)),
        "商品编号": np.char.add("P", (np.arange(lines) % 300).astype(str)), "数量": 2, "金额": "12.50",
    })
    with path.open("w", encoding="gb18030") as fh:
        fh.write("销售明细\n")
        frame.to_csv(fh, index=False)


def test_killed_import_leaves_the_database_as_it_was(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "small.csv", GJP_SALES))
    before = _all_but_users(db)
    db.dispose()
    big = tmp_path / "big.csv"
    _big_export(big, 200_000)
    home = tmp_path / "home"
    log = home / "logs" / "crmdesk.log"
    env = dict(os.environ, CRMDESK_HOME=str(home), PYTHONPATH=str(ROOT), CRMDESK_PASSWORD="secret-pw")
    proc = subprocess.Popen([sys.executable, "-m", "crmdesk.cli", "--db", str(db.file_path), "--user", "owner",
                             "import", str(big)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if log.is_file() and "sales lines written" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    con = sqlite3.connect(db.file_path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert _all_but_users(db) == before


def _all_but_users(db) -> list[str]:
    """The dump without ``users``: the CLI's login (before the import) stamps last_login_at — and,
    being a write, moves the change feed (``change_feed``/``change_log``, crmdesk.db.change_feed)."""
    return [line for line in dump(db)
            if not line.startswith(('INSERT INTO "users"', 'INSERT INTO "change_feed"', 'INSERT INTO "change_log"'))]
