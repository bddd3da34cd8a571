"""A salesperson whose territory is limited to branch B1 sees none of branch B2's figures: not in
the reports (line cache and SQL paths), the dashboard, receivables, nor the customer's orders and
purchase summary. Customers G1 and G2 (广东省) buy at both branches; territory A covers 广东省 at
B1 only, territory ALL (sales B) 广东省 at every branch."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crmdesk.db.models import Customer, CustomerType, Product, Receipt, SalesLine, SalesOrder, User
from crmdesk.reports import linecache
from crmdesk.reports.access import run_report
from crmdesk.reports.common import frame, sums_select
from crmdesk.reports.dashboard import dashboard_data
from crmdesk.reports.filters import ReportFilters
from crmdesk.services import customer_profile, territories
from crmdesk.services.actor import Actor
from crmdesk.services.branches import BranchInfo, save_branch
from crmdesk.services.territories import TerritoryError

D = dt.date
# customer, branch, day, amount (units), cost (units)
SALES = [("G1", "B1", D(2024, 3, 1), 1_000_000, 600_000), ("G1", "B2", D(2024, 3, 2), 3_000_000, 2_000_000),
         ("G2", "B1", D(2024, 3, 3), 500_000, 300_000), ("G2", "B2", D(2024, 3, 4), 7_000_000, 5_000_000)]


@pytest.fixture
def shop(db):
    with db.sessions.begin() as s:
        system = Actor.system()
        branch = {code: save_branch(s, system, BranchInfo(None, code, code)) for code in ("B1", "B2")}
        people = {r: User(username=r, display_name=r, role="sales") for r in ("salesA", "salesB")}
        s.add_all(people.values())
        dealer = s.scalar(select(CustomerType.id).where(CustomerType.code == "dealer"))
        prod = Product(code="P1", name="笔", category="文具", brand="X", list_price=10_000, cost=6_000)
        custs = {c: Customer(code=c, name=f"客户{c}", province="广东省", type_id=dealer) for c in ("G1", "G2")}
        s.add_all([prod, *custs.values()])
        s.flush()
        for n, (cust, code, day, amount, cost) in enumerate(SALES):
            order = SalesOrder(number=f"O{n}", order_date=day, customer_id=custs[cust].id, total_amount=amount,
                               branch_id=branch[code], due_date=day)
            order.lines.append(SalesLine(line_no=1, product_id=prod.id, order_date=day, customer_id=custs[cust].id,
                                         quantity=1, unit_price=amount, amount=amount, cost_amount=cost))
            s.add(order)
        s.add(Receipt(number="R1", receipt_date=D(2024, 3, 10), customer_id=custs["G1"].id, amount=2_000_000,
                      branch_id=branch["B2"]))
        s.flush()
        ids = {r: u.id for r, u in people.items()}
        territories.save_and_apply(s, system, [
            territories.TerritoryDef(None, "A", 10, {"province": ("广东省",), "branch": ("B1",)}, (ids["salesA"],)),
            territories.TerritoryDef(None, "ALL", 20, {"province": ("广东省",)}, (ids["salesB"],)),
        ])
    with db.sessions() as s:
        actors = {r: Actor.from_user(s.get(User, ids[r]), s) for r in ids}
        actors["ids"] = {c: custs[c].id for c in custs}
    linecache.clear()
    return actors


def _units(yuan: float) -> int:
    return round(yuan * 10_000)


def test_branch_limited_salesperson_sees_only_that_branch_in_reports(db, shop):
    b1 = sum(a for _c, b, _d, a, _k in SALES if b == "B1")
    every = sum(a for *_x, a, _k in SALES)
    with db.sessions() as s:
        mine = run_report(s, shop["salesA"], "margin", ReportFilters(), {"by": "customer"})
        theirs = run_report(s, shop["salesB"], "margin", ReportFilters(), {"by": "customer"})
        assert _units(mine["revenue"].sum()) == b1
        assert _units(theirs["revenue"].sum()) == every
        # Asking for B2 gives nothing, not everything.
        b2_id = s.scalar(select(SalesOrder.branch_id).where(SalesOrder.number == "O1"))
        assert run_report(s, shop["salesA"], "margin", ReportFilters(branch_ids=(b2_id,)), {"by": "customer"}).empty
        # The SQL path counts the same lines.
        sql = frame(s, sums_select(ReportFilters(), shop["salesA"], [], session=s))
        assert int(sql["revenue_u"][0]) == b1
        by_branch = run_report(s, shop["salesA"], "margin", ReportFilters(), {"by": "branch"})
        assert list(by_branch["branch"]) == ["B1"]


def test_dashboard_and_receivables_leave_out_the_other_branch(db, shop):
    with db.sessions() as s:
        dash = dashboard_data(s, shop["salesA"], ReportFilters(date_from=D(2024, 1, 1), date_to=D(2024, 12, 31)))
        assert _units(dash.kpi("revenue").value) == 1_500_000
        owed = run_report(s, shop["salesA"], "receivables", ReportFilters(as_of=D(2024, 12, 31)), {})
        # B1's sales only; the receipt was taken at B2, so it does not pay them.
        assert _units(owed["balance"].sum()) == 1_500_000
        everyone = run_report(s, shop["salesB"], "receivables", ReportFilters(as_of=D(2024, 12, 31)), {})
        assert _units(everyone["balance"].sum()) == 11_500_000 - 2_000_000


def test_customer_orders_and_purchases_of_a_branch_limited_salesperson(db, shop):
    g2 = shop["ids"]["G2"]
    with db.sessions() as s:
        mine = customer_profile.list_orders(s, shop["salesA"], g2)
        all_orders = customer_profile.list_orders(s, shop["salesB"], g2)
        assert [o.number for o in mine] == ["O2"]
        assert sorted(o.number for o in all_orders) == ["O2", "O3"]
        summary = customer_profile.purchases_summary(s, shop["salesA"], g2, as_of=D(2024, 6, 30))
        assert sum(summary.by_month_this_year) == 500_000
        assert summary.order_count == 1


def test_a_territory_may_name_only_existing_branches(db, shop):
    with db.sessions.begin() as s, pytest.raises(TerritoryError, match="B7"):
        territories.save_and_apply(s, Actor.system(), [
            *territories.list_territories(s), territories.TerritoryDef(None, "Z", 30, {"branch": ("B7",)}, ())])
