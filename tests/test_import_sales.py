"""Sales import: export quirks, returns, keys, re-import, overlap, duplicate files, stubs, strict."""

from __future__ import annotations

import datetime as dt

from data_import.helpers import GJP_HEADER, GJP_SALES, dump, rows, scalar, write
from openpyxl import load_workbook

from crmdesk.importers import export_rejected_xlsx, import_file, list_rejected


def test_guanjiapo_export_with_every_quirk(db, owner, tmp_path):
    path = write(tmp_path, "sales.csv", GJP_SALES, "gbk")
    r = import_file(db, owner, path)
    assert r.status == "done", r.message
    assert (r.kind, r.encoding, r.header_row) == ("sales", "gb18030", 4)
    assert (r.added, r.updated, r.unchanged, r.rejected) == (4, 0, 0, 0)
    assert r.footer_rows == 1 and r.blank_rows >= 1
    lines = rows(db, "SELECT o.number, l.order_date, l.quantity, l.unit_price, l.amount, l.cost_amount, p.code "
                     "FROM sales_lines l JOIN sales_orders o ON o.id = l.order_id "
                     "JOIN products p ON p.id = l.product_id ORDER BY o.number, l.line_no")
    assert lines == [
        ("XS-001", "2024-03-07", 10.0, 25000, 12345000, 10000000, "P001"),
        ("XS-001", "2024-03-07", 5.0, 30000, 150000, 0, "P002"),  # full-width ５, empty cost = 0
        ("XS-002", "2024-03-08", -2.0, 25000, -50000, -40000, "P001"),  # 销售退货单 turned negative
        ("XS-003", "2024-03-09", -1.0, 200000, -200000, -150000, "P003"),  # Excel serial date
    ]
    orders = rows(db, "SELECT number, doc_type, total_amount FROM sales_orders ORDER BY number")
    assert orders == [("XS-001", "sale", 12495000), ("XS-002", "return", -50000), ("XS-003", "return", -200000)]
    assert scalar(db, "SELECT name FROM customers WHERE code = 'C001'") == "广州文具店"
    people = rows(db, "SELECT username, role, password_hash FROM users WHERE role = 'sales' ORDER BY username")
    assert [(u, r_, p) for u, r_, p in people] == [("张三", "sales", None), ("李四", "sales", None)]
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders o JOIN users u ON u.id = o.salesperson_id") == 3


def test_lines_repeat_order_date_and_customer(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines l JOIN sales_orders o ON o.id = l.order_id "
                      "WHERE l.order_date != o.order_date OR l.customer_id != o.customer_id") == 0
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders o WHERE total_amount != "
                      "(SELECT SUM(amount) FROM sales_lines WHERE order_id = o.id)") == 0
    first = scalar(db, "SELECT first_order_date FROM customers WHERE code = 'C001'")
    assert first == "2024-03-07"


def test_same_file_twice_changes_nothing_and_is_skipped(db, owner, tmp_path):
    path = write(tmp_path, "s.csv", GJP_SALES)
    import_file(db, owner, path)
    before = [line for line in dump(db) if "import_batches" not in line]
    again = import_file(db, owner, path)
    assert again.status == "skipped" and "same content" in again.message
    forced = import_file(db, owner, path, skip_same_content=False)
    assert (forced.added, forced.updated, forced.unchanged) == (0, 0, 4)
    after = [line for line in dump(db) if "import_batches" not in line]
    assert after == before


def test_copy_under_another_name_is_recognised(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "a.csv", GJP_SALES))
    r = import_file(db, owner, write(tmp_path, "b.csv", GJP_SALES))
    assert r.status == "skipped" and "a.csv" in r.message


def test_overlapping_newer_export_updates_and_adds(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "old.csv", GJP_SALES))
    newer = GJP_SALES.replace("晨光笔记本,本,５,3.00,15.00,", "晨光笔记本,本,6,3.00,18.00,") + \
        "2024-03-10,XS-004,销售单,C003,新客户,王五,总店,P001,得力中性笔,支,1,2.50,2.50,2\n"
    r = import_file(db, owner, write(tmp_path, "new.csv", newer))
    assert (r.added, r.updated, r.unchanged) == (1, 1, 3)
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 5
    assert scalar(db, "SELECT total_amount FROM sales_orders WHERE number = 'XS-001'") == 12345000 + 180000
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders") == 4


def test_without_line_numbers_the_same_product_twice_stays_two_lines(db, owner, tmp_path):
    text = GJP_HEADER + "\n" + "\n".join([
        "2024-03-07,XS-9,销售单,C1,甲,,总店,P1,笔,支,1,2,2,1",
        "2024-03-07,XS-9,销售单,C1,甲,,总店,P1,笔,支,3,2,6,3",
    ]) + "\n"
    import_file(db, owner, write(tmp_path, "a.csv", text))
    r = import_file(db, owner, write(tmp_path, "b.csv", text.replace(",3,2,6,3", ",4,2,8,4")))
    assert (r.added, r.updated, r.unchanged) == (0, 1, 1)
    assert rows(db, "SELECT line_no, quantity FROM sales_lines ORDER BY line_no") == [(1, 1.0), (2, 4.0)]


def test_stubs_are_completed_by_a_later_master_import(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    assert scalar(db, "SELECT is_incomplete FROM customers WHERE code = 'C002'") == 1
    assert scalar(db, "SELECT is_incomplete FROM products WHERE code = 'P003'") == 1
    cust = "客户编号,客户名称,联系电话,联系人\nC002,深圳市办公用品有限公司,0755-1234567,陈经理\n"
    r = import_file(db, owner, write(tmp_path, "c.csv", cust))
    assert (r.kind, r.updated, r.added) == ("customers", 1, 0)
    assert rows(db, "SELECT name, phone, is_incomplete FROM customers WHERE code = 'C002'") == [
        ("深圳市办公用品有限公司", "0755-1234567", 0)]
    search = scalar(db, "SELECT search_text FROM customers WHERE code = 'C002'")
    assert "szsbgyp" in search and "0755-1234567" in search and "陈经理" in search
    prod = "商品编号,商品名称,规格型号,品牌,参考售价\nP003,订书机,12号,得力,20\n"
    r = import_file(db, owner, write(tmp_path, "p.csv", prod))
    assert (r.kind, r.updated) == ("products", 1)
    assert rows(db, "SELECT name, spec, brand, list_price, is_incomplete FROM products WHERE code = 'P003'") == [
        ("订书机", "12号", "得力", 200000, 0)]
    assert "dsj" in scalar(db, "SELECT search_text FROM products WHERE code = 'P003'")


def test_bad_rows_are_kept_with_row_column_value_reason(db, owner, tmp_path):
    text = GJP_SALES.replace("2024年3月8日", "3月的某天").replace(",20,-20,-15", ",abc,-20,-15")
    r = import_file(db, owner, write(tmp_path, "bad.csv", text))
    assert r.status == "done" and (r.added, r.rejected) == (2, 2)
    found = {(x.row_number, x.column, x.value, x.reason) for x in list_rejected_rows(db, r.batch_id)}
    assert found == {(8, "录单日期", "3月的某天", "not a date"), (9, "含税单价", "abc", "not an amount")}
    out = tmp_path / "rejected.xlsx"
    with db.sessions() as s:
        assert export_rejected_xlsx(s, out, r.batch_id) == 2
    sheet = load_workbook(out).active
    table = list(sheet.values)
    assert table[0][:5] == ("File", "Row", "Column", "Value", "Reason")
    assert table[1][:3] == ("bad.csv", 8, "录单日期") and "单据编号" in table[0]


def list_rejected_rows(db, batch_id):
    with db.sessions() as s:
        return list_rejected(s, batch_id)


def test_strict_refuses_the_whole_file(db, owner, tmp_path):
    text = GJP_SALES.replace(",20,-20,-15", ",abc,-20,-15")
    before = dump(db)
    r = import_file(db, owner, write(tmp_path, "bad.csv", text), strict=True)
    assert r.status == "refused" and not r.ok and "row 9" in r.message
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
    assert scalar(db, "SELECT status FROM import_batches") == "failed"
    assert len([x for x in dump(db) if x not in before and "import_" not in x]) == 0


def test_dry_run_counts_but_writes_nothing(db, owner, tmp_path):
    before = dump(db)
    r = import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES), dry_run=True)
    assert r.status == "dry-run" and r.added == 4
    assert dump(db) == before


def test_duplicate_line_key_in_one_file_is_rejected(db, owner, tmp_path):
    text = "订单号,行号,日期,客户编号,商品编号,数量,金额\nA1,1,2024-01-02,C1,P1,1,10\nA1,1,2024-01-02,C1,P2,1,20\n"
    r = import_file(db, owner, write(tmp_path, "d.csv", text))
    assert (r.added, r.rejected) == (1, 1)
    assert list_rejected_rows(db, r.batch_id)[0].row_number == 3


def test_batch_counts_recorded(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    assert rows(db, "SELECT kind, status, rows_total, rows_added, rows_rejected, user_id, file_sha256 != '' "
                    "FROM import_batches WHERE id = :i", i=r.batch_id) == [("sales", "done", 4, 4, 0, owner.user_id, 1)]
    assert scalar(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'import_batches' AND action = 'import'") == 1
    assert scalar(db, "SELECT MIN(order_date) FROM sales_orders") == dt.date(2024, 3, 7).isoformat()


def test_many_changed_lines_and_headers_update_in_bulk(db, owner, tmp_path):
    head = "单据编号,行号,录单日期,往来单位编号,商品编号,数量,金额\n"
    # one customer per order: an order number with several customers is split (issue 10, case 6)
    body = [f"D{i // 2},{i % 2 + 1},2024-05-01,C{i // 2 % 7},P{i % 5},1,{i}" for i in range(3000)]
    import_file(db, owner, write(tmp_path, "a.csv", head + "\n".join(body) + "\n"))
    changed = [f"D{i // 2},{i % 2 + 1},2024-05-02,C{i // 2 % 7},P{i % 5},2,{i + 1}" for i in range(3000)]
    r = import_file(db, owner, write(tmp_path, "b.csv", head + "\n".join(changed) + "\n"))
    assert (r.added, r.updated, r.unchanged) == (0, 3000, 0)
    assert scalar(db, "SELECT SUM(quantity) FROM sales_lines") == 6000
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders WHERE order_date = '2024-05-02'") == 1500
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines WHERE order_date != '2024-05-02'") == 0
    assert scalar(db, "SELECT total_amount FROM sales_orders WHERE number = 'D10'") == (21 + 22) * 10000
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders WHERE updated_at IS NULL OR updated_at < created_at") == 0
