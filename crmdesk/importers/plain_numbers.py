"""Plain numbers of a whole column at once, on its bytes: ``-?[0-9]{1,11}(\\.[0-9]{0,4})?``.

Most cells of an amount column are plain numbers, and most amount values are distinct, so the
per-distinct trick of ``cleaning`` does not help there; a regular expression and ``float()`` per
cell cost a Python call each. Here the column is joined into one ASCII buffer and numpy checks the
form and sums the digits, each weighted by its power of ten: the value comes out exact, in units of
10⁻⁴ (at most 15 digits, below 2⁵³, so float64 sums hold it exactly).
"""

from __future__ import annotations

import numpy as np

DECIMALS = 4  # the most decimals of a plain number
_LF, _DOT, _MINUS, _ZERO = 0x0A, 0x2E, 0x2D, 0x30
_POWERS = 10.0 ** np.arange(19)


def plain_floats(text: np.ndarray, joined: str | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(plain: the cell is a plain number, its value: the double nearest to the text, as ``float()``
    gives it) for an object array of stripped strings (``joined``: them joined by line breaks, when
    the caller has it); None when the column is not ASCII or a cell holds a line break (the caller
    then looks at each value)."""
    parsed = plain_units(text, joined)
    if parsed is None:
        return None
    plain, minus, units = parsed
    scaled = units / 10.0 ** DECIMALS  # one correctly rounded division of exact integers: float()'s double
    return plain, np.where(minus, -scaled, scaled)


def plain_units(text: np.ndarray, joined: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(plain: the cell is a plain number, minus: it starts with "-", |value| × 10⁴ as int64) for an
    object array of stripped strings; None when the column is not ASCII or a cell holds a line break."""
    n = len(text)
    joined = "\n".join(text) if joined is None else joined
    if not n or not joined.isascii():
        return None
    if not joined:  # one empty cell
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    b = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    ends = np.flatnonzero(b == _LF)
    if len(ends) != n - 1:
        return None
    ends = np.append(ends, len(b))
    starts = np.append(0, ends[:-1] + 1)
    length = ends - starts
    cell_of = np.cumsum(b == _LF, dtype=np.int32)  # the cell each byte is in
    digit = (b >= _ZERO) & (b <= _ZERO + 9)
    other = np.flatnonzero(~digit)  # few: a dot or a sign per cell, and the line breaks
    kind = b[other]
    other_cell = cell_of[other]
    dot_where = other[kind == _DOT]
    minus_cell = other_cell[kind == _MINUS]
    dots = np.bincount(other_cell[kind == _DOT], minlength=n)
    stray = np.bincount(other_cell[(kind != _DOT) & (kind != _MINUS) & (kind != _LF)], minlength=n)
    minus = np.zeros(n, dtype=bool)
    minus[minus_cell[other[kind == _MINUS] == starts[minus_cell]]] = True  # a sign in front only
    minuses = np.bincount(minus_cell, minlength=n)
    plain = (length > 0) & (stray == 0) & (dots <= 1) & (minuses == minus)
    dot_at = ends.copy()  # a cell without a dot: its end
    dot_at[cell_of[dot_where]] = dot_where
    whole_digits = dot_at - starts - minus
    plain &= (whole_digits >= 1) & (whole_digits <= 11) & (ends - dot_at - 1 <= DECIMALS)
    if not plain.any():
        return plain, minus, np.zeros(n, dtype=np.int64)
    at = np.flatnonzero(digit)
    cell = cell_of[at]
    offset = dot_at[cell] - at  # > 0 before the dot, < 0 after it
    power = offset + (DECIMALS - 1)
    power += offset < 0
    np.clip(power, 0, 18, out=power)  # cells that are no plain number: any value, unused
    units = np.bincount(cell, weights=(b[at] - _ZERO) * _POWERS[power], minlength=n)
    return plain, minus, np.where(plain, np.rint(units), 0).astype(np.int64)
