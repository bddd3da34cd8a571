"""The columnar line cache: the fast SQLite reader equals the generic one, the
persisted copy is reused only while the data is unchanged."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import func, select, update
from test_reports_tiny_data import build_tiny_shop

from crmdesk.db.models import Receipt
from crmdesk.money import to_units
from crmdesk.reports import linecache, linecache_store


def test_sqlite_reader_matches_generic_reader(db):
    build_tiny_shop(db)
    with db.sessions() as s:
        fast = linecache_store._read_columns_sqlite(s)
        generic = linecache_store._read_columns_generic(s)
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


def _add_order(db, number: str, day: dt.date, amounts: list[str]) -> None:
    from crmdesk.db.models import SalesLine, SalesOrder

    with db.sessions.begin() as s:
        order = SalesOrder(number=number, order_date=day, customer_id=3, salesperson_id=None,
                           total_amount=sum(to_units(a) for a in amounts))
        for no, amount in enumerate(amounts, 1):
            order.lines.append(SalesLine(line_no=no, product_id=2, order_date=day, customer_id=3, quantity=1,
                                         unit_price=to_units(amount), amount=to_units(amount),
                                         cost_amount=to_units(amount) // 2))
        s.add(order)


def test_new_lines_are_appended_and_equal_a_full_read(db, monkeypatch):
    build_tiny_shop(db)
    linecache.clear()
    with db.sessions() as s:
        linecache.get(s)
    _add_order(db, "O9", dt.date(2024, 3, 30), ["12.5", "7"])
    calls = []
    real = linecache._read_lines
    monkeypatch.setattr(linecache, "_read_lines", lambda s, after_id=0: calls.append(after_id) or real(s, after_id))
    with db.sessions() as s:
        appended = linecache.get(s)
        full = real(s)
    assert calls == [7]  # only the lines after the 7 known ones were read
    for name in linecache.ARRAYS:
        assert np.array_equal(getattr(appended, name), full[name]), name
    assert appended.amount.sum() == to_units("2969.5")


def test_attribute_change_keeps_lines_but_refreshes_filters(db):
    from crmdesk.db.models import Customer
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.margin import margin
    from crmdesk.services.actor import Actor

    build_tiny_shop(db)
    grade_b = ReportFilters(grades=("B",))
    with db.sessions() as s:
        before = linecache.get(s)
        assert margin(s, Actor.system(), grade_b, {"by": "customer"})["customer"].tolist() == ["C002"]
    with db.sessions.begin() as s:
        s.get(Customer, 3).grade = "B"
    with db.sessions() as s:
        after = linecache.get(s)
        assert after.amount is before.amount  # the lines were not read again
        assert margin(s, Actor.system(), grade_b, {"by": "customer"})["customer"].tolist() == ["C003", "C002"]


def test_merge_or_rewriting_import_forces_a_full_read(db):
    """The change feed says how the lines moved: an import batch alone leaves them, new lines are
    read from the bound the feed recorded, and a moved line (as a merge does) means a full read."""
    from crmdesk.db.models import ImportBatch, SalesLine

    build_tiny_shop(db)
    with db.sessions() as s:
        base = linecache.signature(s)
        newest = s.scalar(select(func.max(SalesLine.id)))
    with db.sessions.begin() as s:
        s.add(ImportBatch(file_name="a.csv", kind="sales", rows_updated=0, status="done"))
    with db.sessions() as s:
        assert linecache._change(s, base, linecache.signature(s)) == ("kept", None)
    _add_order(db, "O9", dt.date(2024, 3, 30), ["1"])
    with db.sessions() as s:
        assert linecache._change(s, base, linecache.signature(s)) == ("append", newest)
    with db.sessions.begin() as s:  # what a customer merge does to the lines
        s.execute(update(SalesLine).where(SalesLine.customer_id == 3).values(customer_id=2))
    with db.sessions() as s:
        assert linecache._change(s, base, linecache.signature(s)) == ("full", None)


def test_changed_newest_line_is_not_trusted(db):
    from crmdesk.db.models import SalesLine

    build_tiny_shop(db)
    with db.sessions() as s:
        base = linecache.signature(s)
    with db.sessions.begin() as s:  # as after restoring another history with the same ids
        s.get(SalesLine, 7).amount += 1
    with db.sessions() as s:
        assert linecache._change(s, base, linecache.signature(s)) == ("full", None)
