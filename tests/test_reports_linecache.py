"""The columnar line cache: the fast SQLite reader equals the generic one, the
persisted copy is reused only while the data is unchanged."""

from __future__ import annotations

import datetime as dt

import numpy as np
from test_reports_tiny_data import build_tiny_shop

from crmdesk.db.models import Receipt
from crmdesk.money import to_units
from crmdesk.reports import linecache


def test_sqlite_reader_matches_generic_reader(db):
    build_tiny_shop(db)
    with db.sessions() as s:
        fast = linecache._read_columns_sqlite(s)
        generic = linecache._read_columns_generic(s)
    assert set(fast) == set(generic)
    for name in fast:
        assert np.array_equal(fast[name], generic[name]), name
    # 2024-01-05 is day 19727 since 1970-01-01
    assert fast["day"][0] == 19727
    assert fast["amount"].sum() == to_units("2950")


def test_persisted_copy_reused_until_data_changes(db, monkeypatch):
    build_tiny_shop(db)
    monkeypatch.setattr(linecache, "PERSIST_MIN_LINES", 0)
    linecache.clear()
    with db.sessions() as s:
        first = linecache.get(s)
        file = linecache._cache_file(s)
    assert file is not None and file.exists()
    linecache.clear()
    monkeypatch.setattr(linecache, "_read_lines", lambda s: (_ for _ in ()).throw(AssertionError("re-read")))
    with db.sessions() as s:
        again = linecache.get(s)  # from the file: _read_lines is not called
    assert np.array_equal(first.amount, again.amount)
    assert again.memo["receipts"]["amount"].sum() == to_units("1000")
    with db.sessions.begin() as s:
        s.add(Receipt(number="S3", receipt_date=dt.date(2024, 3, 31), customer_id=1, amount=to_units("5")))
    monkeypatch.undo()
    linecache.clear()
    with db.sessions() as s:
        fresh = linecache.get(s)  # signature changed: the file is stale and rebuilt
    assert fresh.memo["receipts"]["amount"].sum() == to_units("1005")


def test_empty_database_gives_empty_reports_and_a_zero_dashboard(db):
    from crmdesk.reports import registry
    from crmdesk.reports.dashboard import dashboard_data
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.services.actor import Actor

    mine = ("margin", "key-customers", "rfm", "preferences", "purchases", "restock", "overstock", "trends",
            "receivables")
    with db.sessions() as s:
        for name in mine:
            spec = registry.get(name)
            df = spec.fn(s, Actor.system(), ReportFilters(customer_types=("dealer",)),
                         {o.name: o.default for o in spec.options})
            assert df.empty and len(df.columns) >= 4, name
        board = dashboard_data(s, Actor.system(), ReportFilters())
    assert board.kpi("revenue").value == 0.0
    assert board.pareto.empty and board.restock_count == 0
