"""Plausibility limits on imported values, and the column lengths of the database.

A value outside these limits is almost always a broken export (a yuan amount in a date column,
1e308, 9999-12-31, an Excel serial 99999), and taken as it is it makes every report wrong: two
lines of 6×10¹⁴ yuan wrap the month's int64 sum, 9999-12-31 makes every RFM recency millions of
days. Such a row is rejected with its reason; the limits are shop-wide settings (the
``settings`` table, like ``sync.*``) with defaults that no real shop line reaches.

Sums cannot overflow: money is int64 units of 1/10,000 yuan (``crmdesk.money``), so the largest
sum is 9,223,372,036,854,775,807 units. The per-line amount is capped (whatever the setting
says) at that divided by 10,000,000 lines — 922,337,203,685 units, 92,233,720 yuan — so the sum
of ten million lines at the cap still fits. The default (10,000,000 yuan = 10¹¹ units) leaves
a factor 9 to spare. Unit prices are capped the same way and quantities at 10⁷, so that a
quantity × unit price computed for a line without an amount (≤ 10⁷ × 9.2·10¹¹ = 9.2·10¹⁸ units)
fits in int64 too, and is then held to the line limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers.raw_csv import STRING
from crmdesk.money import MONEY_SCALE

INT64_MAX = 2**63 - 1
MAX_LINES = 10_000_000  # the most lines one database is meant to sum (10× the benchmarked million)
SAFE_LINE_UNITS = INT64_MAX // MAX_LINES  # 922,337,203,685 units: 10M such lines still sum in int64
SAFE_QUANTITY = 10_000_000.0

MAX_LINE_AMOUNT, MAX_UNIT_PRICE, MAX_QUANTITY, MIN_DATE, MAX_DAYS_AHEAD = (
    "import.max_line_amount", "import.max_unit_price", "import.max_quantity", "import.min_date",
    "import.max_days_ahead")
DEFAULTS = {MAX_LINE_AMOUNT: "10000000", MAX_UNIT_PRICE: "1000000", MAX_QUANTITY: "1000000",
            MIN_DATE: "1990-01-01", MAX_DAYS_AHEAD: "366"}

# Money fields held to the unit-price limit; every other money field is a line/record amount.
_PRICE_FIELDS = {"unit_price", "list_price", "cost", "unit_cost"}
_QUANTITY_FIELDS = {"quantity", "reorder_point"}


@dataclass(frozen=True)
class Limits:
    max_line_amount: int = 10_000_000 * MONEY_SCALE  # money units
    max_unit_price: int = 1_000_000 * MONEY_SCALE  # money units
    max_quantity: float = 1_000_000.0
    min_date: dt.date = dt.date(1990, 1, 1)
    max_days_ahead: int = 366

    def latest_date(self, today: dt.date | None = None) -> dt.date:
        return (today or dt.date.today()) + dt.timedelta(days=self.max_days_ahead)


def _yuan_units(text: str, fallback: int) -> int:
    try:
        units = int(float(text) * MONEY_SCALE)
    except (TypeError, ValueError, OverflowError):
        return fallback
    return max(MONEY_SCALE, min(units, SAFE_LINE_UNITS))


def limits_from_settings(values: dict[str, str]) -> Limits:
    """Limits from setting texts (missing or unreadable ones take the default; none may pass
    the overflow-safe caps)."""
    d = Limits()
    get = lambda key: values.get(key) or DEFAULTS[key]  # noqa: E731
    try:
        quantity = min(max(float(get(MAX_QUANTITY)), 1.0), SAFE_QUANTITY)
    except ValueError:
        quantity = d.max_quantity
    try:
        min_date = dt.date.fromisoformat(get(MIN_DATE))
    except ValueError:
        min_date = d.min_date
    try:
        ahead = min(max(int(get(MAX_DAYS_AHEAD)), 0), 3660)
    except ValueError:
        ahead = d.max_days_ahead
    return Limits(max_line_amount=_yuan_units(get(MAX_LINE_AMOUNT), d.max_line_amount),
                  max_unit_price=_yuan_units(get(MAX_UNIT_PRICE), d.max_unit_price),
                  max_quantity=quantity if quantity == quantity else d.max_quantity,
                  min_date=min_date, max_days_ahead=ahead)


def load_limits(session) -> Limits:
    """The shop's limits from the ``settings`` table (defaults where a key is not set)."""
    from sqlalchemy import select

    from crmdesk.db.models import Setting

    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(list(DEFAULTS)))).all()
    return limits_from_settings({k: v for k, v in rows})


def _yuan(units: int) -> str:
    return f"{units / MONEY_SCALE:,.0f}"


def check_limits(kind: str, frame: pd.DataFrame, checks, header_of: dict[str, str], raw_of, types: dict[str, str],
                 limits: Limits, today: dt.date | None = None, dates: bool = True) -> None:
    """Reject rows whose money, quantity or date is outside ``limits`` (after derivation, so a
    computed amount is held to the line limit too). ``raw_of(field)``: the cells as in the file."""
    latest = limits.latest_date(today)
    for name, type_ in types.items():
        if name not in frame.columns:
            continue
        column = header_of.get(name, name)
        if type_ == "money":
            values = frame[name].to_numpy()
            cap = limits.max_unit_price if name in _PRICE_FIELDS else limits.max_line_amount
            over = (values > cap) | (values < -cap)
            what = _("unit price") if name in _PRICE_FIELDS else _("amount")
            if over.any():  # rejected; zeroed so that no quantity × price of theirs overflows later
                checks.add(over, _("{what} over the limit of {limit} yuan (setting {key})").format(
                    what=what, limit=_yuan(cap), key=MAX_UNIT_PRICE if name in _PRICE_FIELDS else MAX_LINE_AMOUNT),
                    column, raw_of(name))
                frame[name] = np.where(over, 0, values)
        elif type_ == "number" and name in _QUANTITY_FIELDS:
            values = frame[name].to_numpy(dtype=np.float64)
            over = ~np.isfinite(values) | (np.abs(np.nan_to_num(values)) > limits.max_quantity)
            if over.any():
                checks.add(over, _("quantity over the limit of {limit:,.0f} (setting {key})").format(
                    limit=limits.max_quantity, key=MAX_QUANTITY), column, raw_of(name))
                frame[name] = np.where(over, 0.0, values)
        elif type_ == "date" and dates:
            # a million lines hold a few thousand days: each distinct day is compared once
            codes, days = pd.factorize(frame[name].to_numpy(dtype=object), use_na_sentinel=True)
            known = codes >= 0
            early = np.zeros(len(codes), dtype=bool)
            late = np.zeros(len(codes), dtype=bool)
            if known.any():
                early_day = np.fromiter((d < limits.min_date for d in days), dtype=bool, count=len(days))
                late_day = np.fromiter((d > latest for d in days), dtype=bool, count=len(days))
                early[known], late[known] = early_day[codes[known]], late_day[codes[known]]
            if early.any():
                checks.add(early, _("date before {date} (setting {key})").format(
                    date=limits.min_date.isoformat(), key=MIN_DATE), column, raw_of(name))
            if late.any():
                checks.add(late, _("date more than {days} days ahead (setting {key})").format(
                    days=limits.max_days_ahead, key=MAX_DAYS_AHEAD), column, raw_of(name))


# -- column lengths --------------------------------------------------------------------------------
# field → (table, column) it is stored in; the length comes from the model, so a schema change
# cannot leave this behind.
_STORED = {
    "customers": {"code": ("customers", "code"), "name": ("customers", "name"),
                  "short_name": ("customers", "short_name"), "customer_type": ("customer_types", "name"),
                  "grade": ("customers", "grade"), "province": ("customers", "province"),
                  "city": ("customers", "city"), "district": ("customers", "district"),
                  "address": ("customers", "address"), "phone": ("customers", "phone"),
                  "mobile": ("customers", "mobile"), "email": ("customers", "email"),
                  "tax_id": ("customers", "tax_id"), "contact_name": ("contacts", "name"),
                  "salesperson": ("users", "username")},
    "products": {"code": ("products", "code"), "name": ("products", "name"), "spec": ("products", "spec"),
                 "unit": ("products", "unit"), "category": ("products", "category"),
                 "brand": ("products", "brand"), "barcode": ("products", "barcode")},
    "sales": {"order_number": ("sales_orders", "number"), "customer_code": ("customers", "code"),
              "customer_name": ("customers", "name"), "customer_type": ("customer_types", "name"),
              "salesperson": ("users", "username"), "warehouse": ("sales_orders", "warehouse"),
              "product_code": ("products", "code"), "product_name": ("products", "name"),
              "spec": ("products", "spec"), "unit": ("products", "unit"), "category": ("products", "category"),
              "brand": ("products", "brand"), "province": ("customers", "province"),
              "city": ("customers", "city")},
    "receipts": {"number": ("receipts", "number"), "customer_code": ("customers", "code"),
                 "customer_name": ("customers", "name"), "method": ("receipts", "method"),
                 "order_number": ("sales_orders", "number")},
    "stock": {"product_code": ("products", "code"), "product_name": ("products", "name"),
              "spec": ("products", "spec"), "unit": ("products", "unit"), "category": ("products", "category"),
              "warehouse": ("stock_snapshots", "warehouse")},
    "expenses": {"doc_number": ("expenses", "doc_number"), "item": ("expense_items", "name"),
                 "brand": ("expenses", "brand")},
}


def column_lengths(kind: str) -> dict[str, int]:
    """field → the most characters its database column holds (fields stored as Text: absent)."""
    from crmdesk.db.base import Base
    import crmdesk.db.models  # noqa: F401 - the tables register themselves

    out = {}
    for name, (table, column) in _STORED.get(kind, {}).items():
        length = getattr(Base.metadata.tables[table].c[column].type, "length", None)
        if length:
            out[name] = int(length)
    return out


def _longer_than(values: pd.Series, length: int, chunk: int = 100_000) -> np.ndarray:
    """Per row: is the text longer than ``length``? ``len`` mapped over Python strings (pandas'
    ``.str.len`` wraps each call), in slices, so that no single call holds the GIL long enough to
    stall the GUI thread while an import runs in the background. A slice whose longest value fits
    (nearly every one) needs no per-row answer."""
    text = (values if isinstance(values.dtype, pd.StringDtype) else values.astype(STRING)).to_numpy(
        dtype=object, na_value="")
    over = np.zeros(len(text), dtype=bool)
    for a in range(0, len(text), chunk):
        part = text[a:a + chunk]
        if len(part) and max(map(len, part)) > length:
            over[a:a + len(part)] = np.fromiter(map(len, part), dtype=np.int64, count=len(part)) > length
    return over


def check_lengths(kind: str, frame: pd.DataFrame, checks, header_of: dict[str, str], raw_of) -> None:
    """Reject rows with a value longer than its column holds (it would be cut, or refused by a
    stricter database), naming the column."""
    for name, length in column_lengths(kind).items():
        if name not in frame.columns or name not in header_of:
            continue
        values = frame[name]
        if not isinstance(values, pd.Series):
            values = pd.Series(values)
        over = _longer_than(values, length)
        if not over.any():
            continue
        if over.any():
            shown = raw_of(name)
            shown = np.asarray([str(v)[:60] + "…" for v in shown], dtype=object) if shown is not None else None
            checks.add(over, _("longer than {n} characters").format(n=length), header_of[name], shown)


def read_limits(db) -> Limits:
    """``load_limits`` in a session of its own (a read: never waits for a running import)."""
    with db.sessions() as session:
        return load_limits(session)
