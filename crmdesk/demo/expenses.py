"""The demo shop's expenses (费用): what serving customers and running the shop costs beyond the
goods, shaped so that profit after expenses tells another story than gross profit.

- 运费 (delivery): free delivery of each completed order for the accounts that insist on it —
  a flat cost per drop, so a small, frequent orderer costs more than its margin brings;
- 返利 (rebates): each quarter, to every dealer by its volume (a tier table), a few dealers on a
  generous deal that eats their thin dealer margin;
- 招待费 (entertainment) and 样品 (samples): for a few direct accounts, booked to the account
  and its salesperson;
- shared: monthly 房租 (rent), 水电费 (utilities), 仓储费 (storage) and 工资 (wages), scaled to the
  shop's volume, one document per month (four lines), spread by the reports by each item's rule.

Amounts are integer money units (crmdesk.money); every draw comes from the ``expenses`` stream.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, select

from crmdesk.db.models import ExpenseItem
from crmdesk.demo.calendar import DemoCalendar, doc_numbers
from crmdesk.demo.customers import DEALER, DIRECT, RETAIL, CustomerFrame
from crmdesk.demo.sales import COMPLETED, SalesFrame
from crmdesk.money import MONEY_SCALE

YUAN = MONEY_SCALE
DELIVERY_SHARE = 0.45  # accounts (direct and dealers) that get every order delivered free
DELIVERY_FEE = (0.04, 0.14)  # per drop, share of a typical account order
REBATE_TIERS = ((0, 0.0), (20_000, 0.02), (60_000, 0.035), (150_000, 0.05))  # quarterly revenue (yuan) → rate
GENEROUS_SHARE, GENEROUS_RATE = 0.15, 0.09  # dealers on a deal the margin cannot carry
COURTED_SHARE = 0.15  # direct accounts the salespeople court (dinners, samples)
SHARED = (("房租", 0.020, 0.0), ("水电费", 0.006, 0.25), ("仓储费", 0.012, 0.10), ("工资", 0.056, 0.05))
# item, share of the shop's average monthly revenue, month-to-month variation (tuned so the default demo
# shop's whale curve looks like the literature's: top 20 % of customers earn ~150 % of the profit)


def build_expenses(rng: np.random.Generator, conn: Connection, cal: DemoCalendar, cust: CustomerFrame,
                   sales: SalesFrame, first_id: int) -> dict:
    items = dict(conn.execute(select(ExpenseItem.name, ExpenseItem.id)).all())
    parts = [_delivery(rng, cust, sales), _rebates(rng, cal, cust, sales), _courting(rng, cal, cust, sales),
             _shared(rng, cal, sales)]
    offset = 0
    for p in parts:  # one document per expense, unless the part grouped its lines (negative keys)
        if p["doc_key"] is None:
            p["doc_key"] = np.arange(offset + 1, offset + 1 + len(p["day"]), dtype=np.int64)
            offset += len(p["day"])
    day = np.concatenate([p["day"] for p in parts])
    order = np.lexsort((np.arange(len(day)), day))
    day = day[order]
    cat = lambda key: np.concatenate([p[key] for p in parts])[order]  # noqa: E731
    doc_key, line_no = cat("doc_key"), cat("line_no")
    dates = cal.to_dates(day)
    first_lines = np.flatnonzero(line_no == 1)  # one number per document, its lines share it
    numbers = np.array(doc_numbers("FY", dates[first_lines]), dtype=object)
    doc_of = np.searchsorted(np.unique(doc_key[first_lines]), doc_key)
    by_key = np.empty(len(first_lines), dtype=object)
    by_key[np.searchsorted(np.unique(doc_key[first_lines]), doc_key[first_lines])] = numbers
    stamps = (dates.astype("datetime64[s]") + np.timedelta64(17 * 3600, "s")).astype("datetime64[us]")
    customer = cat("customer")
    return {
        "id": np.arange(first_id, first_id + len(day), dtype=np.int64),
        "expense_date": dates,
        "doc_number": by_key[doc_of],
        "line_no": line_no,
        "item_id": np.array([items[n] for n in cat("item").tolist()], dtype=np.int64),
        "amount": cat("amount"),
        "customer_id": [int(cust.ids[c]) if c >= 0 else None for c in customer.tolist()],
        "salesperson_id": [v or None for v in cat("salesperson").tolist()],
        "order_id": [v or None for v in cat("order_id").tolist()],
        "product_id": [None] * len(day),
        "brand": [""] * len(day),
        "notes": cat("notes"),
        "source_batch_id": [None] * len(day),
        "created_by_id": [None] * len(day),
        "created_at": stamps,
        "updated_at": stamps,
    }


def _part(day, item, amount, customer, notes, salesperson=None, order_id=None, doc_key=None, line_no=None) -> dict:
    n = len(day)
    return {"day": np.asarray(day, dtype=np.int64), "item": np.array([item] * n if isinstance(item, str) else item,
                                                                        dtype=object),
            "amount": np.asarray(amount, dtype=np.int64), "customer": np.asarray(customer, dtype=np.int64),
            "notes": np.array(notes if not isinstance(notes, str) else [notes] * n, dtype=object),
            "salesperson": np.zeros(n, dtype=np.int64) if salesperson is None else np.asarray(salesperson, np.int64),
            "order_id": np.zeros(n, dtype=np.int64) if order_id is None else np.asarray(order_id, dtype=np.int64),
            "doc_key": np.asarray(doc_key, dtype=np.int64) if doc_key is not None else None,
            "line_no": np.ones(n, dtype=np.int64) if line_no is None else np.asarray(line_no, dtype=np.int64)}


def _delivery(rng, cust: CustomerFrame, sales: SalesFrame) -> dict:
    accounts = (cust.type_idx != RETAIL) & ~cust.incomplete
    delivered = accounts & (rng.random(cust.n) < DELIVERY_SHARE)
    docs = np.flatnonzero(delivered[sales.doc_customer] & (sales.doc_status == COMPLETED) & ~sales.doc_is_return)
    # A drop costs about a tenth of a typical account order (by distance: fixed per customer), so
    # a demo of any size keeps the same proportions.
    typical = float(np.median(sales.doc_total[docs])) if len(docs) else 0.0
    fee = np.round(np.clip(typical * rng.uniform(*DELIVERY_FEE, cust.n), 5 * YUAN, 150 * YUAN) / YUAN) * YUAN
    who = sales.doc_customer[docs]
    return _part(sales.doc_day[docs], "运费", fee[who].astype(np.int64), who, "送货上门", order_id=sales.doc_ids[docs])


def _quarters(cal: DemoCalendar, day: np.ndarray) -> np.ndarray:
    months = cal.to_dates(day).astype("datetime64[M]").astype(np.int64)
    return months // 3


def _rebates(rng, cal: DemoCalendar, cust: CustomerFrame, sales: SalesFrame) -> dict:
    dealer = (cust.type_idx == DEALER) & ~cust.incomplete
    generous = dealer & (rng.random(cust.n) < GENEROUS_SHARE)
    docs = np.flatnonzero(dealer[sales.doc_customer] & ((sales.doc_status == COMPLETED) | sales.doc_is_return))
    quarter = _quarters(cal, sales.doc_day[docs])
    if not len(docs):
        return _part([], "返利", [], [], [])
    q0 = int(quarter.min())
    base = int(quarter.max()) - q0 + 1
    keys, inverse = np.unique(sales.doc_customer[docs] * base + (quarter - q0), return_inverse=True)
    revenue = np.bincount(inverse, weights=sales.doc_total[docs], minlength=len(keys))
    who, q = keys // base, keys % base + q0
    bounds = np.array([t[0] for t in REBATE_TIERS], dtype=np.float64) * YUAN
    rate = np.array([t[1] for t in REBATE_TIERS])[np.searchsorted(bounds, revenue, side="right") - 1]
    rate = np.where(generous[who], GENEROUS_RATE, rate)
    amount = np.round(revenue * rate / 100).astype(np.int64) * 100  # whole fen
    # Paid on the 10th of the month after the quarter, if that day is within the history.
    pay = (np.datetime64("1970-01", "M") + (q + 1) * 3).astype("datetime64[D]") + 9
    day = (pay - np.datetime64(cal.start_date, "D")).astype(np.int64)
    keep = (amount > 0) & (day < cal.days)
    labels = [f"{int(y)}年第{int(k)}季度返利" for y, k in zip(1970 + q[keep] // 4, q[keep] % 4 + 1, strict=True)]
    return _part(day[keep], "返利", amount[keep], who[keep], labels, salesperson=cust.owner_id[who[keep]])


def _courting(rng, cal: DemoCalendar, cust: CustomerFrame, sales: SalesFrame) -> dict:
    """Dinners about monthly and samples a few times a year while the account buys, costing a
    share of the account's gross profit that the salesperson does not see: 30 % to 200 %."""
    direct = np.flatnonzero((cust.type_idx == DIRECT) & ~cust.incomplete & ~cust.prospect)
    courted = direct[rng.random(len(direct)) < COURTED_SHARE]
    first = np.full(cust.n, cal.days, dtype=np.int64)
    np.minimum.at(first, sales.doc_customer, sales.doc_day)
    last = np.full(cust.n, -1, dtype=np.int64)
    np.maximum.at(last, sales.doc_customer, sales.doc_day)
    gross = np.bincount(sales.line_customer, weights=sales.amount - sales.cost_amount, minlength=cust.n)
    budget = gross * rng.uniform(0.3, 2.0, cust.n)
    days, items, amounts, who, notes = [], [], [], [], []
    for c in courted.tolist():
        if last[c] < first[c] or budget[c] <= 0:
            continue
        span = last[c] - first[c] + 1
        for item, every, share, note in (("招待费", 30, 0.8, "客户招待"), ("样品", 120, 0.2, "样品赠送")):
            n = max(int(rng.poisson(span / every)), 1)
            weights = rng.uniform(0.5, 1.5, n)
            amounts.append(np.round(budget[c] * share * weights / weights.sum() / 100).astype(np.int64) * 100)
            days.append(rng.integers(first[c], last[c] + 1, n))
            items += [item] * n
            who += [c] * n
            notes += [note] * n
    if not who:
        return _part([], "招待费", [], [], [])
    who_arr = np.array(who, dtype=np.int64)
    return _part(np.concatenate(days), items, np.concatenate(amounts), who_arr, notes,
                 salesperson=cust.owner_id[who_arr])


def _shared(rng, cal: DemoCalendar, sales: SalesFrame) -> dict:
    """One bill a month (last day of the month, four lines), scaled to the average monthly revenue."""
    month = cal.to_dates(sales.doc_day).astype("datetime64[M]")
    months = np.arange(month.min(), month.max() + 1)
    monthly = max(float(sales.doc_total.sum()) / max(len(months), 1), 0.0)
    end = ((months + 1).astype("datetime64[D]") - 1 - np.datetime64(cal.start_date, "D")).astype(np.int64)
    end = np.minimum(end, cal.days - 1)
    day, item, amount, key, line = [], [], [], [], []
    for k, (name, share, spread) in enumerate(SHARED):
        factor = 1 + spread * (rng.random(len(months)) * 2 - 1)
        day.append(end)
        item += [name] * len(months)
        amount.append(np.round(monthly * share * factor / 100).astype(np.int64) * 100)
        key.append(-(np.arange(len(months)) + 1))  # negative: never a customer document's key
        line.append(np.full(len(months), k + 1))
    notes = [f"{m}月{n}" for n in (s[0] for s in SHARED) for m in months.astype(str).tolist()]
    return _part(np.concatenate(day), item, np.concatenate(amount), np.full(len(item), -1), notes,
                 doc_key=np.concatenate(key), line_no=np.concatenate(line))
