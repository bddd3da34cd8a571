"""Statement of account: hand-computed balances, the xlsx and the PDF."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib

import openpyxl
import pandas as pd
import pytest

from crmdesk.db.models import Customer, Product, Receipt, SalesLine, SalesOrder, Setting
from crmdesk.money import to_units
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.statement import statement

D = dt.date


def _order(s, customer, number, day, lines, doc_type="sale", status="completed", total=None):
    order = SalesOrder(number=number, order_date=day, customer_id=customer.id, doc_type=doc_type, status=status,
                       total_amount=to_units(total) if total is not None else sum(to_units(a) for a in lines))
    s.add(order)
    s.flush()
    product = s.query(Product).first()
    for no, amount in enumerate(lines, start=1):
        s.add(SalesLine(order_id=order.id, line_no=no, product_id=product.id, order_date=day,
                        customer_id=customer.id, quantity=1, unit_price=to_units(amount), amount=to_units(amount),
                        cost_amount=0))
    return order


@pytest.fixture
def ledger(db, owner):
    """Customer C001 (华联文具店):
    before 2026-03-01: order 1,000.00 (02-10), receipt 600.00 (02-20), cancelled order 999 → opening 400.00
    March: order 250.50 (03-05, two lines 200 + 50.50), receipt 300.00 (03-05), return −50.50 (03-10),
           order 120.25 (03-31); April: receipt 100 (04-02, after the period).
    Running: 400 → 650.50 → 350.50 → 300.00 → 420.25; closing 420.25.
    """
    with db.sessions.begin() as s:
        s.add(Product(code="P1", name="签字笔", list_price=0, cost=0))
        s.add(Setting(key="shop.name", value="明德办公用品商行"))
        c = Customer(code="C001", name="华联文具店", address="杭州市西湖区文三路 1 号", phone="0571-8888")
        other = Customer(code="C002", name="别家")
        s.add_all([c, other])
        s.flush()
        _order(s, c, "SO-1", D(2026, 2, 10), ["1000"])
        _order(s, c, "SO-X", D(2026, 2, 11), ["999"], status="cancelled")
        s.add(Receipt(number="RC-1", receipt_date=D(2026, 2, 20), customer_id=c.id, amount=to_units("600")))
        s.add(Receipt(number="RC-2", receipt_date=D(2026, 3, 5), customer_id=c.id, amount=to_units("300"),
                      method="bank"))
        _order(s, c, "SO-2", D(2026, 3, 5), ["200", "50.50"])
        _order(s, c, "SR-1", D(2026, 3, 10), ["-50.50"], doc_type="return")
        _order(s, c, "SO-3", D(2026, 3, 31), ["120.25"])
        s.add(Receipt(number="RC-3", receipt_date=D(2026, 4, 2), customer_id=c.id, amount=to_units("100")))
        _order(s, other, "SO-9", D(2026, 3, 6), ["5000"])
    return db


def _march(db, owner, **options):
    with db.sessions() as s:
        return statement(s, owner, ReportFilters(date_from=D(2026, 3, 1), date_to=D(2026, 3, 31)),
                         {"customer": "C001", **options})


def test_running_balance_matches_hand_computation(ledger, owner):
    df = _march(ledger, owner)
    assert list(df["kind"]) == ["opening", "sale", "receipt", "return", "sale", "closing"]
    assert list(df["number"]) == ["", "SO-2", "RC-2", "SR-1", "SO-3", ""]
    assert list(df["balance"]) == [400.0, 650.5, 350.5, 300.0, 420.25, 420.25]
    assert df["order_amount"].iloc[1] == 250.5 and df["order_amount"].iloc[3] == -50.5
    assert df["receipt_amount"].iloc[2] == 300.0 and pd.isna(df["order_amount"].iloc[2])
    closing = df.iloc[-1]
    assert (closing["order_amount"], closing["receipt_amount"]) == (320.25, 300.0)
    assert df.attrs["opening_balance"] == 400.0 and df.attrs["closing_balance"] == 420.25
    assert df.attrs["customer_name"] == "华联文具店"
    assert df.attrs["shop"]["name"] == "明德办公用品商行"
    assert "bank" in df["description"].iloc[2]


def test_without_from_date_everything_is_in_the_period(ledger, owner):
    with ledger.sessions() as s:
        df = statement(s, owner, ReportFilters(date_to=D(2026, 4, 30)), {"customer": "C001"})
    assert df["balance"].iloc[0] == 0.0
    assert df["balance"].iloc[-1] == 320.25  # 1000 − 600 + 250.5 − 300 − 50.5 + 120.25 − 100
    assert "SO-X" not in set(df["number"])


def test_unknown_customer_is_a_clear_error(ledger, owner):
    with ledger.sessions() as s, pytest.raises(ReportError, match="NOPE"):
        statement(s, owner, ReportFilters(), {"customer": "NOPE"})
    with ledger.sessions() as s, pytest.raises(ReportError):
        statement(s, owner, ReportFilters(), {})


def test_xlsx_values_match_the_frame(ledger, owner, tmp_path):
    from crmdesk.reports.statement_xlsx import TABLE, table_start_row, write_statement_xlsx

    df = _march(ledger, owner)
    path = tmp_path / "st.xlsx"
    write_statement_xlsx(df, path)
    ws = openpyxl.load_workbook(path).active
    text = " ".join(str(c.value) for row in ws.iter_rows(max_row=8) for c in row if c.value)
    assert "华联文具店" in text and "C001" in text and "明德办公用品商行" in text
    start = table_start_row(ws)
    assert ws.freeze_panes == f"A{start + 1}"
    keys = [k for k, _l, _w in TABLE]
    for i, record in enumerate(df.to_dict("records"), start=1):
        for col, key in enumerate(keys, start=1):
            got, want = ws.cell(row=start + i, column=col).value, record[key]
            if key in ("order_amount", "receipt_amount", "balance"):
                assert (got is None and pd.isna(want)) or got == pytest.approx(want, abs=1e-9)
                assert ws.cell(row=start + i, column=col).number_format.startswith("#,##0.00")
            elif key == "date":
                assert (got.date() if got else None) == record["date"]
            else:
                assert (got or "") == record[key]
    assert ws.cell(row=start + len(df), column=6).font.bold


def _pdf_text_streams(data: bytes) -> bytes:
    """All content streams, undoing reportlab's ASCII85 + Flate filters."""
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\s*endstream", data, re.S):
        raw = match.group(1)
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            out += raw
    return out


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_strings(content: bytes) -> str:
    """The literal strings of the content streams, unescaped and read as UTF-16BE (how a CID
    font's text is written)."""
    texts = []
    for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.S):
        raw = re.sub(rb"\\([0-7]{1,3}|.)",
                     lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
                     else _ESCAPES.get(m.group(1), m.group(1)), literal, flags=re.S)
        texts.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(texts)


def test_pdf_with_the_builtin_cid_font_carries_the_chinese_text(ledger, owner, tmp_path):
    from crmdesk.i18n import set_language
    from crmdesk.reports.statement_pdf import CID_FONT, write_statement_pdf

    set_language("zh_CN")
    try:
        df = _march(ledger, owner)
        path = tmp_path / "st.pdf"
        write_statement_pdf(df, path, prefer_embedded=False)
    finally:
        set_language("en")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert CID_FONT.encode() in data
    text = _pdf_strings(_pdf_text_streams(data))
    for word in ("华联文具店", "C001", "对账单", "明德办公用品商行", "420.25", "SO-3", "2026-03-31"):
        assert word in text, word


def test_pdf_story_and_embedded_font(ledger, owner, tmp_path):
    from crmdesk.reports.statement_pdf import build_story, register_font, write_statement_pdf

    df = _march(ledger, owner)
    texts = " ".join(getattr(f, "text", "") for f in build_story(df, register_font(False)))
    assert "华联文具店" in texts and "Statement of account" in texts
    path = tmp_path / "auto.pdf"
    write_statement_pdf(df, path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert b"/Font" in data
