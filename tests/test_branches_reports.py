"""Every report filters by branch: on a two-branch demo chain (``crmdesk demo --branches 2``) each
report of the registry is run unfiltered and once per branch. Where a column adds up, the
branches' sums equal the unfiltered sum; the reports about opportunities, cases and contacts
(``ReportSpec.branches`` False) give the same rows whatever the branch; the others are checked to
narrow (no branch shows more sales than the shop). ``margin --by branch`` and the dashboard agree
with SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import func, select

from crmdesk.db.models import Branch, Receipt, SalesLine, SalesOrder, StockSnapshot
from crmdesk.reports import linecache, registry
from crmdesk.reports.access import run_report
from crmdesk.reports.common import L, frame, sums_select
from crmdesk.reports.dashboard import dashboard_data
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

END = dt.date(2026, 6, 30)
SIZES = dict(customers=150, products=60, lines=3000, seed=11)

# Columns that add up over the branches, per report. A report missing from here and from
# NOT_ADDITIVE fails the test: a new report must say how it meets the branch filter.
ADDITIVE = {
    "margin": ("revenue", "cost", "gross_profit", "quantity"),
    "profit": ("revenue", "cost", "gross_profit"),
    "profit-curve": ("profit",),
    "cost-to-serve": ("revenue", "gross_profit", "orders", "lines", "returns"),
    "key-customers": ("revenue", "cost", "gross_profit"),
    "rfm": ("monetary", "frequency"),
    "preferences": ("revenue_12m", "previous_12m"),
    "purchases": ("orders", "quantity", "amount"),
    "trends": ("revenue", "receivable_balance", "stock_value"),
    "receivables": ("balance", "age_0_30", "age_31_60", "age_61_90", "age_over_90"),
    "statement": ("order_amount", "receipt_amount"),
    "fulfilment": ("ordered_qty", "shipped_qty", "amount"),
    "lifetime": ("frequency", "monetary"),
}
# Thresholds and models: a branch's own stock against its own sales is not a share of the shop's.
NOT_ADDITIVE = {"restock", "overstock", "promotion-targets"}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    from crmdesk.db import open_database
    from crmdesk.demo import generate

    db = open_database(tmp_path_factory.mktemp("chain") / "chain.db")
    generate(db, end_date=END, branches=2, **SIZES)
    linecache.clear()
    yield db
    db.dispose()


def _ids(db) -> list[int]:
    with db.sessions() as s:
        return list(s.scalars(select(Branch.id).order_by(Branch.sort_order)))


def _options(s, name: str) -> dict:
    if name == "statement":  # the customer with the most orders
        cid = s.scalar(select(SalesOrder.customer_id).group_by(SalesOrder.customer_id)
                       .order_by(func.count().desc()).limit(1))
        from crmdesk.db.models import Customer

        return {"customer": s.get(Customer, cid).code}
    return {}


def _base(s, name: str) -> ReportFilters:
    if name == "promotion-targets":  # needs a product filter
        from crmdesk.db.models import Product

        return ReportFilters(categories=(s.scalar(select(Product.category).limit(1)),))
    return ReportFilters()


def test_every_order_receipt_and_stock_count_has_a_branch(chain):
    with chain.sessions() as s:
        assert len(_ids(chain)) == 2
        for model in (SalesOrder, Receipt, StockSnapshot):
            assert s.scalar(select(func.count()).select_from(model).where(model.branch_id.is_(None))) == 0
            per = dict(s.execute(select(model.branch_id, func.count()).group_by(model.branch_id)).all())
            assert len(per) == 2 and min(per.values()) > 0, model.__tablename__


@pytest.mark.parametrize("name", sorted(registry.REPORTS))
def test_every_report_meets_the_branch_filter(chain, name):
    spec = registry.get(name)
    branches = _ids(chain)
    owner = Actor.system()
    with chain.sessions() as s:
        opts, base = _options(s, name), _base(s, name)
        whole = run_report(s, owner, spec, base, opts)
        parts = [run_report(s, owner, spec, base.with_(branch_ids=(b,)), opts) for b in branches]
    if not spec.branches:
        for part in parts:
            pd.testing.assert_frame_equal(part, whole)
        return
    assert name in ADDITIVE or name in NOT_ADDITIVE, f"{name}: say how it meets the branch filter"
    if name in NOT_ADDITIVE:
        for part in parts:  # every row is a row the report could show: products, with their columns
            assert list(part.columns) == list(whole.columns)
        return
    assert len(whole) > 0, f"{name} has no rows on the demo chain"
    for column in ADDITIVE[name]:
        total = float(pd.to_numeric(whole[column]).sum())
        split = sum(float(pd.to_numeric(p[column]).sum()) for p in parts)
        # Each row is rounded to fen (or 2 decimals): allow that much per row, no more.
        slack = 0.006 * (len(whole) + sum(len(p) for p in parts)) + 1e-9
        assert split == pytest.approx(total, abs=slack), (name, column, total, split)
    if "revenue" in ADDITIVE[name]:
        for part in parts:  # each branch holds a real share, not everything or nothing
            assert 0 < float(part["revenue"].sum()) < float(whole["revenue"].sum())


def test_margin_by_branch_equals_sql(chain):
    with chain.sessions() as s:
        df = run_report(s, Actor.system(), "margin", ReportFilters(), {"by": "branch"})
        labels = {b.id: f"{b.code} {b.name}" for b in s.scalars(select(Branch))}
        o = SalesOrder.__table__.c
        sql = frame(s, select(o.branch_id, func.sum(L.amount).label("rev"), func.sum(L.cost_amount).label("cost"))
                    .join_from(SalesLine.__table__, SalesOrder.__table__, o.id == L.order_id).group_by(o.branch_id))
    got = df.set_index("branch")
    assert sorted(got.index) == sorted(labels.values())
    for row in sql.itertuples():
        assert round(got.at[labels[row.branch_id], "revenue"] * 10_000) == pytest.approx(int(row.rev), abs=50)
        assert round(got.at[labels[row.branch_id], "cost"] * 10_000) == pytest.approx(int(row.cost), abs=50)


def test_profit_by_branch_and_the_sql_path_filter_alike(chain):
    b1 = _ids(chain)[0]
    with chain.sessions() as s:
        by_branch = run_report(s, Actor.system(), "profit", ReportFilters(), {"by": "branch"}).set_index("branch")
        f = ReportFilters(branch_ids=(b1,))
        cached = run_report(s, Actor.system(), "margin", f, {"by": "category"})
        sql = frame(s, sums_select(f, Actor.system(), [], session=s))
        label = next(lbl for lbl in by_branch.index if lbl.startswith(s.get(Branch, b1).code + " "))
    assert round(cached["revenue"].sum() * 100) == pytest.approx(round(int(sql["revenue_u"][0]) / 100), abs=len(cached))
    assert by_branch.at[label, "revenue"] == pytest.approx(cached["revenue"].sum(), abs=0.01 * len(cached))


def test_dashboard_figures_add_up_over_branches(chain):
    branches = _ids(chain)
    with chain.sessions() as s:
        whole = dashboard_data(s, Actor.system(), ReportFilters())
        parts = [dashboard_data(s, Actor.system(), ReportFilters(branch_ids=(b,))) for b in branches]
    for key in ("revenue", "gross_profit", "orders", "receivables", "stock_value"):
        if not whole.has_kpi(key):
            continue
        total = whole.kpi(key).value
        assert sum(p.kpi(key).value for p in parts) == pytest.approx(total, abs=0.02), key
        assert all(p.kpi(key).value < total for p in parts), key


def test_report_cli_takes_branch_codes_and_refuses_an_unknown_one(chain):
    from crmdesk.commands.report_cmd import report_parser
    from crmdesk.reports.cli_options import filters_from_args
    from crmdesk.reports.common import ReportError

    spec = registry.get("margin")
    with chain.sessions() as s:
        codes = list(s.scalars(select(Branch.code).order_by(Branch.sort_order)))
        args = report_parser(spec).parse_args(["--branch", f"{codes[0]},{codes[1].lower()}"])
        assert set(filters_from_args(args, s).branch_ids) == set(_ids(chain))
        with pytest.raises(ReportError, match="no branch with code 'NOPE'; branches: " + ", ".join(codes)):
            filters_from_args(report_parser(spec).parse_args(["--branch", "NOPE"]), s)


def test_the_default_demo_has_no_branches(demo_db_file):
    con = sqlite3.connect(demo_db_file)
    try:
        assert con.execute("SELECT COUNT(*) FROM branches").fetchone() == (0,)
        for table in ("sales_orders", "receipts", "stock_snapshots"):
            assert con.execute(f"SELECT COUNT(*) FROM {table} WHERE branch_id IS NOT NULL").fetchone() == (0,)
    finally:
        con.close()


def test_demo_branches_option_is_checked(tmp_path, capsys):
    from crmdesk.cli import main

    base = ["--db", str(tmp_path / "d.db"), "demo", "--customers", "10", "--products", "20", "--lines", "100"]
    assert main([*base, "--branches", "10"]) == 2
    assert "--branches must be 1 to 9" in capsys.readouterr().err
    assert main([*base, "--branches", "3", "--quiet", "--end-date", "2026-01-31"]) == 0
    con = sqlite3.connect(tmp_path / "d.db")
    try:
        assert [r[0] for r in con.execute("SELECT code FROM branches ORDER BY sort_order")] == ["B1", "B2", "B3"]
        assert con.execute("SELECT COUNT(DISTINCT branch_id) FROM sales_orders").fetchone() == (3,)
    finally:
        con.close()
