"""Expected totals of the real-corpus files, computed from the raw files without crmdesk.

Run: python tests/data/real/compute_expected.py  (needs xlrd for .xls and openpyxl for .xlsx;
xlrd is not a crmdesk dependency on purpose: the .xls files are read here by another reader than
the importer's). The figures it prints are the ones written into tests/test_import_real_corpus.py.

Money: every value is taken as the exact decimal the file holds (text cells and CSV fields as
written; float cells of .xls/.xlsx through their shortest repr, then rounded half up to 4 decimals,
which is crmdesk's money precision and removes float artefacts such as 731.9399999999999).
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
Q4 = Decimal("0.0001")


def dec(value) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, float):
        value = repr(value)
    return Decimal(str(value).strip().replace(",", "")).quantize(Q4, rounding=ROUND_HALF_UP)


def xls_rows(name: str, sheet: str) -> list[dict]:
    import xlrd

    sh = xlrd.open_workbook(HERE / name).sheet_by_name(sheet)
    head = [str(v).strip() for v in sh.row_values(0)]
    return [dict(zip(head, sh.row_values(r))) for r in range(1, sh.nrows)]


def xlsx_rows(name: str, sheet: str, header_row: int) -> list[dict]:
    import openpyxl

    ws = openpyxl.load_workbook(HERE / name, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    head = [str(v).strip() if v is not None else "" for v in rows[header_row - 1]]
    out = []
    for row in rows[header_row:]:
        if all(v is None for v in row):
            continue
        # duplicate header names (店仓 twice): keep the first, as a reader of the file would
        d: dict = {}
        for h, v in zip(head, row):
            d.setdefault(h, v)
        out.append(d)
    return out


def csv_rows(name: str, encoding: str = "utf-8") -> list[dict]:
    with open(HERE / name, newline="", encoding=encoding) as fh:
        return list(csv.DictReader(fh))


def sales(rows, order, customer, product, amount, quantity, profit=None):
    return dict(
        rows=len(rows),
        orders=len({str(r[order]).strip() for r in rows}) if order else None,
        customers=len({str(r[customer]).strip() for r in rows}) if customer else None,
        products=len({str(r[product]).strip() for r in rows}) if product else None,
        amount=sum((dec(r[amount]) for r in rows), Decimal(0)) if amount else Decimal(0),
        profit=sum((dec(r[profit]) for r in rows), Decimal(0)) if profit else None,
        quantity=sum((dec(r[quantity]) for r in rows), Decimal(0)),
    )


def main() -> None:
    out = {}
    r = xls_rows("superstore_old_orders_300.xls", "Orders")
    out["superstore_old_orders_300.xls"] = sales(r, "Order ID", "Customer Name", "Product Name", "Sales",
                                                 "Order Quantity", "Profit")
    r = xls_rows("superstore_300.xls", "Orders")
    out["superstore_300.xls"] = sales(r, "Order ID", "Customer ID", "Product ID", "Sales", "Quantity",
                                      "Profit")
    r = xls_rows("cn_superstore_300.xls", "示例 - 超市")
    out["cn_superstore_300.xls"] = sales(r, "订单 Id", "客户名称", "产品名称", "销售额", "数量", "利润")
    r = csv_rows("supermarket_sales_300.csv")
    out["supermarket_sales_300.csv"] = sales(r, "Invoice ID", None, None, "Total", "Quantity")
    r = xls_rows("jxc_products_300.xls", "Sheet1")
    out["jxc_products_300.xls"] = dict(
        rows=len(r), products=len({str(x["条码"]).strip() for x in r}),
        list_price=sum((dec(x["售价"]) for x in r), Decimal(0)),
        cost=sum((dec(x["进价"]) for x in r), Decimal(0)),
        empty_code=sum(1 for x in r if str(x["货号"]).strip() == ""))
    for name, figures in out.items():
        print(name)
        for k, v in figures.items():
            print(f"    {k:12} {v}")


if __name__ == "__main__":
    main()
