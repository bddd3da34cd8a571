"""The demo's simulated time: three years of days ending at ``end_date``, with
the shop's seasons (school terms, year end) and steady growth."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

YEARS = 3
# Relative demand per calendar month: school terms start in Feb–Mar and Aug–Sep,
# offices stock up for the year end (Dec–Jan); summer and the October holiday are quiet.
MONTH_FACTOR = np.array([0, 1.20, 1.25, 1.35, 0.90, 0.90, 0.85, 0.75, 1.30, 1.45, 0.90, 1.00, 1.30])
# Monday … Sunday: the counter stays open at weekends, offices do not order.
WEEKDAY_FACTOR = np.array([1.10, 1.05, 1.05, 1.05, 1.10, 0.55, 0.35])
GROWTH_PER_YEAR = 0.15


@dataclass
class DemoCalendar:
    end_date: dt.date
    start_date: dt.date = field(init=False)
    days: int = field(init=False)
    dates: np.ndarray = field(init=False, repr=False)  # datetime64[D], one per day
    demand: np.ndarray = field(init=False, repr=False)  # relative order volume per day
    demand_cdf: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            self.start_date = self.end_date.replace(year=self.end_date.year - YEARS) + dt.timedelta(days=1)
        except ValueError:  # 29 February
            self.start_date = self.end_date - dt.timedelta(days=365 * YEARS - 1)
        self.days = (self.end_date - self.start_date).days + 1
        self.dates = np.datetime64(self.start_date, "D") + np.arange(self.days)
        months = self.dates.astype("datetime64[M]").astype(int) % 12 + 1
        weekdays = (self.dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
        growth = (1 + GROWTH_PER_YEAR) ** (np.arange(self.days) / 365.0)
        self.demand = MONTH_FACTOR[months] * WEEKDAY_FACTOR[weekdays] * growth
        cdf = np.cumsum(self.demand)
        self.demand_cdf = cdf / cdf[-1]

    def date(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=int(day))

    def day_of(self, date: dt.date) -> int:
        return (date - self.start_date).days

    def to_dates(self, days: np.ndarray) -> np.ndarray:
        """Day offsets (may fall outside the history) → datetime64[D]."""
        return np.datetime64(self.start_date, "D") + np.asarray(days, dtype=np.int64)

    def sample_days(self, rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """One day per pair, between ``first`` and ``last`` (inclusive), following the demand curve."""
        first = np.clip(first, 0, self.days - 1)
        last = np.clip(np.maximum(last, first), 0, self.days - 1)
        lo = np.where(first > 0, self.demand_cdf[first - 1], 0.0)
        hi = self.demand_cdf[last]
        u = lo + rng.random(len(first)) * (hi - lo)
        days = np.searchsorted(self.demand_cdf, u, side="left")
        return np.clip(days, first, last)

    def month_ends(self) -> list[int]:
        """Day offsets of every month's last day inside the history, plus the end date itself."""
        months = self.dates.astype("datetime64[M]")
        last_of_month = np.flatnonzero(months[1:] != months[:-1])
        ends = [int(d) for d in last_of_month]
        if not ends or ends[-1] != self.days - 1:
            ends.append(self.days - 1)
        return ends


def date_strings(dates: np.ndarray) -> np.ndarray:
    """datetime64[D] → 'YYYYMMDD' strings, for document numbers."""
    return np.char.replace(dates.astype("datetime64[D]").astype(str), "-", "")


def datetimes(dates: np.ndarray, seconds: np.ndarray) -> list[dt.datetime]:
    """datetime64[D] plus seconds of the day → Python datetimes."""
    stamps = dates.astype("datetime64[s]") + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
    return stamps.astype("datetime64[us]").tolist()


def doc_numbers(prefix: str, dates: np.ndarray) -> list[str]:
    """``XS-20240307-0012``-style numbers: per-day sequence in the order given."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    if len(dates) == 0:
        return []
    order = np.argsort(dates, kind="stable")
    sorted_days = dates[order]
    starts = np.r_[0, np.flatnonzero(sorted_days[1:] != sorted_days[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(dates)]))
    seq = np.empty(len(dates), dtype=np.int64)
    seq[order] = np.arange(len(dates)) - run_start + 1
    day_text = date_strings(dates).tolist()
    return [f"{prefix}-{d}-{s:04d}" for d, s in zip(day_text, seq.tolist(), strict=True)]
