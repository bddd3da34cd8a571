"""The one writer of cells that leave the app (xlsx, csv, a table copied to the clipboard), safe
from formula injection: a customer called ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` must reach
the accountant's Excel as that text, never as a formula it runs.

Text that starts with ``= + - @``, a tab or a carriage return (OWASP's list) is neutralised:

- xlsx: the cell keeps the text unchanged, stored with the explicit string type (openpyxl would
  otherwise store ``=…`` as a formula) and marked quote-prefixed, so Excel shows it as text and
  editing it keeps it text. The value is not altered, so the file reads back (or re-imports)
  exactly.
- csv / clipboard (tab-separated): a file of text has no cell types, so the text gets a leading
  ``'`` (Excel and LibreOffice show the rest as text).

Only text is touched: numbers stay numbers (-2 stays -2), dates stay dates; the TEXT ``-2+3`` is
neutralised. Qt-free and pandas-optional, so services, importers, reports and the UI share it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# A number as a table shows it ("-1,234.50", "-5%", "¥-3"): it computes nothing when pasted.
_SHOWN_NUMBER = re.compile(r"[+-]?[¥￥]?[+-]?(\d[\d,]*)?\.?\d+%?")


def is_risky(value: Any) -> bool:
    """Text a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_safe(value: Any) -> Any:
    """A value for a csv/tsv cell: risky text gets a leading ``'``; anything else as it is."""
    return QUOTE + value if is_risky(value) else value


def csv_safe(text: Any) -> str:
    """``text`` as a safe csv cell string (None → "")."""
    return text_safe("" if text is None else str(text))


def csv_cell(value: Any) -> Any:
    r"""``text_safe``, and a carriage return inside text becomes a line feed: with ``\n`` as line
    terminator (the reports' CSV) Python's csv writer and pandas quote a field holding ``\n`` but not
    one holding a lone ``\r``, and Excel ends the row at that ``\r`` — the rest of the text would
    start a new row, formula and all."""
    value = text_safe(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def put(cell, value: Any):
    """Set an openpyxl cell to ``value``; text is always stored as text, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes "=…" a formula ("f") on assignment
        if is_risky(value):
            cell.quotePrefix = True
    return cell


def put_at(ws, row: int, column: int, value: Any):
    """``put`` into the cell at (row, column) of a normal worksheet; returns the cell."""
    return put(ws.cell(row=row, column=column), value)


def xlsx_row(ws, values: Iterable[Any]) -> list:
    """Cells for ``ws.append`` (normal and write-only worksheets alike) holding ``values`` safely."""
    from openpyxl.cell import WriteOnlyCell

    return [put(WriteOnlyCell(ws), v) if isinstance(v, str) else v for v in values]


def append_row(ws, values: Iterable[Any]) -> None:
    """``ws.append(values)`` with text kept as text."""
    ws.append(xlsx_row(ws, values))


def safe_frame(df):
    """A copy of a DataFrame whose text cells and column names are csv-safe (numbers untouched)."""
    from pandas.api import types

    out = df.copy()
    for name in out.columns:
        column = out[name]
        # object, string and categorical columns can hold text; numbers and dates cannot.
        if not (types.is_numeric_dtype(column.dtype) or types.is_datetime64_any_dtype(column.dtype)
                or types.is_timedelta64_dtype(column.dtype)):
            out[name] = column.astype(object).map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def write_csv_rows(out: TextIO | Path, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """A csv of ``headers`` and ``rows``; a file gets UTF-8 with a BOM (Excel on Chinese Windows).
    Rows end in ``\r\n`` (the csv module's default), so a field holding ``\r`` is quoted."""
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            write_csv_rows(fh, headers, rows)
        return
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([text_safe(v) for v in row])


def tsv_text(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A table as tab-separated text for the clipboard (what Excel pastes into cells). The values
    are often the texts a view shows: one that is a plain number ("-2.00") stays as it is."""
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        if isinstance(value, str) and not _SHOWN_NUMBER.fullmatch(value):
            text = text_safe(text)
        # A tab or line break inside a cell would split it; pasting keeps one cell per value.
        return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")

    buf = io.StringIO()
    for row in (headers, *rows):
        buf.write("\t".join(cell(v) for v in row) + "\n")
    return buf.getvalue()
