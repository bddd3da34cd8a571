"""Sales orders, their lines and returns, all vectorised: a million lines are
generated as numpy columns, never as Python objects one by one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crmdesk.db.models import DocType, OrderStatus
from crmdesk.demo.calendar import DemoCalendar, doc_numbers
from crmdesk.demo.customers import RETAIL, CustomerFrame
from crmdesk.demo.products import FEN, ProductFrame

RETURN_SHARE = 0.02  # of all lines
AVG_LINES_PER_ORDER = np.array([2.2, 6.0, 11.0])  # retail, direct, dealer
QTY_LOG_MEAN = np.array([0.5, 1.9, 3.0])  # typical quantity (log) by customer type
OPEN_WINDOW_DAYS = 10  # orders this recent may still be unshipped


@dataclass
class SalesFrame:
    # Documents (sales and returns) in id order.
    doc_ids: np.ndarray
    doc_numbers: list[str]
    doc_day: np.ndarray
    doc_customer: np.ndarray  # index into the CustomerFrame
    doc_is_return: np.ndarray
    doc_status: np.ndarray  # index into STATUSES
    doc_total: np.ndarray
    doc_salesperson: np.ndarray  # 0: none
    doc_notes: list[str]
    # Lines in id order (grouped by document).
    line_doc: np.ndarray
    line_no: np.ndarray
    line_product: np.ndarray  # index into the ProductFrame
    quantity: np.ndarray
    unit_price: np.ndarray
    amount: np.ndarray
    cost_amount: np.ndarray
    shipped: np.ndarray

    @property
    def line_customer(self) -> np.ndarray:
        return self.doc_customer[self.line_doc]

    @property
    def line_day(self) -> np.ndarray:
        return self.doc_day[self.line_doc]


STATUSES = (OrderStatus.COMPLETED.value, OrderStatus.OPEN.value, OrderStatus.PARTIAL.value)
COMPLETED, OPEN, PARTIAL = 0, 1, 2


def _choose_products(rng: np.random.Generator, prod: ProductFrame, line_type: np.ndarray,
                     line_day: np.ndarray) -> np.ndarray:
    out = np.empty(len(line_type), dtype=np.int64)
    for t in range(3):
        mask = line_type == t
        out[mask] = rng.choice(prod.n, int(mask.sum()), p=prod.line_probabilities(t))
    # Dead items stop selling at their last sale day; those lines buy something alive instead.
    stale = prod.dead[out] & (line_day > prod.last_sale_day[out])
    for t in range(3):
        mask = stale & (line_type == t)
        if mask.any():
            out[mask] = rng.choice(prod.n, int(mask.sum()), p=prod.line_probabilities(t, alive_only=True))
    return out


def _quantities(rng: np.random.Generator, prod: ProductFrame, products: np.ndarray,
                line_type: np.ndarray) -> np.ndarray:
    cost_yuan = prod.cost[products] / (FEN * 100)
    bulkiness = np.clip(cost_yuan / 4.0, 1.0, 500.0) ** 0.6
    raw = np.exp(QTY_LOG_MEAN[line_type] + 0.9 * rng.standard_normal(len(products))) / bulkiness
    return np.maximum(1, np.round(raw)).astype(np.int64)


def _sale_lines(rng, cal: DemoCalendar, cust: CustomerFrame, n_sale: int):
    """Lines per customer, grouped into orders, with a date per order."""
    # Every customer but a few prospects has bought at least once; the rest follows their size.
    buyer = ~cust.prospect
    base_lines = buyer.astype(np.int64) if n_sale >= 2 * buyer.sum() else np.zeros(cust.n, dtype=np.int64)
    weight = np.where(buyer, cust.weight, 0.0)
    lines_per_c = base_lines + rng.multinomial(n_sale - int(base_lines.sum()), weight / weight.sum())
    avg = AVG_LINES_PER_ORDER[cust.type_idx] * rng.uniform(0.7, 1.3, cust.n)
    orders_per_c = np.where(lines_per_c > 0, np.clip(np.round(lines_per_c / avg), 1, np.maximum(lines_per_c, 1)), 0)
    line_cust = np.repeat(np.arange(cust.n), lines_per_c)
    slot = (rng.random(n_sale) * orders_per_c[line_cust]).astype(np.int64)
    base = int(orders_per_c.max()) + 1
    keys, line_order = np.unique(line_cust * base + slot, return_inverse=True)
    order_cust = keys // base
    order_day = cal.sample_days(rng, np.maximum(cust.join_day[order_cust], 0), cust.stop_day[order_cust])
    return order_cust, order_day, line_order


def _pick_returns(rng, n_ret: int, line_day: np.ndarray, line_status_ok: np.ndarray, last_day: int):
    candidates = np.flatnonzero(line_status_ok & (line_day <= last_day - 3))
    n_ret = min(n_ret, len(candidates))
    return np.sort(rng.choice(candidates, n_ret, replace=False)) if n_ret else np.empty(0, dtype=np.int64)


def build_sales(rng: np.random.Generator, cal: DemoCalendar, cust: CustomerFrame, prod: ProductFrame,
                total_lines: int, counter_ids: list[int], first_doc_id: int) -> SalesFrame:
    n_ret = int(round(total_lines * RETURN_SHARE)) if total_lines >= 50 else 0
    n_sale = total_lines - n_ret
    order_cust, order_day, line_order = _sale_lines(rng, cal, cust, n_sale)
    n_orders = len(order_cust)
    line_type = cust.type_idx[order_cust[line_order]]
    line_day = order_day[line_order]
    products = _choose_products(rng, prod, line_type, line_day)
    qty = _quantities(rng, prod, products, line_type)
    cost, listp = prod.cost[products], prod.list_price[products]
    factor = cust.price_factor[order_cust[line_order]] * rng.uniform(0.97, 1.0, n_sale)
    unit_price = np.round((cost + (listp - cost) * factor) / FEN).astype(np.int64) * FEN
    unit_price = np.maximum(unit_price, cost + FEN)
    amount = qty * unit_price
    cost_amount = np.round(qty * cost * (1 + 0.02 * rng.standard_normal(n_sale))).astype(np.int64)

    # Recent orders may still be open or partly shipped.
    order_status = np.zeros(n_orders, dtype=np.int64)
    recent = order_day >= cal.days - OPEN_WINDOW_DAYS
    u = rng.random(n_orders)
    order_status[recent & (u < 0.35)] = OPEN
    order_status[recent & (u >= 0.35) & (u < 0.6)] = PARTIAL
    line_status = order_status[line_order]
    shipped = np.where(line_status == COMPLETED, qty, 0)
    partial = line_status == PARTIAL
    shipped[partial] = np.floor(qty[partial] * rng.choice([0.0, 0.5, 1.0], int(partial.sum()))).astype(np.int64)

    # Returns: part of a completed line comes back a few days later, on a return document
    # per original order.
    returnable = (line_status == COMPLETED) & (line_day + 30 < prod.last_sale_day[products])
    src = _pick_returns(rng, n_ret, line_day, returnable, cal.days - 1)
    src_orders, ret_line_doc = np.unique(line_order[src], return_inverse=True)
    ret_day = np.minimum(order_day[src_orders] + rng.integers(1, 30, len(src_orders)), cal.days - 1)
    ret_qty = np.maximum(1, np.floor(qty[src] * rng.uniform(0.05, 1.0, len(src)))).astype(np.int64)

    # All documents sorted by date (sales before returns on the same day) → ids.
    doc_day = np.concatenate([order_day, ret_day])
    doc_is_return = np.concatenate([np.zeros(n_orders, bool), np.ones(len(src_orders), bool)])
    doc_cust = np.concatenate([order_cust, order_cust[src_orders]])
    doc_status = np.concatenate([order_status, np.zeros(len(src_orders), dtype=np.int64)])
    order = np.lexsort((np.arange(len(doc_day)), doc_is_return, doc_day))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))

    all_doc = np.concatenate([rank[line_order], rank[n_orders + ret_line_doc]])
    all_prod = np.concatenate([products, products[src]])
    all_qty = np.concatenate([qty, -ret_qty])
    all_price = np.concatenate([unit_price, unit_price[src]])
    all_amount = np.concatenate([amount, -ret_qty * unit_price[src]])
    ret_cost = -np.round(cost_amount[src] * ret_qty / qty[src]).astype(np.int64)
    all_cost = np.concatenate([cost_amount, ret_cost])
    all_shipped = np.concatenate([shipped, -ret_qty])
    line_sort = np.argsort(all_doc, kind="stable")
    line_doc = all_doc[line_sort]
    starts = np.r_[0, np.flatnonzero(line_doc[1:] != line_doc[:-1]) + 1]
    line_no = np.arange(len(line_doc)) - np.repeat(starts, np.diff(np.r_[starts, len(line_doc)])) + 1
    amounts = all_amount[line_sort]
    totals = np.add.reduceat(amounts, starts) if len(amounts) else np.zeros(0, dtype=np.int64)

    doc_day_sorted = doc_day[order]
    is_return_sorted = doc_is_return[order]
    dates = cal.to_dates(doc_day_sorted)
    numbers = np.empty(len(order), dtype=object)
    numbers[~is_return_sorted] = doc_numbers("XS", dates[~is_return_sorted])
    numbers[is_return_sorted] = doc_numbers("XT", dates[is_return_sorted])
    notes = [""] * len(order)
    src_number = numbers[rank[src_orders]]
    for r, num in zip(rank[n_orders + np.arange(len(src_orders))].tolist(), src_number.tolist(), strict=True):
        notes[r] = f"退货，原单 {num}"

    cust_sorted = doc_cust[order]
    salesperson = cust.owner_id[cust_sorted].copy()
    walk_in = salesperson == 0
    if counter_ids:
        salesperson[walk_in] = np.array(counter_ids)[rng.integers(0, len(counter_ids), int(walk_in.sum()))]
    return SalesFrame(
        doc_ids=np.arange(first_doc_id, first_doc_id + len(order), dtype=np.int64), doc_numbers=numbers.tolist(),
        doc_day=doc_day_sorted, doc_customer=cust_sorted, doc_is_return=is_return_sorted,
        doc_status=doc_status[order], doc_total=totals, doc_salesperson=salesperson, doc_notes=notes,
        line_doc=line_doc, line_no=line_no, line_product=all_prod[line_sort],
        quantity=all_qty[line_sort], unit_price=all_price[line_sort], amount=amounts,
        cost_amount=all_cost[line_sort], shipped=all_shipped[line_sort],
    )


def order_rows(sales: SalesFrame, cust: CustomerFrame, cal: DemoCalendar) -> dict:
    dates = cal.to_dates(sales.doc_day)
    terms = np.where(sales.doc_is_return, 0, cust.terms[sales.doc_customer])
    stamps = dates.astype("datetime64[s]") + np.timedelta64(10 * 3600, "s")
    retail = cust.type_idx[sales.doc_customer] == RETAIL
    return {
        "id": sales.doc_ids,
        "number": sales.doc_numbers,
        "order_date": dates,
        "customer_id": cust.ids[sales.doc_customer],
        "salesperson_id": [v or None for v in sales.doc_salesperson.tolist()],
        "status": np.array(STATUSES, dtype=object)[sales.doc_status],
        "doc_type": np.where(sales.doc_is_return, DocType.RETURN.value, DocType.SALE.value).astype(object),
        "warehouse": np.where(retail, "门店", "总仓").astype(object),
        "due_date": dates + terms.astype("timedelta64[D]"),
        "total_amount": sales.doc_total,
        "notes": sales.doc_notes,
        "created_at": stamps.astype("datetime64[us]"),
        "updated_at": stamps.astype("datetime64[us]"),
    }


def line_rows(sales: SalesFrame, cust: CustomerFrame, prod: ProductFrame, cal: DemoCalendar,
              first_line_id: int) -> dict:
    return {
        "id": np.arange(first_line_id, first_line_id + len(sales.line_doc), dtype=np.int64),
        "order_id": sales.doc_ids[sales.line_doc],
        "line_no": sales.line_no,
        "product_id": prod.ids[sales.line_product],
        "order_date": cal.to_dates(sales.line_day),
        "customer_id": cust.ids[sales.line_customer],
        "quantity": sales.quantity.astype(np.float64),
        "unit_price": sales.unit_price,
        "amount": sales.amount,
        "cost_amount": sales.cost_amount,
        "shipped_quantity": sales.shipped.astype(np.float64),
    }
