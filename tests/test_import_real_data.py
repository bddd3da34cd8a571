"""Real exports: Superstore (known totals) and UCI Online Retail I and II."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_EVEN, Decimal

from data_import.helpers import rows, scalar

from crmdesk.importers import import_file, list_rejected
from crmdesk.money import to_units, to_yuan


def _yuan(units) -> str:
    """Yuan to the fen as README.md lists them. Its figures were summed in floating point, which
    lands Consumer's exact 1,161,401.3450 on .34; half-even rounding of the exact sum agrees with
    every figure there (half-up, used for display, would show .35)."""
    return f"{to_yuan(units).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,.2f}"


def test_superstore_totals(db, owner, shared_data):
    r = import_file(db, owner, shared_data / "superstore_2014-2017.csv", profile="superstore")
    assert (r.status, r.encoding, r.added, r.rejected) == ("done", "cp1252", 9994, 0)
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders") == 5009
    assert scalar(db, "SELECT COUNT(*) FROM customers") == 793
    assert scalar(db, "SELECT COUNT(*) FROM products") == 1862
    sales = scalar(db, "SELECT SUM(amount) FROM sales_lines")
    profit = scalar(db, "SELECT SUM(amount - cost_amount) FROM sales_lines")
    assert (_yuan(sales), _yuan(profit)) == ("2,297,200.86", "286,398.22")
    by_category = {c: (_yuan(s), _yuan(p)) for c, s, p in rows(
        db, "SELECT p.category, SUM(l.amount), SUM(l.amount - l.cost_amount) FROM sales_lines l "
            "JOIN products p ON p.id = l.product_id GROUP BY p.category")}
    assert by_category == {"Furniture": ("741,999.80", "18,451.27"), "Office Supplies": ("719,047.03", "122,492.00"),
                           "Technology": ("836,154.03", "145,454.95")}
    by_segment = {t: (_yuan(s), _yuan(p)) for t, s, p in rows(
        db, "SELECT t.name, SUM(l.amount), SUM(l.amount - l.cost_amount) FROM sales_lines l "
            "JOIN customers c ON c.id = l.customer_id JOIN customer_types t ON t.id = c.type_id GROUP BY t.name")}
    assert by_segment == {"Consumer": ("1,161,401.34", "134,119.21"), "Corporate": ("706,146.37", "91,979.13"),
                          "Home Office": ("429,653.15", "60,299.88")}
    consumer = scalar(db, "SELECT SUM(l.amount) FROM sales_lines l JOIN customers c ON c.id = l.customer_id "
                          "JOIN customer_types t ON t.id = c.type_id WHERE t.name = 'Consumer'")
    assert consumer == 11_614_013_450  # exact: no rounding anywhere on the way in
    assert scalar(db, "SELECT brand FROM products WHERE code = 'FUR-BO-10001798'") == "Bush"
    assert scalar(db, "SELECT order_date FROM sales_orders WHERE number = 'CA-2016-152156'") == "2016-11-08"
    assert scalar(db, "SELECT name FROM customers WHERE code = 'CG-12520'") == "Claire Gute"
    again = import_file(db, owner, shared_data / "superstore_2014-2017.csv", profile="superstore",
                        skip_same_content=False)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 9994)


def _expected_online_retail(path, invoice, price, customer):
    """Independent reading of the file: lines kept, their total, walk-in lines, return invoices."""
    non_product = {"POST", "DOT", "M", "BANK CHARGES", "C2", "CRUK", "D", "S", "B", "PADS", "AMAZONFEE",
                   "ADJUST", "ADJUST2", "TEST001", "TEST002"}
    total, kept, walk_in, returns, skipped = 0, 0, 0, set(), 0
    positive: set[str] = set()
    seen: set[str] = set()
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["StockCode"].strip()
            if code.upper() in non_product or code.lower().startswith("gift_0001"):
                skipped += 1
                continue
            kept += 1
            total += int((Decimal(row["Quantity"]) * to_units(row[price])).to_integral_value())
            walk_in += row[customer].strip() in ("", "NA")
            seen.add(row[invoice])
            if row[invoice].startswith("C"):
                returns.add(row[invoice])
            if Decimal(row["Quantity"]) >= 0:
                positive.add(row[invoice])
    returns |= seen - positive  # every line negative: a return (stock write-offs in this data set)
    return kept, skipped, total, walk_in, len(returns)


def test_online_retail_one(db, owner, shared_data):
    path = shared_data / "online_retail_I_sample20k.csv"
    r = import_file(db, owner, path)
    assert (r.status, r.profile) == ("done", "online_retail")
    kept, skipped, total, walk_in, returns = _expected_online_retail(path, "InvoiceNo", "UnitPrice", "CustomerID")
    assert (r.added, r.rejected) == (kept, skipped) and r.added + r.rejected == 20_000
    assert abs(scalar(db, "SELECT SUM(amount) FROM sales_lines") - total) <= kept  # per-line rounding at most
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines l JOIN customers c ON c.id = l.customer_id "
                      "WHERE c.code = '散客'") == walk_in
    assert any("walk-in" in n for n in r.notes) and any("non-product" in n for n in r.notes)
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders WHERE doc_type = 'return'") == returns
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders WHERE doc_type = 'sale' AND number LIKE 'C%'") == 0
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines WHERE quantity < 0") >= returns
    with db.sessions() as s:
        reasons = {x.reason for x in list_rejected(s, r.batch_id)}
    assert reasons == {"not a product sale (postage, fee or adjustment code)"}


def test_online_retail_two(db, owner, shared_data):
    path = shared_data / "online_retail_II_subset10k.csv"
    r = import_file(db, owner, path)
    kept, skipped, total, walk_in, _returns = _expected_online_retail(path, "Invoice", "Price", "Customer ID")
    assert (r.status, r.added, r.rejected) == ("done", kept, skipped)
    assert abs(scalar(db, "SELECT SUM(amount) FROM sales_lines") - total) <= kept
    assert scalar(db, "SELECT COUNT(*) FROM customers WHERE code = '17850'") == 1  # not '17850.0'
    assert scalar(db, "SELECT COUNT(*) FROM customers WHERE code LIKE '%.0'") == 0
    assert scalar(db, "SELECT MIN(order_date) FROM sales_orders") == "2009-12-01"
