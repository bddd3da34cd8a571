"""Branches on PostgreSQL (the ``pgserver`` wheel; skipped with the reason when it cannot start):
migration 0015 (the stock key rebuilt), a two-branch demo chain and an import naming its branch
give the same branch figures as on SQLite."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from data_import.helpers import write
from pg_fixture import new_pg_database, pg_server  # noqa: F401 - the fixture, used by name
from sqlalchemy import select

from crmdesk.db import open_database
from crmdesk.db.models import Branch, StockSnapshot
from crmdesk.demo import generate
from crmdesk.importers import import_file
from crmdesk.reports import linecache
from crmdesk.reports.access import run_report
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

SIZES = dict(customers=30, products=25, lines=600, seed=4, end_date=dt.date(2026, 3, 31), branches=2)
STOCK = "物料代码,物料名称,计量单位,仓库,库存数量,库存金额,日期\nM1,笔,支,总仓,{qty},120,2026-04-30\n"


def _figures(db) -> dict:
    linecache.clear()
    with db.sessions() as s:
        ids = list(s.scalars(select(Branch.id).order_by(Branch.sort_order)))
        out = {"margin": run_report(s, Actor.system(), "margin", ReportFilters(), {"by": "branch"})}
        for b in ids:
            f = ReportFilters(branch_ids=(b,))
            out[f"receivables{b}"] = run_report(s, Actor.system(), "receivables", f, {})
            out[f"trends{b}"] = run_report(s, Actor.system(), "trends", f, {})
    return out


def test_branch_figures_are_the_same_on_postgresql(pg_server, tmp_path):  # noqa: F811
    lite = open_database(tmp_path / "chain.db")
    pg = open_database(new_pg_database(pg_server, "branches_chain"))
    try:
        for db in (lite, pg):
            generate(db, **SIZES)
            for code, qty in (("B1", 10), ("B2", 4)):
                r = import_file(db, Actor.system(), write(tmp_path, f"stock-{code}.csv", STOCK.format(qty=qty)),
                                branch=code)
                assert r.ok and r.added == 1, r.message
        a, b = _figures(lite), _figures(pg)
        assert a.keys() == b.keys()
        for key in a:
            pd.testing.assert_frame_equal(a[key], b[key], check_dtype=False)
        with pg.sessions() as s:
            counts = s.execute(select(StockSnapshot.branch_id, StockSnapshot.quantity)
                               .where(StockSnapshot.snapshot_date == dt.date(2026, 4, 30))
                               .order_by(StockSnapshot.branch_id)).all()
            assert [q for _b, q in counts] == [10.0, 4.0]
    finally:
        lite.dispose()
        pg.dispose()
