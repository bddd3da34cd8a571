"""Writing a report's DataFrame: CSV, formatted XLSX (with a native Excel chart
where the report has a natural one) and PNG (the report's chart).

``export`` picks the writer by suffix; a spec's own ``exporters`` win. Given an
``ExportInfo`` (``reports.provenance``), every file says what it holds: an xlsx gets a sheet
of it, a PNG a caption, a report's own exporter finds it in ``df.attrs["export_info"]``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from crmdesk.core import table_out
from crmdesk.i18n import _
from crmdesk.reports.column_format import column_formats, money_columns_of
from crmdesk.reports.common import ReportError
from crmdesk.reports.provenance import ExportInfo, write_about_sheet
from crmdesk.reports.spec import ReportSpec

MONEY_FORMAT = "#,##0.00"
PCT_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
SUFFIXES = (".csv", ".xlsx", ".png")

# Natural Excel charts: report → (kind, category column, value columns). The category of
# margin depends on --by, so None means "the first column".
XLSX_CHARTS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "margin": ("bar", None, ("gross_profit",)),
    "key-customers": ("bar", "customer_name", ("gross_profit",)),
    "trends": ("line", "month", ("revenue", "gross_profit", "receivable_balance", "stock_value")),
    "overstock": ("bar", "product_name", ("stock_value",)),
    "restock": ("bar", "product_name", ("days_of_cover",)),
    "receivables": ("bar", "customer_name", ("balance",)),
}
CHART_ROWS = 30


def fixed_decimals(df: pd.DataFrame, spec: ReportSpec | None) -> pd.DataFrame:
    """Money and percentage columns as text with exactly two decimals (blank for NaN)."""
    if spec is None:
        return df
    cols = [c for c in (*money_columns_of(df, spec.money_columns), *spec.pct_columns) if c in df.columns]
    if not cols:
        return df
    df = df.copy()
    for c in cols:
        df[c] = [("" if v is None or v != v else f"{float(v):.2f}") for v in df[c]]
    return df


def write_csv(df: pd.DataFrame, out: TextIO | Path, spec: ReportSpec | None = None) -> None:
    """UTF-8 CSV; a file gets a BOM so that Excel on Chinese Windows reads it right. Text that
    could run as a formula is neutralised first, while numbers are still numbers (``table_out``)."""
    df = fixed_decimals(table_out.safe_frame(df), spec)
    if isinstance(out, Path):
        df.to_csv(out, index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        df.to_csv(out, index=False, lineterminator="\n")


def csv_text(df: pd.DataFrame, spec: ReportSpec | None = None) -> str:
    buf = io.StringIO()
    write_csv(df, buf, spec)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _width(value: Any) -> int:
    text = "" if value is None else (f"{value:,.2f}" if isinstance(value, float) else str(value))
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(df: pd.DataFrame, path: Path, spec: ReportSpec | None = None,
               options: dict[str, Any] | None = None, info: ExportInfo | None = None) -> None:
    """One sheet named after the report: bold frozen header, number formats (one per column),
    fitted widths, chart; ``info`` on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    options = options or {}
    wb = Workbook()
    ws = wb.active
    ws.title = (spec.name if spec else "report")[:31]
    table_out.append_row(ws, list(df.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    money = set(money_columns_of(df, spec.money_columns if spec else ()))
    pcts = set(spec.pct_columns if spec else ())
    formats = column_formats(df, money, pcts)
    widths = [_width(c) for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        values = [_cell(v) for v in row]
        table_out.append_row(ws, values)
        for i, v in enumerate(values):
            widths[i] = max(widths[i], _width(v))
    for i, name in enumerate(df.columns, 1):
        letter = get_column_letter(i)
        # Decimals one per column (1.0 beside 1.1); whole numbers keep Excel's General (years, codes).
        number = formats[str(name)]
        fmt = MONEY_FORMAT if name in money else PCT_FORMAT if name in pcts else (
            number.excel() if number.decimals else None)
        if fmt is None and len(df) and isinstance(_cell(df[name].iloc[0]), dt.date):
            fmt = DATE_FORMAT
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
        ws.column_dimensions[letter].width = min(max(widths[i - 1] + 2, 8), 60)
    ws.freeze_panes = "A2"
    if spec is not None and len(df):
        _add_chart(ws, df, spec, options)
    if info is not None:
        write_about_sheet(wb, info.lines())
    wb.save(path)


def _add_chart(ws, df: pd.DataFrame, spec: ReportSpec, options: dict[str, Any]) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    hint = XLSX_CHARTS.get(spec.name)
    if hint is None:
        return
    kind, category, values = hint
    if spec.name == "margin" and (options.get("by") == "month"):
        kind, values = "line", ("revenue", "gross_profit")
    if spec.name == "receivables" and options.get("view") == "collection":
        kind, category, values = "line", "month", ("billed", "collected", "balance")
    cols = list(df.columns)
    category = category if category in cols else (f"{cols[0]}_name" if f"{cols[0]}_name" in cols else cols[0])
    values = tuple(v for v in values if v in cols)
    if not values:
        return
    last = 1 + (len(df) if kind == "line" else min(len(df), CHART_ROWS))
    chart = LineChart() if kind == "line" else BarChart()
    if kind == "bar":
        chart.type = "bar"
    chart.title = _(spec.title)
    chart.height, chart.width = 9, 18
    for v in values:
        col = cols.index(v) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
    cat_col = cols.index(category) + 1
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=2, max_row=last))
    ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}2")


def figure_for(df: pd.DataFrame, spec: ReportSpec, options: dict[str, Any]):
    if spec.chart is not None:
        return spec.chart(df, options)
    from crmdesk.charts.report_charts import default_chart

    return default_chart(df, spec.money_columns)


def write_png(df: pd.DataFrame, path: Path, spec: ReportSpec, options: dict[str, Any],
              info: ExportInfo | None = None) -> None:
    from crmdesk.charts.caption import save_with_caption

    save_with_caption(figure_for(df, spec, options), path, info.caption() if info else "", dpi=110)


def with_info(df: pd.DataFrame, info: ExportInfo | None) -> pd.DataFrame:
    """``df`` carrying ``info`` in its attrs, for a report's own exporter (the statement's)."""
    if info is None:
        return df
    out = df.copy(deep=False)
    out.attrs = {**df.attrs, "export_info": info.lines(), "export_made": info.made_text()}
    return out


def export(df: pd.DataFrame, spec: ReportSpec, options: dict[str, Any], path: Path,
           info: ExportInfo | None = None) -> None:
    """Write ``df`` to ``path`` in the format its suffix names (CSV stays bare: it is for programs)."""
    suffix = path.suffix.lower()
    if suffix in spec.exporters:
        spec.exporters[suffix](with_info(df, info), options, path)
    elif suffix == ".csv":
        write_csv(df, path, spec)
    elif suffix == ".xlsx":
        write_xlsx(df, path, spec, options, info)
    elif suffix == ".png":
        write_png(df, path, spec, options, info)
    else:
        known = sorted({*SUFFIXES, *spec.exporters})
        raise ReportError(_("cannot write {suffix!r} files; use one of {known}").format(
            suffix=suffix or path.name, known=", ".join(known)))
