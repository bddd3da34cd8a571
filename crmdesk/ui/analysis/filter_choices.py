"""What the analysis filter bar offers, read from the database (Qt-free).

Also the date presets: they are anchored on the newest order date rather
than the calendar, so an imported history (Superstore ends in 2017) still
shows "this year" as its last year of data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer, CustomerType, Product, SalesLine, Territory, User
from crmdesk.i18n import N_
from crmdesk.services.branches import list_branches, shown as branches_shown

PRESETS: tuple[tuple[str, str], ...] = (
    ("this_month", N_("This month")),
    ("this_quarter", N_("This quarter")),
    ("this_year", N_("This year")),
    ("last_12_months", N_("Last 12 months")),
    ("all", N_("All dates")),
    ("custom", N_("Custom range")),
)

# (key, label, min yuan, max yuan) over product list prices.
PRICE_BANDS: tuple[tuple[str, str, Decimal | None, Decimal | None], ...] = (
    ("lt10", N_("Under ¥10"), None, Decimal("10")),
    ("10_50", N_("¥10–50"), Decimal("10"), Decimal("50")),
    ("50_200", N_("¥50–200"), Decimal("50"), Decimal("200")),
    ("200_1000", N_("¥200–1,000"), Decimal("200"), Decimal("1000")),
    ("gt1000", N_("Over ¥1,000"), Decimal("1000"), None),
)


@dataclass(frozen=True)
class FilterChoices:
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    customer_types: tuple[tuple[str, str], ...] = ()  # (code, name)
    grades: tuple[str, ...] = ()
    territories: tuple[tuple[int, str], ...] = ()
    salespeople: tuple[tuple[int, str], ...] = ()
    # (id, "code name"); empty when the shop has fewer than two branches (the picker hides).
    branches: tuple[tuple[int, str], ...] = ()
    newest_order_date: dt.date | None = None
    oldest_order_date: dt.date | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _distinct_text(session: Session, column) -> tuple[str, ...]:
    rows = session.scalars(select(column).where(column != "").distinct().order_by(column))
    return tuple(str(r) for r in rows if r)


def load_choices(session: Session) -> FilterChoices:
    first, last = session.execute(select(func.min(SalesLine.order_date), func.max(SalesLine.order_date))).one()
    types = tuple((c, n) for c, n in session.execute(
        select(CustomerType.code, CustomerType.name).order_by(CustomerType.sort_order, CustomerType.id)))
    territories = tuple((i, n) for i, n in session.execute(select(Territory.id, Territory.name).order_by(Territory.name)))
    people = tuple((i, d or u) for i, d, u in session.execute(
        select(User.id, User.display_name, User.username).where(User.role != "counter").order_by(User.username)))
    return FilterChoices(
        categories=_distinct_text(session, Product.category),
        brands=_distinct_text(session, Product.brand),
        customer_types=types,
        grades=_distinct_text(session, Customer.grade),
        territories=territories,
        salespeople=people,
        branches=tuple((b.id, b.label) for b in list_branches(session)) if branches_shown(session) else (),
        newest_order_date=last,
        oldest_order_date=first,
    )


def preset_range(preset: str, anchor: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The (from, to) dates of a preset ending at ``anchor``; ("all") is (None, None)."""
    if preset == "this_month":
        return anchor.replace(day=1), anchor
    if preset == "this_quarter":
        return dt.date(anchor.year, (anchor.month - 1) // 3 * 3 + 1, 1), anchor
    if preset == "this_year":
        return dt.date(anchor.year, 1, 1), anchor
    if preset == "last_12_months":
        # The 12 months up to the anchor day (2025-12-05 – 2026-12-04), not since the first of
        # the month 11 months back, which in December is the same as "this year".
        return _year_before(anchor) + dt.timedelta(days=1), anchor
    return None, None


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February → 28 February of the year before
        return day.replace(year=day.year - 1, day=28)


def price_band(key: str) -> tuple[Decimal | None, Decimal | None]:
    for band_key, _label, low, high in PRICE_BANDS:
        if band_key == key:
            return low, high
    return None, None
