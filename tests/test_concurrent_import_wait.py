"""Issue 13: on SQLite a second writer waits for a long import of another process and says
whose ("waiting for the import of X to finish") instead of failing after the 10 s busy timeout."""

from __future__ import annotations

import os

from multipc_support import cli, python, wait_for, write_sales

from crmdesk.db import open_database, writers
from crmdesk.db.engine import BUSY_TIMEOUT_MS

HOLD_SECONDS = BUSY_TIMEOUT_MS / 1000 + 3  # longer than the busy timeout


def test_second_import_waits_for_the_first_and_says_so(tmp_path):
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    url = f"sqlite:///{path}"
    held = tmp_path / "held"
    # Another PC's long import: announces itself and holds the write lock longer than the busy timeout.
    holder = python(
        "import sqlite3, time\n"
        "from crmdesk.db import writers\n"
        f"with writers.writing({url!r}, 'long.csv'):\n"
        f"    c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "    c.execute('BEGIN IMMEDIATE')\n"
        f"    open({str(held)!r}, 'w').close()\n"
        f"    time.sleep({HOLD_SECONDS})\n"
        "    c.execute('ROLLBACK')\n", home=os.environ["CRMDESK_HOME"])
    wait_for(held, holder)
    assert writers.holder(url)["what"] == "long.csv"
    second = cli(url, "import", str(write_sales(tmp_path / "mine.csv", 50, "MI")), home=os.environ["CRMDESK_HOME"])
    out, err = second.communicate(timeout=120)
    holder.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "mine.csv: waiting for the import of long.csv to finish" in err
    assert "mine.csv: sales, added 50" in out
    assert writers.holder(url) is None  # the note went with its process


def test_note_of_a_dead_process_is_ignored(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    note = writers._note_file(url)
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text('{"what": "gone.csv", "pid": 999999999, "since": 0}', encoding="utf-8")
    assert writers.holder(url) is None
    assert writers.wait_until_free(url, lambda *_: None)
