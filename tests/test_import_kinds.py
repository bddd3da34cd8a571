"""Customers, products, receipts and stock; kind detection; profiles."""

from __future__ import annotations

import pytest
from data_import.helpers import rows, scalar, write

from crmdesk.importers import Profile, import_file, load_profile, preview, save_profile
from crmdesk.importers.detect import detect_kind, find_header_row

GJP_CUSTOMERS = ("往来单位编号,往来单位全名,联系人,联系电话,地址,地区,客户类型,信用额度,信用天数,经手人\n"
                 "K001,  北京文化用品公司 ,王经理,010-1234567,北京市海淀区,北京,经销商,\"50,000.00\",30,张三\n"
                 "K002,上海学校,李老师,,上海市,上海,直销客户,,,\n")


@pytest.mark.parametrize("headers, kind", [
    (["录单日期", "单据编号", "单据类型", "往来单位全名", "商品编号", "数量", "金额"], "sales"),
    (["出库日期", "出库单号", "购货单位", "产品编码", "产品名称", "出库数量", "销售金额", "成本"], "sales"),
    (["往来单位全名", "往来单位编号", "联系人", "联系电话", "地址"], "customers"),
    (["存货分类编码", "存货编码", "存货名称", "规格型号", "计量单位名称", "最新成本", "参考售价"], "products"),
    (["物料代码", "物料名称", "规格型号", "计量单位", "库存数量"], "stock"),
    (["收款单号", "收款日期", "客户名称", "收款金额", "结算方式"], "receipts"),
    (["Row ID", "Order ID", "Order Date", "Customer ID", "Product ID", "Sales", "Quantity", "Profit"], "sales"),
    (["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"], "sales"),
    (["随便", "什么"], None),
])
def test_kind_from_headers(headers, kind):
    assert detect_kind(headers) == kind


def test_header_row_after_key_value_preamble():
    head = [["表名", "销售"], ["公司名称", ""], ["单据日期", "2024-01-01"], [],
            ["单据编号", "商品编号", "数量", "金额"], ["A", "P", "1", "2"]]
    assert find_header_row(head) == 5


def test_customers_with_type_terms_contact_and_owner(db, owner, tmp_path):
    r = import_file(db, owner, write(tmp_path, "c.csv", GJP_CUSTOMERS, "gbk"))
    assert (r.kind, r.added) == ("customers", 2)
    got = rows(db, "SELECT c.name, t.name, c.credit_limit, c.payment_terms_days, c.province, u.username "
                   "FROM customers c LEFT JOIN customer_types t ON t.id = c.type_id "
                   "LEFT JOIN users u ON u.id = c.owner_id ORDER BY c.code")
    assert got == [("北京文化用品公司", "经销商", 500000000, 30, "北京", "张三"), ("上海学校", "直销客户", 0, 0, "上海", None)]
    assert rows(db, "SELECT name, phone, is_primary FROM contacts ORDER BY name") == [
        ("李老师", "", 1), ("王经理", "010-1234567", 1)]
    again = import_file(db, owner, write(tmp_path, "c2.csv", GJP_CUSTOMERS.replace("上海市", "上海市徐汇区"), "gbk"))
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    assert scalar(db, "SELECT COUNT(*) FROM contacts") == 2


def test_products_keep_fields_other_files_filled(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "p.csv", "存货编码,存货名称,规格型号,计量单位名称,最新成本,参考售价\n"
                                                   "A1,中性笔,0.5mm,支,1.2,2.5\n"))
    r = import_file(db, owner, write(tmp_path, "p2.csv", "商品编号,商品名称,品牌\nA1,中性笔,得力\n"))
    assert (r.updated, r.unchanged) == (1, 0)
    assert rows(db, "SELECT spec, unit, cost, list_price, brand FROM products") == [("0.5mm", "支", 12000, 25000, "得力")]


def test_receipts_rerun_and_update(db, owner, tmp_path):
    text = "收款单号,收款日期,客户编号,客户名称,收款金额,结算方式\nSK1,2024-03-01,C1,甲,\"1,000.00\",现金\nSK2,2024/3/2,C2,乙,50,微信\n"
    r = import_file(db, owner, write(tmp_path, "r.csv", text))
    assert (r.kind, r.added) == ("receipts", 2)
    r2 = import_file(db, owner, write(tmp_path, "r2.csv", text.replace("50,微信", "60,微信")))
    assert (r2.added, r2.updated, r2.unchanged) == (0, 1, 1)
    assert rows(db, "SELECT number, amount, method FROM receipts ORDER BY number") == [
        ("SK1", 10000000, "现金"), ("SK2", 600000, "微信")]
    assert scalar(db, "SELECT is_incomplete FROM customers WHERE code = 'C2'") == 1


def test_stock_snapshot_by_date(db, owner, tmp_path):
    text = "物料代码,物料名称,计量单位,仓库,库存数量,库存金额,日期\nM1,笔,支,总店,100,120,2024-03-31\nM2,本,本,总店,,,2024-03-31\n"
    r = import_file(db, owner, write(tmp_path, "s.csv", text))
    assert (r.kind, r.added) == ("stock", 2)
    assert rows(db, "SELECT p.code, s.quantity, s.cost_value, s.snapshot_date FROM stock_snapshots s "
                    "JOIN products p ON p.id = s.product_id ORDER BY p.code") == [
        ("M1", 100.0, 1200000, "2024-03-31"), ("M2", 0.0, 0, "2024-03-31")]
    r2 = import_file(db, owner, write(tmp_path, "s2.csv", text.replace("2024-03-31", "2024-04-30")))
    assert r2.added == 2 and scalar(db, "SELECT COUNT(*) FROM stock_snapshots") == 4


def test_user_profile_imports_any_layout(db, owner, tmp_path):
    text = "\n".join(["Kassenbuch", "Beleg;Datum;Kunde;Artikel;Menge;Betrag;Filiale",
                      "B-1;07.03.2024;K1;A1;2;1234,50;", "B-2;08.03.2024;K2;A2;1;5;"]) + "\n"
    prof = Profile(name="kasse", kind="sales", delimiter=";", header_row=2, date_format="%d.%m.%Y",
                   columns={"Beleg": "order_number", "Datum": "order_date", "Kunde": "customer_code",
                            "Artikel": "product_code", "Menge": "quantity", "Betrag": "amount", "Filiale": ""},
                   constants={"warehouse": "总店"})
    saved = save_profile(prof)
    assert saved.name == "kasse.toml" and load_profile("kasse") == prof
    r = import_file(db, owner, write(tmp_path, "k.csv", text.replace("1234,50", "1234.50")), profile="kasse")
    assert (r.kind, r.added, r.rejected) == ("sales", 2, 0), r.message
    assert rows(db, "SELECT number, order_date, warehouse FROM sales_orders ORDER BY number") == [
        ("B-1", "2024-03-07", "总店"), ("B-2", "2024-03-08", "总店")]
    p = preview(tmp_path / "k.csv", profile=str(saved))
    assert p.mapping["Filiale"] == "" and p.mapping["Beleg"] == "order_number" and p.header_row == 2


def test_profile_toml_text(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('kind = "customers"\nheader_row = 3\n[columns]\n"客户代码" = "code"\n"客户" = "name"\n',
                    encoding="utf-8")
    prof = load_profile(str(path))
    assert (prof.name, prof.kind, prof.header_row, prof.columns["客户代码"]) == ("x", "customers", 3, "code")
    path.write_text('kind = "customers"\n[columns]\n"a" = "nonsense"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="nonsense"):
        load_profile(str(path))


def test_profile_from_the_wizard_preview(db, owner, tmp_path):
    from crmdesk.importers import profile_from_preview

    text = "导出\n单号|日子|客户|货品|件数|钱\nA1|2024-05-01|C1|P1|2|10\n"
    path = write(tmp_path, "odd.txt", text, "gb18030")
    p = preview(path, kind="sales", header_row=2)
    assert p.missing  # nothing recognised these headers
    mapping = {"单号": "order_number", "日子": "order_date", "客户": "customer_code", "货品": "product_code",
               "件数": "quantity", "钱": "amount"}
    prof = profile_from_preview(p, "odd", mapping)
    save_profile(prof)
    r = import_file(db, owner, write(tmp_path, "odd2.txt", text.replace("A1", "A2"), "gb18030"), profile="odd")
    assert (r.kind, r.added, r.header_row, r.encoding) == ("sales", 1, 2, "gb18030")
    assert scalar(db, "SELECT amount FROM sales_lines") == 100000
