"""dashboard_data on the tiny shop, and the line cache noticing new data."""

from __future__ import annotations

import datetime as dt

from test_reports_tiny_data import build_tiny_shop

from crmdesk.db.models import SalesLine, SalesOrder
from crmdesk.money import to_units
from crmdesk.reports.dashboard import dashboard_data
from crmdesk.reports.filters import ReportFilters
from crmdesk.services.actor import Actor

Q1 = ReportFilters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 3, 31))


def test_kpis_and_series(db):
    build_tiny_shop(db)
    with db.sessions() as s:
        d = dashboard_data(s, Actor.system(), Q1)
    # previous period of equal length (91 days): 2023-10-02 .. 2023-12-31, empty
    assert (d.previous_from, d.previous_to) == (dt.date(2023, 10, 2), dt.date(2023, 12, 31))
    assert d.kpi("revenue").value == 2950.0 and d.kpi("revenue").previous == 0.0
    assert d.kpi("gross_profit").value == 1090.0
    assert d.kpi("margin_pct").value == 36.95  # 1090 / 2950
    assert d.kpi("orders").value == 4  # O1..O4 (the return is not an order)
    assert d.kpi("active_customers").value == 3
    assert d.kpi("receivables").value == 1950.0  # 900 + 0 + 1050
    assert d.kpi("overdue").value == 400.0  # C001's remaining 400 of O1, 86 days old
    assert d.kpi("stock_value").value == 26140.0
    assert d.ageing == {"age_0_30": 1550.0, "age_31_60": 0.0, "age_61_90": 400.0, "age_over_90": 0.0}
    assert (d.restock_count, d.overstock_count) == (1, 2)
    assert d.monthly["gross_profit"].tolist() == [500.0, 80.0, 510.0]
    assert d.pareto["customer_code"].tolist() == ["C001", "C003", "C002"]
    assert d.pareto["cumulative_share_pct"].tolist() == [60.55, 92.66, 100.0]
    assert d.margin_by_brand[["brand", "gross_profit"]].values.tolist() == [["得力", 580.0], ["晨光", 510.0]]


def test_change_against_previous_period_and_filters(db):
    build_tiny_shop(db)
    march = ReportFilters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    with db.sessions() as s:
        d = dashboard_data(s, Actor.system(), march)
        dealers = dashboard_data(s, Actor.system(), march.with_(customer_types=("dealer",)))
    # March 1450 vs the 31 days before (Jan 30 .. Feb 29): O2 200 → +625 %
    rev = d.kpi("revenue")
    assert (rev.value, rev.previous, rev.change_pct) == (1450.0, 200.0, 625.0)
    # receivables at 03-31 (1950) vs 02-29 (500)
    assert (d.kpi("receivables").value, d.kpi("receivables").previous) == (1950.0, 500.0)
    # dealers = C001 only: March 500 − 100 = 400; its balance 900
    assert dealers.kpi("revenue").value == 400.0
    assert dealers.kpi("receivables").value == 900.0


def test_new_lines_invalidate_the_cache(db):
    build_tiny_shop(db)
    with db.sessions() as s:
        before = dashboard_data(s, Actor.system(), Q1).kpi("revenue").value
    with db.sessions.begin() as s:
        first = s.get(SalesOrder, 1)
        order = SalesOrder(number="O5", order_date=dt.date(2024, 3, 20), customer_id=first.customer_id,
                           total_amount=to_units("10"))
        order.lines.append(SalesLine(line_no=1, product_id=1, order_date=order.order_date,
                                     customer_id=first.customer_id, quantity=1, unit_price=to_units("10"),
                                     amount=to_units("10"), cost_amount=to_units("6")))
        s.add(order)
    with db.sessions() as s:
        assert dashboard_data(s, Actor.system(), Q1).kpi("revenue").value == before + 10
