"""Turning exported text into typed values, column at a time.

Exports repeat values a lot (dates, prices, codes), so each parser factorizes the column,
parses every *distinct* value once in Python (exact ``Decimal`` for money) and broadcasts the
result back with numpy. A million-line column costs one pass of ``pandas.factorize``.

Every parser returns ``(values, bad)`` where ``bad`` marks cells that had text but could not be
understood; empty cells are not bad (exports leave zero as an empty cell).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from crmdesk.core.cells import (DATE_SEP, MDY, NA_TOKENS, SPACES,  # noqa: F401 - used here and re-exported
                                plain, parse_one_date)
from crmdesk.importers.plain_numbers import plain_floats
from crmdesk.importers.raw_csv import STRING
from crmdesk.money import MONEY_SCALE

_MONEY_JUNK = re.compile(r"[¥￥$€£,，\s元\u00a0\u3000]|RMB|CNY|USD", re.IGNORECASE)


def _by_unique(series: pd.Series, parse: Callable[[str], object], dtype, empty) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``parse`` to each distinct value; ``parse`` returns a value, ``None`` for empty, or raises ValueError."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    n = len(uniques)
    values = np.empty(n + 1, dtype=dtype)
    bad = np.zeros(n + 1, dtype=bool)
    values[n] = empty  # index -1 (missing) lands here
    for i, raw in enumerate(uniques):
        try:  # the store is inside: a value too big for the column's dtype is a bad cell, not a crash
            v = parse(raw)
            values[i] = empty if v is None else v
        except (ValueError, ArithmeticError, OverflowError, TypeError):
            values[i] = empty
            bad[i] = True
    return values[codes], bad[codes]


def _strings(series: pd.Series) -> pd.Series:
    return series if isinstance(series.dtype, pd.StringDtype) else series.astype(STRING)


def per_distinct(series: pd.Series, step: Callable[[pd.Series], object]) -> np.ndarray:
    """``step`` (vectorised over a text Series) run on the distinct values only, broadcast back.
    Text is Python strings, whose ``.str`` methods loop in Python: exports repeat their codes,
    names and dates, so one factorize buys back most of that loop."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return np.asarray(step(pd.Series(uniques, dtype=STRING)))[codes]


_NA_LONGEST = max(len(t) for t in NA_TOKENS)


def _na_to_empty(s: pd.Series) -> pd.Series:
    # Lower-casing a million codes to find the few "null"s is the cost: only short cells can be one.
    short = np.flatnonzero((s.str.len() <= _NA_LONGEST).to_numpy(dtype=bool, na_value=False))
    if not len(short):
        return s
    hit = np.zeros(len(s), dtype=bool)
    hit[short] = s.iloc[short].str.lower().isin(NA_TOKENS).to_numpy(dtype=bool, na_value=False)
    return s.mask(hit, "") if hit.any() else s


def clean_text(series: pd.Series) -> pd.Series:
    """Names and free text: stripped (also full-width spaces), NA tokens empty; characters kept."""
    return _na_to_empty(_strings(series).fillna("").str.strip(SPACES))


def clean_code(series: pd.Series) -> pd.Series:
    """Codes and numbers-as-keys: NFKC, stripped, ``17850.0`` (a float-typed id) → ``17850``."""
    s = _strings(series).fillna("")
    wide = ~s.str.isascii().fillna(True).to_numpy(dtype=bool)
    if wide.any():  # NFKC only where it can change something: it is a per-value loop in pandas
        s = s.copy()
        s[wide] = s[wide].str.normalize("NFKC")
    s = _na_to_empty(s.str.strip(SPACES))
    float_id = s.str.endswith(".0").to_numpy(dtype=bool, na_value=False)
    if float_id.any():  # the regular expression per value costs ten times the test
        s = s.copy()
        s[float_id] = s[float_id].str.replace(r"^([0-9]+)\.0$", r"\1", regex=True)
    return s


_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _decimal(raw: str) -> Decimal | None:
    if str(raw).strip(SPACES).lower() in _NOT_FINITE:  # an explicit NaN/inf is not an empty cell
        raise ValueError(raw)
    s = plain(raw)
    if not s:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = _MONEY_JUNK.sub("", s)
    if s.endswith("-"):
        negative, s = True, s[:-1]
    if not s:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not d.is_finite():
        raise ValueError(raw)
    return -d if negative else d


# Plain numbers with at most 4 decimals and 11 integer digits: exact through float64
# (|x·10⁴| < 2⁵³ and the nearest double is within 10⁻⁶ of a unit), so no Decimal is needed.
_SIMPLE = r"-?[0-9]{1,11}(?:\.[0-9]{0,4})?"
_SIMPLE_RE = re.compile(_SIMPLE)


# Decimal comma: "1.234,50" (thousands dots, decimal comma) against "1,234.50". Decided per column
# on the evidence of its values; a column that shows both is refused cell by cell, never guessed.
_EU_EVIDENT = re.compile(r"\d\.\d{3},\d|\d\.\d{3}\.\d{3}|^[-+(]?\d+,\d{1,2}\)?-?$")
# "1,234" alone counts for the decimal point: in a decimal-comma column it would be 1.234, three
# decimals that money never has, so such a column is "mixed" and refused, not read either way.
_US_EVIDENT = re.compile(r"\d,\d{3}\.\d|\d,\d{3},\d{3}|^[-+(]?\d{1,3}(,\d{3})+(\.\d*)?\)?-?$")
_EU_THOUSANDS = r"^[-+(]?\d{1,3}(?:\.\d{3})+\)?-?$"


def decimal_style(series: pd.Series) -> str:
    """``eu`` (decimal comma), ``us`` (decimal point) or ``mixed`` (both shown: ambiguous), from
    the column's distinct values that hold a comma; ``us`` when nothing says otherwise."""
    s = _strings(series).fillna("")
    with_comma = s[s.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)]
    if not len(with_comma):
        return "us"
    eu = us = False
    for value in pd.unique(with_comma.to_numpy(dtype=object))[:5000]:
        v = _MONEY_JUNK.sub("", str(value).replace(",", "\x00")).replace("\x00", ",")
        eu |= bool(_EU_EVIDENT.search(v))
        us |= bool(_US_EVIDENT.search(v))
    return "mixed" if eu and us else "eu" if eu else "us"


def _from_decimal_comma(s: pd.Series) -> pd.Series:
    """EU-style numbers as plain ones: "1.234,50" → "1234.50", "1.234" → "1234"."""
    comma = s.str.contains(",", regex=False).fillna(False)
    dots = s.str.fullmatch(_EU_THOUSANDS).fillna(False)
    s = s.mask(comma, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    return s.mask(dots & ~comma, s.str.replace(".", "", regex=False))


def _numeric(series: pd.Series, slow: Callable[[str], object], dtype, scale: int | None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised for plain numbers and empty cells; ``slow`` (per distinct value) for the rest."""
    text = _strings(series).fillna("").to_numpy(dtype=object)
    joined = "\n".join(text)
    if joined.count("\n") != len(text) - 1 or any(c in joined for c in SPACES if c != "\n"):
        text = np.array([v.strip(SPACES) for v in text] if len(text) else [], dtype=object)
        joined = "\n".join(text)
    s = pd.Series(pd.array(text, dtype=STRING, copy=False), copy=False)
    # a column without a comma is "us" (decimal_style's answer) without looking at each value
    style = decimal_style(s) if "," in joined else "us"
    ambiguous = None
    if style != "us":
        if style == "eu":
            s = _from_decimal_comma(s)
        else:
            ambiguous = s.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
            s = s.mask(ambiguous, "")
        text, joined = s.to_numpy(dtype=object), None
    empty = text == ""
    fast = plain_floats(text, joined)
    if fast is not None:
        simple, floats = fast
        x = floats[simple]
    else:
        plain_number = _SIMPLE_RE.fullmatch
        simple = np.fromiter((plain_number(v) is not None for v in text), dtype=bool, count=len(text))
        x = _to_float(text[simple])
    values = np.zeros(len(s), dtype=dtype)
    bad = np.zeros(len(s), dtype=bool)
    if simple.any():
        if scale is not None:
            units = np.floor(np.abs(x) * scale + 0.5) * np.sign(x)
            values[simple] = units.astype(np.int64)
        elif dtype == np.int64:
            whole = x == np.floor(x)
            values[simple] = np.where(whole, x, 0).astype(np.int64)
            bad[np.flatnonzero(simple)[~whole]] = True
        else:
            values[simple] = x
    rest = ~simple & ~empty
    if rest.any():
        v, b = _by_unique(s[rest], slow, dtype, 0)
        values[rest] = v
        bad[rest] = b
    if ambiguous is not None:
        bad |= ambiguous
    return values, bad


def _to_float(text: np.ndarray) -> np.ndarray:
    """Plain numbers (``_SIMPLE``) as float64, each the double nearest to its text (Python's parser)."""
    return np.asarray(text, dtype=np.float64)


def parse_money(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yuan text (``¥1,234.50``, ``(12.00)``, full-width digits) → int64 money units (exact)."""
    scale = Decimal(MONEY_SCALE)

    def parse(raw: str) -> int | None:
        d = _decimal(raw)
        if d is None:
            return None
        units = d * scale
        if abs(units) >= MONEY_CAP:  # kept (clamped) so that the limit check names it, not a crash
            return MONEY_CAP if units > 0 else -MONEY_CAP
        return int(units.to_integral_value(rounding=ROUND_HALF_UP))
    return _numeric(series, parse, np.int64, MONEY_SCALE)


# Parsed magnitudes beyond these are clamped (then rejected by ``limits``, whose caps are far
# below): 1e308 must become a rejected row, not an int64 overflow or an ``inf`` in a report.
MONEY_CAP = 10**17  # units: 10¹³ yuan
NUMBER_CAP = 1e15


def parse_number(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    def parse(raw: str) -> float | None:
        d = _decimal(raw)
        if d is None:
            return None
        return float(max(min(d, Decimal(NUMBER_CAP)), Decimal(-NUMBER_CAP)))
    return _numeric(series, parse, np.float64, None)


def parse_int(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    def parse(raw: str) -> int | None:
        d = _decimal(raw)
        if d is None:
            return None
        if d != d.to_integral_value() or abs(d) >= 2**53:
            raise ValueError(raw)
        return int(d)
    return _numeric(series, parse, np.int64, None)


def day_first_column(series: pd.Series) -> bool | None:
    """Decide D/M or M/D for a whole column of ``a-b-year`` dates from the values that tell: a first
    part over 12 means day first, a second part over 12 month first. None when no value tells
    (or they contradict each other): the caller's setting stands."""
    firsts = seconds = False
    for raw in pd.unique(series.dropna()):
        text = DATE_SEP.sub("-", plain(raw).split(" ")[0])
        if m := MDY.match(text):
            firsts |= int(m[1]) > 12
            seconds |= int(m[2]) > 12
    if firsts == seconds:
        return None
    return firsts


def parse_date(series: pd.Series, fmt: str | None = None, dayfirst: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """→ (object array of ``datetime.date`` or None, bad mask). Without a format, a column of
    ``a-b-year`` dates is read day-first or month-first as its own values show (``30/4/2024`` and
    ``04-30-22`` both land); a column none of whose values tells keeps ``dayfirst``."""
    # One factorize (a long C call holding the GIL: the GUI thread waits on it) serves both the
    # column's day/month decision and the parsing, which run on the distinct values only.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=object)
    if not fmt:
        told = day_first_column(distinct)
        dayfirst = dayfirst if told is None else told
    values, bad = _by_unique(distinct, lambda raw: parse_one_date(raw, fmt, dayfirst), object, None)
    values, bad = np.append(values, None), np.append(bad, False)  # code -1 (missing) → the last slot
    return values[codes], bad[codes]


FOOTER = re.compile(r"^\s*(本页|本表|全部)?(合\s*计|总\s*计|小\s*计|累\s*计)|^\s*(grand\s+)?total\b", re.IGNORECASE)
_FOOTER_RE2 = r"^\s*(?:本页|本表|全部)?(?:合\s*计|总\s*计|小\s*计|累\s*计)|^\s*(?:[Gg][Rr][Aa][Nn][Dd]\s+)?[Tt][Oo][Tt][Aa][Ll]"
_FOOTER_FIRST = list("合总小累本全GgTt")


def footer_mask(frame: pd.DataFrame, columns: list) -> np.ndarray:
    """Rows where one of ``columns`` starts with 合计/总计/小计 (or Total): summary lines, not data."""
    mask = np.zeros(len(frame), dtype=bool)
    for col in columns:
        values = _strings(frame[col]).fillna("")
        joined = "".join(values.to_numpy(dtype=object))
        if any(c in joined for c in _FOOTER_FIRST):  # else no cell can start with one: no factorize
            mask |= per_distinct(values, _footer_cells)
    return mask


def _footer_cells(values: pd.Series) -> np.ndarray:
    s = _strings(values).fillna("").str.strip(SPACES)
    hit = np.zeros(len(s), dtype=bool)
    idx = np.flatnonzero(s.str.slice(0, 1).isin(_FOOTER_FIRST).to_numpy(dtype=bool))
    if len(idx):
        hit[idx] = s.iloc[idx].str.contains(_FOOTER_RE2, regex=True).fillna(False).to_numpy(dtype=bool)
    return hit


def blank_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows with nothing but spaces in every cell (each column looks only at rows still blank)."""
    mask = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        idx = np.flatnonzero(mask)
        if not len(idx):
            break
        mask[idx] = per_distinct(frame[col].iloc[idx], _blank_cells)
    return mask


def _blank_cells(values: pd.Series) -> np.ndarray:
    return _na_to_empty(_strings(values).fillna("").str.strip(SPACES)).eq("").to_numpy(dtype=bool)
