"""Exact money.

Every money column holds an integer count of ten-thousandths of a yuan
(``MONEY_SCALE`` units per yuan). Fen alone is not enough: real exports carry
unit prices and line amounts with 3–4 decimals (Superstore's sales do), and
rounding each line to fen makes the known totals drift. Integers keep SQL
``SUM`` exact; conversion to ``Decimal`` happens only at the edges.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONEY_SCALE = 10_000
_SCALE_D = Decimal(MONEY_SCALE)
_CENT = Decimal("0.01")


def to_units(value: Decimal | int | str | float | None) -> int:
    """Yuan (any exact-ish form) → integer money units, rounded half up.

    Floats are accepted only through their shortest repr, so 0.1 becomes
    exactly 1000 units rather than 999.99….
    """
    if value is None or value == "":
        return 0
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a money amount: {value!r}") from exc
    return int((d * _SCALE_D).to_integral_value(rounding=ROUND_HALF_UP))


def to_yuan(units: int | None) -> Decimal:
    """Integer money units → exact Decimal yuan (up to 4 decimals)."""
    if units is None:
        return Decimal(0)
    return Decimal(int(units)) / _SCALE_D


def to_yuan_2(units: int | None) -> Decimal:
    """Integer money units → Decimal yuan rounded to fen, for display and reports."""
    return to_yuan(units).quantize(_CENT, rounding=ROUND_HALF_UP)


def format_yuan(units: int | None, symbol: str = "¥") -> str:
    """``1234500000`` → ``¥123,450.00``."""
    d = to_yuan_2(units)
    sign = "-" if d < 0 else ""
    return f"{sign}{symbol}{abs(d):,.2f}"
