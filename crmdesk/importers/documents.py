"""Sales rows that disagree about their document: one order number with several customers or
dates, one customer with several types. Never merged silently: split, counted and said.

An order head has one customer and one date. When the rows of one order number name several
(customer, date) pairs, they are several documents that share a number (exports that number
per day or per till, files joined from two programs): each pair becomes its own order. The
first pair in file order keeps the number, the others get ``number#2``, ``number#3`` … in the
order they first appear, so the same file imports to the same orders again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers.findings import FileWarning

SPLIT_MARK = "#"
_EXAMPLES = 3
_CHUNK = 100_000


def split_mixed_orders(frame: pd.DataFrame, ok: np.ndarray, warnings: list[FileWarning]) -> None:
    """Give each (customer, date) pair of an order number its own order number (rows in ``ok`` only).
    Each row is first compared with the first row of its number (cheap on a million rows); only
    the orders that disagree are looked at closer."""
    rows = np.flatnonzero(ok)
    if not len(rows):
        return
    whole = len(rows) == len(frame)
    numbers_col = frame["order_number"] if whole else frame["order_number"].iloc[rows]
    number_of, numbers = pd.factorize(numbers_col, use_na_sentinel=False)
    first = np.empty(len(numbers), dtype=np.int64)
    first[number_of[::-1]] = np.arange(len(number_of) - 1, -1, -1)  # the last write wins: the first row
    head = rows[first[number_of]]
    customers = frame["customer_code"].array
    dates = frame["order_date"].to_numpy()
    differs = np.zeros(len(rows), dtype=bool)
    for at in range(0, len(rows), _CHUNK):  # chunks: a GUI thread waiting for the GIL gets it in between
        r, h = rows[at:at + _CHUNK], head[at:at + _CHUNK]
        differs[at:at + _CHUNK] = np.asarray(customers.take(r) != customers.take(h), dtype=bool) | \
            np.asarray(dates[r] != dates[h], dtype=bool)
    if not differs.any():
        return
    in_mixed = np.isin(number_of, np.unique(number_of[differs]))
    sub = pd.DataFrame({"n": number_of[in_mixed], "c": np.asarray(customers.take(rows[in_mixed]), dtype=object),
                        "d": dates[rows[in_mixed]]})
    pair = sub.groupby(["n", "c", "d"], sort=False).ngroup().to_numpy()  # numbered in order of first appearance
    pair_number = np.empty(pair.max() + 1, dtype=np.int64)
    pair_number[pair] = sub["n"].to_numpy()
    rank = pd.Series(pair_number).groupby(pair_number, sort=False).cumcount().to_numpy()[pair]  # 0 = first pair
    moved = rows[in_mixed][rank > 0]
    col = frame.columns.get_loc("order_number")
    frame.iloc[moved, col] = (frame["order_number"].iloc[moved].astype(str) + SPLIT_MARK +
                              (rank[rank > 0] + 1).astype(str)).to_numpy(dtype=object)
    per_number = sub.groupby("n", sort=False).agg(pairs=("c", "size"), customers=("c", "nunique"),
                                                  dates=("d", "nunique"))
    per_number["pairs"] = pd.Series(pair_number).value_counts().reindex(per_number.index).to_numpy()
    examples = [f"{numbers[n]} → {int(k)}" for n, k in per_number["pairs"].head(_EXAMPLES).items()]
    warnings.append(FileWarning("mixed_orders", _(
        "{n} order numbers carry several customers or dates ({customers} with several customers, {dates} with "
        "several dates): split into {orders} orders, the later ones numbered NUMBER#2, #3 …; {lines} lines moved")
        .format(n=len(per_number), customers=int((per_number["customers"] > 1).sum()),
                dates=int((per_number["dates"] > 1).sum()), orders=int(per_number["pairs"].sum()),
                lines=len(moved)), len(per_number), examples))


def warn_mixed_customer_types(frame: pd.DataFrame, ok: np.ndarray, header: str,
                              warnings: list[FileWarning]) -> None:
    """A customer with several types (segments) in one file: the first row's type is the one a new
    customer gets (an existing customer keeps the type it has); said with counts and examples."""
    part = frame.loc[ok, ["customer_code", "customer_type"]]
    part = part[part["customer_type"].astype(str) != ""]
    if part.empty:
        return
    types = part.drop_duplicates()
    counts = types.groupby("customer_code", sort=False).size()
    mixed = counts[counts > 1]
    if mixed.empty:
        return
    firsts = types.groupby("customer_code", sort=False)["customer_type"].agg(" / ".join)
    warnings.append(FileWarning("mixed_customer_type", _(
        "{n} customers have more than one {column} in this file; the first row's is used for a new customer, "
        "an existing one keeps its own").format(n=len(mixed), column=header), len(mixed),
        [f"{code}: {firsts[code]}" for code in mixed.index[:_EXAMPLES]]))
