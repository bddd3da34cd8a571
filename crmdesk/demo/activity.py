"""The contact log and the follow-up tasks it creates: some done, some overdue,
some due today or this week (relative to the demo's end date)."""

from __future__ import annotations

import numpy as np

from crmdesk.db.models import TaskStatus
from crmdesk.demo.activity_words import CHANNEL_SHARE, INTERACTIONS, TASK_TITLES
from crmdesk.demo.calendar import DemoCalendar, datetimes
from crmdesk.demo.customers import RETAIL, CustomerFrame

INTERACTIONS_PER_CUSTOMER = 1.5
FOLLOW_UP_SHARE = 0.3


def pick_customers(rng: np.random.Generator, cust: CustomerFrame, n: int, retail_weight: float) -> np.ndarray:
    """Customers for log entries, cases and opportunities: accounts more than walk-ins, big ones more."""
    p = np.where(cust.type_idx == RETAIL, retail_weight, 1.0) * (1 + np.log1p(cust.weight))
    p = np.where(cust.incomplete, 0.0, p)
    return rng.choice(cust.n, n, p=p / p.sum())


def staff_for(rng: np.random.Generator, cust: CustomerFrame, customers: np.ndarray, fallback: list[int]) -> np.ndarray:
    users = cust.owner_id[customers].copy()
    none = users == 0
    users[none] = np.array(fallback)[rng.integers(0, len(fallback), int(none.sum()))]
    return users


def build_interactions(rng: np.random.Generator, cust: CustomerFrame, cal: DemoCalendar, first_contact: np.ndarray,
                       counter_ids: list[int], opportunity_of: dict[int, tuple[int, int]],
                       first_id: int) -> tuple[dict, dict]:
    """(interaction columns, follow-up info for tasks)."""
    n = max(10, int(cust.n * INTERACTIONS_PER_CUSTOMER))
    who = pick_customers(rng, cust, n, retail_weight=0.1)
    first = np.maximum(cust.join_day[who], 0)
    last = np.minimum(cust.stop_day[who] + 30, cal.days - 1)
    day = first + (rng.random(n) * (last - first + 1)).astype(np.int64)
    in_time = np.argsort(day, kind="stable")  # ids in time order
    who, day = who[in_time], day[in_time]
    retail = cust.type_idx[who] == RETAIL
    account_channels = [c for c in CHANNEL_SHARE if c != "store"]
    share = np.array([CHANNEL_SHARE[c] for c in account_channels])
    ch_idx = rng.choice(len(account_channels), n, p=share / share.sum())
    channels = [
        ("store" if s < 0.8 else ("call", "wechat")[int(s * 10) % 2]) if r else account_channels[c]
        for r, c, s in zip(retail.tolist(), ch_idx.tolist(), rng.random(n).tolist(), strict=True)
    ]
    texts = [INTERACTIONS[ch][k % len(INTERACTIONS[ch])] for ch, k in
             zip(channels, rng.integers(0, 1000, n).tolist(), strict=True)]
    users = staff_for(rng, cust, who, counter_ids)
    seconds = rng.integers(9 * 3600, 18 * 3600, n)
    occurred = datetimes(cal.to_dates(day), seconds)
    follow = rng.random(n) < FOLLOW_UP_SHARE
    follow_day = day + rng.integers(3, 22, n)
    # Make sure the task lists have work due today and this week, and something overdue.
    k = max(3, n // 60)
    recent = np.flatnonzero(day >= cal.days - 8)
    chosen = recent[rng.permutation(len(recent))[:k]] if len(recent) else np.arange(min(k, n))
    follow[chosen] = True
    follow_day[chosen] = cal.days - 1 + rng.integers(0, 7, len(chosen))
    follow_day[chosen[:1]] = cal.days - 1
    contact = first_contact[who]
    opp = [opportunity_of.get(int(c)) for c in who.tolist()]
    opp_ids = [o[0] if o is not None and o[1] <= d and ch in ("visit", "call") else None
               for o, d, ch in zip(opp, day.tolist(), channels, strict=True)]
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    follow_dates = cal.to_dates(follow_day)
    columns = {
        "id": ids,
        "customer_id": cust.ids[who],
        "contact_id": [v or None for v in contact.tolist()],
        "user_id": users,
        "channel": channels,
        "occurred_at": occurred,
        "subject": [t[0] for t in texts],
        "notes": [t[1] for t in texts],
        "outcome": [t[2] for t in texts],
        "next_follow_up": [d if f else None for d, f in zip(follow_dates.tolist(), follow.tolist(), strict=True)],
        "opportunity_id": opp_ids,
        "created_at": occurred,
        "updated_at": occurred,
    }
    info = {"index": np.flatnonzero(follow), "who": who, "day": day, "follow_day": follow_day, "users": users,
            "ids": ids, "subjects": columns["subject"]}
    return columns, info


def build_tasks(rng: np.random.Generator, cust: CustomerFrame, cal: DemoCalendar, info: dict, first_id: int) -> dict:
    idx = info["index"]
    n = len(idx)
    due = info["follow_day"][idx]
    end = cal.days - 1
    u = rng.random(n)
    status = np.full(n, TaskStatus.OPEN.value, dtype=object)
    past = due < end - 7
    status[past & (u < 0.85)] = TaskStatus.DONE.value
    status[past & (u >= 0.85) & (u < 0.9)] = TaskStatus.CANCELLED.value
    # A shop does not leave follow-ups open for months: older ones were done or dropped.
    stale = (due < end - 40) & (status == TaskStatus.OPEN.value)
    status[stale] = np.where(u[stale] < 0.95, TaskStatus.DONE.value, TaskStatus.CANCELLED.value)
    this_week = (due >= end - 7) & (due < end)
    status[this_week & (u < 0.4)] = TaskStatus.DONE.value
    # Keep a few overdue ones even in a tiny demo.
    overdue = np.flatnonzero(past & (due >= end - 40))[-2:]
    status[overdue] = TaskStatus.OPEN.value
    done = status == TaskStatus.DONE.value
    done_day = np.minimum(due - rng.integers(0, 4, n), end)
    done_day = np.maximum(done_day, info["day"][idx])
    done_at = datetimes(cal.to_dates(done_day), np.full(n, 16 * 3600))
    created = datetimes(cal.to_dates(info["day"][idx]), np.full(n, 18 * 3600))
    titles = np.array(TASK_TITLES, dtype=object)[rng.integers(0, len(TASK_TITLES), n)]
    subjects = info["subjects"]
    users = info["users"][idx]
    return {
        "id": np.arange(first_id, first_id + n, dtype=np.int64),
        "customer_id": cust.ids[info["who"][idx]],
        "assignee_id": users,
        "created_by_id": users,
        "title": titles,
        "notes": [subjects[i] for i in idx.tolist()],
        "due_date": cal.to_dates(due),
        "status": status,
        "priority": rng.choice([1, 2, 2, 2, 3], n),
        "done_at": [d if f else None for d, f in zip(done_at, done.tolist(), strict=True)],
        "interaction_id": info["ids"][idx],
        "rule_id": [None] * n,
        "created_at": created,
        "updated_at": [d if f else c for d, c, f in zip(done_at, created, done.tolist(), strict=True)],
    }
