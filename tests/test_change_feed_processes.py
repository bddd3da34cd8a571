"""Issue 13: a long-lived process's line cache equals SQL after every interleaving of imports,
merges and an undo run by other processes (other PCs), on SQLite and on PostgreSQL.

On PostgreSQL line ids are taken at insert, not at commit: the short import below commits
lines with higher ids while the long one still holds lower ones. A cache that took "the newest
id went up" for "lines appended" never read the long import's lines (the bug measured in the
issue); the change feed's bound makes it read them."""

from __future__ import annotations

import pytest
from multipc_support import interleaved
from pg_fixture import new_pg_database

from crmdesk.db import open_database
from crmdesk.reports import linecache

LONG, SHORT = 4_000, 300


def _run(db, url, tmp_path):
    linecache.clear()
    steps = interleaved(db, url, tmp_path, LONG, SHORT)
    for step, mine, sql in steps:
        assert mine == sql, f"{step}: the line cache has {mine}, SQL {sql}"
    # The figures really moved: imports added, the undo removed.
    counts = [sql[0] for _step, _mine, sql in steps]
    assert counts[0] == 400 and counts[2] == 400 + SHORT + LONG and counts[4] == 400 + LONG
    return steps


def test_interleaved_processes_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    db = open_database(url)
    try:
        _run(db, url, tmp_path)
    finally:
        db.dispose()


def test_interleaved_processes_postgres(pg_server, tmp_path):
    url = new_pg_database(pg_server, "feed_interleaved")
    db = open_database(url)
    try:
        steps = _run(db, url, tmp_path)
        # The case of the issue happened: the short import committed while the long one was writing.
        assert "while the long one was writing" in steps[1][0]
    finally:
        db.dispose()
