"""Issue 15, item 1: the ``expenses`` import kind — a GBK 费用明细 with title, period and 合计
lines, exact amounts, idempotent re-import, unknown customers left shared with a warning, an
order number booking the expense to the order's customer, new expense items, and undo."""

from __future__ import annotations

from data_import.helpers import GJP_SALES, rows, scalar, write

from crmdesk.cli import main
from crmdesk.importers import import_file, preview
from crmdesk.importers.undo import preview_undo, undo_batch

# 管家婆-style 费用明细: title, period, blank line, 小计 and 合计 lines, ¥ and thousands separators.
EXPENSES = "\n".join([
    "费用明细表",
    "查询期间：2024-03-01 至 2024-03-31",
    "",
    "日期,单据编号,费用项目,金额,往来单位,经手人,订单号,商品编号,品牌,备注",
    "2024-03-02,FY-001,房租,\"￥8,000.00\",,,,,,三月房租",
    "2024-03-05,FY-002,运费,35.50,C001,张三,,,,送货",
    "2024-03-05,FY-002,样品,12.34,广州文具店,张三,,P001,得力,样品笔",
    "2024-03-07,FY-003,运费,20.01,,,XS-002,,,退货取件",
    "2024-03-09,FY-004,返利,500.00,某某供电局,,,,,",
    "小计,,,,,,,,,",
    "2024-03-20,FY-005,广告费,199.99,,,,,,传单",
    "合计,,,\"8,767.84\",,,,,,",
    "",
])


def _import_sales(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "sales.csv", GJP_SALES, "gbk"), kind="sales")
    assert r.status == "done", r.message


def _expenses(db) -> list[tuple]:
    return rows(db, "SELECT e.doc_number, e.line_no, i.name, e.amount, c.code, o.number FROM expenses e "
                    "JOIN expense_items i ON i.id = e.item_id LEFT JOIN customers c ON c.id = e.customer_id "
                    "LEFT JOIN sales_orders o ON o.id = e.order_id ORDER BY e.doc_number, e.line_no")


def test_gbk_file_with_title_period_and_total_lines_imports_exact_amounts(db, owner, tmp_path):
    _import_sales(db, owner, tmp_path)
    f = write(tmp_path, "费用明细.csv", EXPENSES, "gbk")
    p = preview(f)
    assert p.kind == "expenses" and p.kind_detected and p.header_row == 4
    r = import_file(db, owner, f)
    assert r.status == "done", r.message
    assert r.kind == "expenses" and (r.added, r.updated, r.rejected) == (6, 0, 0)
    assert r.footer_rows == 2
    assert _expenses(db) == [
        ("FY-001", 1, "房租", 80_000_000, None, None),
        ("FY-002", 1, "运费", 355_000, "C001", None),
        ("FY-002", 2, "样品", 123_400, "C001", None),  # 往来单位 by name
        ("FY-003", 1, "运费", 200_100, "C002", "XS-002"),  # the order's customer
        ("FY-004", 1, "返利", 5_000_000, None, None),  # unknown customer: shared
        ("FY-005", 1, "广告费", 1_999_900, None, None),
    ]
    assert scalar(db, "SELECT SUM(amount) FROM expenses") == 87_678_400  # = the file's 合计, exactly
    assert rows(db, "SELECT e.brand, p.code, u.username FROM expenses e LEFT JOIN products p ON p.id = e.product_id "
                    "LEFT JOIN users u ON u.id = e.salesperson_id WHERE e.doc_number = 'FY-002' ORDER BY e.line_no") \
        == [("", None, "张三"), ("得力", "P001", "张三")]
    warnings = {w.code: w for w in r.warnings}
    assert "foreign_column" not in warnings
    unknown = warnings["unknown_customer"]
    assert unknown.count == 1 and unknown.examples == ["row 9: 某某供电局"]
    assert warnings["new_expense_items"].examples == ["广告费"]
    assert scalar(db, "SELECT allocation FROM expense_items WHERE name = '广告费'") == "revenue"
    assert scalar(db, "SELECT COUNT(*) FROM customers") == 2  # no stub for the power company


def test_reimport_is_idempotent_and_updates_a_changed_line(db, owner, tmp_path):
    _import_sales(db, owner, tmp_path)
    first = import_file(db, owner, write(tmp_path, "a.csv", EXPENSES, "gbk"))
    # The same lines in another file (a later export of an overlapping period): nothing doubles.
    again = import_file(db, owner, write(tmp_path, "b.csv", EXPENSES + "\n", "gbk"))
    assert again.status == "done" and (again.added, again.updated, again.unchanged) == (0, 0, 6)
    changed = EXPENSES.replace("2024-03-05,FY-002,运费,35.50", "2024-03-05,FY-002,运费,36.50")
    third = import_file(db, owner, write(tmp_path, "c.csv", changed, "gbk"))
    assert (third.added, third.updated, third.unchanged) == (0, 1, 5)
    assert scalar(db, "SELECT COUNT(*) FROM expenses") == 6
    assert scalar(db, "SELECT amount FROM expenses WHERE doc_number = 'FY-002' AND line_no = 1") == 365_000
    assert first.batch_id != third.batch_id


def test_line_numbers_from_the_file_key_the_lines(db, owner, tmp_path):
    text = "单据编号,行号,日期,费用项目,金额\nFY-9,2,2024-03-01,运费,10\nFY-9,1,2024-03-01,运费,20\n"
    import_file(db, owner, write(tmp_path, "x.csv", text), kind="expenses")
    swapped = "单据编号,行号,日期,费用项目,金额\nFY-9,1,2024-03-01,运费,20\nFY-9,2,2024-03-01,运费,10\n"
    r = import_file(db, owner, write(tmp_path, "y.csv", swapped), kind="expenses")
    assert (r.added, r.updated, r.unchanged) == (0, 0, 2)
    dup = "单据编号,行号,日期,费用项目,金额\nFY-8,1,2024-03-01,运费,20\nFY-8,1,2024-03-01,运费,10\n"
    r = import_file(db, owner, write(tmp_path, "z.csv", dup), kind="expenses")
    assert (r.added, r.rejected) == (1, 1)


def test_missing_values_are_rejected_with_the_column(db, owner, tmp_path):
    text = "单据编号,日期,费用项目,金额\nFY-1,2024-03-01,,10\n,2024-03-01,运费,10\nFY-2,2024-03-01,运费,abc\n" \
           "FY-3,2024-03-01,运费,1\n"
    r = import_file(db, owner, write(tmp_path, "x.csv", text), kind="expenses")
    assert (r.added, r.rejected) == (1, 3)
    assert {reason for reason, _column, _n in r.reasons} == {"required value missing", "not an amount"}


def test_undo_removes_an_expenses_batch_and_the_items_it_made(db, owner, tmp_path):
    _import_sales(db, owner, tmp_path)
    r = import_file(db, owner, write(tmp_path, "a.csv", EXPENSES, "gbk"))
    plan = preview_undo(db, owner, r.batch_id)
    assert plan.possible and plan.removed() == {"expenses": 6}
    # The sales batch cannot go first: the expenses refer to its orders and customers.
    sales_batch = scalar(db, "SELECT MIN(id) FROM import_batches")
    assert any("expenses refer to" in reason for reason in preview_undo(db, owner, sales_batch).reasons)
    undone = undo_batch(db, owner, r.batch_id, backup=False)
    assert undone.removed == {"expenses": 6, "expense_items": 1}
    assert scalar(db, "SELECT COUNT(*) FROM expenses") == 0
    assert scalar(db, "SELECT COUNT(*) FROM expense_items WHERE name = '广告费'") == 0
    assert scalar(db, "SELECT COUNT(*) FROM expense_items") == 9  # the seeded ones stay


def test_undo_of_an_update_restores_the_earlier_amount(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "a.csv", EXPENSES, "gbk"))
    changed = EXPENSES.replace("FY-004,返利,500.00", "FY-004,返利,600.00")
    r = import_file(db, owner, write(tmp_path, "b.csv", changed, "gbk"))
    assert r.updated == 1
    undo_batch(db, owner, r.batch_id, backup=False)
    assert scalar(db, "SELECT amount FROM expenses WHERE doc_number = 'FY-004'") == 5_000_000
    assert scalar(db, "SELECT COUNT(*) FROM expenses") == 6


def test_cli_import_kind_expenses(db, owner, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CRMDESK_PASSWORD", "secret-pw")
    f = write(tmp_path, "fy.csv", EXPENSES, "gbk")
    assert main(["--db", str(db.file_path), "--user", "owner", "import", "--kind", "expenses", str(f)]) == 0, \
        capsys.readouterr()
    assert scalar(db, "SELECT COUNT(*) FROM expenses") == 6


def test_guanjiapo_profile_is_chosen_by_its_headers(db, owner, tmp_path):
    text = "\n".join(["费用单明细", "录单日期,单据编号,单据类型,往来单位全名,经手人全名,费用名称,金额,摘要",
                      "2024-03-01,FY-1,费用单,,,运费,10.00,", "2024-03-02,FY-2,费用单,,,房租,3000,", ""])
    f = write(tmp_path, "gjp.csv", text, "gbk")
    assert preview(f).profile == "guanjiapo_expenses"
    r = import_file(db, owner, f)
    assert r.status == "done" and r.added == 2 and r.profile == "guanjiapo_expenses"


def test_a_plain_expense_export_is_detected_not_held(db, owner, tmp_path):
    """What issue 10 had to hold (no kind took a 费用项目 column) now imports as expenses."""
    text = "\n".join(["费用明细表", "查询期间：2025-01-01 至 2025-01-31",
                      "日期,单据编号,单据类型,往来单位编号,往来单位全名,经手人,费用项目,金额",
                      "2025-01-02,FY-0001,费用单,,,王五,房租,8000.00", "2025-01-05,FY-0002,费用单,D01,供电局,王五,电费,612.40",
                      ""])
    r = import_file(db, owner, write(tmp_path, "费用明细.csv", text, "gbk"))
    assert r.status == "done" and r.kind == "expenses" and r.added == 2
    assert {w.code for w in r.warnings} >= {"unknown_customer", "new_expense_items"}
