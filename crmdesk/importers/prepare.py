"""From a resolved layout to a typed frame of good rows plus the rejected rows with reasons."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers import cleaning, hostile
from crmdesk.importers.detect import Layout
from crmdesk.importers.fields import field_map


@dataclass
class Reject:
    row: int  # as the user sees it in the file
    column: str
    value: str
    reason: str
    raw: str = ""  # the row as JSON {header: text}


@dataclass
class Prepared:
    kind: str
    frame: pd.DataFrame  # typed fields of the accepted rows
    rows: np.ndarray  # their row numbers
    rejects: list[Reject]
    data_rows: int  # rows below the header that are neither blank nor 合计 footers
    blank_rows: int = 0
    footer_rows: int = 0
    present: set[str] = field(default_factory=set)  # fields that a column or constant supplies
    notes: list[str] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # FileWarning (importers.findings): landed, but may be wrong
    paid_at_sale: bool = False  # sales: every sale of the file was paid on the spot (services.settlement)
    branch_id: int | None = None  # the branch the file came from (profile, inbox folder or --branch)


class RowChecks:
    """Collects per-row problems: the first problem of a row is the one reported."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.value = np.full(n, "", dtype=object)

    def add(self, mask: np.ndarray, reason: str, column: str = "", values: np.ndarray | None = None) -> None:
        fresh = np.asarray(mask, dtype=bool) & pd.isna(self.reason)
        if not fresh.any():
            return
        self.reason[fresh] = reason
        self.column[fresh] = column
        if values is not None:
            self.value[fresh] = np.asarray(values, dtype=object)[fresh]

    @property
    def rejected(self) -> np.ndarray:
        return ~pd.isna(self.reason)


_PARSERS = {"money": cleaning.parse_money, "number": cleaning.parse_number, "int": cleaning.parse_int}


def read_typed(layout: Layout) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, RowChecks, dict[str, str], int, int]:
    """Read the body, drop blank and footer rows, type every mapped field.

    Returns (typed, raw, row numbers, checks, field → header, blank count, footer count).
    """
    src, mapping = layout.source, layout.mapping
    width = len(layout.headers)
    footer_cols = [c for c in range(min(3, width))]
    usecols = sorted(set(mapping) | set(footer_cols))
    headers, raw, numbers = src.body(layout.header_row, usecols=usecols)
    src.release()
    raw.columns = usecols
    blank = cleaning.blank_mask(raw)
    footer = ~blank & cleaning.footer_mask(raw, footer_cols + [c for c in mapping if c not in footer_cols and
                                                                mapping[c] in _KEY_FIELDS])
    keep = ~(blank | footer)
    if not keep.all():
        raw, numbers = _kept(raw, numbers, keep)
    checks = RowChecks(len(raw))
    typed: dict[str, object] = {}
    header_of: dict[str, str] = {}
    fields = field_map(layout.kind)
    prof = layout.profile
    for pos, fname in mapping.items():
        spec = fields[fname]
        header = layout.headers[pos]
        header_of[fname] = header
        typed[fname] = _parse(raw[pos], spec.type, prof, checks, header)
    for fname, value in prof.constants.items():
        if fname in fields:
            const = pd.Series([value] * len(raw), dtype=object)
            typed[fname] = _parse(const, fields[fname].type, prof, checks, fname)
            header_of[fname] = fname
    frame = pd.DataFrame(typed, index=pd.RangeIndex(len(raw)))
    footers = int(footer.sum())
    if _is_sums_row(layout, frame, raw):
        frame, raw, numbers = frame.iloc[:-1], raw.iloc[:-1], numbers[:-1]
        checks.reason, checks.column, checks.value = checks.reason[:-1], checks.column[:-1], checks.value[:-1]
        footers += 1
    hostile.check_parsed(layout, frame, raw, numbers, checks)  # limits, lengths, formulas without a value
    return frame, raw, numbers, checks, header_of, int(blank.sum()), footers


_SUMMED = ("money", "number", "int")


def _is_sums_row(layout: Layout, frame: pd.DataFrame, raw: pd.DataFrame) -> bool:
    """A totals row without 合计: the last row has no key, no date and no text, and each of its
    numbers is the sum of its column over the rows above (a till's unlabelled footer)."""
    if len(frame) < 3:
        return False
    fields = field_map(layout.kind)
    summed = 0
    for pos, fname in layout.mapping.items():
        cell = str(raw[pos].iloc[-1] if pos in raw.columns else "").strip()
        if not cell:
            continue
        if fields[fname].type not in _SUMMED:
            return False  # a key, a date, a name: a data row
        values = np.asarray(frame[fname].to_numpy(), dtype=np.float64)
        if not np.isfinite(values).all():
            return False
        above = float(values[:-1].sum())
        slack = 0.5 if fields[fname].type == "money" else 1e-6  # money: half a unit; numbers: rounding
        if abs(values[-1] - above) > max(slack, 1e-9 * abs(above)):
            return False
        summed += 1
    return summed > 0


_KEY_FIELDS = {"order_number", "customer_code", "product_code", "code", "number", "doc_number"}


def _kept(raw: pd.DataFrame, numbers: np.ndarray, keep: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The kept rows. Dropped rows are usually only a 合计 footer or blank lines at the end (or
    start): a slice then shares the column buffers, where taking rows copies every column."""
    kept = np.flatnonzero(keep)
    if len(kept) and kept[-1] - kept[0] + 1 == len(kept):
        start, stop = int(kept[0]), int(kept[-1]) + 1
        return raw.iloc[start:stop].reset_index(drop=True), numbers[start:stop]
    return raw.loc[keep].reset_index(drop=True), numbers[keep]


def _parse(series: pd.Series, type_: str, prof, checks: RowChecks, header: str):
    if type_ == "date":  # parsed per distinct value inside
        values, bad = cleaning.parse_date(series, prof.date_format or None, prof.dayfirst)
        checks.add(bad, _("not a date"), header, series)
        return values
    codes, uniques = _distinct(series)
    part = series if codes is None else pd.Series(uniques)
    if type_ in ("text", "code"):
        text = (cleaning.clean_text if type_ == "text" else cleaning.clean_code)(part)
        return text if codes is None else text.take(codes).reset_index(drop=True)
    values, bad = _PARSERS[type_](part)
    if codes is not None:
        values, bad = values[codes], bad[codes]
    reason = {"money": _("not an amount"), "number": _("not a number"), "int": _("not a whole number")}[type_]
    checks.add(bad, reason, header, series)
    return values


_SAMPLE = 20_000


def _distinct(series: pd.Series) -> tuple[np.ndarray | None, object]:
    """(codes, distinct values) when a column repeats (codes, units, quantities, order numbers), so
    that it is cleaned once per distinct value and broadcast back (text is Python strings: each
    value cleaned costs a Python call); (None, None) when a sample says it hardly repeats
    (amounts), where factorizing would only add work."""
    if len(series) < 4 * _SAMPLE or series.iloc[:_SAMPLE].nunique(dropna=False) > _SAMPLE // 2:
        return None, None
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if len(uniques) > len(series) // 2:
        return None, None
    return codes, uniques


def finish(layout: Layout, frame: pd.DataFrame, raw: pd.DataFrame, numbers: np.ndarray, checks: RowChecks,
           blank: int, footer: int, present: set[str], notes: list[str]) -> Prepared:
    """Hold the rows to the limits, then split into accepted rows and rejects (with the raw row as JSON)."""
    hostile.check_rows(layout, frame, raw, numbers, checks, notes)
    undecodable = hostile.undecodable_rejects(layout, notes)
    blank -= len(undecodable)  # they were read as empty lines
    bad = checks.rejected
    rejects: list[Reject] = []
    if bad.any():
        names = {pos: layout.headers[pos] for pos in raw.columns}
        for i in np.flatnonzero(bad):
            raw_row = {names[pos]: str(raw.at[i, pos]) for pos in raw.columns}
            rejects.append(Reject(row=int(numbers[i]), column=str(checks.column[i]),
                                  value=str(checks.value[i] if checks.value[i] is not None else ""),
                                  reason=str(checks.reason[i]), raw=json.dumps(raw_row, ensure_ascii=False)))
    if undecodable:
        rejects = sorted(rejects + [Reject(row=row, column="", value=value, reason=reason)
                                    for row, value, reason in undecodable], key=lambda r: r.row)
    good = frame.loc[~bad].reset_index(drop=True) if bad.any() else frame
    return Prepared(kind=layout.kind, frame=good, rows=numbers[~bad], rejects=rejects,
                    data_rows=len(frame) + len(undecodable), blank_rows=max(blank, 0), footer_rows=footer,
                    present=present, notes=notes)
