"""A shop moved SQLite → PostgreSQL → SQLite keeps every row of every table (ids included), and
the server database works afterwards (new rows get fresh ids)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from crmdesk.db import open_database
from crmdesk.db.portable import PortableCopyError, copy_database, is_empty, revision_of, table_checksums
from tests.portable_support import new_database, start_server, stop_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pg_server():
    server, folder = start_server()
    yield server
    stop_server(server, folder)


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory):
    from crmdesk.demo import generate

    path = tmp_path_factory.mktemp("portable") / "shop.db"
    db = open_database(path)
    generate(db, customers=60, products=25, lines=600, seed=5, end_date=dt.date(2026, 6, 30))
    db.dispose()
    return f"sqlite:///{path}"


def test_round_trip_keeps_every_table(pg_server, shop_file, tmp_path):
    pg_url = new_database(pg_server)
    seen: list[tuple[float, str]] = []
    counts = copy_database(shop_file, pg_url, progress=lambda share, table: seen.append((share, table)))
    assert counts["customers"] == 60 and counts["sales_lines"] > 0
    assert "sales_lines" in {table for _share, table in seen}
    assert [share for share, _t in seen] == sorted(share for share, _t in seen) and seen[-1][0] == 1.0
    back = f"sqlite:///{tmp_path / 'back.db'}"
    again = copy_database(pg_url, back)
    assert again == counts
    original, on_server, returned = table_checksums(shop_file), table_checksums(pg_url), table_checksums(back)
    assert set(original) - set(on_server) == set()  # every table reached the server
    for name in counts:
        assert on_server[name] == original[name], name
    assert returned == original
    assert revision_of(open_database(back)) == revision_of(open_database(shop_file))


def test_server_ids_continue_after_the_copy(pg_server, shop_file):
    from crmdesk.db.models import Customer

    pg_url = new_database(pg_server)
    copy_database(shop_file, pg_url)
    db = open_database(pg_url)
    try:
        with db.sessions.begin() as s:
            top = s.scalar(select(func.max(Customer.id)))
            s.add(Customer(code="NEW-1", name="新来的客户", credit_limit=0))
            s.flush()
            assert s.scalar(select(func.max(Customer.id))) > top
    finally:
        db.dispose()


def test_refuses_a_target_holding_data_unless_replacing(pg_server, shop_file):
    pg_url = new_database(pg_server)
    copy_database(shop_file, pg_url)
    assert not is_empty(open_database(pg_url))
    with pytest.raises(PortableCopyError, match="already holds data"):
        copy_database(shop_file, pg_url)
    counts = copy_database(shop_file, pg_url, replace=True)
    assert table_checksums(pg_url)["customers"] == table_checksums(shop_file)["customers"]
    assert counts["customers"] == 60


def test_a_migrated_empty_target_is_accepted(pg_server, shop_file):
    pg_url = new_database(pg_server)
    open_database(pg_url).dispose()  # created and migrated: only the seeded reference rows
    copy_database(shop_file, pg_url)
    assert table_checksums(pg_url)["case_types"] == table_checksums(shop_file)["case_types"]


def test_not_a_crmdesk_database(tmp_path):
    import sqlite3

    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(PortableCopyError, match="not a crmdesk database"):
        copy_database(f"sqlite:///{tmp_path / 'other.db'}", f"sqlite:///{tmp_path / 'dst.db'}")
