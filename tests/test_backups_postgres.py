"""A PostgreSQL shop goes into the same backups catalog (a SQLite copy made by
``crmdesk.db.portable``) and comes back exactly from it. Skipped, with the reason, only when the
pgserver wheel's server cannot start here."""

from __future__ import annotations

import datetime as dt

import pytest

from crmdesk.db import open_database
from crmdesk.db.backup import backups_dir
from crmdesk.db.models import Customer
from crmdesk.db.portable import table_checksums
from crmdesk.services import backups
from tests.portable_support import new_database, start_server, stop_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pg_server():
    server, folder = start_server()
    yield server
    stop_server(server, folder)


def test_server_database_backs_up_into_the_catalog_and_restores_exactly(pg_server):
    from crmdesk.demo import generate

    db = open_database(new_database(pg_server, "backups"))
    try:
        generate(db, customers=40, products=25, lines=300, seed=3, end_date=dt.date(2026, 6, 30))
        before = table_checksums(db.url)
        made = backups.back_up(db, reason="manual")
        (entry,) = backups.list_backups(db)
        assert entry.path == made.path and made.path.parent == backups_dir(db) and entry.revision == "0015"
        with db.sessions.begin() as s:
            s.add(Customer(code="NEW1", name="备份后的客户", credit_limit=0))
        assert table_checksums(db.url) != before
        safety = backups.restore(db, made.path)
        after = table_checksums(db.url)
        # The change feed records the restore itself (other PCs must reload): not shop data.
        feed = {"change_feed", "change_log"}
        assert {k: v for k, v in after.items() if k not in feed} == {k: v for k, v in before.items() if k not in feed}
        assert set(after) == set(before)
        assert table_checksums(f"sqlite:///{safety.path}")["customers"] != before["customers"]
    finally:
        db.dispose()
