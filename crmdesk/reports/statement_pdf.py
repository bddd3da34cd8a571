"""The statement of account as a PDF to send to the customer (reportlab).

Chinese must print: a TrueType CJK font found on the PC is embedded (subset), so the
file looks the same everywhere; without one, reportlab's built-in CID font STSong-Light
is used (not embedded — PDF readers supply it).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from crmdesk.cjk_font import font_files
from crmdesk.i18n import _
from crmdesk.reports.statement_xlsx import TABLE, cell_text, customer_line, header_lines, made_line, payment_lines, \
    period_line

log = logging.getLogger(__name__)

CID_FONT = "STSong-Light"
MONEY_KEYS = ("order_amount", "receipt_amount", "balance")
# TrueType (not CFF) CJK fonts reportlab can embed: the system's, then the subset crmdesk ships.
TTF_CANDIDATES = tuple((str(path), index) for path, index in font_files())


@lru_cache(maxsize=4)
def register_font(prefer_embedded: bool = True) -> str:
    """Register and return the name of a font that draws Chinese."""
    if prefer_embedded:
        for path, index in TTF_CANDIDATES:
            if not Path(path).is_file():
                continue
            name = f"crmdesk-cjk-{Path(path).stem}"
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
                return name
            except Exception as exc:  # noqa: BLE001 - a font reportlab cannot read: try the next
                log.info("cannot use %s for PDF: %s", path, exc)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _money(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{value:,.2f}"


def _date(value) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def build_story(df: pd.DataFrame, font: str) -> list:
    """The flowables of the statement (kept apart from writing so tests can read the text)."""
    attrs = dict(df.attrs)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    shop_style = ParagraphStyle("shop", parent=body, fontSize=12, leading=16, alignment=TA_CENTER)
    title_style = ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=TA_CENTER,
                                 spaceBefore=4, spaceAfter=8)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11)
    money_cell = ParagraphStyle("money", parent=cell, alignment=TA_RIGHT)

    story: list = [Paragraph(_escape(line), shop_style) for line in header_lines(attrs)]
    story.append(Paragraph(_escape(_("Statement of account")), title_style))
    story.append(Paragraph(_escape(customer_line(attrs)), body))
    extra = "  ".join(x for x in (attrs.get("customer_address", ""), attrs.get("customer_phone", "")) if x)
    if extra:
        story.append(Paragraph(_escape(extra), body))
    story.append(Paragraph(_escape(period_line(attrs)), body))
    if made_line(attrs):
        small = ParagraphStyle("made", parent=body, fontSize=7.5, leading=10, textColor=colors.HexColor("#666666"))
        story.append(Paragraph(_escape(made_line(attrs)), small))
    story.append(Spacer(1, 4 * mm))

    head_money = ParagraphStyle("head_money", parent=money_cell)
    data = [[Paragraph(_escape(_(label)), head_money if key in MONEY_KEYS else cell) for key, label, _w in TABLE]]
    for record in df.to_dict("records"):
        row = []
        for key, _label, _w in TABLE:
            value = record.get(key)
            if key == "date":
                row.append(Paragraph(_date(value), cell))
            elif key in MONEY_KEYS:
                row.append(Paragraph(_money(value), money_cell))
            else:
                value = cell_text(key, value)
                row.append(Paragraph(_escape("" if value is None else str(value)), cell))
        data.append(row)
    widths = [21 * mm, 13 * mm, 29 * mm, 42 * mm, 24 * mm, 24 * mm, 27 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if len(data) > 1 and df["kind"].iloc[-1] == "closing":
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")))
    table.setStyle(TableStyle(style))
    story.append(table)
    story.append(Spacer(1, 5 * mm))

    closing = attrs.get("closing_balance")
    if closing is not None:
        story.append(Paragraph(_escape(_("Closing balance: {amount} yuan").format(amount=_money(closing))), body))
    story.append(Paragraph(_escape(_("Please check and confirm the balance above.")), body))
    for text in payment_lines(attrs):
        story.append(Paragraph(_escape(text), body))
    story.append(Spacer(1, 12 * mm))
    shop_name = (attrs.get("shop") or {}).get("name", "")
    sign = Table([
        [Paragraph(_escape(_("Shop (stamp): {name}").format(name=shop_name)), body),
         Paragraph(_escape(_("Customer confirmation (signature / stamp): ______________")), body)],
        [Paragraph(_escape(_("Printed on {date}").format(date=dt.date.today().isoformat())), body),
         Paragraph(_escape(_("Date: ____________")), body)],
    ], colWidths=[80 * mm, 97 * mm])
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, 0), 10 * mm)]))
    story.append(sign)
    return story


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_statement_pdf(df: pd.DataFrame, path: str | Path, *, prefer_embedded: bool = True) -> None:
    write_statements_pdf([df], path, prefer_embedded=prefer_embedded)


def write_statements_pdf(frames: list[pd.DataFrame], path: str | Path, *, prefer_embedded: bool = True) -> None:
    """One or more statements in one file, each starting on a new page."""
    font = register_font(prefer_embedded)
    attrs = frames[0].attrs if frames else {}
    title = _("Statement of account") + (f" {attrs.get('customer_name', '')}" if len(frames) == 1 else "")
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=title.strip(),
                            author=(attrs.get("shop") or {}).get("name", ""))
    story: list = []
    for df in frames:
        if story:
            story.append(PageBreak())
        story += build_story(df, font)

    def page_number(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, _("Page {n}").format(n=document.page))
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
