"""Reading files: encodings, delimiters, Excel sheets, the 管家婆 .xls preamble, unreadable files."""

from __future__ import annotations

import csv

import pytest
from data_import.helpers import GJP_SALES, dump, rows, scalar, write
from openpyxl import Workbook

from crmdesk.importers import ReadError, import_file, preview
from crmdesk.importers.reading import detect_encoding, sniff_delimiter

CUSTOMERS = "客户编号,客户名称,地址\nC1,广州市越秀区文具店,北京路1号\nC2,Café Müller,Rue 5\n"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
])
def test_chinese_text_in_every_encoding(db, owner, tmp_path, encoding, expected):
    text = CUSTOMERS.replace("Café Müller", "深圳办公") if encoding in ("gbk", "gb18030") else CUSTOMERS
    path = write(tmp_path, "c.csv", text, encoding)
    p = preview(path)
    assert (p.encoding, p.kind, p.columns) == (expected, "customers", ["客户编号", "客户名称", "地址"])
    r = import_file(db, owner, path)
    assert r.added == 2
    assert scalar(db, "SELECT name FROM customers WHERE code = 'C1'") == "广州市越秀区文具店"


def test_cp1252_is_not_mistaken(db, owner, tmp_path):
    text = "Customer ID,Customer Name,City\nX1,Café Müller\u00a0,Zürich\nX2,O\u2019Brien,Cork\n"
    path = write(tmp_path, "c.csv", text, "cp1252")
    assert detect_encoding(path.read_bytes()) == "cp1252"
    import_file(db, owner, path)
    assert scalar(db, "SELECT name FROM customers WHERE code = 'X1'") == "Café Müller"
    assert scalar(db, "SELECT name FROM customers WHERE code = 'X2'") == "O\u2019Brien"


def test_encoding_can_be_overridden(db, owner, tmp_path):
    path = write(tmp_path, "c.csv", CUSTOMERS.replace("Café Müller", "深圳办公"), "gbk")
    r = import_file(db, owner, path, encoding="utf-8")
    assert r.status == "failed" and "c.csv" in r.message and "utf-8" in r.message


@pytest.mark.parametrize("delim", ["\t", ";", "|"])
def test_delimiters_are_sniffed(tmp_path, delim):
    path = write(tmp_path, "c.txt", CUSTOMERS.replace(",", delim))
    p = preview(path)
    assert p.delimiter == delim and p.rows[1][1] == "Café Müller"


def test_sniffer_ignores_title_lines():
    assert sniff_delimiter(["销售明细表", "期间: 2024", "a;b;c", "1;2;3", "4;5;6"]) == ";"


def test_title_lines_and_header_row(tmp_path):
    p = preview(write(tmp_path, "s.csv", GJP_SALES))
    assert p.header_row == 4 and p.kind == "sales" and p.kind_detected
    assert p.title_lines[0] == ["销售明细表"]
    assert p.mapping["往来单位全名"] == "customer_name" and p.mapping["含税金额"] == "amount"
    assert p.rows[0][1] == "XS-001" and p.missing == []


def test_xlsx_any_sheet_with_preamble(db, owner, tmp_path):
    book = Workbook()
    book.active.title = "封面"
    book.active.append(["这不是数据"])
    sheet = book.create_sheet("明细")
    sheet.append(["商品销售明细"])
    sheet.append(["日期范围", "2024-03"])
    sheet.append([])
    rows = list(csv.reader(GJP_SALES.splitlines()[3:6]))
    for row in rows:
        sheet.append(row)
    import datetime as dt
    sheet.append([dt.datetime(2024, 3, 9), "XS-005", "销售单", "C9", "客户九", "", "", "P9", "品九", "个", 2, 1.5, 3, None])
    path = tmp_path / "x.xlsx"
    book.save(path)
    p = preview(path, sheet="明细")
    assert (p.sheet, p.sheets, p.header_row) == ("明细", ["封面", "明细"], 4)
    r = import_file(db, owner, path, sheet="明细")
    assert (r.kind, r.added, r.rejected) == ("sales", 3, 0)
    assert scalar(db, "SELECT order_date FROM sales_orders WHERE number = 'XS-005'") == "2024-03-09"
    assert scalar(db, "SELECT amount FROM sales_lines l JOIN products p ON p.id = l.product_id "
                      "WHERE p.code = 'P9'") == 30000
    assert import_file(db, owner, path, sheet="没有").status == "failed"


def test_guanjiapo_xls_preamble(shared_data):
    p = preview(shared_data / "guanjiapo_T3_mrp_report.xls")
    assert (p.format, p.sheet, p.header_row) == ("excel", "导出数据", 29)
    assert p.columns[:4] == ["行号", "级数", "存货编号", "存货结构"]
    assert p.title_lines[2][:2] == ["表名", "MRP报告"]
    assert p.rows[0][2] == "ZP-7365" and p.rows[1][3] == "  齿轮"  # indented names as the file has them


def test_guanjiapo_xls_imports_as_stock_with_clean_names(db, owner, shared_data):
    r = import_file(db, owner, shared_data / "guanjiapo_T3_mrp_report.xls", kind="stock")
    assert r.status == "done" and r.added > 500
    assert r.added + r.rejected == r.added + r.unchanged + r.updated + r.rejected  # every row accounted for
    assert scalar(db, "SELECT COUNT(*) FROM products WHERE code LIKE ' %' OR code LIKE '% '") == 0
    assert scalar(db, "SELECT COUNT(*) FROM stock_snapshots WHERE quantity != 0") < r.added  # blank zero cells


def test_truncated_xlsx_one_message_nothing_written(db, owner, tmp_path):
    book = Workbook()
    book.active.append(["客户编号", "客户名称"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(good.read_bytes()[:400])
    before = dump(db)
    r = import_file(db, owner, bad)
    assert r.status == "failed" and r.message.startswith("cut.xlsx:") and "\n" not in r.message
    assert dump(db) == before


def test_binary_garbage(db, owner, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 40)
    before = dump(db)
    r = import_file(db, owner, path)
    assert r.status == "failed" and "garbage.csv" in r.message
    assert dump(db) == before
    with pytest.raises(ReadError):
        preview(path)


def test_required_column_missing_names_it(db, owner, tmp_path):
    path = write(tmp_path, "s.csv", "单据编号,录单日期,商品编号\nA,2024-01-01,P\n")
    before = dump(db)
    r = import_file(db, owner, path, kind="sales")
    assert r.status == "failed"
    assert r.message == "s.csv: required column missing for sales: quantity/amount"
    assert dump(db) == before


def test_empty_file(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "e.csv", ""))
    assert r.status == "failed" and "e.csv" in r.message


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_short_subtotal_lines_keep_row_numbers_true(db, owner, tmp_path, encoding):
    text = "\n".join(["订单号,日期,客户编号,商品编号,数量,金额", "A1,2024-01-02,C1,P1,1,10", "小计,10",
                      "", "A2,2024-01-03,C1,P2,1,abc", "总计：,20"]) + "\n"
    r = import_file(db, owner, write(tmp_path, "t.csv", text, encoding))
    assert (r.added, r.rejected) == (1, 1)
    with db.sessions() as s:
        from crmdesk.importers import list_rejected
        assert [(x.row_number, x.column) for x in list_rejected(s, r.batch_id)] == [(5, "金额")]


def test_gbk_pipe_delimited_keeps_characters_whose_second_byte_is_a_pipe(db, owner, tmp_path):
    # In GBK 億 and 東 end in the byte 0x7C, the same byte as "|": splitting undecoded bytes would cut them.
    assert "億東".encode("gbk")[1::2] == b"||"
    text = "客户编号|客户名称|地址\nC1|億東文具|東莞路1号\nC2|深圳办公|南山\n"
    r = import_file(db, owner, write(tmp_path, "pipe.txt", text, "gbk"))
    assert (r.status, r.added, r.encoding) == ("done", 2, "gb18030")
    assert rows(db, "SELECT code, name, address FROM customers ORDER BY code") == [
        ("C1", "億東文具", "東莞路1号"), ("C2", "深圳办公", "南山")]


def _gbk_sales_with(tail: str, lines: int = 200) -> str:
    body = [f"XS-{i},2024-03-07,C{i % 7},P{i % 5},1,{i}.50,广州第{i % 7}文具店" for i in range(lines)]
    return "\n".join(["订单号,日期,客户编号,商品编号,数量,金额,客户名称", *body, tail]) + "\n"


def test_gbk_bytes_that_do_not_decode_in_an_imported_column_reject_that_line(db, owner, tmp_path):
    # Issue 10 case 9: only the undecodable line is rejected, by its row number (was: the file failed).
    path = tmp_path / "bad.csv"
    good = _gbk_sales_with("XS-x,2024-03-07,C1,P1,1,1.00,@@").encode("gb18030")
    path.write_bytes(good.replace(b"@@", b"\x81\x20"))  # a lead byte without its trail, far below the head
    r = import_file(db, owner, path, encoding="gb18030")
    assert (r.status, r.added, r.rejected) == ("done", 200, 1)
    assert any("not valid gb18030 text" in n and "202" in n for n in r.notes)
    with db.sessions() as s:
        from crmdesk.importers import list_rejected
        assert [(x.row_number, x.reason) for x in list_rejected(s, r.batch_id)] == [(202, "not valid gb18030 text")]


def test_a_broken_byte_in_a_column_that_is_not_imported_does_not_stop_the_file(db, owner, tmp_path):
    lines = _gbk_sales_with("").replace("客户名称\n", "客户名称,杂项\n").splitlines()
    # the first lines are decoded whole to find the header: the broken byte sits further down
    lines = [lines[0]] + [line + (",@@" if i == 150 else ",无") for i, line in enumerate(lines[1:]) if line]
    path = tmp_path / "extra.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030").replace(b"@@", b"\x81\x20"))
    r = import_file(db, owner, path, encoding="gb18030")
    assert (r.status, r.added, r.rejected) == ("done", 200, 0)
    assert rows(db, "SELECT name FROM customers WHERE code = 'C3'") == [("广州第3文具店",)]


def test_gbk_columns_are_decoded_once_per_distinct_value_and_ascii_columns_kept(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "s.csv", _gbk_sales_with(""), "gbk"))
    assert (r.status, r.added, r.rejected) == ("done", 200, 0)
    assert rows(db, "SELECT name FROM customers WHERE code = 'C3'") == [("广州第3文具店",)]
    assert scalar(db, "SELECT SUM(amount) FROM sales_lines") == sum(i * 10_000 + 5_000 for i in range(200))


def test_a_blank_line_whose_spaces_stand_inside_an_earlier_row_keeps_the_row_numbers_true():
    # found by comparing with a second reader: the skipped blank line was looked up by its text and
    # found inside the first row, so the rows after it would have been numbered wrongly
    from crmdesk.importers.raw_csv import line_offset, read_body

    data = "h1,h2,h3\n1.5,  ,1.5\n\n  \n4,5,6\n".encode("utf-8")
    frame, numbers = read_body(data, line_offset(data, 1), ",", 3, None, 1, "utf-8")
    assert frame[0].tolist() == ["1.5", "", "4"]
    assert numbers.tolist() == [2, 3, 5]
