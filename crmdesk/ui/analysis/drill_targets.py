"""What a click means (Qt-free): a chart key or a table row → a drill target.

Chart labels may be the data value or its translation (segment names are
translated on the chart), so both are matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from crmdesk.i18n import _
from crmdesk.reports.access import run_report
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.registry import REPORTS
from crmdesk.services.actor import Actor
from crmdesk.ui.analysis import drill_queries as q

# (session, actor, filters) → DataFrame
Compute = Callable[[Session, Actor, ReportFilters], pd.DataFrame]

CUSTOMER_CODE_COLUMNS = ("customer_code", "customer")
PRODUCT_CODE_COLUMNS = ("product_code", "product")
# Columns whose values name a group of customers in a customer-level report (a segment, a class …).
NOT_GROUP_COLUMNS = {"customer_code", "customer_name", "customer", "product", "product_code", "product_name",
                     "contact_name", "contact_phone", "phone", "mobile"}


@dataclass(frozen=True)
class DrillTarget:
    kind: str  # brand, category, customer_type, product, customer, month, ageing, report, rows, losers
    value: str  # the data value (brand name, product code, customer code …)
    label: str  # what the breadcrumb shows
    rows: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def opens_customer(self) -> bool:
        return self.kind == "customer"


@dataclass(frozen=True)
class DrillLevel:
    title: str
    compute: Compute | None  # None: ``frame`` is already known
    frame: pd.DataFrame | None = field(default=None, compare=False)
    money_columns: tuple[str, ...] = q.MONEY_COLUMNS
    pct_columns: tuple[str, ...] = q.PCT_COLUMNS
    # Another view of the same selection (a brand's products ↔ the customers who buy the brand).
    alternative: DrillTarget | None = None


def _matches(series: pd.Series, key: str) -> pd.Series:
    text = series.astype(str)
    return (text == key) | (text.map(_) == key)


def _first_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


# The receivables chart labels its ageing bars by day range.
AGEING_KEYS = {"0–30": "age_0_30", "31–60": "age_31_60", "61–90": "age_61_90", "> 90": "age_over_90"}


def target_for_key(frame: pd.DataFrame, key: str) -> DrillTarget | None:
    """The target of a clicked chart element whose gid/label is ``key``."""
    if frame is None or frame.empty or not key:
        return None
    bucket = AGEING_KEYS.get(key, key if key in AGEING_KEYS.values() else None)
    if bucket is not None and bucket in frame.columns:
        return DrillTarget("ageing", bucket, key)
    for kind in ("brand", "category", "customer_type"):
        if kind in frame.columns:
            hit = frame[_matches(frame[kind], key)]
            if len(hit):
                return DrillTarget(kind, str(hit[kind].iat[0]), key)
    code_col = _first_column(frame, CUSTOMER_CODE_COLUMNS)
    if code_col:
        for col in (code_col, "customer_name"):
            if col in frame.columns:
                hit = frame[frame[col].astype(str) == key]
                if len(hit):
                    return DrillTarget("customer", str(hit[code_col].iat[0]), str(hit.get("customer_name",
                                                                                             hit[code_col]).iat[0]))
    product_col = _first_column(frame, PRODUCT_CODE_COLUMNS)
    if product_col:
        for col in (product_col, "product_name"):
            if col in frame.columns:
                hit = frame[frame[col].astype(str) == key]
                if len(hit):
                    return DrillTarget("product", str(hit[product_col].iat[0]), key)
    if code_col:
        for col in frame.columns:
            if col in NOT_GROUP_COLUMNS or frame[col].dtype.kind in "biufc":
                continue
            mask = _matches(frame[col], key)
            if mask.any():
                return DrillTarget("rows", key, key, rows=frame[mask].reset_index(drop=True))
    return None


def target_for_row(row: dict[str, Any]) -> DrillTarget | None:
    """The target of a double-clicked table row: the customer, else the product, brand, category."""
    for col in CUSTOMER_CODE_COLUMNS:
        if row.get(col):
            return DrillTarget("customer", str(row[col]), str(row.get("customer_name") or row[col]))
    for col in PRODUCT_CODE_COLUMNS:
        if row.get(col):
            return DrillTarget("product", str(row[col]), str(row.get("product_name") or row[col]))
    for kind in ("brand", "category", "customer_type"):
        if row.get(kind):
            return DrillTarget(kind, str(row[kind]), _(str(row[kind])))
    return None


def level_for(target: DrillTarget) -> DrillLevel:
    """The table a (non-customer) target drills into."""
    v = target.value
    if target.kind == "brand":
        return DrillLevel(_("Brand {name}: products").format(name=target.label), partial(_products, brand=v),
                          alternative=DrillTarget("brand_customers", v, target.label))
    if target.kind == "brand_customers":
        return DrillLevel(_("Brand {name}: customers").format(name=target.label), partial(_customers, brand=v),
                          alternative=DrillTarget("brand", v, target.label))
    if target.kind == "category":
        return DrillLevel(_("Category {name}: products").format(name=target.label), partial(_products, category=v),
                          alternative=DrillTarget("category_customers", v, target.label))
    if target.kind == "category_customers":
        return DrillLevel(_("Category {name}: customers").format(name=target.label),
                          partial(_customers, category=v), alternative=DrillTarget("category", v, target.label))
    if target.kind == "customer_type":
        return DrillLevel(_("{name}: customers").format(name=target.label), partial(_customers, customer_type=v))
    if target.kind == "product":
        return DrillLevel(_("Product {name}: customers").format(name=target.label),
                          partial(_customers, product_code=v))
    if target.kind == "month":
        return DrillLevel(_("{name}: customers").format(name=target.label), partial(_customers_in_month, month=v))
    if target.kind == "ageing":
        return DrillLevel(_("Receivables {name}: customers").format(name=target.label),
                          partial(_receivables_in_bucket, bucket=v), money_columns=_report_money("receivables"),
                          pct_columns=())
    if target.kind == "report":
        return DrillLevel(_(REPORTS[v].title), partial(_report_rows, name=v), money_columns=_report_money(v),
                          pct_columns=REPORTS[v].pct_columns)
    if target.kind == "losers":  # the dashboard's whale curve (issue 15)
        return DrillLevel(target.label, _losers, money_columns=_report_money("profit-curve"),
                          pct_columns=REPORTS["profit-curve"].pct_columns)
    if target.kind == "rows":
        return DrillLevel(_("{name}: customers").format(name=target.label), None, frame=target.rows,
                          money_columns=(), pct_columns=())
    raise ValueError(f"no drill level for {target.kind!r}")


def _products(session: Session, actor: Actor, f: ReportFilters, **kw: str) -> pd.DataFrame:
    return q.products_of(session, actor, f, **kw)


def _report_money(name: str) -> tuple[str, ...]:
    return REPORTS[name].money_columns if name in REPORTS else ()


def _report_rows(session: Session, actor: Actor, f: ReportFilters, name: str) -> pd.DataFrame:
    return run_report(session, actor, REPORTS[name], f)


def _losers(session: Session, actor: Actor, f: ReportFilters) -> pd.DataFrame:
    return run_report(session, actor, REPORTS["profit-curve"], f, {"losers": True})


def _receivables_in_bucket(session: Session, actor: Actor, f: ReportFilters, bucket: str) -> pd.DataFrame:
    df = _report_rows(session, actor, f, "receivables")
    if bucket not in df.columns:
        return df
    return df[df[bucket] != 0].sort_values(bucket, ascending=False, kind="stable").reset_index(drop=True)


def _customers_in_month(session: Session, actor: Actor, f: ReportFilters, month: str) -> pd.DataFrame:
    first = dt.date.fromisoformat(f"{month}-01")
    last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    return q.customers_of(session, actor, f.with_(date_from=first, date_to=last, as_of=None))


def _customers(session: Session, actor: Actor, f: ReportFilters, **kw: str) -> pd.DataFrame:
    return q.customers_of(session, actor, f, **kw)
