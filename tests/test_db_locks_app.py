"""Issue 12 item 6: SQLite's locks hold while the app runs. The app (its own process, offscreen,
main window open) opens every file dialog it has on the database's folder while a second
process reads and writes; every write of both must be seen by the other and by a backup.

The scenario lives in tests/crash/lock_scenario.py; ``qt-default`` mode opens a plain
QFileDialog as the app did before, which must lose the app's write (the test can fail)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("crash")))
import lock_scenario  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks: the failure exists on POSIX only")


def _scenario(demo_db_file: Path, tmp_path: Path, mode: str) -> dict:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(demo_db_file, data / "crmdesk.db")
    return lock_scenario.run(data / "crmdesk.db", mode, tmp_path)


def test_every_write_survives_while_the_app_opens_its_file_dialogs(demo_db_file, tmp_path):
    seen = _scenario(demo_db_file, tmp_path, "safe")
    assert len(seen["opened"]) == 5  # backup, save, open, open several, folder
    for side in ("app", "other", "backup", "after_app_closed"):
        assert seen[side] == seen["expected"], side
    assert seen["backup_check"] == "ok"


def test_a_plain_qt_file_dialog_on_the_data_folder_loses_the_apps_write(demo_db_file, tmp_path):
    """The test of the test: Qt's own dialog sniffs the database file, the app's process loses
    its locks, ``crmdesk report`` deletes the WAL, the app's next entry is invisible to others."""
    try:
        seen = _scenario(demo_db_file, tmp_path, "qt-default")
    except (RuntimeError, OSError) as exc:  # the other way broken locks show: SQLite finds its WAL gone
        # under it and the app process dies (a pipe to it may break first)
        chain, seen_text = exc, ""
        while chain is not None:  # the app's own error may sit under the one its shutdown raised
            seen_text += str(chain)
            chain = chain.__context__
        assert "disk I/O error" in seen_text
        return
    assert "lock-a2" in seen["app"]
    assert "lock-a2" not in seen["other"]
    assert "lock-a2" not in seen["backup"]
