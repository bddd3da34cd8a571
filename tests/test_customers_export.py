"""Exporting the customer list: formula injection stays text in CSV and XLSX."""

from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest
from test_customers_support import add_order, make_customer

from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customer_export import csv_safe, export_customers
from crmdesk.services.customer_query import CustomerQuery

EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def evil(db, owner):
    import datetime as dt

    with db.sessions.begin() as s:
        a = make_customer(s, owner, EVIL, city="+广州", phone="-1+1", grade="A")
        b = make_customer(s, owner, "@SUM(1,2)")
        b.city = "\t深圳"  # the form strips it; an import might not
        make_customer(s, owner, "普通客户", city="佛山")
        add_order(s, a.id, dt.date(2025, 1, 1), ["1234.5"])


@pytest.mark.parametrize("raw, safe", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-5", "'-5"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("广州", "广州"), ("", ""), ("a=b", "a=b"),
])
def test_csv_safe(raw, safe):
    assert csv_safe(raw) == safe


def test_csv_export(db, owner, evil, tmp_path):
    out = tmp_path / "客户.csv"
    with db.sessions() as s:
        n = export_customers(s, owner, out, CustomerQuery(sort_key="code"))
    assert n == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["Code", "Name", "Type"]
    assert rows[1][1] == "'" + EVIL and rows[1][5] == "'+广州" and rows[1][6] == "'-1+1"
    assert rows[2][1] == "'@SUM(1,2)" and rows[2][5] == "'\t深圳"
    assert rows[3][1] == "普通客户"
    assert rows[1][-2] == "1234.50"  # balance in yuan


def test_xlsx_export_keeps_formulas_as_text(db, owner, evil, tmp_path):
    out = tmp_path / "客户.xlsx"
    with db.sessions() as s:
        export_customers(s, owner, out, CustomerQuery(sort_key="code"))
    ws = openpyxl.load_workbook(out).active
    assert ws["B2"].value == EVIL and ws["B2"].data_type == "s" and ws["B2"].quotePrefix
    assert ws["B3"].value == "@SUM(1,2)" and ws["B3"].data_type == "s"
    assert ws["F2"].value == "+广州" and ws["F2"].data_type == "s"
    assert ws["B4"].value == "普通客户"
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the file


def test_export_chosen_ids_and_bad_suffix(db, owner, evil, tmp_path):
    out = tmp_path / "x.csv"
    with db.sessions() as s:
        assert export_customers(s, owner, out, ids=[3]) == 1
        with pytest.raises(CustomerError, match="xlsx or .csv"):
            export_customers(s, owner, tmp_path / "x.pdf")
    assert list(csv.reader(out.open(encoding="utf-8-sig")))[1][1] == "普通客户"
