"""Branches of the demo chain (``crmdesk demo --branches N``): each customer buys at one home
branch (its orders and receipts carry it), and every month-end stock count is split between the
branches' own stores. With one branch (the default) nothing here runs, so the demo's figures
stay exactly what they were."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, insert

from crmdesk.db.models import Branch

NAMES = ("总店", "二店", "三店", "四店", "五店", "六店", "七店", "八店", "九店")
MAX_BRANCHES = len(NAMES)


def create(conn: Connection, n: int) -> list[int]:
    """``n`` branches B1…Bn; their ids in order."""
    ids = []
    for i in range(n):
        ids.append(conn.execute(insert(Branch).values(code=f"B{i + 1}", name=NAMES[i], active=True,
                                                      sort_order=i + 1)).inserted_primary_key[0])
    return ids


def home_branch(customer_ids: np.ndarray, branch_ids: list[int]) -> np.ndarray:
    """Each customer's branch: spread evenly by id (deterministic, no random draw: the other
    streams of the demo stay as they are)."""
    return np.asarray(branch_ids, dtype=np.int64)[np.asarray(customer_ids, dtype=np.int64) % len(branch_ids)]


def split_snapshots(cols: dict, branch_ids: list[int]) -> dict:
    """Each snapshot row becomes one per branch, in the branch's own store (warehouse name),
    quantities split in whole units (the remainder to the first branch) and the value in
    proportion, the rounding left on the first branch: the sums over branches are the originals."""
    n = len(branch_ids)
    qty = np.asarray(cols["quantity"], dtype=np.float64)
    value = np.asarray(cols["cost_value"], dtype=np.int64)
    base_q = np.floor(qty / n)
    parts_q = [qty - base_q * (n - 1)] + [base_q] * (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(qty != 0, value / np.where(qty != 0, qty, 1), 0.0)
    parts_v = [None] + [np.round(base_q * unit).astype(np.int64)] * (n - 1)
    parts_v[0] = value - sum(parts_v[1:])
    rows = len(qty)
    first_id = int(np.asarray(cols["id"])[0]) if rows else 1
    return {
        "id": np.arange(first_id, first_id + rows * n, dtype=np.int64),
        "snapshot_date": np.concatenate([np.asarray(cols["snapshot_date"])] * n),
        "product_id": np.concatenate([np.asarray(cols["product_id"])] * n),
        "warehouse": [f"{NAMES[i]}{w}" for i in range(n) for w in cols["warehouse"]],
        "quantity": np.concatenate(parts_q),
        "cost_value": np.concatenate(parts_v),
        "branch_id": np.repeat(np.asarray(branch_ids, dtype=np.int64), rows),
    }
