"""The values conditions test, for every customer a rule's actor may see, as one DataFrame.

Purchase measures come from the reports' line cache (numpy over the actor's lines, as the
reports count them: a salesperson's rule sees their lines only); the rest from a few GROUP BY
queries. Only the measures asked for are computed; a run computes one frame per acting user
and shares it across its rules. Money stays integer units (crmdesk.money); a missing value is
NaN (float columns) or "" (text).

A "purchase" is an order with at least one sale line (returns alone are none); intervals and
recency count purchase days up to ``as_of``; "usual interval" is the median gap between a
customer's distinct purchase days, known from the third purchase day on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session

from crmdesk.db.models import (CaseStatus, Customer, CustomerType, CustomFieldDef, CustomFieldValue, DocType,
                               Interaction, OrderStatus, SalesOrder, ServiceCase, Tag, customer_tags,
                               customer_territories)
from crmdesk.reports import linecache
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.linecache import day_number, line_arrays, order_customers, order_days
from crmdesk.reports.rfm import score, segment_of
from crmdesk.db.columnar import plain_rows, read_columns
from crmdesk.rules.catalog import FIELD_PREFIX
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import scope_customers
from crmdesk.services.settlement import CREDIT

LINE_KEYS = frozenset({"days_since_purchase", "usual_interval_days", "silence_ratio", "spend_12m", "spend_prev_12m",
                       "spend_change_pct", "gross_profit_12m", "orders_12m", "orders_total",
                       "days_since_first_purchase", "rfm_segment"})
BALANCE_KEYS = frozenset({"overdue_amount", "credit_use_pct"})
MULTI_KEYS = frozenset({"territory", "tag"})
_CHUNK = 900


@dataclass
class MeasureFrame:
    """``df``: one row per customer (index customer id; columns code, name, owner_id and the
    measures); ``pairs``: for the multi measures (territory, tag) the (customer_id, value) rows;
    ``reason_keys``: per customer the event a reason is about ("case:17"), else missing."""
    df: pd.DataFrame
    pairs: dict[str, pd.DataFrame] = field(default_factory=dict)
    as_of: dt.date = field(default_factory=dt.date.today)
    case_ids: pd.Series | None = None

    def restricted(self, customer_ids: Iterable[int] | None) -> MeasureFrame:
        if customer_ids is None:
            return self
        keep = self.df.index.intersection(pd.Index(list(customer_ids), dtype="int64"))
        return MeasureFrame(self.df.loc[keep], self.pairs, self.as_of, self.case_ids)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _rows(session: Session, stmt, column, ids: Sequence[int] | None) -> list:
    """The driver's plain tuples (100,000 SQLAlchemy rows cost ten times as much to build)."""
    if ids is None:
        return plain_rows(session, stmt)
    out: list = []
    for part in _chunks(ids):
        out += plain_rows(session, stmt.where(column.in_(part)))
    return out


# measure key → the customers column it reads (the customer type comes through a join)
_BASE_COLUMNS = {"owner": "owner_id", "grade": "grade", "status": "status", "credit_use_pct": "credit_limit",
                 "overdue_amount": "credit_limit"}


def _base(session: Session, actor: Actor, keys: set[str], ids: Sequence[int] | None) -> pd.DataFrame:
    """One row per visible, not archived customer with the customer columns the keys need
    (code and name are read for the hits only: ``names``)."""
    c = Customer.__table__.c
    wanted = sorted({_BASE_COLUMNS[k] for k in keys if k in _BASE_COLUMNS})
    cols = [c.id, *(c[name] for name in wanted)]
    stmt = select(*cols).where(c.archived.is_(False))
    if "customer_type" in keys:
        stmt = select(*cols, CustomerType.code.label("customer_type")).outerjoin(
            CustomerType.__table__, CustomerType.id == c.type_id).where(c.archived.is_(False))
        wanted = [*wanted, "customer_type"]
    rows = _rows(session, scope_customers(stmt, actor), c.id, ids)
    df = pd.DataFrame(rows, columns=["id", *wanted])
    df = df.astype({"id": "int64"}).set_index("id")
    if "credit_limit" in df:
        df["credit_limit"] = df["credit_limit"].fillna(0).astype("int64")
    if "owner_id" in df:
        df["owner"] = df["owner_id"].astype("float64")
    for col in ("grade", "status", "customer_type"):
        if col in df:
            df[col] = df[col].fillna("").astype(object)
    return df


def names(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Customer id → (code, name)."""
    c = Customer.__table__.c
    ids = list(ids)
    if len(ids) > 20 * _CHUNK:  # one pass over the table beats hundreds of IN queries
        wanted = set(ids)
        rows = [r for r in plain_rows(session, select(c.id, c.code, c.name)) if r[0] in wanted]
    else:
        rows = _rows(session, select(c.id, c.code, c.name), c.id, ids)
    return {int(i): (code, name) for i, code, name in rows}


def _pairs(session: Session, key: str, ids: Sequence[int] | None) -> pd.DataFrame:
    if key == "territory":
        ct = customer_territories.c
        rows = _rows(session, select(ct.customer_id, ct.territory_id), ct.customer_id, ids)
    else:
        t = customer_tags.c
        rows = _rows(session, select(t.customer_id, Tag.name).join(Tag, Tag.id == t.tag_id), t.customer_id, ids)
    return pd.DataFrame(rows, columns=["customer_id", "value"])


def _custom(session: Session, key: str, index: pd.Index, ids: Sequence[int] | None) -> pd.Series:
    stmt = (select(CustomFieldValue.customer_id, CustomFieldValue.value)
            .join(CustomFieldDef, CustomFieldDef.id == CustomFieldValue.field_id)
            .where(CustomFieldDef.key == key[len(FIELD_PREFIX):]))
    rows = _rows(session, stmt, CustomFieldValue.customer_id, ids)
    s = pd.Series({int(cid): v for cid, v in rows}, dtype=object)
    return s.reindex(index).fillna("").astype(object)


def _per_customer(values: np.ndarray, index: pd.Index, fill=np.nan) -> np.ndarray:
    """``values`` indexed by customer id → aligned to ``index`` (ids beyond the array get ``fill``)."""
    ids = index.to_numpy(dtype="int64")
    out = np.full(len(ids), fill, dtype=values.dtype if fill is not np.nan else "float64")
    ok = ids < len(values)
    out[ok] = values[ids[ok]]
    return out


def _line_measures(session: Session, actor: Actor, df: pd.DataFrame, keys: set[str], as_of: dt.date) -> None:
    today = day_number(as_of)
    lines = line_arrays(session, actor, ReportFilters(), ("day", "customer_id", "order_id", "revenue_u", "cost_u"),
                        date_from=None, date_to=as_of)
    day, cust, amount = lines["day"], lines["customer_id"], lines["revenue_u"]
    owner_of, day_of = order_customers(session), order_days(session)
    size = int(max(cust.max(initial=0), df.index.max() if len(df) else 0, owner_of.max(initial=0))) + 1
    sale = amount > 0
    oids = np.nonzero(np.bincount(lines["order_id"][sale]))[0] if sale.any() else np.zeros(0, dtype="int64")
    ocust, oday = owner_of[oids], day_of[oids].astype("int64")
    total = np.bincount(ocust, minlength=size)
    last = np.full(size, -1, dtype="int64")
    np.maximum.at(last, ocust, oday)
    first = np.full(size, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(first, ocust, oday)
    has = _per_customer(total, df.index, 0) > 0
    since = np.where(has, today - _per_customer(last, df.index, 0), np.nan)
    df["days_since_purchase"] = since
    df["days_since_first_purchase"] = np.where(has, today - _per_customer(first, df.index, 0), np.nan)
    df["orders_total"] = _per_customer(total, df.index, 0).astype("int64")
    recent = oday > today - 365
    df["orders_12m"] = _per_customer(np.bincount(ocust[recent], minlength=size), df.index, 0).astype("int64")

    def money(lo: int, hi: int, weights: np.ndarray) -> np.ndarray:
        m = (day > lo) & (day <= hi)
        sums = np.round(np.bincount(cust[m], weights=weights[m], minlength=size)).astype("int64")
        return _per_customer(sums, df.index, 0).astype("int64")

    df["spend_12m"] = money(today - 365, today, amount)
    df["spend_prev_12m"] = money(today - 730, today - 365, amount)
    with np.errstate(divide="ignore", invalid="ignore"):
        prev = df["spend_prev_12m"].to_numpy().astype("float64")
        df["spend_change_pct"] = np.where(prev > 0, (df["spend_12m"].to_numpy() - prev) * 100.0 / prev, np.nan)
    if "gross_profit_12m" in keys:
        df["gross_profit_12m"] = money(today - 365, today, amount - lines["cost_u"])
    if keys & {"usual_interval_days", "silence_ratio"}:
        usual = _usual_interval(ocust, oday, size)
        df["usual_interval_days"] = _per_customer(usual, df.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = df["usual_interval_days"].to_numpy()
            df["silence_ratio"] = np.where(u > 0, since / u, np.nan)
    if "rfm_segment" in keys:
        df["rfm_segment"] = _rfm(cust, amount, total, last, today, size, df.index)


def _usual_interval(ocust: np.ndarray, oday: np.ndarray, size: int) -> np.ndarray:
    """Per customer id: the median gap in days between distinct purchase days (NaN below 3 days)."""
    out = np.full(size, np.nan)
    if not len(ocust):
        return out
    key = np.unique(ocust.astype("int64") * 1_000_000 + oday)
    c, d = key // 1_000_000, key % 1_000_000
    same = c[1:] == c[:-1]
    gaps = pd.Series((d[1:] - d[:-1])[same].astype("float64"), index=c[1:][same])
    grouped = gaps.groupby(level=0)
    med = grouped.median()[grouped.size() >= 2]
    out[med.index.to_numpy()] = med.to_numpy()
    return out


def _rfm(cust, amount, total, last, today, size, index: pd.Index) -> np.ndarray:
    """The RFM report's segment over all history up to as_of (reports.rfm: same scores, same names)."""
    monetary = np.round(np.bincount(cust, weights=amount, minlength=size)).astype("int64")
    ids = np.nonzero(total > 0)[0]
    out = pd.Series("", index=index, dtype=object)
    if not len(ids):
        return out.to_numpy()
    r = score(pd.Series(today - last[ids], dtype="int64"), reverse=True).to_numpy()
    f = score(pd.Series(total[ids], dtype="int64")).to_numpy()
    m = score(pd.Series(monetary[ids], dtype="float64")).to_numpy()
    seg = pd.Series(segment_of(r, f, m), index=ids)
    return seg.reindex(index).fillna("").to_numpy(dtype=object)


def _balances(session: Session, df: pd.DataFrame, as_of: dt.date, ids: Sequence[int] | None,
              keys: set[str]) -> None:
    """Receivables as ``services.balances`` computes them: lines and receipts from the cache (every
    line of the customer's account, whoever sells it, except orders settled at sale), the due
    part from the orders — read only when ``overdue_amount`` is asked for (a full scan of the
    orders; the credit use needs the balance alone)."""
    c = linecache.get(session)
    m = c.day <= day_number(as_of)
    settled = linecache.settled_orders(session)  # orders paid at sale are never owed (services.settlement)
    if settled.any():
        flags = np.zeros(max(int(c.order.max(initial=0)) + 1, len(settled)), dtype=bool)
        flags[: len(settled)] = settled
        m &= ~flags[c.order]
    size = int(max(c.customer.max(initial=0), df.index.max() if len(df) else 0)) + 1
    sales = np.round(np.bincount(c.customer[m], weights=c.amount[m], minlength=size)).astype("int64")
    rec = linecache.receipts(session)
    rm = rec["day"].to_numpy() <= day_number(as_of)
    rc = rec["customer_id"].to_numpy()[rm].astype("int64")
    size = max(size, int(rc.max(initial=0)) + 1)
    sales = np.pad(sales, (0, size - len(sales)))
    paid = np.round(np.bincount(rc, weights=rec["amount"].to_numpy()[rm], minlength=size)).astype("int64")
    p = _per_customer(paid, df.index, 0).astype("int64")
    if "overdue_amount" in keys:
        due = _order_sums(session, df, ids, {"due": (SalesOrder.total_amount, "int64")},
                          SalesOrder.order_date <= as_of,
                          func.coalesce(SalesOrder.due_date, SalesOrder.order_date) < as_of,
                          SalesOrder.settlement == CREDIT)
        df["overdue_amount"] = np.maximum(0, due - p)
    if "credit_use_pct" in keys:
        balance = _per_customer(sales, df.index, 0).astype("int64") - p
        limit = df["credit_limit"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            df["credit_use_pct"] = np.where(limit > 0, balance * 100.0 / limit, np.nan)


def _order_sums(session: Session, df: pd.DataFrame, ids, value: dict, *where) -> np.ndarray:
    """Per customer of ``df``: the sum of ``value`` over the orders matching ``where``. All
    customers: one full scan of the orders (SQLite would otherwise walk the order-date index and
    look up every row); a few: through the customer index."""
    o = SalesOrder.__table__
    (name, (expr, _dtype)), = value.items()
    if ids is None or len(ids) > _CHUNK:
        cols = read_columns(session, o, {"customer_id": (o.c.customer_id, "int64"), name: (func.sum(expr), "int64")},
                            where=and_(*where), group_by=[o.c.customer_id], full_scan=True)
        found = pd.Series(cols[name], index=cols["customer_id"])
    else:
        rows = _rows(session, select(o.c.customer_id, func.sum(expr)).where(*where).group_by(o.c.customer_id),
                     o.c.customer_id, ids)
        found = pd.Series({int(k): int(v or 0) for k, v in rows}, dtype="int64")
    return found.reindex(df.index).fillna(0).astype("int64").to_numpy()


def _counts(session: Session, stmt, column, df: pd.DataFrame, ids) -> np.ndarray:
    found = {int(k): int(n) for k, n in _rows(session, stmt, column, ids)}
    return pd.Series(found, dtype="int64").reindex(df.index).fillna(0).astype("int64").to_numpy()


def _days_since(values: pd.Series, as_of: dt.date) -> np.ndarray:
    stamps = pd.to_datetime(values, errors="coerce")
    return (pd.Timestamp(as_of) - stamps.dt.normalize()).dt.days.to_numpy(dtype="float64")


def compute(session: Session, actor: Actor, keys: Iterable[str], as_of: dt.date | None = None,
            customer_ids: Sequence[int] | None = None) -> MeasureFrame:
    """The measures ``keys`` for the customers ``actor`` may see (and among them ``customer_ids``)."""
    as_of = as_of or dt.date.today()
    keys = set(keys)
    ids = None if customer_ids is None else sorted({int(i) for i in customer_ids})
    df = _base(session, actor, keys, ids)
    out = MeasureFrame(df, as_of=as_of)
    if keys & LINE_KEYS:
        _line_measures(session, actor, df, keys, as_of)
    if keys & BALANCE_KEYS:
        _balances(session, df, as_of, ids, keys)
    for key in keys & MULTI_KEYS:
        out.pairs[key] = _pairs(session, key, ids)
    for key in (k for k in keys if k.startswith(FIELD_PREFIX)):
        df[key] = _custom(session, key, df.index, ids)
    if "open_orders" in keys:
        df["open_orders"] = _order_sums(session, df, ids, {"n": (literal_column("1"), "int64")},
                                        SalesOrder.status.in_((OrderStatus.OPEN.value, OrderStatus.PARTIAL.value)),
                                        SalesOrder.doc_type == DocType.SALE.value, SalesOrder.order_date <= as_of)
    if "open_cases" in keys:
        stmt = (select(ServiceCase.customer_id, func.count()).where(
            ServiceCase.status.notin_((CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)))
            .group_by(ServiceCase.customer_id))
        df["open_cases"] = _counts(session, stmt, ServiceCase.customer_id, df, ids)
    if "last_satisfaction" in keys:
        stmt = (select(ServiceCase.customer_id, ServiceCase.id, ServiceCase.satisfaction)
                .where(ServiceCase.status == CaseStatus.CLOSED.value, ServiceCase.satisfaction.is_not(None))
                .order_by(ServiceCase.customer_id, ServiceCase.closed_at, ServiceCase.id))
        cases = pd.DataFrame(_rows(session, stmt, ServiceCase.customer_id, ids),
                             columns=["customer_id", "case_id", "satisfaction"])
        cases = cases.drop_duplicates("customer_id", keep="last").set_index("customer_id")
        df["last_satisfaction"] = cases["satisfaction"].reindex(df.index).astype("float64").to_numpy()
        out.case_ids = cases["case_id"].reindex(df.index)
    if "days_since_contact" in keys:
        stmt = select(Interaction.customer_id, func.max(Interaction.occurred_at)).group_by(Interaction.customer_id)
        last = pd.Series(dict(_rows(session, stmt, Interaction.customer_id, ids)), dtype=object)
        df["days_since_contact"] = _days_since(last.reindex(df.index), as_of)
    return out
