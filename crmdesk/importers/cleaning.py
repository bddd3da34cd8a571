"""Turning exported text into typed values, column at a time.

Exports repeat values a lot (dates, prices, codes), so each parser factorizes the column,
parses every *distinct* value once in Python (exact ``Decimal`` for money) and broadcasts the
result back with numpy. A million-line column costs one pass of ``pandas.factorize``.

Every parser returns ``(values, bad)`` where ``bad`` marks cells that had text but could not be
understood; empty cells are not bad (exports leave zero as an empty cell).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from crmdesk.money import MONEY_SCALE

NA_TOKENS = {"na", "n/a", "#n/a", "nan", "null", "none", "-", "--", "—"}
_SPACES = " \t\r\n\u3000\u00a0\ufeff"
_MONEY_JUNK = re.compile(r"[¥￥$€£,，\s元\u00a0\u3000]|RMB|CNY|USD", re.IGNORECASE)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_SEP = re.compile(r"[/.年月\-]")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MDY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def _by_unique(series: pd.Series, parse: Callable[[str], object], dtype, empty) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``parse`` to each distinct value; ``parse`` returns a value, ``None`` for empty, or raises ValueError."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    n = len(uniques)
    values = np.empty(n + 1, dtype=dtype)
    bad = np.zeros(n + 1, dtype=bool)
    values[n] = empty  # index -1 (missing) lands here
    for i, raw in enumerate(uniques):
        try:
            v = parse(raw)
        except (ValueError, ArithmeticError, OverflowError):
            values[i] = empty
            bad[i] = True
            continue
        values[i] = empty if v is None else v
    return values[codes], bad[codes]


def plain(text: object) -> str:
    """NFKC (full-width digits/letters/spaces → ASCII) and stripped; NA tokens become empty."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip(_SPACES)
    return "" if s.lower() in NA_TOKENS else s


def clean_text(series: pd.Series) -> np.ndarray:
    """Names and free text: stripped (also full-width spaces), NA tokens empty; characters kept."""
    def parse(raw: str) -> str:
        s = str(raw).strip(_SPACES)
        return "" if s.lower() in NA_TOKENS else s
    return _by_unique(series, parse, object, "")[0]


def clean_code(series: pd.Series) -> np.ndarray:
    """Codes and numbers-as-keys: NFKC, stripped, ``17850.0`` (a float-typed id) → ``17850``."""
    def parse(raw: str) -> str:
        s = plain(raw)
        if s.endswith(".0") and s[:-2].isdigit():
            s = s[:-2]
        return s
    return _by_unique(series, parse, object, "")[0]


def _decimal(raw: str) -> Decimal | None:
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


def parse_money(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yuan text (``¥1,234.50``, ``(12.00)``, ``1 234,5`` is *not* accepted) → int64 money units."""
    scale = Decimal(MONEY_SCALE)

    def parse(raw: str) -> int | None:
        d = _decimal(raw)
        return None if d is None else int((d * scale).to_integral_value(rounding=ROUND_HALF_UP))
    return _by_unique(series, parse, np.int64, 0)


def parse_number(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    def parse(raw: str) -> float | None:
        d = _decimal(raw)
        return None if d is None else float(d)
    return _by_unique(series, parse, np.float64, 0.0)


def parse_int(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    def parse(raw: str) -> int | None:
        d = _decimal(raw)
        if d is None:
            return None
        if d != d.to_integral_value():
            raise ValueError(raw)
        return int(d)
    return _by_unique(series, parse, np.int64, 0)


def parse_one_date(raw: object, fmt: str | None = None, dayfirst: bool = False) -> dt.date | None:
    """One date cell in any of the forms exports use; None when empty; ValueError when not a date."""
    s = plain(raw)
    if not s:
        return None
    if fmt:
        return dt.datetime.strptime(s, fmt).date()
    s = s.split(" ")[0].split("T")[0] if not s.endswith("日") else s
    if s.endswith("日"):
        s = s[:-1]
    s = _DATE_SEP.sub("-", s)
    if m := _YMD.match(s):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _MDY.match(s):
        a, b = int(m[1]), int(m[2])
        month, day = (b, a) if dayfirst else (a, b)
        return dt.date(int(m[3]), month, day)
    if s.isdigit() and len(s) == 8:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    try:
        serial = float(s)
    except ValueError:
        raise ValueError(raw) from None
    if 1 <= serial < 2958466:  # Excel's serial day numbers (1900 date system)
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    raise ValueError(raw)


def parse_date(series: pd.Series, fmt: str | None = None, dayfirst: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """→ (object array of ``datetime.date`` or None, bad mask)."""
    return _by_unique(series, lambda raw: parse_one_date(raw, fmt, dayfirst), object, None)


FOOTER = re.compile(r"^\s*(本页|本表|全部)?(合\s*计|总\s*计|小\s*计|累\s*计)|^\s*(grand\s+)?total\b", re.IGNORECASE)


def footer_mask(frame: pd.DataFrame, columns: list) -> np.ndarray:
    """Rows where one of ``columns`` starts with 合计/总计/小计 (or Total): summary lines, not data."""
    mask = np.zeros(len(frame), dtype=bool)
    for col in columns:
        def is_footer(raw: str) -> bool:
            return bool(FOOTER.match(unicodedata.normalize("NFKC", str(raw))))
        hits, _bad = _by_unique(frame[col], is_footer, bool, False)
        mask |= hits.astype(bool)
    return mask


def blank_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows with nothing but spaces in every cell (each column looks only at rows still blank)."""
    mask = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        idx = np.flatnonzero(mask)
        if not len(idx):
            break
        hits, _bad = _by_unique(frame[col].iloc[idx], lambda raw: plain(raw) == "", bool, True)
        mask[idx] = hits.astype(bool)
    return mask
