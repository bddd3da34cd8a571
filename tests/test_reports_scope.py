"""Reports and the dashboard per role: a salesperson's figures are exactly their customers'
lines in their product lines (line cache and SQL alike), counter staff never see cost, the
scheduler reads no report.

The shop: brands X and Y, each in categories 文具 and 纸品; customers in 广东省 (G1, G2),
浙江省 (Z1, Z2) and 四川省 (S1, owned by hand by sales B). Territories: A = 广东省 × 文具
(sales A), B = 浙江省, every product (sales B), X = brand X everywhere (sales X).
"""

from __future__ import annotations

import argparse
import datetime as dt
from contextlib import contextmanager

import pandas as pd
import pytest
from sqlalchemy import select

from crmdesk.db.models import (Customer, CustomerType, Product, Receipt, SalesLine, SalesOrder, StockSnapshot,
                               User)
from crmdesk.reports import linecache, registry
from crmdesk.reports.access import COST_COLUMNS, cost_columns, run_report
from crmdesk.reports.common import L, frame, sums_select
from crmdesk.reports.dashboard import dashboard_data
from crmdesk.reports.filters import ReportFilters
from crmdesk.services import territories
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied

D = dt.date
PRODUCTS = {  # code: (category, brand, list price, cost) in units of 0.0001 yuan
    "X1": ("文具", "X", 100_000, 60_000), "X2": ("纸品", "X", 300_000, 200_000),
    "Y1": ("文具", "Y", 500_000, 350_000), "Y2": ("纸品", "Y", 70_000, 30_000),
}
CUSTOMERS = {"G1": "广东省", "G2": "广东省", "Z1": "浙江省", "Z2": "浙江省", "S1": "四川省"}
ROLES = ("owner", "manager", "salesA", "salesB", "salesX", "counter")


def _lines() -> list[tuple[str, str, dt.date, int, int, int]]:
    """(customer, product, day, quantity, unit price, unit cost): every customer buys every
    product in two months, quantities differing so that no two sums coincide."""
    out = []
    for ci, cust in enumerate(CUSTOMERS):
        for pi, (code, (_cat, _brand, price, cost)) in enumerate(PRODUCTS.items()):
            for month in (1, 2):
                qty = 1 + ci * 3 + pi * 2 + month
                out.append((cust, code, D(2024, month, 3 + ci + pi), qty, price, cost))
    out.append(("G1", "X1", D(2024, 2, 20), -2, 100_000, 60_000))  # a return
    return out


def _expected(role: str) -> pd.DataFrame:
    """Revenue and cost per customer code, computed from the rows above with the role's rule."""
    def visible(cust: str, code: str) -> bool:
        category, brand = PRODUCTS[code][0], PRODUCTS[code][1]
        province = CUSTOMERS[cust]
        if role in ("owner", "manager", "counter"):
            return True
        if role == "salesA":
            return province == "广东省" and category == "文具"
        if role == "salesB":
            return province == "浙江省" or cust == "S1"
        if role == "salesX":
            return brand == "X"
        raise AssertionError(role)

    rows = [(c, q * p, q * k) for c, code, _d, q, p, k in _lines() if visible(c, code)]
    df = pd.DataFrame(rows, columns=["customer", "rev_u", "cost_u"]).groupby("customer").sum()
    return df


@pytest.fixture
def shop(db):
    """Build the shop, apply the territories; returns {role: Actor}."""
    with db.sessions.begin() as s:
        people = {r: User(username=r, display_name=r, role=("sales" if r.startswith("sales") else r))
                  for r in ROLES}
        s.add_all(people.values())
        dealer = s.scalar(select(CustomerType.id).where(CustomerType.code == "dealer"))
        prods = {code: Product(code=code, name=f"商品{code}", category=cat, brand=brand, list_price=price, cost=cost,
                               lead_time_days=7) for code, (cat, brand, price, cost) in PRODUCTS.items()}
        custs = {code: Customer(code=code, name=f"客户{code}", province=prov, type_id=dealer)
                 for code, prov in CUSTOMERS.items()}
        s.add_all([*prods.values(), *custs.values()])
        s.flush()
        for n, (cust, code, day, qty, price, cost) in enumerate(_lines()):
            order = SalesOrder(number=f"O{n}", order_date=day, customer_id=custs[cust].id,
                               doc_type="sale" if qty > 0 else "return", total_amount=qty * price)
            order.lines.append(SalesLine(line_no=1, product_id=prods[code].id, order_date=day,
                                         customer_id=custs[cust].id, quantity=qty, unit_price=price,
                                         amount=qty * price, cost_amount=qty * cost))
            s.add(order)
        s.add(Receipt(number="R1", receipt_date=D(2024, 2, 1), customer_id=custs["G1"].id, amount=1_000_000))
        for code in PRODUCTS:  # plenty of stock, sold slowly: every product is overstocked
            s.add(StockSnapshot(product_id=prods[code].id, snapshot_date=D(2024, 2, 28), warehouse="main",
                                quantity=10_000, cost_value=10_000 * PRODUCTS[code][3]))
        s.flush()
        ids = {r: u.id for r, u in people.items()}
        system = Actor.system()
        territories.save_and_apply(s, system, [
            territories.TerritoryDef(None, "A", 10, {"province": ("广东省",), "category": ("文具",)},
                                     (ids["salesA"],)),
            territories.TerritoryDef(None, "B", 20, {"province": ("浙江省",)}, (ids["salesB"],)),
            territories.TerritoryDef(None, "X", 200, {"brand": ("X",)}, (ids["salesX"],)),
        ])
        territories.set_manual(s, system, custs["S1"].id, owner_id=ids["salesB"])
    with db.sessions() as s:
        actors = {r: Actor.from_user(s.get(User, ids[r]), s) for r in ROLES}
    linecache.clear()
    return actors


def _by_customer(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index("customer")


@pytest.mark.parametrize("role", ["owner", "manager", "salesA", "salesB", "salesX"])
def test_margin_by_customer_is_exactly_the_roles_lines(db, shop, role):
    expected = _expected(role)
    with db.sessions() as s:
        got = _by_customer(run_report(s, shop[role], "margin", ReportFilters(), {"by": "customer"}))
        assert sorted(got.index) == sorted(expected.index)
        for code, row in expected.iterrows():
            assert round(got.at[code, "revenue"] * 10_000) == row["rev_u"]
            assert round(got.at[code, "cost"] * 10_000) == row["cost_u"]
        assert round(got["revenue"].sum() * 10_000) == expected["rev_u"].sum()
        # The SQL path counts the same lines.
        sql = frame(s, sums_select(ReportFilters(), shop[role], [L.customer_id], session=s))
        codes = dict(s.execute(select(Customer.id, Customer.code)).all())
        sql_rev = {codes[int(i)]: int(v) for i, v in zip(sql["customer_id"], sql["revenue_u"], strict=True)}
        sql_cost = {codes[int(i)]: int(v) for i, v in zip(sql["customer_id"], sql["cost_u"], strict=True)}
        assert sql_rev == {k: int(v) for k, v in expected["rev_u"].items()}
        assert sql_cost == {k: int(v) for k, v in expected["cost_u"].items()}


def test_sales_of_a_brand_territory_see_only_that_brand(db, shop):
    with db.sessions() as s:
        got = run_report(s, shop["salesX"], "margin", ReportFilters(), {"by": "brand"})
        assert list(got["brand"]) == ["X"]
        by_product = run_report(s, shop["salesX"], "margin", ReportFilters(), {"by": "product"})
        assert set(by_product["product"]) == {"X1", "X2"}


def test_scope_follows_a_rule_change_in_the_same_process(db, shop):
    with db.sessions() as s:
        before = run_report(s, shop["salesA"], "margin", ReportFilters(), {"by": "category"})
    assert list(before["category"]) == ["文具"]
    with db.sessions.begin() as s:
        defs = territories.list_territories(s)
        a = next(d for d in defs if d.name == "A")
        territories.save_and_apply(s, Actor.system(), [
            territories.TerritoryDef(a.id, "A", a.priority, {"province": ("广东省",), "category": ("纸品",)},
                                     a.salesperson_ids)])
    with db.sessions() as s:
        after = run_report(s, shop["salesA"], "margin", ReportFilters(), {"by": "category"})
    assert list(after["category"]) == ["纸品"]


def test_filters_combine_with_the_scope(db, shop):
    f = ReportFilters(brands=("Y",))
    with db.sessions() as s:
        got = run_report(s, shop["salesA"], "margin", f, {"by": "product"})
        assert set(got["product"]) == {"Y1"}  # 文具 of brand Y, 广东 customers only
        sql = frame(s, sums_select(f, shop["salesA"], [], session=s))
        assert int(sql["revenue_u"].iloc[0]) == round(got["revenue"].sum() * 10_000)


def test_customer_level_reports_list_only_the_salespersons_customers(db, shop):
    with db.sessions() as s:
        rec = run_report(s, shop["salesB"], "receivables", ReportFilters(as_of=D(2024, 3, 31)))
        assert set(rec["customer_code"]) == {"Z1", "Z2", "S1"}
        rec_a = run_report(s, shop["salesA"], "receivables", ReportFilters(as_of=D(2024, 3, 31)))
        # A balance is the customer's whole account, not only the salesperson's product lines.
        owner = run_report(s, shop["owner"], "receivables", ReportFilters(as_of=D(2024, 3, 31)))
        assert set(rec_a["customer_code"]) == {"G1", "G2"}
        assert (rec_a.set_index("customer_code")["balance"].sort_index().to_dict()
                == owner.set_index("customer_code").loc[["G1", "G2"], "balance"].to_dict())


def test_stock_reports_show_the_salespersons_product_lines(db, shop):
    f = ReportFilters(as_of=D(2024, 3, 31))
    with db.sessions() as s:
        assert set(run_report(s, shop["salesA"], "overstock", f)["product"]) == {"X1", "Y1"}
        assert set(run_report(s, shop["salesX"], "overstock", f)["product"]) == {"X1", "X2"}
        assert set(run_report(s, shop["salesB"], "overstock", f)["product"]) == set(PRODUCTS)
        counter = run_report(s, shop["counter"], "overstock", f)
        assert set(counter["product"]) == set(PRODUCTS)
        assert "stock_value" not in counter.columns and "margin_pct" not in counter.columns


@pytest.mark.parametrize("name", ["margin", "key-customers"])
def test_counter_is_refused_the_cost_reports(db, shop, name):
    with db.sessions() as s, pytest.raises(PermissionDenied):
        run_report(s, shop["counter"], name, ReportFilters())


REPORT_OPTIONS = {"statement": {"customer": "G1"}, "promotion-targets": {"product": "X1"}}


@pytest.mark.parametrize("name", sorted(registry.REPORTS))
def test_counter_never_gets_a_cost_column(db, shop, name):
    spec = registry.REPORTS[name]
    views = next((o.choices for o in spec.options if o.name in ("view", "by") and o.choices), (None,))
    with db.sessions() as s:
        if spec.needs_cost:
            with pytest.raises(PermissionDenied):
                run_report(s, shop["counter"], spec, ReportFilters())
            return
        for view in views:
            options = dict(REPORT_OPTIONS.get(name, {}))
            if view is not None:
                options[next(o.name for o in spec.options if o.choices == views)] = view
            df = run_report(s, shop["counter"], spec, ReportFilters(), options)
            hidden = cost_columns(spec) | COST_COLUMNS
            assert not (set(df.columns) & hidden), (name, view, set(df.columns) & hidden)


def test_owner_keeps_the_cost_columns(db, shop):
    with db.sessions() as s:
        trends = run_report(s, shop["owner"], "trends", ReportFilters())
        assert {"cost", "gross_profit", "margin_pct", "stock_value"} <= set(trends.columns)
        counter = run_report(s, shop["counter"], "trends", ReportFilters())
        assert list(counter.columns) == ["month", "revenue", "receivable_balance"]
        assert list(counter["revenue"]) == list(trends["revenue"])


def test_dashboard_per_role(db, shop):
    f = ReportFilters(date_from=D(2024, 1, 1), date_to=D(2024, 3, 31))
    with db.sessions() as s:
        for role in ("owner", "salesA", "salesB", "salesX"):
            d = dashboard_data(s, shop[role], f)
            assert round(d.kpi("revenue").value * 10_000) == _expected(role)["rev_u"].sum()
            exp = _expected(role)
            assert round(d.kpi("gross_profit").value * 10_000) == (exp["rev_u"] - exp["cost_u"]).sum()
        counter = dashboard_data(s, shop["counter"], f)
        owner = dashboard_data(s, shop["owner"], f)
    keys = {k.key for k in counter.kpis}
    assert not keys & {"gross_profit", "margin_pct", "stock_value"}
    assert counter.kpi("revenue").value == owner.kpi("revenue").value
    assert counter.pareto is None and counter.margin_by_brand is None
    assert list(counter.monthly.columns) == ["month", "revenue"]
    assert owner.pareto is not None and "gross_profit" in owner.monthly.columns


def test_scheduler_reads_no_report(db, shop):
    with db.sessions() as s:
        for name in registry.REPORTS:
            with pytest.raises(PermissionDenied):
                run_report(s, Actor.scheduler(), name, ReportFilters(), REPORT_OPTIONS.get(name))
        with pytest.raises(PermissionDenied):
            dashboard_data(s, Actor.scheduler(), ReportFilters())


def test_report_command_refuses_with_one_line_and_exit_2(db, shop, capsys):
    from crmdesk.commands import report_cmd
    from crmdesk.commands.base import CliError

    class Ctx:
        def __init__(self, actor):
            self.actor = actor

        @contextmanager
        def transaction(self):
            with db.sessions.begin() as s:
                yield s, self.actor

    for actor, name in ((Actor.scheduler(), "purchases"), (shop["counter"], "margin")):
        args = argparse.Namespace(list=False, report_name=name, report_args=[])
        with pytest.raises(CliError) as err:
            report_cmd.run(args, Ctx(actor))
        assert err.value.exit_code == 2
        assert "\n" not in str(err.value)
    report_cmd.run(argparse.Namespace(list=False, report_name="purchases", report_args=[]), Ctx(shop["salesA"]))
    out = capsys.readouterr().out
    assert "G1" in out and "Z1" not in out


def test_report_export_needs_the_right_and_is_audited(tmp_path, capsys, monkeypatch):
    """Counter staff read reports in the app; a file leaving it is refused for them and audited
    for the others (CLI --out)."""
    from cli_support import run_cli
    from sqlalchemy import select

    from crmdesk.db import open_database
    from crmdesk.db.models import AuditLog
    from crmdesk.demo import generate

    path = tmp_path / "shop.db"
    db = open_database(path)
    generate(db, customers=30, products=25, lines=300, seed=2)
    db.dispose()
    monkeypatch.setenv("CRMDESK_PASSWORD", "demo")
    out = tmp_path / "r.xlsx"
    code, _out, err = run_cli(capsys, "--db", str(path), "--user", "counter1", "report", "trends", "--out", str(out))
    assert code == 2 and "reports.export" in err and not out.exists()
    code, _out, err = run_cli(capsys, "--db", str(path), "--user", "counter1", "report", "trends")
    assert code == 0, err  # on screen (stdout) is fine
    code, _out, err = run_cli(capsys, "--db", str(path), "--user", "sales1", "report", "trends", "--out", str(out))
    assert code == 0 and out.exists(), err
    db = open_database(path)
    with db.sessions() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.field, AuditLog.new_value)
                         .where(AuditLog.entity == "reports")).all()
    db.dispose()
    assert rows == [("export", "trends", str(out))]
