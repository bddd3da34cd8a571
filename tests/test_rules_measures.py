"""Every condition measure on the tiny shop (tests/rules_support.py) against the hand-worked
values, and every operator of every kind."""

from __future__ import annotations

import math

import pytest

import crmdesk.rules  # noqa: F401
from crmdesk.rules import catalog, evaluate, measures
from crmdesk.rules.model import Condition
from crmdesk.services.actor import Actor
from tests.rules_support import T, build_shop

U = 10_000  # money units per yuan


@pytest.fixture
def shop(db):
    return build_shop(db)


@pytest.fixture
def frame(db, shop):
    keys = [k for k in catalog.DERIVED_KEYS] + list(catalog.CUSTOMER_KEYS) + ["field:level"]
    with db.sessions() as s:
        return measures.compute(s, Actor.system(), keys, as_of=T)


def _v(frame, cid, key):
    value = frame.df.at[cid, key]
    return None if isinstance(value, float) and math.isnan(value) else value


def test_purchase_measures(frame, shop):
    a1 = shop.a1
    assert _v(frame, a1, "days_since_purchase") == 210
    assert _v(frame, a1, "usual_interval_days") == 30
    assert _v(frame, a1, "silence_ratio") == pytest.approx(7.0)
    assert _v(frame, a1, "spend_12m") == 400 * U
    assert _v(frame, a1, "spend_prev_12m") == 1000 * U
    assert _v(frame, a1, "spend_change_pct") == pytest.approx(-60.0)
    assert _v(frame, a1, "orders_12m") == 4 and _v(frame, a1, "orders_total") == 5
    assert _v(frame, a1, "days_since_first_purchase") == 500
    assert _v(frame, shop.a2, "gross_profit_12m") == 20 * U
    assert _v(frame, shop.a2, "usual_interval_days") is None  # fewer than 3 purchase days
    assert _v(frame, shop.a2, "spend_change_pct") is None  # nothing the year before
    assert _v(frame, shop.n1, "days_since_purchase") is None and _v(frame, shop.n1, "orders_total") == 0
    assert _v(frame, shop.b1, "days_since_first_purchase") == 70
    assert _v(frame, a1, "rfm_segment") != ""
    assert _v(frame, shop.n1, "rfm_segment") == ""


def test_rfm_segment_matches_the_report(db, frame, shop):
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.reports.rfm import rfm_frames

    with db.sessions() as s:
        current, _prev = rfm_frames(s, Actor.system(), ReportFilters(as_of=T), 90)
    for cid in (shop.a1, shop.a2, shop.b1):
        assert frame.df.at[cid, "rfm_segment"] == current.at[cid, "segment"]


def test_balance_case_contact_measures(frame, shop):
    a1, a2, b1 = shop.a1, shop.a2, shop.b1
    assert _v(frame, a1, "overdue_amount") == 1400 * U
    assert _v(frame, a1, "credit_use_pct") == pytest.approx(140.0)
    assert _v(frame, b1, "credit_use_pct") is None  # no credit limit
    assert _v(frame, a2, "overdue_amount") == 0
    assert _v(frame, a1, "open_orders") == 1 and _v(frame, a2, "open_orders") == 0
    assert _v(frame, b1, "open_cases") == 1
    assert _v(frame, b1, "last_satisfaction") == 2
    assert frame.case_ids[b1] == shop.case_closed
    assert _v(frame, a2, "days_since_contact") == 5 and _v(frame, a1, "days_since_contact") is None


def test_customer_fields(frame, shop):
    assert frame.df.at[shop.a1, "customer_type"] == "dealer"
    assert frame.df.at[shop.a1, "grade"] == "A" and frame.df.at[shop.a1, "status"] == "active"
    assert frame.df.at[shop.a2, "owner"] == shop.s1_id
    assert frame.df.at[shop.a2, "field:level"] == "gold" and frame.df.at[shop.a1, "field:level"] == ""
    assert set(frame.pairs["tag"]["value"]) == {"VIP"}
    assert list(frame.pairs["territory"]["customer_id"]) == [shop.a2]


def _hits(db, frame, measure, op, value=None):
    with db.sessions() as s:
        specs = catalog.spec_map(catalog.measures(s, Actor.system()))
    mask = evaluate.condition_mask(frame, Condition(measure, op, value), specs[measure])
    return set(frame.df.index[mask].tolist())


def test_numeric_operators(db, frame, shop):
    a1, a2, b1, n1 = shop.a1, shop.a2, shop.b1, shop.n1
    assert _hits(db, frame, "days_since_purchase", ">", 100) == {a1}
    assert _hits(db, frame, "days_since_purchase", ">=", 70) == {a1, b1}
    assert _hits(db, frame, "days_since_purchase", "<", 70) == {a2}
    assert _hits(db, frame, "days_since_purchase", "<=", 70) == {a2, b1}
    assert _hits(db, frame, "days_since_purchase", "=", 10) == {a2}
    assert _hits(db, frame, "days_since_purchase", "!=", 10) == {a1, b1}  # never bought: no value, no match
    assert _hits(db, frame, "days_since_purchase", "is_empty") == {n1}
    assert _hits(db, frame, "days_since_purchase", "not_empty") == {a1, a2, b1}
    assert _hits(db, frame, "spend_12m", ">", 300) == {a1}  # money conditions are in yuan
    assert _hits(db, frame, "spend_change_pct", "<=", -30) == {a1}
    assert _hits(db, frame, "silence_ratio", ">=", 2) == {a1}
    assert _hits(db, frame, "credit_use_pct", ">", 100) == {a1}


def test_choice_multi_text_operators(db, frame, shop):
    a1, a2, b1, n1 = shop.a1, shop.a2, shop.b1, shop.n1
    assert _hits(db, frame, "customer_type", "=", "dealer") == {a1}
    assert _hits(db, frame, "customer_type", "!=", "dealer") == {a2, b1, n1}
    assert _hits(db, frame, "grade", "in", ["A", "C"]) == {a1, b1, n1}
    assert _hits(db, frame, "grade", "not_in", ["A"]) == {a2, n1}
    assert _hits(db, frame, "owner", "=", shop.s1_id) == {a1, a2}
    assert _hits(db, frame, "owner", "is_empty") == {n1}
    assert _hits(db, frame, "tag", "contains", "VIP") == {a2}
    assert _hits(db, frame, "tag", "in", ["VIP", "X"]) == {a2}
    assert _hits(db, frame, "tag", "not_in", ["VIP"]) == {a1, b1, n1}
    assert _hits(db, frame, "tag", "is_empty") == {a1, b1, n1}
    assert _hits(db, frame, "territory", "not_empty") == {a2}
    assert _hits(db, frame, "territory", "in", [shop.east_id]) == {a2}
    assert _hits(db, frame, "field:level", "=", "gold") == {a2}
    assert _hits(db, frame, "field:level", "is_empty") == {a1, b1, n1}
    assert _hits(db, frame, "status", "=", "active") == {a1, a2, b1, n1}
    assert _hits(db, frame, "rfm_segment", "is_empty") == {n1}


def test_catalog_lists_every_measure_with_help(db, shop):
    with db.sessions() as s:
        specs = catalog.measures(s, Actor.system())
    keys = {m.key for m in specs}
    assert set(catalog.DERIVED_KEYS) <= keys and set(catalog.CUSTOMER_KEYS) <= keys and "field:level" in keys
    assert all(m.label and m.help and m.ops for m in specs)
    assert dict(next(m for m in specs if m.key == "customer_type").choices)["dealer"]
