"""Opportunities across the pipeline stages, and service cases with the
customers' satisfaction (improving a little over the years)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, select

from crmdesk.db.models import CaseStatus, CaseType, OpportunityStage
from crmdesk.demo.activity import pick_customers, staff_for
from crmdesk.demo.activity_words import CASE_SHARE, CASES, FEEDBACK, LOST_REASONS, OPPORTUNITY_NAMES, \
    OPPORTUNITY_SOURCES
from crmdesk.demo.calendar import DemoCalendar, datetimes, doc_numbers
from crmdesk.demo.customer_rows import CustomerSales
from crmdesk.demo.customers import CustomerFrame
from crmdesk.demo.sales import SalesFrame
from crmdesk.money import MONEY_SCALE

OPEN, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (s.value for s in CaseStatus)
OPEN_FOR_DAYS = 120  # opportunities opened more recently than this are mostly still open


def stage_ids(conn: Connection) -> tuple[list[int], int, int]:
    """(open stage ids in order, won stage id, lost stage id) from the seeded stages."""
    rows = conn.execute(select(OpportunityStage.id, OpportunityStage.is_won, OpportunityStage.is_lost)
                        .order_by(OpportunityStage.sort_order, OpportunityStage.id)).all()
    open_ids = [r.id for r in rows if not r.is_won and not r.is_lost]
    won = next(r.id for r in rows if r.is_won)
    lost = next(r.id for r in rows if r.is_lost)
    return open_ids, won, lost


def build_opportunities(rng: np.random.Generator, conn: Connection, cust: CustomerFrame, summary: CustomerSales,
                        cal: DemoCalendar, manager_id: int, first_id: int) -> tuple[dict, dict[int, tuple[int, int]]]:
    """Opportunity columns and, per customer index, (its latest opportunity id, opened day)."""
    open_ids, won, lost = stage_ids(conn)
    n = max(6, int(cust.n * 0.15))
    who = pick_customers(rng, cust, n, retail_weight=0.02)
    first = np.maximum(cust.join_day[who], 0)
    opened = first + (rng.random(n) * (cal.days - first)).astype(np.int64)
    end = cal.days - 1
    recent = opened >= end - OPEN_FOR_DAYS
    u = rng.random(n)
    is_open = recent & (u < 0.8)
    is_won = ~is_open & (rng.random(n) < 0.55)
    stage = np.where(is_open, np.array(open_ids)[rng.integers(0, len(open_ids), n)], np.where(is_won, won, lost))
    if n >= 6:  # every stage shows in the pipeline even in a tiny demo
        stage[: len(open_ids) + 2] = [*open_ids, won, lost][: n]
        is_open[: len(open_ids) + 2] = [True] * len(open_ids) + [False, False]
        opened[: len(open_ids)] = np.maximum(opened[: len(open_ids)], end - 60)
    closed_day = np.minimum(opened + rng.integers(10, 91, n), end)
    expected = opened + rng.integers(20, 121, n)
    base = np.maximum(summary.revenue[who] / 6, 2_000 * MONEY_SCALE)
    amount = (np.round(base * rng.lognormal(0, 0.5, n) / (100 * MONEY_SCALE)) * 100 * MONEY_SCALE).astype(np.int64)
    years = cal.to_dates(opened).astype("datetime64[Y]").astype(int) + 1970
    names = [f"{y}年{OPPORTUNITY_NAMES[k]}" for y, k in
             zip(years.tolist(), rng.integers(0, len(OPPORTUNITY_NAMES), n).tolist(), strict=True)]
    is_lost = stage == lost
    reasons = np.array(LOST_REASONS, dtype=object)[rng.integers(0, len(LOST_REASONS), n)]
    opened_at = datetimes(cal.to_dates(opened), np.full(n, 10 * 3600))
    closed_at = datetimes(cal.to_dates(closed_day), np.full(n, 17 * 3600))
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    latest: dict[int, tuple[int, int]] = {}
    for c, i, d in zip(who.tolist(), ids.tolist(), opened.tolist(), strict=True):
        if c not in latest or latest[c][1] < d:
            latest[c] = (i, d)
    closed_dates = cal.to_dates(closed_day).tolist()
    return {
        "id": ids,
        "customer_id": cust.ids[who],
        "owner_id": np.where(cust.owner_id[who] > 0, cust.owner_id[who], manager_id),
        "stage_id": stage,
        "name": names,
        "amount": amount,
        "expected_close": cal.to_dates(expected),
        "opened_on": cal.to_dates(opened),
        "closed_on": [None if o else d for o, d in zip(is_open.tolist(), closed_dates, strict=True)],
        "source": np.array(OPPORTUNITY_SOURCES, dtype=object)[rng.integers(0, len(OPPORTUNITY_SOURCES), n)],
        "lost_reason": np.where(is_lost, reasons, ""),
        "notes": [""] * n,
        "created_at": opened_at,
        "updated_at": [a if o else c for a, c, o in zip(opened_at, closed_at, is_open.tolist(), strict=True)],
    }, latest


def case_sla(conn: Connection) -> dict[str, tuple[int, int, int]]:
    """type code → SLA hours (high, normal, low) from the seeded case types."""
    rows = conn.execute(select(CaseType.code, CaseType.sla_hours_high, CaseType.sla_hours_normal,
                               CaseType.sla_hours_low)).all()
    return {code: (high, normal, low) for code, high, normal, low in rows}


def _case_statuses(rng: np.random.Generator, opened: np.ndarray, end: int) -> np.ndarray:
    """Recent cases are being worked on (new, in progress, waiting) or resolved; older ones are
    closed, a few still only resolved. Every state shows even in a tiny demo."""
    n = len(opened)
    recent = opened >= end - 20
    u = rng.random(n)
    status = np.where(recent, np.select([u < 0.3, u < 0.55, u < 0.7], [OPEN, IN_PROGRESS, WAITING], RESOLVED),
                      np.where(u < 0.94, CLOSED, RESOLVED)).astype(object)
    every = [OPEN, IN_PROGRESS, WAITING, RESOLVED, CLOSED]
    if n >= len(every) and not set(every) <= set(status.tolist()):
        latest = np.argsort(opened, kind="stable")[-len(every):]
        status[latest] = every
    return status


def build_cases(rng: np.random.Generator, cust: CustomerFrame, sales: SalesFrame, cal: DemoCalendar,
                first_contact: np.ndarray, fallback_staff: list[int], first_id: int,
                sla: dict[str, tuple[int, int, int]] | None = None) -> dict:
    """Case columns: due date from the type's SLA (some cases still open are past it),
    resolved/closed times, satisfaction and feedback on the closed ones."""
    sale_docs = np.flatnonzero(~sales.doc_is_return)
    n = max(5, int(cust.n * 0.08)) if len(sale_docs) else 0
    doc = np.sort(rng.choice(sale_docs, n)) if n else np.empty(0, dtype=np.int64)
    who = sales.doc_customer[doc]
    end = cal.days - 1
    opened = np.minimum(sales.doc_day[doc] + rng.integers(1, 21, n), end)
    fresh = rng.permutation(n)[: max(2, n // 10)]  # some cases are still being worked on
    opened[fresh] = np.maximum(opened[fresh], end - rng.integers(0, 15, len(fresh)))
    status = _case_statuses(rng, opened, end)
    # Half the cases still being worked on came in the last few days: within their SLA.
    active = np.isin(status, (OPEN, IN_PROGRESS, WAITING)) & (rng.random(n) < 0.5)
    opened[active] = np.maximum(opened[active], end - rng.integers(0, 3, int(active.sum())))
    in_time = np.argsort(opened, kind="stable")
    doc, who, opened, status = doc[in_time], who[in_time], opened[in_time], status[in_time]
    types = list(CASE_SHARE)
    share = np.array([CASE_SHARE[t] for t in types])
    type_idx = rng.choice(len(types), n, p=share)
    case_types = [types[t] for t in type_idx.tolist()]
    texts = [CASES[t][k % len(CASES[t])] for t, k in zip(case_types, rng.integers(0, 100, n).tolist(), strict=True)]
    priority = np.where(type_idx == 0, 1, rng.choice([1, 2, 2, 3], n))
    open_seconds = rng.integers(8 * 3600, 18 * 3600, n)
    opened_at = cal.to_dates(opened).astype("datetime64[s]") + open_seconds.astype("timedelta64[s]")
    duration = rng.integers(3600, 10 * 86400, n).astype("timedelta64[s]")
    end_of_history = np.datetime64(cal.end_date, "s") + np.timedelta64(86399, "s")
    closed_at = np.minimum(opened_at + duration, end_of_history)
    resolved_at = np.maximum(opened_at, closed_at - (duration * rng.uniform(0.0, 0.3, n)).astype("timedelta64[s]"))
    sla = sla or {}
    hours = np.array([sla.get(t, (24, 72, 168))[p - 1] for t, p in
                      zip(case_types, priority.tolist(), strict=True)], dtype=np.int64)
    due_at = opened_at + (hours * 3600).astype("timedelta64[s]")
    # Service got better over the years: satisfaction drifts up; complaints score lower.
    trend = 3.4 + 0.9 * opened / max(1, cal.days)
    score = np.clip(np.round(trend - 0.5 * (type_idx == 0) + rng.normal(0, 0.9, n)), 1, 5).astype(np.int64)
    rated = status == CLOSED
    done = rated | (status == RESOLVED)
    feedback = [FEEDBACK[s][k % 2] if r else "" for s, k, r in
                zip(score.tolist(), rng.integers(0, 2, n).tolist(), rated.tolist(), strict=True)]
    # A few new cases still wait in the unassigned queue for someone to take them.
    unassigned = (status == OPEN) & (rng.random(n) < 0.5)
    assignee = [None if u else int(a) for a, u in
                zip(staff_for(rng, cust, who, fallback_staff).tolist(), unassigned.tolist(), strict=True)]
    opened_list = opened_at.astype("datetime64[us]").tolist()
    closed_list = closed_at.astype("datetime64[us]").tolist()
    resolved_list = resolved_at.astype("datetime64[us]").tolist()
    return {
        "id": np.arange(first_id, first_id + n, dtype=np.int64),
        "number": doc_numbers("FW", cal.to_dates(opened)),
        "customer_id": cust.ids[who],
        "contact_id": [v or None for v in first_contact[who].tolist()],
        "assignee_id": assignee,
        "case_type": case_types,
        "subject": [t[0] for t in texts],
        "description": [t[1] for t in texts],
        "status": status,
        "priority": priority,
        "opened_at": opened_list,
        "due_at": due_at.astype("datetime64[us]").tolist(),
        "resolved_at": [r if f else None for r, f in zip(resolved_list, done.tolist(), strict=True)],
        "closed_at": [c if f else None for c, f in zip(closed_list, rated.tolist(), strict=True)],
        "satisfaction": [s if r else None for s, r in zip(score.tolist(), rated.tolist(), strict=True)],
        "feedback": feedback,
        "order_id": sales.doc_ids[doc],
        "created_at": opened_list,
        "updated_at": [c if f else o for c, o, f in zip(closed_list, opened_list, done.tolist(), strict=True)],
    }
