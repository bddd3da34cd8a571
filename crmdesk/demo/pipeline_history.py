"""The demo opportunities' past: when each entered the stages it passed (a history row per
stage, the board's "days in stage"), a few left sitting long enough to show as stale, and
products of interest for some of them (their amount is then the items' total)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, select

from crmdesk.db.models import Product
from crmdesk.demo.calendar import DemoCalendar
from crmdesk.money import MONEY_SCALE

STALE_SHARE = 0.08  # open cards that have sat in their stage for over a month
ITEM_SHARE = 0.3  # opportunities with products of interest


def _days(cal: DemoCalendar, dates) -> np.ndarray:
    return (np.asarray(dates, dtype="datetime64[D]") - np.datetime64(cal.start_date, "D")).astype(np.int64)


def build_stage_history(rng: np.random.Generator, opps: dict, open_ids: list[int], won: int, lost: int,
                        cal: DemoCalendar, first_id: int) -> tuple[dict, list]:
    """(stage-change columns, each opportunity's stage_changed_at); moves the opening day of
    those still in the first stage to when they entered it. An open opportunity passed
    the open stages up to its own; a won one all of them; a lost one gave up somewhere."""
    n = len(opps["id"])
    end = cal.days - 1
    opened = _days(cal, opps["opened_on"])
    closed = np.array([-1 if d is None else cal.day_of(d) for d in opps["closed_on"]], dtype=np.int64)
    stages = np.asarray(opps["stage_id"])
    position = {s: k for k, s in enumerate(open_ids)}
    in_stage = rng.integers(0, 25, n)
    stale = rng.random(n) < STALE_SHARE
    in_stage[stale] = rng.integers(35, 100, int(stale.sum()))
    give_up = rng.integers(1, len(open_ids) + 1, n)
    cols: dict[str, list] = {k: [] for k in ("opportunity_id", "from_stage_id", "to_stage_id", "changed_at",
                                             "user_id", "note")}
    entered_last: list = []
    seconds = rng.integers(9 * 3600, 18 * 3600, (n, len(open_ids) + 1))
    for k in range(n):
        stage = int(stages[k])
        if stage in position:
            path = open_ids[: position[stage] + 1]
            last_day = max(int(opened[k]), end - int(in_stage[k]))
        else:
            path = open_ids if stage == won else open_ids[: int(give_up[k])]
            path = [*path, stage]
            last_day = max(int(opened[k]), int(closed[k]))
        if len(path) == 1 and last_day > opened[k]:
            # Still in the first stage: it was opened when it entered it, not months before.
            opened[k] = last_day
            opps["opened_on"][k] = cal.to_dates(np.array([last_day]))[0]
            opps["created_at"][k] = cal.to_dates(np.array([last_day])).astype("datetime64[us]").tolist()[0]
        # The first stage on the opening day, the others spread evenly up to the last one.
        days = np.linspace(int(opened[k]), last_day, len(path)).round().astype(np.int64) if len(path) > 1 \
            else np.array([int(opened[k])])
        stamps = cal.to_dates(days).astype("datetime64[s]") + seconds[k, : len(path)].astype("timedelta64[s]")
        stamps = np.maximum.accumulate(stamps).astype("datetime64[us]").tolist()
        previous = None
        for s, at in zip(path, stamps, strict=True):
            cols["opportunity_id"].append(int(opps["id"][k]))
            cols["from_stage_id"].append(previous)
            cols["to_stage_id"].append(int(s))
            cols["changed_at"].append(at)
            cols["user_id"].append(int(opps["owner_id"][k]))
            cols["note"].append(str(opps["lost_reason"][k]) if s == lost else "")
            previous = int(s)
        entered_last.append(stamps[-1])
    cols["id"] = list(range(first_id, first_id + len(cols["opportunity_id"])))
    return cols, entered_last


def build_items(rng: np.random.Generator, conn: Connection, opps: dict, first_id: int) -> dict:
    """Items for some opportunities; their amount becomes the items' total (changes ``opps``)."""
    products = conn.execute(select(Product.id, Product.list_price).where(Product.list_price > 0)
                            .order_by(Product.id)).all()
    cols: dict[str, list] = {k: [] for k in ("id", "opportunity_id", "product_id", "description", "quantity",
                                             "unit_price", "amount", "sort_order")}
    if not products:
        return cols
    ids = np.array([p[0] for p in products], dtype=np.int64)
    prices = np.array([int(p[1]) for p in products], dtype=np.int64)
    n = len(opps["id"])
    has = np.flatnonzero(rng.random(n) < ITEM_SHARE)
    amounts = np.asarray(opps["amount"], dtype=np.int64).copy()
    next_id = first_id
    for k in has.tolist():
        picks = rng.choice(len(ids), int(rng.integers(1, 4)), replace=False)
        share = int(amounts[k]) // len(picks)
        total = 0
        for order, p in enumerate(picks.tolist()):
            # Enough of each product to make up its share of the opportunity, in round numbers.
            qty = max(1, int(round(share / max(int(prices[p]), MONEY_SCALE) / 10)) * 10)
            amount = qty * int(prices[p])
            cols["id"].append(next_id)
            cols["opportunity_id"].append(int(opps["id"][k]))
            cols["product_id"].append(int(ids[p]))
            cols["description"].append("")
            cols["quantity"].append(float(qty))
            cols["unit_price"].append(int(prices[p]))
            cols["amount"].append(amount)
            cols["sort_order"].append(order)
            total += amount
            next_id += 1
        amounts[k] = total
    opps["amount"] = amounts
    return cols
