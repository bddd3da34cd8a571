"""The one filter object every report takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal


@dataclass(frozen=True)
class ReportFilters:
    """Empty tuples and None mean "no restriction".

    ``date_from``/``date_to`` bound the order dates (inclusive). ``as_of`` is the
    "today" of point-in-time reports (stock cover, ageing, recency); None means
    ``date_to`` if given, else the newest order date in the database, so that
    historical imports (Superstore ends in 2017) still give sensible answers.
    Price band bounds are product list prices in yuan.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    as_of: dt.date | None = None
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    customer_types: tuple[str, ...] = ()  # customer type codes: retail, direct, dealer
    grades: tuple[str, ...] = ()
    territory_ids: tuple[int, ...] = ()
    salesperson_ids: tuple[int, ...] = ()
    # Branches (门店) of the orders, receipts and stock counted; reports about customers' contacts,
    # opportunities and cases have no branch and ignore it.
    branch_ids: tuple[int, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def with_(self, **changes: object) -> ReportFilters:
        return replace(self, **changes)

    def cache_key(self) -> tuple:
        return (self.date_from, self.date_to, self.as_of, self.categories, self.brands, self.price_min,
                self.price_max, self.customer_types, self.grades, self.territory_ids, self.salesperson_ids,
                self.branch_ids, tuple(sorted((k, repr(v)) for k, v in self.extra.items())))
