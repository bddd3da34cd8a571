"""Import fidelity, issue 10 cases 3–8: corrected re-imports, BOM over profile, product key,
inconsistent documents, stock as-of date, totals rows without 合计, the batch's encoding."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import pandas as pd
from data_import.helpers import rows, scalar, write

from crmdesk.importers import Profile, import_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

SALES_HEADER = "单据编号,日期,客户编号,客户名称,商品编号,商品名称,数量,单价,金额"


# -- case 3: a corrected re-import is not skipped --------------------------------------------------
def test_batch_that_landed_nothing_does_not_make_the_next_attempt_a_skip(db, owner, tmp_path):
    path = write(tmp_path, "s.csv", "\n".join([
        SALES_HEADER,
        "XS-1,2024|03|07,C1,甲店,P1,笔,2,1.50,3.00",
        "XS-2,2024|03|08,C2,乙店,P2,本,1,4.00,4.00",
    ]))
    first = import_file(db, owner, path)
    assert first.status == "done" and first.rejected == 2 and first.added == 0
    fixed = Profile(name="pipe-dates", date_format="%Y|%m|%d")
    again = import_file(db, owner, path, profile=fixed)
    assert again.status == "done", again.message
    assert (again.added, again.rejected) == (2, 0)
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 2
    # Now it landed: the same bytes read the same way are skipped ...
    assert import_file(db, owner, path, profile=fixed).status == "skipped"
    # ... but not when read with another profile or as another kind.
    other = import_file(db, owner, path, profile=Profile(name="other", date_format="%Y|%m|%d"))
    assert other.status == "done" and other.unchanged == 2
    remapped = Profile(name="pipe-dates", date_format="%Y|%m|%d", columns={"单价": ""})  # same name, other mapping
    assert import_file(db, owner, path, profile=remapped).status == "done"


# -- case 4: a BOM beats the profile's encoding ------------------------------------------------------
def test_profile_encoding_does_not_beat_the_files_bom(db, owner, tmp_path):
    text = (SHARED / "superstore_2014-2017.csv").read_bytes().decode("cp1252")
    head = "\n".join(text.splitlines()[:301]) + "\n"
    path = tmp_path / "superstore-bom.csv"
    path.write_bytes(head.encode("utf-8-sig"))
    r = import_file(db, owner, path, profile="superstore")
    assert r.status == "done", r.message
    assert (r.kind, r.encoding, r.added, r.rejected) == ("sales", "utf-8-sig", 300, 0)
    assert scalar(db, "SELECT encoding FROM import_batches WHERE id = :b", b=r.batch_id) == "utf-8-sig"
    # Non-ASCII names came through as text, not as mojibake.
    assert scalar(db, "SELECT COUNT(*) FROM customers WHERE name LIKE '%Ã%'") == 0


# -- case 5: products keyed by code, else barcode, else name ---------------------------------------
def test_empty_code_column_keys_products_by_their_unique_barcode(db, owner, tmp_path):
    path = write(tmp_path, "商品列表.csv", "\n".join([
        "条码,名称,货号,进价,售价",
        "6901234567890,可口可乐 330ml,,1.80,3.00",
        "6901234567891,可口可乐 330ml,,1.90,3.50",  # same name, another barcode: another product
        "6909999999999,雪碧 330ml,,1.70,3.00",
    ]))
    r = import_file(db, owner, path, kind="products")
    assert r.status == "done", r.message
    assert (r.added, r.rejected) == (3, 0)
    assert rows(db, "SELECT code, barcode, name, list_price FROM products ORDER BY code") == [
        ("6901234567890", "6901234567890", "可口可乐 330ml", 30000),
        ("6901234567891", "6901234567891", "可口可乐 330ml", 35000),
        ("6909999999999", "6909999999999", "雪碧 330ml", 30000),
    ]
    assert any("keyed by their barcode (条码)" in n for n in r.notes)


def test_duplicate_name_keeps_the_row_with_the_price_and_shows_the_name(db, owner, tmp_path):
    from crmdesk.importers import list_rejected

    path = write(tmp_path, "products.csv", "\n".join([
        "货号,名称,单位,售价",
        ",订书机,,",
        ",订书机,个,20.00",
        "P9,回形针,盒,2.00",
    ]))
    r = import_file(db, owner, path, kind="products")
    assert (r.added, r.rejected) == (2, 1)
    assert scalar(db, "SELECT list_price FROM products WHERE code = '订书机'") == 200_000  # 20.00 yuan
    with db.sessions() as s:
        [bad] = list_rejected(s, r.batch_id)
    assert (bad.row_number, bad.column, bad.value) == (2, "名称", "订书机")
    assert "most values was kept" in bad.reason


# -- case 7: the stock as-of date from the title lines or the file name ----------------------------
def test_as_of_date_in_every_form():
    from crmdesk.importers.asof import from_file_name, from_lines, stock_as_of

    day = dt.date(2025, 12, 31)
    for line in ("截止日期:2025-12-31", "日期：2025/12/31", "统计日期 2025年12月31日", "截至 2025.12.31",
                 "查询期间：2025-12-01 至 2025-12-31", "期间 2025年12月", "As of 20251231"):
        assert from_lines([["库存余额表"], [line]]).date == day, line
    # A print or system date says when the report was made, not what day it shows.
    assert from_lines([["打印日期:2026-01-05"], ["截止日期:2025-12-31"]]).date == day
    assert from_lines([["系统日期", "2026-01-05"]]) is None
    assert from_file_name("库存余额表_20251231.xlsx").date == day
    assert from_file_name("stock.csv") is None
    assert stock_as_of([["截止日期:2025-11-30"]], "库存余额表_20251231.xlsx").date == dt.date(2025, 11, 30)


STOCK_BODY = ["商品编号,商品名称,单位,库存数量,库存金额", "P1,笔,支,500,1000.00"]


def test_stock_balance_is_dated_by_its_title_line_or_file_name(db, owner, tmp_path):
    titled = write(tmp_path, "库存余额表.csv", "\n".join(["库存余额表", "截止日期:2025-12-31", ""] + STOCK_BODY))
    r = import_file(db, owner, titled, kind="stock")
    assert r.status == "done", r.message
    assert scalar(db, "SELECT snapshot_date FROM stock_snapshots") == "2025-12-31"
    assert any("2025-12-31" in n and "截止日期" in n for n in r.notes)
    named = write(tmp_path, "库存余额表_20251130.csv", "\n".join(STOCK_BODY))
    import_file(db, owner, named, kind="stock")
    assert rows(db, "SELECT snapshot_date FROM stock_snapshots ORDER BY 1") == [("2025-11-30",), ("2025-12-31",)]
    undated = import_file(db, owner, write(tmp_path, "库存.csv", "\n".join(STOCK_BODY).replace("500", "400")),
                          kind="stock")
    assert [w.code for w in undated.warnings] == ["stock_date_guessed"]  # the file's date: said, not hidden


def _report(db, name: str, as_of):
    from crmdesk.reports import registry
    from crmdesk.reports.filters import ReportFilters
    from crmdesk.services.actor import Actor

    spec = registry.get(name)
    with db.sessions() as s:
        return spec.fn(s, Actor.system(), ReportFilters(as_of=as_of), {o.name: o.default for o in spec.options})


def test_restock_says_no_stock_figure_instead_of_zero(db, owner, tmp_path):
    sales = [SALES_HEADER] + [f"XS-{d},2025-12-{d:02d},C1,甲店,{p},{p}名,3,1.00,3.00"
                              for d in range(1, 31) for p in ("P1", "P2")]
    assert import_file(db, owner, write(tmp_path, "sales.csv", "\n".join(sales))).status == "done"
    import_file(db, owner, write(tmp_path, "库存余额表.csv", "\n".join(["截止日期:2025-12-31", ""] + STOCK_BODY)),
                kind="stock")
    restock = _report(db, "restock", dt.date(2025, 12, 31))
    # P1 has 500 on hand (cover 500 / (90 / 90) = 500 days): no restock. P2 has no stock figure:
    # listed, but with no stock and no suggested order.
    assert restock["product"].tolist() == ["P2"]
    p2 = restock.iloc[0]
    assert math.isnan(p2["stock"]) and p2["suggested_order_qty"] is pd.NA
    assert p2["stock_note"] == "no stock figure"
    assert "1 products have no stock figure" in restock.attrs["note"]
    overstock = _report(db, "overstock", dt.date(2025, 12, 31))
    assert overstock[["product", "stock"]].values.tolist() == [["P1", 500.0]]
    # Before the snapshot nobody's stock is known: nothing is 0, nothing is ordered.
    early = _report(db, "restock", dt.date(2025, 12, 20))
    assert sorted(early["product"]) == ["P1", "P2"] and early["stock"].isna().all()
    assert early["suggested_order_qty"].isna().all()
    assert _report(db, "overstock", dt.date(2025, 12, 20)).empty



# -- case 6: inconsistent documents are split and said, never merged silently ----------------------
def test_one_order_number_with_several_customers_or_dates_is_split(db, owner, tmp_path):
    path = write(tmp_path, "s.csv", "\n".join([
        SALES_HEADER + ",客户类型",
        "XS-1,2024-03-07,C1,甲店,P1,笔,1,1.00,1.00,批发",
        "XS-1,2024-03-07,C2,乙店,P1,笔,2,1.00,2.00,零售",  # another customer
        "XS-1,2024-03-08,C1,甲店,P2,本,3,1.00,3.00,零售",  # another date (and C1's second type)
        "XS-1,2024-03-07,C1,甲店,P2,本,4,1.00,4.00,批发",  # back to the first document
        "XS-2,2024-03-09,C3,丙店,P1,笔,5,1.00,5.00,批发",
    ]))
    r = import_file(db, owner, path)
    assert r.status == "done" and r.added == 5, r.message
    assert rows(db, "SELECT o.number, c.code, o.order_date, o.total_amount FROM sales_orders o "
                    "JOIN customers c ON c.id = o.customer_id ORDER BY o.number") == [
        ("XS-1", "C1", "2024-03-07", 50000), ("XS-1#2", "C2", "2024-03-07", 20000),
        ("XS-1#3", "C1", "2024-03-08", 30000), ("XS-2", "C3", "2024-03-09", 50000)]
    warned = {w.code: w for w in r.warnings}
    split = warned["mixed_orders"]
    assert split.count == 1 and split.examples == ["XS-1 → 3"]
    assert "1 with several customers, 1 with several dates" in split.message
    assert "split into 3 orders" in split.message and "2 lines moved" in split.message
    types = warned["mixed_customer_type"]
    assert (types.count, types.examples) == (1, ["C1: 批发 / 零售"])
    assert "1 customers have more than one 客户类型" in types.message
    assert scalar(db, "SELECT t.name FROM customers c JOIN customer_types t ON t.id = c.type_id "
                      "WHERE c.code = 'C1'") == "批发"
    # The same file again lands on the same orders.
    again = import_file(db, owner, path, skip_same_content=False)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)


# -- case 8: unlabelled totals row, walk-in count, the batch's encoding -------------------------------
TILL = "\n".join([
    "小票号,日期,商品码,商品名称,数量,单价,金额",
    "T001,2024-05-01,6901,可乐,2,3.00,6.00",
    "T001,2024-05-01,6902,雪碧,1,3.00,3.00",
    "T002,2024-05-01,6903,矿泉水,4,2.00,8.00",
    ",,,,7,,17.00",  # the till's totals row: no 合计, just the sums
])


def test_unlabelled_totals_row_is_a_footer_not_a_bad_row(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "till.csv", TILL), kind="sales")
    assert r.status == "done", r.message
    assert (r.added, r.rejected, r.footer_rows) == (3, 0, 1)
    assert scalar(db, "SELECT SUM(amount) FROM sales_lines") == 170000
    # A last row that is not the sums stays a row (and is rejected for its missing number).
    wrong = import_file(db, owner, write(tmp_path, "till2.csv", TILL.replace(",,,,7,,17.00", ",,,,7,,18.00")),
                        kind="sales")
    assert (wrong.footer_rows, wrong.rejected) == (0, 1)


def test_walk_in_note_counts_only_rows_that_landed(db, owner, tmp_path):
    path = write(tmp_path, "s.csv", "\n".join([
        SALES_HEADER,
        "XS-1,2024-03-07,,,P1,笔,1,1.00,1.00",
        "XS-2,not a date,,,P1,笔,1,1.00,1.00",  # rejected: not booked to anyone
        "XS-3,2024-03-08,C1,甲店,P1,笔,1,1.00,1.00",
    ]))
    r = import_file(db, owner, path)
    assert (r.added, r.rejected) == (2, 1)
    assert "1 rows without a customer booked to the walk-in customer 散客" in r.notes


def test_batch_keeps_the_encoding_in_encoding_and_the_sheet_with_the_profile(db, owner, tmp_path):
    from openpyxl import Workbook

    text = write(tmp_path, "s.csv", "\n".join([SALES_HEADER, "XS-1,2024-03-07,C1,甲店,P1,笔,1,1.00,1.00"]), "gbk")
    r = import_file(db, owner, text)
    assert rows(db, "SELECT encoding, profile FROM import_batches WHERE id = :b", b=r.batch_id) == [
        ("gb18030", "auto")]
    book = Workbook()
    book.active.title = "一月"
    sheet2 = book.create_sheet("二月")
    for ws, number in ((book["一月"], "XS-5"), (sheet2, "XS-6")):
        ws.append(SALES_HEADER.split(","))
        ws.append([number, "2024-03-07", "C1", "甲店", "P1", "笔", 1, 1, 1])
    path = tmp_path / "book.xlsx"
    book.save(path)
    first = import_file(db, owner, path)
    second = import_file(db, owner, path, sheet="二月")  # another sheet is other data: not skipped
    assert (first.status, second.status) == ("done", "done")
    assert rows(db, "SELECT encoding, profile FROM import_batches WHERE id IN (:a, :b) ORDER BY id",
                a=first.batch_id, b=second.batch_id) == [("", "auto / 一月"), ("", "auto / 二月")]
    assert import_file(db, owner, path, sheet="二月").status == "skipped"


# -- build item 2: a progress bar on stderr, only on a terminal ------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_not_when_quiet(db, owner, tmp_path):
    from crmdesk.commands.progress_bar import ProgressBar

    assert not ProgressBar(stream=io.StringIO()).enabled  # a pipe or a log file: nothing
    assert not ProgressBar(quiet=True, stream=_Terminal()).enabled
    term = _Terminal()
    path = write(tmp_path, "till.csv", TILL)
    with ProgressBar(stream=term) as bar:
        assert bar.enabled
        progress = bar.track("till.csv")
        r = import_file(db, owner, path, kind="sales", progress=progress)
        assert progress.fraction == 1.0
        bar.finish()
    assert r.status == "done" and "till.csv" in term.getvalue()


def test_cli_import_quiet_prints_only_the_result(tmp_path, capsys):
    from crmdesk.cli import main
    from crmdesk.db import open_database

    shop = tmp_path / "shop.db"
    open_database(shop).dispose()
    assert main(["--db", str(shop), "import", "--quiet", str(write(tmp_path, "till.csv", TILL))]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("till.csv: sales, added 3") and captured.err == ""
