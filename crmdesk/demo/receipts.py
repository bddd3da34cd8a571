"""Customer payments: walk-ins pay at the counter, accounts settle each month's
invoices after their payment terms — some late, a few never."""

from __future__ import annotations

import numpy as np

from crmdesk.demo.calendar import DemoCalendar, doc_numbers
from crmdesk.demo.customers import RETAIL, CustomerFrame
from crmdesk.demo.sales import COMPLETED, SalesFrame

COUNTER_METHODS = ("现金", "微信", "支付宝", "银行转账")
COUNTER_SHARE = np.array([0.30, 0.42, 0.25, 0.03])
ACCOUNT_METHODS = ("银行转账", "微信", "支付宝", "现金")
ACCOUNT_SHARE = np.array([0.85, 0.08, 0.04, 0.03])
BAD_DEBT_AGE_DAYS = 180  # a bad debtor stops paying invoices older than this


def build_receipts(rng: np.random.Generator, cal: DemoCalendar, cust: CustomerFrame, sales: SalesFrame,
                   first_id: int) -> dict:
    doc_cust = sales.doc_customer
    retail = cust.type_idx[doc_cust] == RETAIL
    billable = (sales.doc_status == COMPLETED) | sales.doc_is_return

    # Counter sales: paid (or refunded) the same day, one receipt per document.
    counter = np.flatnonzero(retail & billable & (sales.doc_total != 0))
    c_day = sales.doc_day[counter]
    c_amount = sales.doc_total[counter]
    c_method = rng.choice(len(COUNTER_METHODS), len(counter), p=COUNTER_SHARE)
    c_order = sales.doc_ids[counter]
    c_notes = np.where(sales.doc_is_return[counter], "退货退款", "").astype(object)

    # Accounts: one settlement per customer and month, due after the payment terms.
    acct = np.flatnonzero(~retail & billable)
    month = cal.to_dates(sales.doc_day[acct]).astype("datetime64[M]")
    month_idx = month.astype(np.int64)
    base = int(month_idx.max()) + 1 if len(acct) else 1
    keys, inverse = np.unique(doc_cust[acct] * base + month_idx, return_inverse=True)
    g_cust = keys // base
    g_month = (keys % base).astype("datetime64[M]")
    g_amount = np.bincount(inverse, weights=sales.doc_total[acct], minlength=len(keys))
    g_amount = np.round(g_amount).astype(np.int64)  # sums of integers, exact below 2**53
    month_end_day = ((g_month + 1).astype("datetime64[D]") - 1 - np.datetime64(cal.start_date, "D")).astype(np.int64)
    delay = cust.terms[g_cust] + rng.integers(-5, 11, len(keys))
    late = cust.late_payer[g_cust] | (rng.random(len(keys)) < 0.03)
    delay = np.where(late, cust.terms[g_cust] + rng.integers(60, 151, len(keys)), delay)
    pay_day = month_end_day + np.maximum(delay, 1)
    old = month_end_day < cal.days - 1 - BAD_DEBT_AGE_DAYS
    unpaid = cust.bad_debtor[g_cust] & old & (rng.random(len(keys)) < 0.5)
    paid = (pay_day < cal.days) & (g_amount > 0) & ~unpaid
    a_day, a_amount, a_cust = pay_day[paid], g_amount[paid], g_cust[paid]
    a_method = rng.choice(len(ACCOUNT_METHODS), len(a_day), p=ACCOUNT_SHARE)
    month_text = g_month[paid].astype(str).tolist()
    a_notes = [f"{m[:4]}年{int(m[5:7])}月货款" for m in month_text]

    day = np.concatenate([c_day, a_day])
    order = np.lexsort((np.arange(len(day)), day))
    dates = cal.to_dates(day[order])
    customer = np.concatenate([doc_cust[counter], a_cust])[order]
    amount = np.concatenate([c_amount, a_amount])[order]
    methods = np.concatenate([np.array(COUNTER_METHODS, dtype=object)[c_method],
                              np.array(ACCOUNT_METHODS, dtype=object)[a_method]])[order]
    order_ids = np.concatenate([c_order, np.zeros(len(a_day), dtype=np.int64)])[order]
    notes = np.concatenate([c_notes, np.array(a_notes, dtype=object)])[order]
    stamps = (dates.astype("datetime64[s]") + np.timedelta64(15 * 3600, "s")).astype("datetime64[us]")
    return {
        "id": np.arange(first_id, first_id + len(day), dtype=np.int64),
        "number": doc_numbers("SK", dates),
        "receipt_date": dates,
        "customer_id": cust.ids[customer],
        "amount": amount,
        "method": methods,
        "order_id": [v or None for v in order_ids.tolist()],
        "notes": notes,
        "created_at": stamps,
        "updated_at": stamps,
    }
