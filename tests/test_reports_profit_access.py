"""Who sees profit (issue 15): counter staff none of it, a salesperson only their customers'
(with the same shop-wide shares), and the CLI's columns."""

from __future__ import annotations

import csv
import io

import pytest
from cli_support import run_cli as run_any_cli
from sqlalchemy import select
from test_reports_profit_data import build_profit_shop

from crmdesk.db.models import User
from crmdesk.reports.access import run_report
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied

PROFIT_REPORTS = ["profit", "profit-curve", "cost-to-serve"]


@pytest.fixture
def shop(db):
    return build_profit_shop(db)


def _actor(db, role: str) -> Actor:
    with db.sessions.begin() as s:
        if role == "sales":
            user = s.scalar(select(User).where(User.username == "zhang"))  # owner of C001
        else:
            user = User(username=role, display_name=role, role=role)
            s.add(user)
            s.flush()
        return Actor.from_user(user, s)


@pytest.mark.parametrize("name", PROFIT_REPORTS)
def test_counter_is_refused(db, shop, name):
    counter = _actor(db, "counter")
    with db.sessions() as s, pytest.raises(PermissionDenied):
        run_report(s, counter, name, ReportFilters())


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_see_every_customer_and_the_overhead(db, shop, role):
    actor = _actor(db, role)
    with db.sessions() as s:
        df = run_report(s, actor, "profit", ReportFilters(), {"by": "customer"})
    assert df["customer"].tolist() == ["C003", "C001", "C002", "C004", "(overhead)"]


def test_salesperson_sees_only_their_customers_with_shop_wide_shares(db, shop):
    zhang = _actor(db, "sales")
    with db.sessions() as s:
        df = run_report(s, zhang, "profit", ReportFilters(), {"by": "customer"})
        curve = run_report(s, zhang, "profit-curve", ReportFilters())
        cts = run_report(s, zhang, "cost-to-serve", ReportFilters())
    # C001's figures are the owner's (the rent is not piled onto one salesperson's customers); no overhead row
    assert [tuple(r) for r in df[["customer", "direct_expenses", "allocated_expenses", "profit"]].values] == [
        ("C001", 300.0, 192.67, 167.33)]
    assert curve["customer"].tolist() == ["C001"] and curve["cum_profit_pct"].tolist() == [100.0]
    assert cts["customer"].tolist() == ["C001"]


def test_customer_filter_keeps_whole_customers_and_no_overhead(db, shop):
    with db.sessions() as s:
        df = run_report(s, Actor.system(), "profit", ReportFilters(customer_types=("retail",)), {"by": "customer"})
    assert [tuple(r) for r in df[["customer", "profit"]].values] == [("C002", 45.33), ("C004", -46.67)]


def test_product_filter_keeps_the_expense_share_of_the_kept_lines(db, shop):
    # 纸品 = P2: C001 300 of its 1700 revenue, C003 600 of 1050; C004 bought none
    with db.sessions() as s:
        df = run_report(s, Actor.system(), "profit", ReportFilters(categories=("纸品",)), {"by": "customer"})
    assert df["customer"].tolist() == ["C003", "C001"]
    # C003's expenses 1,200,000 × 600/1050 = 685,714.29 → 68.57 yuan
    c003 = df.set_index("customer").loc["C003"]
    assert c003["direct_expenses"] + c003["allocated_expenses"] == pytest.approx(68.57, abs=0.011)


def run_cli(capsys, dbfile, *args):
    return run_any_cli(capsys, "--db", dbfile, "report", *args)


@pytest.mark.parametrize("by", ["customer", "product", "brand", "month"])
def test_cli_profit_columns(db, shop, capsys, by):
    code, out, err = run_cli(capsys, str(db.file_path), "profit", "--by", by)
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    names = [f"{by}_name"] if by in ("customer", "product") else []
    assert table[0] == [by, *names, "revenue", "cost", "gross_profit", "direct_expenses", "allocated_expenses",
                        "profit", "profit_margin_pct"]
    assert table[-1][0] == "(overhead)"


def test_cli_curve_and_cost_to_serve(db, shop, capsys, tmp_path):
    code, out, err = run_cli(capsys, str(db.file_path), "profit-curve")
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["rank", "customer", "customer_name", "profit", "cum_profit", "cum_profit_pct",
                        "cum_customers_pct"]
    assert table[1][:2] == ["1", "C003"]
    code, out, err = run_cli(capsys, str(db.file_path), "profit-curve", "--losers")
    assert code == 0 and [r[1] for r in csv.reader(io.StringIO(out))][1:] == ["C004"]
    png = tmp_path / "whale.png"
    code, _, err = run_cli(capsys, str(db.file_path), "profit-curve", "--out", str(png))
    assert code == 0, err
    assert png.stat().st_size > 1000
    code, out, err = run_cli(capsys, str(db.file_path), "cost-to-serve")
    assert code == 0, err
    header = next(csv.reader(io.StringIO(out)))
    assert header[:2] == ["customer", "customer_name"] and "返利" in header and header[-1] == "profit"


def test_key_customers_by_profit(db, shop):
    with db.sessions() as s:
        gp = run_report(s, Actor.system(), "key-customers", ReportFilters())
        df = run_report(s, Actor.system(), "key-customers", ReportFilters(), {"measure": "profit"})
    assert gp["customer_code"].tolist() == ["C001", "C003", "C002", "C004"] and "profit" not in gp  # unchanged
    assert df["customer_code"].tolist() == ["C003", "C001", "C002", "C004"]
    assert df["profit"].tolist() == [230.0, 167.33, 45.33, -46.67]
    # shares of the customers' profit 396: 230 → 58.08 %
    assert df["gp_share_pct"].iloc[0] == 58.08 and df["abc_class"].tolist()[-1] == "C"


def test_rfm_by_profit(db, shop):
    with db.sessions() as s:
        plain = run_report(s, Actor.system(), "rfm", ReportFilters())
        df = run_report(s, Actor.system(), "rfm", ReportFilters(), {"measure": "profit"})
        with pytest.raises(PermissionDenied):
            run_report(s, _actor(db, "counter"), "rfm", ReportFilters(), {"measure": "profit"})
    money = dict(zip(df["customer_code"], df["monetary"], strict=True))
    assert money == {"C003": 230.0, "C001": 167.33, "C002": 45.33, "C004": -46.67}
    assert dict(zip(plain["customer_code"], plain["monetary"], strict=True))["C001"] == 1700.0
