"""Service cases by type and the monthly satisfaction trend, by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from crmdesk.db.models import Customer, CustomerType, ServiceCase
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.service import TREND_COLUMNS, TYPE_COLUMNS, service

T = dt.datetime
CASES = [
    # number, type, status, opened, closed, satisfaction
    ("K1", "complaint", "resolved", T(2026, 3, 1, 9), T(2026, 3, 2, 9), 2),  # 24 h
    ("K2", "complaint", "closed", T(2026, 3, 10, 8), T(2026, 3, 10, 20), 4),  # 12 h
    ("K3", "complaint", "open", T(2026, 3, 20, 10), None, None),
    ("R1", "repair", "closed", T(2026, 2, 25, 10), T(2026, 3, 4, 10), 5),  # 168 h
    ("R2", "repair", "in_progress", T(2026, 3, 15, 10), None, None),
    ("Q1", "consult", "closed", T(2026, 1, 5, 10), T(2026, 1, 5, 12), None),  # 2 h, not rated
]


@pytest.fixture
def cases(db, owner):
    with db.sessions.begin() as s:
        retail = s.query(CustomerType).filter_by(code="retail").one()
        c = Customer(code="C1", name="华联文具店")
        r = Customer(code="C2", name="散客", type_id=retail.id)
        s.add_all([c, r])
        s.flush()
        for number, kind, status, opened, closed, score in CASES:
            s.add(ServiceCase(number=number, customer_id=(r if number == "Q1" else c).id, case_type=kind,
                              subject=number, status=status, opened_at=opened, closed_at=closed,
                              satisfaction=score))
    return db


def _run(db, owner, view, f=ReportFilters()):
    with db.sessions() as s:
        return service(s, owner, f, {"view": view})


def test_by_type(cases, owner):
    df = _run(cases, owner, "by-type")
    assert list(df.columns) == TYPE_COLUMNS
    assert list(df["case_type"]) == ["complaint", "repair", "consult"]
    assert list(df["cases"]) == [3, 2, 1]
    assert list(df["open_cases"]) == [1, 1, 0]
    assert list(df["closed_cases"]) == [2, 1, 1]
    assert list(df["avg_hours_to_close"]) == [18.0, 168.0, 2.0]
    assert list(df["avg_days_to_close"]) == [0.75, 7.0, 0.08]
    assert list(df["rated"]) == [2, 1, 0]
    assert df["avg_satisfaction"].iloc[0] == 3.0 and df["avg_satisfaction"].iloc[1] == 5.0
    assert math.isnan(df["avg_satisfaction"].iloc[2])
    assert df.attrs["avg_satisfaction"] == 3.67


def test_by_type_date_range_and_customer_filter(cases, owner):
    march = _run(cases, owner, "by-type", ReportFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)))
    assert list(march["case_type"]) == ["complaint", "repair"]
    assert list(march["cases"]) == [3, 1]
    assert math.isnan(march["avg_hours_to_close"].iloc[1])
    retail = _run(cases, owner, "by-type", ReportFilters(customer_types=("retail",)))
    assert list(retail["case_type"]) == ["consult"]


def test_trend(cases, owner):
    df = _run(cases, owner, "trend")
    assert list(df.columns) == TREND_COLUMNS
    assert list(df["month"]) == ["2026-01", "2026-02", "2026-03"]
    assert list(df["opened"]) == [1, 1, 4]
    assert list(df["closed"]) == [1, 0, 3]
    assert df["avg_days_to_close"].iloc[0] == 0.08 and df["avg_days_to_close"].iloc[2] == 2.83  # 68 h
    assert list(df["rated"]) == [0, 0, 3]
    assert df["avg_satisfaction"].iloc[2] == 3.67
    assert math.isnan(df["avg_satisfaction"].iloc[0])


def test_bad_view(cases, owner):
    with pytest.raises(ReportError):
        _run(cases, owner, "pie")


def test_service_charts(cases, owner):
    from crmdesk.charts.part2_charts import service_chart

    fig = service_chart(_run(cases, owner, "trend"), {})
    assert len(fig.axes) == 2  # cases and satisfaction on twin axes
    assert list(fig.axes[1].get_lines()[0].get_ydata())[2] == 3.67
    by_type = service_chart(_run(cases, owner, "by-type"), {})
    assert len(by_type.axes[0].patches) == 6  # closed + open bars for 3 types


def test_a_case_resolved_on_the_desk_counts_as_closed_at_its_resolved_time(db, owner):
    """The service desk sets resolved_at on resolving and closed_at only on closing."""
    with db.sessions.begin() as s:
        c = Customer(code="C9", name="远福办公")
        s.add(c)
        s.flush()
        s.add(ServiceCase(number="D1", customer_id=c.id, case_type="delivery", subject="送货", status="resolved",
                          opened_at=T(2026, 5, 1, 9), resolved_at=T(2026, 5, 1, 15)))
    with db.sessions() as s:
        df = service(s, owner, ReportFilters(), {"view": "by-type"})
    row = df.set_index("case_type").loc["delivery"]
    assert (row["cases"], row["open_cases"], row["closed_cases"]) == (1, 0, 1)
    assert row["avg_hours_to_close"] == pytest.approx(6.0)
