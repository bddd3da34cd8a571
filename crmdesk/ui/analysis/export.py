"""Save a report's table as an Excel workbook and its chart as PNG/PDF.

The workbook is what the owner forwards to the accountant: a bold, frozen
header, money as numbers with two decimals (so Excel can sum them), percent
as Excel percentages, dates as dates.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from PySide6.QtWidgets import QMessageBox, QWidget

from crmdesk.core.table_out import put_at
from crmdesk.i18n import _
from crmdesk.reports.column_format import ColumnFormat, column_formats, money_columns_of
from crmdesk.reports.provenance import write_about_sheet
from crmdesk.ui.analysis.dataframe_model import TRANSLATED_COLUMNS, is_missing
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)

MONEY_FORMAT = "#,##0.00"
PCT_FORMAT = "0.0%"
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 50
SHEET_TITLE_MAX = 31  # Excel's limit
_FORBIDDEN_IN_SHEET_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _excel_value(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal):
        return float(value)  # Excel stores doubles anyway; the format shows fen
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def _number_format(value: Any, kind: str, column: ColumnFormat | None = None) -> str | None:
    if kind == "money":
        return MONEY_FORMAT
    if kind == "pct":
        return PCT_FORMAT
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and column is not None and column.kind == "number":
        return column.excel()  # one format per column, as on screen
    if isinstance(value, int):
        return INT_FORMAT
    if isinstance(value, float):
        return INT_FORMAT if value.is_integer() else FLOAT_FORMAT
    if isinstance(value, (dt.date, dt.datetime)):
        return DATE_FORMAT
    return None


def write_dataframe_xlsx(frame: pd.DataFrame, path: str | Path, *, money_columns: Iterable[str] = (),
                         pct_columns: Iterable[str] = (), sheet_title: str = "",
                         header_labels: dict[str, str] | None = None,
                         about: list[tuple[str, str]] | None = None) -> Path:
    """Write ``frame`` to ``path`` (.xlsx); header cells show ``header_labels`` (else column names);
    ``about`` (what the export holds: period, filters, made when and by whom) goes on a sheet of its own."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    money_columns = money_columns_of(frame, money_columns)
    pct_columns = tuple(pct_columns)
    formats = column_formats(frame, money_columns, pct_columns)
    kinds = {c: "money" for c in money_columns} | {c: "pct" for c in pct_columns}
    # Reports hold percentages (25.0); Excel's % format wants the fraction 0.25.
    divide = {c for c in kinds if kinds[c] == "pct"}
    labels = header_labels or {}

    wb = Workbook()
    ws = wb.active
    ws.title = (sheet_title or "Report").translate(_FORBIDDEN_IN_SHEET_TITLE)[:SHEET_TITLE_MAX]
    columns = list(frame.columns)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5F0")
    widths = []
    for col_no, name in enumerate(columns, start=1):
        text = labels.get(name, str(name))
        cell = put_at(ws, 1, col_no, text)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        widths.append(_text_width(text))
    for row_no, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for col_no, (name, raw) in enumerate(zip(columns, row, strict=True), start=1):
            value = _excel_value(raw)
            if name in divide and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = value / 100
            elif name in TRANSLATED_COLUMNS and isinstance(value, str):
                value = _(value)
            cell = put_at(ws, row_no, col_no, value)  # text stays text, never a formula
            fmt = _number_format(value, kinds.get(name, ""), formats.get(str(name))) if value is not None else None
            if fmt:
                cell.number_format = fmt
            if row_no < 500:  # widths from the first rows are good enough
                widths[col_no - 1] = max(widths[col_no - 1], _text_width(_shown(value, fmt)))
    for col_no, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col_no)].width = min(MAX_WIDTH, width + 2)
    ws.freeze_panes = "A2"
    if columns and len(frame):
        ws.auto_filter.ref = ws.dimensions
    if about:
        write_about_sheet(wb, about)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _shown(value: Any, fmt: str | None) -> str:
    if isinstance(value, float) and fmt in (MONEY_FORMAT, FLOAT_FORMAT):
        return f"{value:,.2f}"
    if isinstance(value, float) and fmt and "." in fmt:
        return f"{value:,.{len(fmt.split('.')[1])}f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return "2026-01-01"
    return "" if value is None else str(value)


def _text_width(text: str) -> int:
    # CJK characters take two columns in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def save_figure(figure: Any, path: str | Path, dpi: int = 150, caption: str = "") -> Path:
    """Save a matplotlib Figure; PNG unless the suffix says PDF/SVG; ``caption`` is printed under it."""
    from crmdesk.charts.caption import save_with_caption

    path = Path(path)
    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_with_caption(figure, path, caption, dpi=dpi)
    return path


def _safe_file_name(text: str) -> str:
    return "".join("_" if ch in '<>:"/\\|?*' else ch for ch in text).strip() or "report"


def ask_table_path(parent: QWidget | None, suggested_name: str, pdf: bool = False) -> Path | None:
    """Ask where to save a table: .xlsx, or also .pdf when the report can print itself."""
    filters = [_("Excel workbook (*.xlsx)")] + ([_("PDF document (*.pdf)")] if pdf else [])
    name, selected = file_dialogs.get_save_file_name(
        parent, _("Export table"), _safe_file_name(suggested_name) + ".xlsx", ";;".join(filters))
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".xlsx", ".pdf") or (path.suffix.lower() == ".pdf" and not pdf):
        path = path.with_suffix(".pdf" if pdf and "pdf" in (selected or "").lower() else ".xlsx")
    return path


def ask_chart_path(parent: QWidget | None, suggested_name: str) -> Path | None:
    filters = ";;".join([_("PNG image (*.png)"), _("PDF document (*.pdf)")])
    name, selected = file_dialogs.get_save_file_name(parent, _("Export chart"), _safe_file_name(suggested_name) + ".png",
                                                 filters)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".png", ".pdf"):
        path = path.with_suffix(".pdf" if "pdf" in (selected or "").lower() else ".png")
    return path


def report_failure(parent: QWidget | None, title: str, exc: Exception) -> None:
    log.warning("%s failed: %s", title, exc)
    QMessageBox.warning(parent, title, _("Could not save the file: {error}").format(error=exc))
