"""Month-end stock snapshots and reorder points: fast sellers that run low
(restock candidates) and dead items with a full shelf (overstock)."""

from __future__ import annotations

import numpy as np

from crmdesk.demo.calendar import DemoCalendar
from crmdesk.demo.products import ProductFrame
from crmdesk.demo.sales import SalesFrame

WAREHOUSE = "总仓"
RECENT_DAYS = 90


def reorder_points(prod: ProductFrame, sales: SalesFrame, cal: DemoCalendar) -> np.ndarray:
    """Enough stock for 1.5 lead times at the last quarter's daily sales (whole units, at least 1)."""
    recent = (sales.line_day >= cal.days - RECENT_DAYS) & ~sales.doc_is_return[sales.line_doc]
    sold = np.bincount(sales.line_product[recent], weights=sales.quantity[recent], minlength=prod.n)
    daily = sold / RECENT_DAYS
    return np.maximum(1.0, np.ceil(daily * prod.lead_time * 1.5))


def build_snapshots(rng: np.random.Generator, prod: ProductFrame, sales: SalesFrame, cal: DemoCalendar,
                    reorder: np.ndarray, first_id: int) -> tuple[dict, np.ndarray]:
    """Snapshot columns, and a mask of the products left below their reorder point."""
    ends = np.array(cal.month_ends(), dtype=np.int64)
    sale = ~sales.doc_is_return[sales.line_doc]
    # Sales per product in each month (the period ending at each snapshot).
    period = np.searchsorted(ends, sales.line_day[sale], side="left")
    sold = np.zeros((prod.n, len(ends)))
    np.add.at(sold, (sales.line_product[sale], period), sales.quantity[sale])
    trailing = np.maximum(sold, np.roll(sold, 1, axis=1) * 0.5)  # smooth quiet months
    cover = rng.uniform(0.6, 1.8, (prod.n, len(ends)))
    qty = np.round(trailing * cover + rng.integers(0, 20, (prod.n, len(ends))))
    # Dead items keep what they had when they stopped selling, plus a big unsold last purchase.
    dead_stock = np.round(sold.sum(axis=1) * rng.uniform(0.2, 0.5, prod.n) + rng.integers(150, 1500, prod.n))
    stopped = prod.dead[:, None] & (ends[None, :] > prod.last_sale_day[:, None])
    qty = np.where(stopped, dead_stock[:, None], qty)
    # Fast sellers running low at the end: the restock list.
    fast = (~prod.dead) & (prod.popularity >= np.quantile(prod.popularity, 0.7))
    low = fast & (rng.random(prod.n) < 0.35)
    if fast.any() and not low.any():
        low[np.flatnonzero(fast)[0]] = True
    qty[low, -1] = np.floor(reorder[low] * rng.uniform(0.0, 0.8, int(low.sum())))
    qty[~low & ~prod.dead, -1] = np.maximum(qty[~low & ~prod.dead, -1], reorder[~low & ~prod.dead] + 1)

    n_ends = len(ends)
    product_idx = np.repeat(np.arange(prod.n), n_ends)
    day = np.tile(ends, prod.n)
    quantity = qty.reshape(-1)
    dates = cal.to_dates(day)
    return {
        "id": np.arange(first_id, first_id + len(day), dtype=np.int64),
        "snapshot_date": dates,
        "product_id": prod.ids[product_idx],
        "warehouse": [WAREHOUSE] * len(day),
        "quantity": quantity.astype(np.float64),
        "cost_value": np.round(quantity * prod.cost[product_idx]).astype(np.int64),
    }, low
