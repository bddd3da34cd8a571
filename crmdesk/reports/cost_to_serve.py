"""Cost to serve: per customer what serving it cost and why (issue 15).

Wide format: one column per expense item present in the range (named by the item, e.g. 运费,
返利; direct plus allocated share, in yuan), then ``expenses`` (their sum), ``orders`` (sale
documents), ``lines``, ``returns`` (return documents), ``days_to_pay`` (average days from a
credit order to the receipt that paid it off, receipts matched to orders oldest first (FIFO)
like receivables, over the customer's whole history, averaged over the paid orders dated in the
range; orders settled at sale are left out), ``revenue``, ``gross_profit`` and ``profit``.
Customers and expenses as in ``profit --by customer``; sorted by profit, lowest first (the
customers that cost most are the ones to look at).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import N_
from crmdesk.reports.common import effective_branches, empty, yuan
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import credit_orders, day_number, line_frame, receipts
from crmdesk.reports.profit import customer_expenses, finish, profit_units
from crmdesk.reports.profit_allocation import NO_SALES, OVERHEAD, allocate, items
from crmdesk.reports.spec import ReportSpec
from crmdesk.services.actor import Actor

HEAD = ["customer", "customer_name"]
TAIL = ["expenses", "orders", "lines", "returns", "days_to_pay", "revenue", "gross_profit", "profit"]


def days_to_pay(session: Session, f: ReportFilters, branches: tuple[int, ...] | None = None) -> pd.Series:
    """customer_id → average days from a credit order (dated in the range) to its FIFO receipt;
    ``branches``: the orders and receipts of these branches only (each branch is paid on its own)."""
    docs = credit_orders(session)
    if branches is not None:
        docs = docs[docs["branch_id"].isin(branches)]
    docs = docs[docs["amt"] > 0]
    rec = receipts(session, branches).sort_values(["customer_id", "day"], kind="stable")
    if docs.empty or rec.empty:
        return pd.Series(dtype="float64")
    end = docs.groupby("customer_id")["amt"].cumsum().to_numpy()  # docs are sorted by customer, day, id
    paid = rec.groupby("customer_id")["amount"].cumsum().to_numpy()
    big = int(max(end.max(initial=0), paid.max(initial=0))) + 1
    if big * (int(max(docs["customer_id"].max(), rec["customer_id"].max())) + 1) >= 2 ** 62:
        return pd.Series(dtype="float64")  # cannot happen at shop sizes; never a wrong figure
    rkey = rec["customer_id"].to_numpy() * big + paid
    at = np.searchsorted(rkey, docs["customer_id"].to_numpy() * big + end, side="left")
    ok = at < len(rkey)
    cust_r = rec["customer_id"].to_numpy()
    ok[ok] &= cust_r[at[ok]] == docs["customer_id"].to_numpy()[ok]
    day = docs["day"].to_numpy()
    if f.date_from is not None:
        ok &= day >= day_number(f.date_from)
    if f.date_to is not None:
        ok &= day <= day_number(f.date_to)
    waited = rec["day"].to_numpy()[at[ok]] - day[ok]
    return pd.Series(np.maximum(waited, 0), index=docs["customer_id"].to_numpy()[ok]).groupby(level=0).mean().round(1)


def cost_to_serve(session: Session, actor: Actor, f: ReportFilters, options: dict[str, Any]) -> pd.DataFrame:
    base = profit_units(session, actor, f, "customer")
    base = base[~base["customer"].isin([OVERHEAD, NO_SALES])]
    if base.empty:
        return empty(HEAD + TAIL)
    df = finish(base.copy())
    alloc = allocate(session, f.date_from, f.date_to)
    kept = customer_expenses(session, actor, f, alloc).index
    long = pd.concat([alloc.direct[["customer_id", "item_id", "amount"]], alloc.allocated])
    long = long[long["customer_id"].isin(kept)]
    wide = long.pivot_table(index="customer_id", columns="item_id", values="amount", aggfunc="sum", fill_value=0)
    names = items(session).sort_values(["sort_order", "name"])
    order = [i for i in names.index if i in wide.columns]
    wide = wide[order]
    item_cols = [str(names.loc[i, "name"]) for i in order]
    lines = line_frame(session, actor, f, ("customer_id", "order_id", "revenue_u"))
    per_order = lines.groupby("order_id").agg(customer_id=("customer_id", "first"), amt=("revenue_u", "sum"))
    counts = pd.DataFrame({"orders": per_order[per_order["amt"] >= 0].groupby("customer_id").size(),
                           "returns": per_order[per_order["amt"] < 0].groupby("customer_id").size(),
                           "lines": lines.groupby("customer_id").size()})
    df = df.set_index(df["customer_id"].astype("int64"))
    df = df.join(counts).join(days_to_pay(session, f, effective_branches(session, actor, f)).rename("days_to_pay"))
    for col in ("orders", "returns", "lines"):
        df[col] = df[col].fillna(0).astype("int64")
    for item_id, col in zip(order, item_cols, strict=True):
        df[col] = yuan(wide[item_id].reindex(df.index).fillna(0).astype("int64"))
    df["expenses"] = yuan(df["direct_u"] + df["allocated_u"])
    df = df.sort_values(["profit_u", "customer"], kind="stable")
    out = df[HEAD + item_cols + TAIL].reset_index(drop=True)
    out.attrs["item_columns"] = item_cols
    return out


SPECS = [
    ReportSpec(
        name="cost-to-serve",
        title=N_("Cost to serve"),
        fn=cost_to_serve,
        description=N_("Per customer the expense items, orders, lines, returns and days to pay next to revenue, "
                       "gross profit and profit: why a customer costs."),
        money_columns=("expenses", "revenue", "gross_profit", "profit"),
        needs_cost=True,
        cost_columns=("gross_profit", "profit"),
    ),
]
