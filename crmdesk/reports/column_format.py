"""One number format per report column, for the screen's table and every export.

A column of plain numbers is shown with the fewest decimals that show each of its values
as the report rounded it (days of cover rounded to 0.1 → "1.0", "1.1"; never "1" beside
"1.10"), at most ``MAX_DECIMALS``. Money always has two decimals, percentages one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

MAX_DECIMALS = 4


@dataclass(frozen=True)
class ColumnFormat:
    kind: str  # "money", "pct", "number" or "" (not a number column)
    decimals: int = 0

    def text(self, value) -> str:
        """The value as the screen shows it (thousands separators)."""
        return f"{float(value):,.{self.decimals}f}"

    def excel(self) -> str | None:
        """The matching Excel number format (percent columns are left to the caller)."""
        if self.kind in ("money", "number"):
            return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def decimals_of(values: Iterable) -> int:
    """The fewest decimals (≤ MAX_DECIMALS) that show every finite number in ``values`` exactly."""
    needed = 0
    for value in values:
        if not _is_number(value):
            continue
        number = float(value)
        if not math.isfinite(number):
            continue
        for d in range(needed, MAX_DECIMALS + 1):
            needed = d
            if abs(round(number, d) - number) < 1e-9 * max(1.0, abs(number)):
                break
    return needed


def money_columns_of(frame: pd.DataFrame, money_columns: Iterable[str] = ()) -> tuple[str, ...]:
    """The spec's money columns plus those a result names itself (``attrs["money_columns"]``:
    columns named after an option, e.g. lifetime's ``expected_value_26w``)."""
    extra = frame.attrs.get("money_columns", ()) if frame is not None else ()
    return tuple(dict.fromkeys([*money_columns, *extra]))


def column_formats(frame: pd.DataFrame, money_columns: Iterable[str] = (),
                   pct_columns: Iterable[str] = ()) -> dict[str, ColumnFormat]:
    money = set(money_columns_of(frame, money_columns))
    pcts = set(pct_columns)
    out: dict[str, ColumnFormat] = {}
    for name in frame.columns:
        key = str(name)
        if key in money:
            out[key] = ColumnFormat("money", 2)
        elif key in pcts:
            out[key] = ColumnFormat("pct", 1)
        else:
            values = [v for v in frame[name].tolist() if _is_number(v)]
            if values and len(values) == frame[name].notna().sum():
                out[key] = ColumnFormat("number", decimals_of(values))
            else:
                out[key] = ColumnFormat("")
    return out
