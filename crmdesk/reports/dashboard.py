"""The owner's dashboard: KPI tiles with the change against the previous period
of equal length, and the series behind its charts. Qt-free.

``dashboard_data(session, actor, filters)`` answers from the columnar line
cache (``linecache``) with numpy masks, so a changed filter costs a few
vector operations; a repeated filter is served from a small memo.

Period: the filter's date range; without one, the 12 months ending at
``as_of``. Point-in-time tiles (receivables, overdue, stock value) are taken
at the period's end and at the previous period's end. Restock and overstock
counts use the report defaults (see ``stock``).

Who is asking: the line figures count the actor's lines (``LineScope``), receivables
their customers, stock their product lines. Counter staff get no cost: the gross
profit, margin and stock value tiles, the monthly cost and gross profit, the key
customers (gross profit Pareto) and the margin by brand are not computed and are
absent from the result (``pareto`` and ``margin_by_brand`` are None).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerType
from crmdesk.i18n import N_
from crmdesk.money import MONEY_SCALE
from crmdesk.reports import dashboard_profit, linecache
from crmdesk.reports.common import (customer_ids_select, effective_branches, frame, has_customer_filter, lines_scope,
                                    pct, product_scope_ids, scoped, yuan)
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.key_customers import abc_classes
from crmdesk.reports.receivables import BUCKETS, age_documents
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import require, sees_cost

PARETO_TOP = 20
BRANDS_TOP = 15
RESTOCK_SAFETY_DAYS, SALES_WINDOW_DAYS, MAX_COVER_DAYS, IDLE_DAYS = 7, 90, 180, 90
MEMO_SIZE = 8


@dataclass(frozen=True)
class Kpi:
    """One tile. ``unit`` is "yuan", "pct" or "count"; ``previous`` is None when not comparable."""

    key: str
    title: str  # English, N_-marked; translate when shown
    value: float
    previous: float | None
    unit: str

    @property
    def change(self) -> float | None:
        return None if self.previous is None else round(self.value - self.previous, 2)

    @property
    def change_pct(self) -> float | None:
        """Relative change in % (None when there is no previous value or it is 0)."""
        if self.previous is None or self.previous == 0:
            return None
        return round((self.value - self.previous) * 100.0 / abs(self.previous), 2)


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    period_from: dt.date
    period_to: dt.date
    previous_from: dt.date
    previous_to: dt.date
    kpis: tuple[Kpi, ...]
    monthly: pd.DataFrame  # month, revenue, cost, gross_profit, margin_pct (yuan / %); month, revenue without cost
    # customer_code, customer_name, gross_profit, gp_share_pct, cumulative_share_pct, abc_class; None without cost
    pareto: pd.DataFrame | None
    margin_by_brand: pd.DataFrame | None  # brand, revenue, gross_profit, margin_pct (top brands by GP); None without cost
    ageing: dict[str, float] = field(default_factory=dict)  # age_0_30 … age_over_90 → yuan
    restock_count: int = 0
    overstock_count: int = 0
    customer_types: pd.DataFrame | None = None  # customer_type, revenue
    # rank, customer, customer_name, profit, cum_profit_pct, cum_customers_pct (issue 15); None without cost
    whale: pd.DataFrame | None = None

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def has_kpi(self, key: str) -> bool:
        return any(k.key == key for k in self.kpis)


_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


def dashboard_data(session: Session, actor: Actor, filters: ReportFilters) -> Dashboard:
    require(actor, "reports.view")
    cache = linecache.get(session)
    scope = lines_scope(session, actor)
    key = (cache.signature, filters.cache_key(), actor.user_id, actor.role, actor.territory_ids,
           None if scope is None else scope.key, dashboard_profit.expenses_key(session))
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    result = _compute(session, actor, filters, cache)
    with _memo_lock:
        _memo[key] = result
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return result


def _period(f: ReportFilters, cache: linecache.LineCache) -> tuple[dt.date, dt.date, dt.date, dt.date, dt.date]:
    newest = cache.newest_day()
    newest_date = dt.date(1970, 1, 1) + dt.timedelta(days=newest) if newest is not None else dt.date.today()
    as_of = f.as_of or f.date_to or newest_date
    end = f.date_to or as_of
    start = f.date_from or (end - relativedelta(years=1) + dt.timedelta(days=1))
    length = (end - start).days + 1
    prev_end = start - dt.timedelta(days=1)
    return as_of, start, end, prev_end - dt.timedelta(days=length - 1), prev_end


def _compute(session: Session, actor: Actor, f: ReportFilters, c: linecache.LineCache) -> Dashboard:
    as_of, start, end, p_start, p_end = _period(f, c)
    d = linecache.day_number
    base = c.base_mask(session, actor, f)
    sale = c.amount > 0

    def window(lo: dt.date, hi: dt.date, mask: np.ndarray | None = base) -> np.ndarray:
        m = (c.day >= d(lo)) & (c.day <= d(hi))
        return m if mask is None else m & mask

    cur, prev = window(start, end), window(p_start, p_end)
    cost = sees_cost(actor)
    now, before = _line_values(c, cur, sale, cost), _line_values(c, prev, sale, cost)
    kpis = [Kpi(key, title, now[key], before[key], unit) for key, title, unit in LINE_KPIS if key in now]
    units = dashboard_profit.period_units(session, actor, f, start, end) if cost else None
    if cost:  # 利润 next to 毛利: gross profit less the period's expenses (``dashboard_profit``)
        profit_before = dashboard_profit.line_profit(session, actor, f, c.amount[prev], c.cost[prev], p_start, p_end)
        kpis.insert(2, Kpi("profit", N_("Profit"), dashboard_profit.period_profit(units), profit_before, "yuan"))
    # Gross profit per line of the period (never computed for those who may not see cost).
    margin_u = (c.amount[cur] - c.cost[cur]).astype("float64") if cost else None
    # Receivables follow only the customer filters, stock only the product filters: a change of
    # the other filters (or of the dates, for the other side) reuses them. Both follow the actor.
    # Both follow the branches too (the filter's within the actor's: ``effective_branches``).
    who = (actor.user_id, actor.role, actor.territory_ids)
    branches = effective_branches(session, actor, f)
    customer_key = ("receivables", f.customer_types, f.grades, f.territory_ids, f.salesperson_ids, branches, *who)
    product_key = ("stock", f.categories, f.brands, f.price_min, f.price_max, branches, *who)
    cust_ok = _cached(c, (*customer_key, "flags"), lambda: _customer_flags(session, actor, f, c))
    rec_now = _cached(c, (*customer_key, end), lambda: _receivables(session, c, cust_ok, end, branches))
    rec_prev = _cached(c, (*customer_key, p_end), lambda: _receivables(session, c, cust_ok, p_end, branches))
    kpis.append(Kpi("receivables", N_("Receivables"), rec_now["balance"], rec_prev["balance"], "yuan"))
    kpis.append(Kpi("overdue", N_("Overdue (over 30 days)"), rec_now["overdue"], rec_prev["overdue"], "yuan"))
    product_ok = _cached(c, (*product_key, "flags"), lambda: _product_flags(session, actor, f, c))
    if cost:  # stock is valued at cost
        kpis.append(Kpi("stock_value", N_("Stock value"),
                        _cached(c, (*product_key, end), lambda: _stock_value(session, product_ok, end, branches)),
                        _cached(c, (*product_key, p_end), lambda: _stock_value(session, product_ok, p_end, branches)),
                        "yuan"))
    restock, overstock = _cached(c, (*product_key, "counts", as_of),
                                 lambda: _stock_counts(session, c, product_ok, as_of, branches))
    kpis.append(Kpi("restock", N_("Products to restock"), float(restock), None, "count"))
    kpis.append(Kpi("overstock", N_("Overstocked products"), float(overstock), None, "count"))
    return Dashboard(
        as_of=as_of, period_from=start, period_to=end, previous_from=p_start, previous_to=p_end,
        kpis=tuple(kpis), monthly=_monthly(c, cur, cost),
        pareto=_pareto(session, c, cur, margin_u) if cost else None,
        margin_by_brand=_brands(session, c, cur, margin_u) if cost else None,
        ageing={b: rec_now[b] for b in BUCKETS}, restock_count=restock, overstock_count=overstock,
        customer_types=_customer_types(session, c, cur),
        whale=dashboard_profit.whale(session, actor, f, start, end, units) if cost else None,
    )


PART_MEMO_SIZE = 64


def _cached(c: linecache.LineCache, key: tuple, build):
    """A dashboard part memoised with the line cache (dropped with it when the data changes)."""
    parts = c.memo.setdefault("dashboard_parts", OrderedDict())
    with c._lock:
        if key in parts:
            parts.move_to_end(key)
            return parts[key]
    value = build()
    with c._lock:
        parts[key] = value
        while len(parts) > PART_MEMO_SIZE:
            parts.popitem(last=False)
    return value


LINE_KPIS = (
    ("revenue", N_("Revenue"), "yuan"),
    ("gross_profit", N_("Gross profit"), "yuan"),
    ("margin_pct", N_("Gross margin %"), "pct"),
    ("orders", N_("Orders"), "count"),
    ("active_customers", N_("Active customers"), "count"),
    ("average_order", N_("Average order"), "yuan"),
)


def _line_values(c: linecache.LineCache, m: np.ndarray, sale: np.ndarray, with_cost: bool = True
                 ) -> dict[str, float]:
    """The line KPIs of one period (each masked sum computed once); no cost ones without ``with_cost``."""
    rev = int(c.amount[m].sum())
    sold = m & sale
    n_orders = _distinct(c.order[sold])
    out = {"revenue": yuan(rev), "orders": float(n_orders), "active_customers": float(_distinct(c.customer[sold])),
           "average_order": yuan(rev // n_orders) if n_orders else 0.0}
    if with_cost:
        cost = int(c.cost[m].sum())
        out["gross_profit"] = yuan(rev - cost)
        out["margin_pct"] = pct(rev - cost, rev) if rev else 0.0
    return out


def _distinct(ids: np.ndarray) -> int:
    """Number of distinct non-negative ids, in O(n) (no sort)."""
    return int(np.count_nonzero(np.bincount(ids))) if len(ids) else 0


def _monthly(c: linecache.LineCache, m: np.ndarray, with_cost: bool = True) -> pd.DataFrame:
    cols = ["month", "revenue", "cost", "gross_profit", "margin_pct"] if with_cost else ["month", "revenue"]
    if not m.any():
        return pd.DataFrame(columns=cols)
    months = _cached(c, ("month_of_line",), lambda: linecache.period_index(c.day).astype("int32"))[m]
    lo = int(months.min())
    idx = months - lo
    rev = np.bincount(idx, weights=c.amount[m]).round().astype("int64")
    labels = np.datetime_as_string((np.arange(len(rev)) + lo).astype("datetime64[M]"), unit="M")
    if not with_cost:
        return pd.DataFrame({"month": labels, "revenue": yuan(rev)})
    cost = np.bincount(idx, weights=c.cost[m]).round().astype("int64")
    df = pd.DataFrame({"month": labels, "revenue": yuan(rev), "cost": yuan(cost), "gross_profit": yuan(rev - cost)})
    df["margin_pct"] = pct(pd.Series(rev - cost), pd.Series(rev))
    return df[cols]


def _pareto(session: Session, c: linecache.LineCache, m: np.ndarray, margin_u: np.ndarray) -> pd.DataFrame:
    cols = ["customer_code", "customer_name", "gross_profit", "gp_share_pct", "cumulative_share_pct", "abc_class"]
    if not m.any():
        return pd.DataFrame(columns=cols)
    cust = c.customer[m]
    gp = np.bincount(cust, weights=margin_u).round().astype("int64")
    seen = np.bincount(cust) > 0
    ids = np.nonzero(seen)[0]
    s = pd.Series(gp[ids], index=ids).sort_values(ascending=False, kind="stable")
    share, cumulative, cls = abc_classes(s)
    top = s.index[:PARETO_TOP]
    custs = frame(session, select(Customer.id, Customer.code, Customer.name).where(Customer.id.in_(top.tolist()))
                  ).set_index("id")
    return pd.DataFrame({
        "customer_code": custs["code"].reindex(top).to_numpy(), "customer_name": custs["name"].reindex(top).to_numpy(),
        "gross_profit": yuan(s.iloc[:PARETO_TOP]).to_numpy(), "gp_share_pct": share.iloc[:PARETO_TOP].to_numpy(),
        "cumulative_share_pct": cumulative.iloc[:PARETO_TOP].to_numpy(), "abc_class": cls.iloc[:PARETO_TOP].to_numpy(),
    })


def _brand_codes(session: Session, c: linecache.LineCache) -> tuple[np.ndarray, np.ndarray]:
    """(brand code per line, brand names): grouping by a small int is much cheaper than by text."""
    prods = linecache.products(session)
    codes, names = pd.factorize(prods["brand"].fillna("").astype(str))
    names = np.append(np.asarray(names, dtype=object), "")
    of_product = np.full(int(max(c.product.max(initial=0), prods.index.max() if len(prods) else 0)) + 1,
                         len(names) - 1, dtype="int64")
    of_product[prods.index.to_numpy(dtype="int64")] = codes
    return of_product[c.product], names


def _brands(session: Session, c: linecache.LineCache, m: np.ndarray, margin_u: np.ndarray) -> pd.DataFrame:
    cols = ["brand", "revenue", "gross_profit", "margin_pct"]
    if not m.any():
        return pd.DataFrame(columns=cols)
    brand_of_line, names = _cached(c, ("brand_of_line",), lambda: _brand_codes(session, c))
    brand = brand_of_line[m]
    rev = np.bincount(brand, weights=c.amount[m], minlength=len(names)).round().astype("int64")
    gp = np.bincount(brand, weights=margin_u, minlength=len(names)).round().astype("int64")
    used = np.nonzero(np.bincount(brand, minlength=len(names)))[0]
    df = pd.DataFrame({"brand": names[used], "rev": rev[used], "gp": gp[used]})
    df = df.groupby("brand", as_index=False)[["rev", "gp"]].sum().sort_values("gp", ascending=False).head(BRANDS_TOP)
    df["revenue"], df["gross_profit"] = yuan(df["rev"]), yuan(df["gp"])
    df["margin_pct"] = pct(df["gp"], df["rev"])
    return df[cols].reset_index(drop=True)


def _customer_types(session: Session, c: linecache.LineCache, m: np.ndarray) -> pd.DataFrame:
    """Revenue of the period per customer type (the page's pie): customer_type, revenue."""
    cols = ["customer_type", "revenue"]
    if not m.any():
        return pd.DataFrame(columns=cols)
    # Kept with the line cache (reloaded when a customer changes), shared by every user.
    of_customer, names = linecache._memo(session, "dashboard_type_of_customer", lambda s: _type_codes(s, c))
    kind = of_customer[c.customer[m]]
    rev = np.bincount(kind, weights=c.amount[m], minlength=len(names)).round().astype("int64")
    used = np.nonzero(np.bincount(kind, minlength=len(names)))[0]
    df = pd.DataFrame({"customer_type": names[used], "rev": rev[used]})
    df = df.groupby("customer_type", as_index=False)["rev"].sum().sort_values("rev", ascending=False, kind="stable")
    df["revenue"] = yuan(df["rev"])
    return df[cols].reset_index(drop=True)


def _type_codes(session: Session, c: linecache.LineCache) -> tuple[np.ndarray, np.ndarray]:
    """(array customer id → type code, type names; the last name is "" for no type): two narrow
    queries, not the whole customers table."""
    result = session.connection().execute(select(Customer.id, Customer.type_id))
    try:
        rows = result.cursor.fetchall() if result.cursor is not None else result.fetchall()
    finally:
        result.close()
    ids = np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows))
    type_ids = np.fromiter((r[1] if r[1] is not None else -1 for r in rows), dtype="int64", count=len(rows))
    types = dict(session.execute(select(CustomerType.id, CustomerType.name)).all())
    keys = sorted(types)
    names = np.array([types[k] or "" for k in keys] + [""], dtype=object)
    codes = np.searchsorted(np.array(keys, dtype="int64"), type_ids)  # position of the type id in keys
    known = np.array([*keys, -2], dtype="int64")[codes] == type_ids
    codes = np.where(known, codes, len(keys))
    of_customer = np.full(int(max(c.customer.max(initial=0), ids.max(initial=0))) + 1, len(keys), dtype="int64")
    of_customer[ids] = codes
    return of_customer, names


def _customer_flags(session: Session, actor: Actor, f: ReportFilters, c: linecache.LineCache) -> np.ndarray | None:
    """Customers counted in receivables (owner = salesperson, as in the receivables report)."""
    if not (has_customer_filter(f) or f.salesperson_ids or scoped(actor)):
        return None
    ids = linecache.customer_ids(session, customer_ids_select(f, actor, owner_for_salesperson=True))
    ok = np.zeros(max(int(c.customer.max(initial=0)), int(ids.max(initial=0))) + 1, dtype=bool)
    ok[ids] = True
    return ok


def _receivables(session: Session, c: linecache.LineCache, ok: np.ndarray | None, at: dt.date,
                 branches: tuple[int, ...] | None = None) -> dict[str, float]:
    docs = linecache.credit_orders(session)  # sales settled at sale are not receivable
    if branches is not None:
        docs = docs[docs["branch_id"].isin(branches)]
    rec = linecache.receipts(session, branches)
    day = linecache.day_number(at)
    docs = docs[docs["day"].to_numpy() <= day]
    rec = rec[rec["day"].to_numpy() <= day]
    if ok is not None:
        docs = docs[ok[docs["customer_id"].to_numpy()]]
        rec = rec[rec["customer_id"].isin(np.nonzero(ok)[0])]
    aged = age_documents(docs, rec.groupby("customer_id")["amount"].sum(), at, presorted=True)
    out = {"balance": yuan(int(aged["balance_u"].sum()))}
    for b in BUCKETS:
        out[b] = yuan(int(aged[b].sum()))
    out["overdue"] = yuan(int(aged[list(BUCKETS[1:])].to_numpy().sum()))
    return out


def _product_flags(session: Session, actor: Actor, f: ReportFilters, c: linecache.LineCache) -> np.ndarray:
    """Products counted in stock: the product filters, in the actor's product lines."""
    prods = linecache.products(session)
    size = max(int(prods.index.max()) if len(prods) else 0, int(c.product.max(initial=0))) + 1
    ok = np.zeros(size, dtype=bool)
    ids = prods.index.to_numpy(dtype="int64")
    keep = np.ones(len(prods), dtype=bool)
    allowed = product_scope_ids(session, actor)
    if allowed is not None:
        keep &= prods.index.isin(allowed)
    if f.categories:
        keep &= prods["category"].isin(f.categories).to_numpy()
    if f.brands:
        keep &= prods["brand"].isin(f.brands).to_numpy()
    price = prods["list_price"].to_numpy() / MONEY_SCALE
    if f.price_min is not None:
        keep &= price >= float(f.price_min)
    if f.price_max is not None:
        keep &= price <= float(f.price_max)
    ok[ids[keep]] = True
    return ok


def _stock_at(session: Session, ok: np.ndarray, at: dt.date, branches: tuple[int, ...] | None = None) -> pd.DataFrame:
    snaps = linecache.snapshots(session, branches)
    snaps = snaps[snaps["day"].to_numpy() <= linecache.day_number(at)]
    latest = snaps.drop_duplicates("product_id", keep="last")
    return latest[ok[latest["product_id"].to_numpy()]].set_index("product_id")


def _stock_value(session: Session, ok: np.ndarray, at: dt.date, branches: tuple[int, ...] | None = None) -> float:
    return yuan(int(_stock_at(session, ok, at, branches)["value"].sum()))


def _stock_counts(session: Session, c: linecache.LineCache, ok: np.ndarray, as_of: dt.date,
                  branches: tuple[int, ...] | None = None) -> tuple[int, int]:
    """(restock, overstock) product counts with the reports' default rules (a branch's own
    stock against its own sales when ``branches`` is given)."""
    d = linecache.day_number(as_of)
    lines = ok[c.product] & (c.day <= d)
    if branches is not None:
        lines &= np.isin(c.branch, np.asarray(branches, dtype="int32"))
    recent = lines & (c.day > d - SALES_WINDOW_DAYS)
    size = len(ok)
    qty = np.bincount(c.product[recent], weights=c.quantity[recent], minlength=size)
    idle = np.bincount(c.product[lines & (c.day > d - IDLE_DAYS)], minlength=size) == 0
    prods = linecache.products(session)
    ids = prods.index.to_numpy()[ok[prods.index.to_numpy()]]
    stock = _stock_at(session, ok, as_of, branches)["quantity"].reindex(ids).fillna(0).to_numpy()
    avg = np.clip(qty[ids] / SALES_WINDOW_DAYS, 0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(avg > 0, stock / avg, np.inf)
    lead = prods["lead_time_days"].reindex(ids).to_numpy()
    restock = int(((avg > 0) & (cover < lead + RESTOCK_SAFETY_DAYS)).sum())
    overstock = int(((stock > 0) & ((cover > MAX_COVER_DAYS) | idle[ids])).sum())
    return restock, overstock


def clear_memo() -> None:
    with _memo_lock:
        _memo.clear()
