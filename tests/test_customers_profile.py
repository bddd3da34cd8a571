"""The customer form's data: financial summary, purchases by month, top categories and
brands, paged orders with lines, and the history."""

from __future__ import annotations

import datetime as dt

import pytest
from test_customers_support import add_order, add_receipt, make_customer, product

from crmdesk.money import to_units
from crmdesk.services.contacts import ContactInput, add_contact
from crmdesk.services.customer_profile import list_orders, load_profile

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def buyer(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店", credit_limit=to_units("2000"), payment_terms_days=30,
                            type_id=1, custom_values={1: "VIP-8"}).id
        pen = product(s, "P1", "书写工具", "晨光")
        paper = product(s, "P2", "纸品", "得力")
        folder = product(s, "P3", "文件管理", "得力")
        add_order(s, cid, dt.date(2025, 3, 10), ["100", "300"], products=[pen, paper])
        add_order(s, cid, dt.date(2026, 1, 5), ["200"], due=dt.date(2026, 2, 4), products=[pen])
        add_order(s, cid, dt.date(2026, 6, 20), ["600", "200"], due=dt.date(2026, 7, 20), products=[paper, folder])
        add_order(s, cid, dt.date(2026, 7, 2), ["999"], products=[pen])  # after as_of
        add_receipt(s, cid, dt.date(2026, 1, 20), "150")
        add_contact(s, owner, cid, ContactInput(name="王伟", is_primary=True))
        return cid


def test_profile_financial_and_purchases(db, owner, buyer):
    with db.sessions() as s:
        p = load_profile(s, owner, buyer, as_of=AS_OF)
    f = p.financial
    # Sales up to as_of 1400, paid 150 → 1250; overdue: 2025 order 400 + Jan order 200 − 150 = 450.
    assert (f.balance, f.overdue, f.total_sales, f.total_receipts) == (
        to_units("1250"), to_units("450"), to_units("1400"), to_units("150"))
    assert f.credit_use_pct == 62.5 and f.payment_terms_days == 30
    assert f.first_order_date == dt.date(2025, 3, 10)
    pur = p.purchases
    assert pur.this_year == 2026
    assert pur.by_month_this_year[0] == to_units("200") and pur.by_month_this_year[5] == to_units("800")
    assert pur.by_month_this_year[6] == 0  # July is after as_of
    assert pur.by_month_last_year[2] == to_units("400") and sum(pur.by_month_last_year) == to_units("400")
    # Last 12 months (2025-06-30 .. 2026-06-30): 200 pens, 600 paper, 200 folders.
    assert [(r.name, r.amount) for r in pur.top_categories] == [
        ("纸品", to_units("600")), ("书写工具", to_units("200")), ("文件管理", to_units("200"))]
    assert [(r.name, round(r.share, 3)) for r in pur.top_brands] == [("得力", 0.8), ("晨光", 0.2)]
    assert pur.order_count == 4
    assert p.basic.custom_values[1] == "VIP-8" and p.type_name == "零售客户"
    assert [c.name for c in p.contacts] == ["王伟"]
    assert p.orders[0].order_date == dt.date(2026, 7, 2) and len(p.orders[1].lines) == 2
    assert p.orders[1].lines[0].category == "纸品"
    fields = {h.field for h in p.history}
    assert {"name", "credit_limit", "contact", "custom:会员卡号"} <= fields
    assert all(h.user_name == "店主" for h in p.history)


def test_orders_are_paged(db, owner, buyer):
    with db.sessions() as s:
        first = list_orders(s, owner, buyer, 0, 3, with_lines=False)
        rest = list_orders(s, owner, buyer, 3, 3)
    assert len(first) == 3 and len(rest) == 1
    assert first[0].lines == () and rest[0].order_date == dt.date(2025, 3, 10)
    assert [ln.amount for ln in rest[0].lines] == [to_units("100"), to_units("300")]


def test_profile_without_credit_limit(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "新客户").id
    with db.sessions() as s:
        p = load_profile(s, owner, cid)
    assert p.financial.credit_use_pct is None and p.financial.balance == 0
    assert p.purchases.top_brands == [] and p.orders == []
