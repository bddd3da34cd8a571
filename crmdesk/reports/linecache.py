"""A compact in-memory columnar copy of the sales lines (plus receipts and stock
snapshots), one per database, persisted in the user's cache folder (a file database's
and a server database's alike, the latter keyed by its URL without the password).

Reports and the dashboard answer from these numpy arrays instead of grouping a
million rows in SQL. The copy records the committed change feed's position it was
read at (``linecache_store.signature``, ``crmdesk.db.change_feed``); when the feed
moved, the entries since say how: the copy is kept (only customers, products, receipts
or stock changed), its lines above the entries' bound are read again (lines only
added — never "ids went up = appended") or it is read again whole (lines rewritten,
merged or deleted, or a feed that cannot tell).
Filter masks and derived tables are memoised per copy.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.reports.common import (customer_ids_select, customers_frame, effective_branches, has_customer_filter,
                                    has_product_filter, ids_of, lines_scope, product_ids_select, products_frame)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache_store import (ARRAYS, EPOCH, EXTRAS, _cache_file, _change, _read_extras,
                                             _read_lines, _read_persisted, _write_persisted, signature)
from crmdesk.services.actor import Actor

log = logging.getLogger(__name__)
MASK_CACHE_SIZE = 16
PERSIST_MIN_LINES = 50_000  # small databases load faster than a file


def day_number(day: dt.date) -> int:
    return int((np.datetime64(day, "D") - EPOCH).astype("int64"))


@dataclass
class LineCache:
    signature: tuple
    day: np.ndarray  # int32 days since 1970
    customer: np.ndarray  # int32
    product: np.ndarray  # int32
    order: np.ndarray  # int32
    salesperson: np.ndarray  # int32, -1 = none
    amount: np.ndarray  # int64 money units
    cost: np.ndarray  # int64 money units
    quantity: np.ndarray  # float64
    branch: np.ndarray  # int32 branches.id of the line's order, 0 = none
    line_id: np.ndarray  # int64 sales_lines.id, ascending
    # Derived tables loaded on first use and valid for this signature (customers, products, …).
    memo: dict = field(default_factory=dict, repr=False)
    _masks: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The receipts and stock arrays as read (``linecache_store.EXTRAS``): kept when only other tables changed.
    extras: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.day)

    def newest_day(self) -> int | None:
        return int(self.day.max()) if len(self.day) else None

    def base_mask(self, session: Session, actor: Actor, f: ReportFilters) -> np.ndarray | None:
        """Lines passing every filter except the dates and in the actor's ``LineScope``
        (None = all lines); memoised. The scope's key is part of the memo key: a territory's
        product lines can change while the lines (the cache's signature) stay the same."""
        scope = lines_scope(session, actor)
        scope_key = None if scope is None else scope.key
        branches = effective_branches(session, actor, f)
        key = (f.with_(date_from=None, date_to=None, as_of=None).cache_key(), scope_key, branches)
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        mask = None
        if has_product_filter(f):
            ok = _dense_flags(session.scalars(product_ids_select(f)).all(), self.product)
            mask = ok[self.product]
        if has_customer_filter(f):
            ok = _dense_flags(ids_of(session, customer_ids_select(f, actor, scope=False)), self.customer)
            mask = ok[self.customer] if mask is None else mask & ok[self.customer]
        if f.salesperson_ids:
            sp = np.isin(self.salesperson, np.asarray(f.salesperson_ids, dtype="int32"))
            mask = sp if mask is None else mask & sp
        if branches is not None:  # the filter's branches within those the actor's territories allow
            br = np.isin(self.branch, np.asarray(branches, dtype="int32"))
            mask = br if mask is None else mask & br
        if scope is not None:
            # Before any sum: the salesperson's customers' lines in their product lines only.
            lines = self._scope_mask(session, scope)
            mask = lines if mask is None else mask & lines
        self._remember(key, mask)
        return mask

    def _scope_mask(self, session: Session, scope) -> np.ndarray:
        """The actor's lines alone, memoised apart: every filter of one salesperson reuses it."""
        key = ("scope", scope.key)
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        mask = scope.mask(session, self.customer, self.product)
        self._remember(key, mask)
        return mask

    def _remember(self, key: tuple, mask: np.ndarray | None) -> None:
        with self._lock:
            self._masks[key] = mask
            while len(self._masks) > MASK_CACHE_SIZE:
                self._masks.popitem(last=False)

    def mask(self, session: Session, actor: Actor, f: ReportFilters, start: int | None, end: int | None
             ) -> np.ndarray:
        base = self.base_mask(session, actor, f)
        m = np.ones(len(self.day), dtype=bool) if base is None else base.copy()
        if start is not None:
            m &= self.day >= start
        if end is not None:
            m &= self.day <= end
        return m


def _dense_flags(ids, like: np.ndarray) -> np.ndarray:
    size = int(max(like.max(initial=0), max(ids, default=0))) + 1
    ok = np.zeros(size, dtype=bool)
    ok[np.asarray(list(ids), dtype="int64")] = True
    return ok


def load(session: Session, sig: tuple | None = None, base: LineCache | None = None) -> LineCache:
    """The cache at signature ``sig``: from ``base`` (the previous in-memory cache) or the persisted
    copy, brought up to date as the change feed's log says (``linecache_store._change``)."""
    sig = sig or signature(session)
    file = _cache_file(session)
    if base is not None and base.extras:
        stored = (base.signature, {**{name: getattr(base, name) for name in ARRAYS}, **base.extras})
    else:
        stored = _read_persisted(file) if file is not None and file.exists() else None
    change, after = _change(session, stored[0], sig) if stored is not None else ("full", None)
    if change in ("same", "kept"):
        arrays = stored[1]
    elif change == "attributes":
        arrays = {**{name: stored[1][name] for name in ARRAYS}, **_read_extras(session)}
    elif change == "append":
        # Every line above the feed's bound is read again (the copy keeps only those at or below
        # it): lines another transaction committed there since are never taken as known.
        new = _read_lines(session, after_id=int(after))
        keep = int(np.searchsorted(stored[1]["line_id"], int(after), side="right"))
        arrays = {**{name: np.concatenate([stored[1][name][:keep], new[name]]) for name in ARRAYS},
                  **_read_extras(session)}
    else:
        arrays = {**_read_lines(session), **_read_extras(session)}
    # "kept": the copy on disk stays valid (the feed's log says how to reach today from it).
    if change not in ("same", "kept") and file is not None and len(arrays["day"]) >= PERSIST_MIN_LINES:
        _write_persisted(file, sig, arrays)
    cache = LineCache(signature=sig, **{name: arrays[name] for name in ARRAYS})
    cache.extras = {name: arrays[name] for name in EXTRAS}
    cache.memo["receipts"] = pd.DataFrame({"customer_id": arrays["rec_customer"], "day": arrays["rec_day"],
                                           "amount": arrays["rec_amount"], "branch_id": arrays["rec_branch"]})
    cache.memo["snapshots_by_branch"] = snaps = pd.DataFrame({
        "product_id": arrays["snap_product"], "day": arrays["snap_day"], "quantity": arrays["snap_quantity"],
        "value": arrays["snap_value"], "branch_id": arrays["snap_branch"]})
    cache.memo["snapshots"] = _sum_branches(snaps)
    log.info("line cache %s: %d lines", change, len(cache))
    return cache


def _sum_branches(snaps: pd.DataFrame) -> pd.DataFrame:
    """Stock per product and day over all branches (sorted by product and day)."""
    if len(snaps) == 0 or (snaps["branch_id"].to_numpy() == snaps["branch_id"].to_numpy()[0]).all():
        return snaps.drop(columns="branch_id").reset_index(drop=True)  # one branch or none: one row each already
    summed = snaps.groupby(["product_id", "day"], sort=True, as_index=False)[["quantity", "value"]].sum()
    return summed.astype({"product_id": "int64", "day": "int64", "value": "int64"})


_caches: dict[str, LineCache] = {}
_SIG_KEY = "crmdesk.linecache.signature"
_load_lock = threading.Lock()


def get(session: Session) -> LineCache:
    """The cache for the session's database, reloaded if the data changed.

    The signature is checked once per session (a session is one unit of work)."""
    key = str(session.get_bind().url)
    sig = session.info.get(_SIG_KEY)
    if sig is None:
        sig = session.info[_SIG_KEY] = signature(session)
    with _load_lock:
        cache = _caches.get(key)
        if cache is None or cache.signature != sig:
            cache = load(session, sig, base=cache)
            _caches[key] = cache
        return cache


def clear() -> None:
    with _load_lock:
        _caches.clear()


_KEEP: object = object()
LINE_COLUMNS = ("day", "customer_id", "product_id", "order_id", "salesperson_id", "revenue_u", "cost_u", "quantity")
# Not in LINE_COLUMNS (reports ask for it by name: margin --by branch): frames stay as they were.


def line_arrays(session: Session, actor: Actor, f: ReportFilters, columns: tuple[str, ...] = LINE_COLUMNS, *,
                date_from: object = _KEEP, date_to: object = _KEEP, product_filters: bool = True,
                customer_filters: bool = True) -> dict[str, np.ndarray]:
    """The filtered lines as numpy arrays, only the ``columns`` asked for (see ``line_frame``)."""
    c = get(session)
    g = f
    if not product_filters:
        g = g.with_(categories=(), brands=(), price_min=None, price_max=None)
    if not customer_filters:
        g = g.with_(customer_types=(), grades=(), territory_ids=(), salesperson_ids=())
    lo = f.date_from if date_from is _KEEP else date_from
    hi = f.date_to if date_to is _KEEP else date_to
    m = c.mask(session, actor, g, day_number(lo) if lo else None, day_number(hi) if hi else None)
    source = {"day": c.day, "customer_id": c.customer, "product_id": c.product, "order_id": c.order,
              "salesperson_id": c.salesperson, "revenue_u": c.amount, "cost_u": c.cost, "quantity": c.quantity,
              "branch_id": c.branch}
    return {name: source[name][m] for name in columns}


def line_frame(session: Session, actor: Actor, f: ReportFilters, columns: tuple[str, ...] = LINE_COLUMNS,
               **kw: object) -> pd.DataFrame:
    """The sales lines passing the filters, as a DataFrame (money in units, ``day`` = days since 1970).

    ``date_from``/``date_to`` override the filter's range (None = open);
    ``product_filters=False`` / ``customer_filters=False`` ignore those filters (the
    salesperson filter counts as a customer filter here).
    """
    return pd.DataFrame(line_arrays(session, actor, f, columns, **kw))


def period_index(days: np.ndarray | pd.Series, unit: str = "M") -> np.ndarray:
    """Days since 1970 → months (unit "M") or years ("Y") since 1970, as int64 (cheap to group on)."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype(f"datetime64[{unit}]").astype("int64")


def period_labels(index: np.ndarray | pd.Series, unit: str = "M") -> np.ndarray:
    """``period_index`` values → "YYYY-MM" / "YYYY"."""
    return np.datetime_as_string(np.asarray(index, dtype="int64").astype(f"datetime64[{unit}]"), unit=unit)


def month_labels(days: np.ndarray | pd.Series, unit: str = "M") -> np.ndarray:
    """Days since 1970 → "YYYY-MM" (unit "M") or "YYYY" (unit "Y") labels."""
    periods = (np.asarray(days, dtype="int64").astype("datetime64[D]")).astype(f"datetime64[{unit}]")
    uniq, inverse = np.unique(periods, return_inverse=True)
    return np.datetime_as_string(uniq, unit=unit).astype(object)[inverse]


def to_dates(days: np.ndarray | pd.Series) -> pd.Series:
    return pd.Series(np.asarray(days, dtype="int64").astype("datetime64[D]")).dt.date


def _memo(session: Session, name: str, build):
    cache = get(session)
    with cache._lock:
        if name in cache.memo:
            return cache.memo[name]
    value = build(session)
    with cache._lock:
        cache.memo[name] = value
    return value


CUSTOMER_ID_SETS_KEPT = 16  # filter/scope combinations remembered per copy


def customer_ids(session: Session, stmt) -> np.ndarray:
    """The ids ``stmt`` (a SELECT of customer ids: a scope and customer filters) returns,
    memoised with this copy and keyed by the query itself, so any filter or scope change
    misses. A salesperson's dashboard asks for the same set three times (receivables, and the
    profit of two periods): 50 ms each at 100,000 customers."""
    from crmdesk.db.columnar import fetch_ids

    key = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    cache = get(session)
    with cache._lock:
        kept = cache.memo.setdefault("customer_ids", OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    ids = fetch_ids(session, stmt)
    with cache._lock:
        kept[key] = ids
        while len(kept) > CUSTOMER_ID_SETS_KEPT:
            kept.popitem(last=False)
    return ids


def customers(session: Session) -> pd.DataFrame:
    """``common.customers_frame`` kept with the cache (reloaded when a customer changes)."""
    return _memo(session, "customers", customers_frame)


def products(session: Session) -> pd.DataFrame:
    return _memo(session, "products", products_frame)


def receipts(session: Session, branches: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Every receipt: customer_id, day, amount (units), branch_id (0 = none). Loaded with the cache.
    ``branches`` (``common.effective_branches``): only the receipts of these branches."""
    table = get(session).memo["receipts"]
    if branches is None:
        return table
    return table[np.isin(table["branch_id"].to_numpy(), np.asarray(branches, dtype="int32"))].reset_index(drop=True)


def snapshots(session: Session, branches: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Stock per product and snapshot day (summed over warehouses), sorted by product and day:
    product_id, day, quantity, value. Loaded with the cache. ``branches``: only the stock
    counted at these branches (``common.effective_branches``)."""
    if branches is None:
        return get(session).memo["snapshots"]

    def build(s: Session) -> pd.DataFrame:
        snaps = get(s).memo["snapshots_by_branch"]
        return _sum_branches(snaps[np.isin(snaps["branch_id"].to_numpy(), np.asarray(branches, dtype="int32"))])
    return _memo(session, f"snapshots{tuple(branches)}", build)


def orders(session: Session) -> pd.DataFrame:
    """One row per order present in the lines: order_id, customer_id, day, amt (net units),
    sorted by customer, day and id. Built with bincount: an order's lines share its customer and date."""
    def build(s: Session) -> pd.DataFrame:
        c = get(s)
        if not len(c):
            return pd.DataFrame({"order_id": [], "customer_id": [], "day": [], "amt": [], "branch_id": []},
                                dtype="int64")
        size = int(c.order.max()) + 1
        present = np.bincount(c.order, minlength=size) > 0
        amt = np.round(np.bincount(c.order, weights=c.amount, minlength=size)).astype("int64")
        cust = np.zeros(size, dtype="int64")
        cust[c.order] = c.customer
        day = np.zeros(size, dtype="int64")
        day[c.order] = c.day
        branch = np.zeros(size, dtype="int32")
        branch[c.order] = c.branch
        ids = np.nonzero(present)[0]
        order = np.lexsort((ids, day[ids], cust[ids]))  # by customer, day, id: what FIFO ageing needs
        ids = ids[order]
        return pd.DataFrame({"order_id": ids, "customer_id": cust[ids], "day": day[ids], "amt": amt[ids],
                             "branch_id": branch[ids]})
    return _memo(session, "orders", build)


def settled_orders(session: Session) -> np.ndarray:
    """Array order id → True where the order was settled at sale (``services.settlement``): paid
    on the spot, never owed. Read again with the cache (a re-settlement is audited: a new signature)."""
    def build(s: Session) -> np.ndarray:
        from sqlalchemy import select

        from crmdesk.db.models import SalesOrder
        from crmdesk.services.settlement import CREDIT

        ids = np.fromiter(s.scalars(select(SalesOrder.id).where(SalesOrder.settlement != CREDIT)), dtype="int64")
        size = max(int(get(s).order.max(initial=0)), int(ids.max(initial=0))) + 1
        out = np.zeros(size, dtype=bool)
        out[ids] = True
        return out
    return _memo(session, "settled_orders", build)


def credit_orders(session: Session) -> pd.DataFrame:
    """``orders`` without those settled at sale: the documents a balance is made of."""
    def build(s: Session) -> pd.DataFrame:
        table = orders(s)
        settled = settled_orders(s)
        if not settled.any():
            return table
        return table[~settled[table["order_id"].to_numpy()]].reset_index(drop=True)
    return _memo(session, "credit_orders", build)


def _order_column(session: Session, column: str) -> np.ndarray:
    def build(s: Session) -> np.ndarray:
        table = orders(s)
        out = np.zeros(int(table["order_id"].to_numpy().max(initial=0)) + 1, dtype="int64")
        out[table["order_id"].to_numpy()] = table[column].to_numpy()
        return out
    return _memo(session, f"order_{column}", build)


def order_customers(session: Session) -> np.ndarray:
    """Array order id → customer id (0 where no such order)."""
    return _order_column(session, "customer_id")


def order_days(session: Session) -> np.ndarray:
    """Array order id → order day (days since 1970)."""
    return _order_column(session, "day")
