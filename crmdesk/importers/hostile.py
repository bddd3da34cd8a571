"""The last checks on a file's rows before they are split into accepted and rejected: whatever a
broken or hostile file can slip past the parsers is rejected here with its row, column and reason,
or said in a note — never stored silently.

- values outside the plausibility limits (``limits``) and text longer than its database column;
- formula cells that hold no computed value (``xlsx_guard``): they read as empty, i.e. 0;
- a negative amount on a positive quantity (``(100.00)``): a return, so the quantity turns negative;
- duplicate header names: which one was used is said;
- lines that did not decode (``reading``): rejected by row number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmdesk.i18n import _
from crmdesk.importers.fields import field_map
from crmdesk.importers.limits import Limits, check_lengths, check_limits


def check_parsed(layout, frame: pd.DataFrame, raw: pd.DataFrame, numbers: np.ndarray, checks) -> None:
    """On the parsed values, before the per-kind rules: so that a row rejected here is not counted
    in their notes (walk-in rows, stubs)."""
    if layout.source.uncached:
        _uncached_formulas(layout, raw, numbers, checks)
    _limits_and_lengths(layout, frame, raw, checks, dates=True)


def check_rows(layout, frame: pd.DataFrame, raw: pd.DataFrame, numbers: np.ndarray, checks, notes: list[str]) -> None:
    """On the derived values (an amount computed from quantity × price, a code taken from a name)."""
    notes[:0] = [n for n in layout.source.notes if n not in notes]
    _duplicate_headers(layout, notes)
    _limits_and_lengths(layout, frame, raw, checks, dates=False)  # dates are not derived
    if layout.kind == "sales":
        _negative_amounts(frame, checks, notes)


def _limits_and_lengths(layout, frame: pd.DataFrame, raw: pd.DataFrame, checks, dates: bool) -> None:
    pos_of = {fname: pos for pos, fname in layout.mapping.items()}
    header_of = {fname: layout.headers[pos] for pos, fname in layout.mapping.items()}
    for fname in layout.profile.constants:
        header_of.setdefault(fname, fname)

    def raw_of(fname: str) -> np.ndarray:
        if fname in pos_of and pos_of[fname] in raw.columns:
            return raw[pos_of[fname]].to_numpy(dtype=object)
        return frame[fname].to_numpy(dtype=object)

    types = {f.name: f.type for f in field_map(layout.kind).values()}
    limits = layout.source.limits if isinstance(layout.source.limits, Limits) else Limits()
    with np.errstate(all="ignore"):
        check_limits(layout.kind, frame, checks, header_of, raw_of, types, limits, dates=dates)
    check_lengths(layout.kind, frame, checks, header_of, raw_of)


def _duplicate_headers(layout, notes: list[str]) -> None:
    seen: dict[str, list[int]] = {}
    for pos, header in enumerate(layout.headers):
        if header.strip():
            seen.setdefault(header.strip(), []).append(pos)
    for header, positions in seen.items():
        if len(positions) < 2:
            continue
        used = [p for p in positions if p in layout.mapping]
        columns = ", ".join(str(p + 1) for p in positions)
        if used:
            notes.append(_("duplicate column name {name} (columns {columns}): column {used} imported as {field}, "
                           "the others ignored").format(name=header, columns=columns, used=used[0] + 1,
                                                        field=layout.mapping[used[0]]))
        else:
            notes.append(_("duplicate column name {name} (columns {columns}): none of them imported").format(
                name=header, columns=columns))


def _uncached_formulas(layout, raw: pd.DataFrame, numbers: np.ndarray, checks) -> None:
    by_column: dict[int, list[int]] = {}
    for row, col in layout.source.uncached:
        by_column.setdefault(col, []).append(row)
    for pos in layout.mapping:
        rows = by_column.get(pos)
        if rows and pos in raw.columns:
            hit = np.isin(numbers, rows)
            checks.add(hit, _("formula without a saved value (open and save the file in Excel first)"),
                       layout.headers[pos], np.full(len(numbers), "=…", dtype=object))


def _negative_amounts(frame: pd.DataFrame, checks, notes: list[str]) -> None:
    """``(100.00)`` on a quantity of 1: the line is a return, and a stored return is negative in
    both (otherwise the quantity sold and the revenue disagree in every report)."""
    qty = frame["quantity"].to_numpy(dtype=np.float64)
    amount = frame["amount"].to_numpy(dtype=np.int64)
    flip = (amount < 0) & (qty > 0) & ~checks.rejected
    if flip.any():
        frame["quantity"] = np.where(flip, -qty, qty)
        notes.append(_("{n} rows with a negative amount and a positive quantity taken as returns "
                       "(quantity made negative)").format(n=int(flip.sum())))


def undecodable_rejects(layout, notes: list[str]) -> list[tuple[int, str, str]]:
    """(row, start of the line, reason) for the body's lines that did not decode; said in a note."""
    source = layout.source
    rows = sorted(r for r in source.bad_lines if r > layout.header_row)
    if not source.bad_lines:
        return []
    encoding = source.encoding or "?"
    notes.append(_("{n} lines are not valid {encoding} text and were rejected (rows {rows})").format(
        n=len(source.bad_lines), encoding=encoding,
        rows=", ".join(str(r) for r in sorted(source.bad_lines)[:10]) + (" …" if len(source.bad_lines) > 10 else "")))
    reason = _("not valid {encoding} text").format(encoding=encoding)
    return [(row, source.bad_lines[row], reason) for row in rows]
