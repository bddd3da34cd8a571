"""The Superstore sample after import reproduces its published totals."""

from __future__ import annotations

from crmdesk.importers.run import import_file
from crmdesk.reports import registry
from crmdesk.reports.filters import ReportFilters


def test_margin_by_category_matches_known_totals(db, owner, shared_data):
    result = import_file(db, owner, shared_data / "superstore_2014-2017.csv")
    assert result.ok, result.message
    with db.sessions() as s:
        df = registry.get("margin").fn(s, owner, ReportFilters(), {"by": "category"})
        total = registry.get("key-customers").fn(s, owner, ReportFilters(), {})
        segments = registry.get("margin").fn(s, owner, ReportFilters(), {"by": "customer_type"})
    got = {r.category: (r.revenue, r.gross_profit) for r in df.itertuples()}
    # README of the shared data: Sales / Profit per category
    assert got == {"Furniture": (741999.80, 18451.27), "Office Supplies": (719047.03, 122492.00),
                   "Technology": (836154.03, 145454.95)}
    assert len(total) == 793
    assert total["cumulative_share_pct"].iloc[-1] == 100.0
    by_segment = {r.customer_type: (r.revenue, r.gross_profit) for r in segments.itertuples()}
    # Consumer sales are exactly 1,161,401.345: half-up gives .35 where the README's float sum shows .34
    assert by_segment == {"Consumer": (1161401.35, 134119.21), "Corporate": (706146.37, 91979.13),
                          "Home Office": (429653.15, 60299.88)}
