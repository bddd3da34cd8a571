"""The statement of account as a formatted workbook: a shop/customer header block, the
entries with money formats, the closing totals in bold, the header row frozen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from crmdesk.core.table_out import put_at
from crmdesk.i18n import N_, _

MONEY_FORMAT = "#,##0.00;-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
# (DataFrame column, header text, width)
TABLE = (
    ("date", N_("Date"), 12),
    ("kind", N_("Type"), 8),
    ("number", N_("Number"), 20),
    ("description", N_("Description"), 30),
    ("order_amount", N_("Order amount"), 15),
    ("receipt_amount", N_("Receipt amount"), 15),
    ("balance", N_("Balance"), 16),
)
_THIN = Side(style="thin", color="999999")
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F2")


def header_lines(attrs: dict) -> list[str]:
    """The lines above the table: shop, customer, period (shared with the PDF)."""
    shop = attrs.get("shop") or {}
    lines = []
    if shop.get("name"):
        lines.append(shop["name"])
    contact = "  ".join(x for x in (shop.get("address", ""), shop.get("phone", "")) if x)
    if contact:
        lines.append(contact)
    return lines


def customer_line(attrs: dict) -> str:
    return _("Customer: {name} ({code})").format(name=attrs.get("customer_name", ""),
                                                 code=attrs.get("customer_code", ""))


def period_line(attrs: dict) -> str:
    start = attrs.get("period_from") or _("beginning")
    return _("Period: {start} to {end}").format(start=start, end=attrs.get("period_to", ""))


def made_line(attrs: dict) -> str:
    """Who made this file and when (``reports.provenance``), when the caller said so."""
    made = attrs.get("export_made", "")
    return _("Statement {made}").format(made=made) if made else ""


def payment_lines(attrs: dict) -> list[str]:
    """Below the table: where to pay, and the shop's footer."""
    shop = attrs.get("shop") or {}
    lines = []
    if shop.get("bank_account"):
        lines.append(_("Bank account: {account}").format(account=shop["bank_account"]))
    if shop.get("footer"):
        lines.append(shop["footer"])
    return lines


def cell_text(key: str, value):
    """The ``kind`` codes translated (期初/销售/收款/期末); other values as they are."""
    if key == "kind" and isinstance(value, str):
        from crmdesk.reports.statement import kind_label

        return kind_label(value)
    return value


def _cell_value(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def write_statement_xlsx(df: pd.DataFrame, path: str | Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Statement")[:31]
    fill_sheet(ws, df)
    wb.save(path)


def write_statements_xlsx(frames: list[pd.DataFrame], path: str | Path) -> None:
    """Several statements, one sheet each, named by customer code."""
    wb = Workbook()
    wb.remove(wb.active)
    for df in frames:
        title = str(df.attrs.get("customer_code") or _("Statement"))
        for bad in "[]:*?/\\":
            title = title.replace(bad, "_")
        fill_sheet(wb.create_sheet(title[:31]), df)
    wb.save(path)


def fill_sheet(ws, df: pd.DataFrame) -> None:
    attrs = dict(df.attrs)
    width = len(TABLE)
    last_col = get_column_letter(width)

    row = 1
    for text in header_lines(attrs):
        put_at(ws, row, 1, text).font = Font(bold=row == 1, size=12 if row == 1 else 10)
        row += 1
    title = put_at(ws, row, 1, _("Statement of account"))
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A{row}:{last_col}{row}")
    row += 1
    put_at(ws, row, 1, customer_line(attrs)).font = Font(bold=True)
    row += 1
    extra = "  ".join(x for x in (attrs.get("customer_address", ""), attrs.get("customer_phone", "")) if x)
    if extra:
        put_at(ws, row, 1, extra)
        row += 1
    put_at(ws, row, 1, period_line(attrs))
    row += 1
    if made_line(attrs):
        put_at(ws, row, 1, made_line(attrs)).font = Font(size=8, color="666666")
        row += 1
    row += 1

    header_row = row
    for col, (_key, label, col_width) in enumerate(TABLE, start=1):
        cell = put_at(ws, header_row, col, _(label))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = Border(bottom=_THIN, top=_THIN)
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = col_width

    for offset, record in enumerate(df.to_dict("records"), start=1):
        r = header_row + offset
        closing = record.get("kind") == "closing"
        for col, (key, _label, _w) in enumerate(TABLE, start=1):
            value = _cell_value(cell_text(key, record.get(key)))
            cell = put_at(ws, r, col, value)
            if key == "date" and isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif key in ("order_amount", "receipt_amount", "balance"):
                cell.number_format = MONEY_FORMAT
            if closing:
                cell.font = Font(bold=True)
                cell.border = Border(top=_THIN, bottom=Side(style="double"))

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    sign_row = header_row + len(df) + 3
    put_at(ws, sign_row, 1, _("Please check and confirm the balance above."))
    for text in payment_lines(attrs):
        sign_row += 1
        put_at(ws, sign_row, 1, text)
    shop_name = (attrs.get("shop") or {}).get("name", "")
    put_at(ws, sign_row + 2, 1, _("Shop (stamp): {name}").format(name=shop_name))
    put_at(ws, sign_row + 2, 4, _("Customer confirmation (signature / stamp): ______________"))
    put_at(ws, sign_row + 4, 4, _("Date: ____________"))


def table_start_row(ws) -> int:
    """The worksheet row holding the table header (for readers and tests)."""
    wanted = _(TABLE[0][1])
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == wanted:
            return row[0].row
    raise LookupError("statement table header not found")
