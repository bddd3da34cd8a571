"""Issue 13 item 4: the persisted line copy of a server database (keyed by its URL without the
password) is what a new process starts from; the change feed names what to read besides."""

from __future__ import annotations

import pytest
from multipc_support import figures, write_sales
from pg_fixture import new_pg_database

from crmdesk.db import open_database
from crmdesk.reports import linecache, linecache_store


@pytest.fixture
def reads(monkeypatch):
    """Every line read of this process: the ``after_id`` it started from."""
    seen: list[int] = []
    real = linecache_store._read_lines

    def spy(session, after_id=0):
        seen.append(int(after_id))
        return real(session, after_id)

    monkeypatch.setattr(linecache, "_read_lines", spy)
    monkeypatch.setattr(linecache, "PERSIST_MIN_LINES", 0)
    return seen


def _import(db, path) -> None:
    from crmdesk.importers.run import import_file
    from crmdesk.services.actor import Actor

    assert import_file(db, Actor.system(), path).status == "done"


def _check(url: str, tmp_path, reads) -> None:
    db = open_database(url)
    try:
        _import(db, write_sales(tmp_path / "a.csv", 600, "PA"))
        linecache.clear()
        mine, sql = figures(db)
        assert mine == sql and reads == [0]  # the first read of all lines, saved to the copy
        with db.sessions() as s:
            assert linecache_store._cache_file(s).exists()
            assert "secret" not in linecache_store._cache_file(s).name
        _import(db, write_sales(tmp_path / "b.csv", 200, "PB"))
        linecache.clear()  # a new process: nothing in memory, the copy on disk
        mine, sql = figures(db)
        assert mine == sql and sql[0] == 800
        assert len(reads) == 2 and reads[1] > 0  # only the lines above the feed's bound were read
    finally:
        db.dispose()


def test_persisted_copy_of_a_server_database(pg_server, tmp_path, reads):
    _check(new_pg_database(pg_server, "persisted"), tmp_path, reads)


def test_persisted_copy_of_a_file(tmp_path, reads):
    _check(f"sqlite:///{tmp_path / 'shop.db'}", tmp_path, reads)
