"""The demo shop's sales, receipts and stock hold together like a real shop's."""

from __future__ import annotations

import datetime as dt
import re

from demo_sql_support import END, D, conn, rows  # noqa: F401 - conn is a fixture
from sqlalchemy import func, select, text

from crmdesk.db.models import Customer, Product, SalesLine, SalesOrder
from tests.conftest import DEMO_SIZES


def test_sizes_are_honoured(conn):
    assert conn.scalar(select(func.count()).select_from(Customer)) == DEMO_SIZES["customers"]
    assert conn.scalar(select(func.count()).select_from(Product)) == DEMO_SIZES["products"]
    assert conn.scalar(select(func.count()).select_from(SalesLine)) == DEMO_SIZES["lines"]


def test_order_totals_equal_the_sum_of_their_lines(conn):
    bad = rows(conn, """SELECT o.id FROM sales_orders o JOIN sales_lines l ON l.order_id = o.id
                        GROUP BY o.id HAVING o.total_amount != SUM(l.amount)""")
    assert bad == []
    assert conn.scalar(text("SELECT COUNT(*) FROM sales_orders o WHERE NOT EXISTS "
                            "(SELECT 1 FROM sales_lines l WHERE l.order_id = o.id)")) == 0


def test_lines_repeat_their_orders_date_and_customer(conn):
    assert conn.scalar(text("""SELECT COUNT(*) FROM sales_lines l JOIN sales_orders o ON o.id = l.order_id
                               WHERE l.order_date != o.order_date OR l.customer_id != o.customer_id""")) == 0


def test_lines_are_numbered_and_priced_consistently(conn):
    bad = rows(conn, """SELECT order_id FROM sales_lines GROUP BY order_id
                        HAVING MIN(line_no) != 1 OR MAX(line_no) != COUNT(*)""")
    assert bad == []
    for qty, price, amount in rows(conn, "SELECT quantity, unit_price, amount FROM sales_lines"):
        assert amount == round(qty * price)


def test_returns_are_negative_and_refer_to_an_earlier_sale(conn):
    returns = rows(conn, "SELECT id, number, order_date, notes, total_amount FROM sales_orders "
                         "WHERE doc_type = 'return'")
    assert returns
    sales = dict(rows(conn, "SELECT number, order_date FROM sales_orders WHERE doc_type = 'sale'"))
    for _id, number, day, notes, total in returns:
        assert number.startswith("XT-") and total < 0
        source = re.search(r"XS-\d{8}-\d{4}", notes)
        assert source and D(sales[source.group()]) <= D(day)
    assert conn.scalar(text("""SELECT COUNT(*) FROM sales_lines l JOIN sales_orders o ON o.id = l.order_id
                               WHERE (o.doc_type = 'return') != (l.quantity < 0 AND l.amount < 0
                                      AND l.cost_amount <= 0)""")) == 0
    assert all(re.fullmatch(r"XS-\d{8}-\d{4}", n) for n in sales)


def test_dealers_pay_the_lowest_prices(conn):
    by_type = dict(rows(conn, """SELECT t.code, AVG(1.0 * l.unit_price / p.list_price)
                                 FROM sales_lines l JOIN customers c ON c.id = l.customer_id
                                 JOIN customer_types t ON t.id = c.type_id JOIN products p ON p.id = l.product_id
                                 WHERE l.quantity > 0 GROUP BY t.code"""))
    assert by_type["dealer"] < by_type["direct"] < by_type["retail"] <= 1.0


def test_key_customers_bring_most_of_the_gross_profit(conn):
    profits = [r[0] for r in rows(conn, """SELECT SUM(amount - cost_amount) AS gp FROM sales_lines
                                           GROUP BY customer_id ORDER BY gp DESC""")]
    top = DEMO_SIZES["customers"] // 5
    assert sum(profits[:top]) >= 0.6 * sum(profits)
    assert sum(profits[:top]) <= 0.97 * sum(profits)  # heavy-tailed, not one customer


def test_school_terms_and_year_end_are_busy(conn):
    per_month = dict(rows(conn, "SELECT CAST(strftime('%m', order_date) AS INTEGER), COUNT(*) FROM sales_lines "
                                "WHERE quantity > 0 GROUP BY 1"))
    busy = sum(per_month[m] for m in (2, 3, 8, 9, 12, 1)) / 6
    quiet = sum(per_month[m] for m in (4, 5, 6, 7)) / 4
    assert busy > 1.15 * quiet


def test_recent_orders_may_be_open_and_only_they(conn):
    open_orders = rows(conn, "SELECT order_date FROM sales_orders WHERE status IN ('open', 'partial')")
    assert open_orders
    assert all((END - D(day)).days <= 10 for (day,) in open_orders)
    assert conn.scalar(text("""SELECT COUNT(*) FROM sales_lines l JOIN sales_orders o ON o.id = l.order_id
                               WHERE o.status IN ('open', 'partial') AND l.shipped_quantity < l.quantity""")) > 0
    assert conn.scalar(text("""SELECT COUNT(*) FROM sales_lines l JOIN sales_orders o ON o.id = l.order_id
                               WHERE o.status = 'completed' AND l.shipped_quantity != l.quantity""")) == 0


def test_receipts_include_late_payers_and_old_balances(conn):
    terms = dict(rows(conn, "SELECT id, payment_terms_days FROM customers"))
    monthly = rows(conn, "SELECT customer_id, receipt_date, notes FROM receipts WHERE notes LIKE '%月货款'")
    assert monthly
    late = 0
    for customer_id, paid_on, notes in monthly:
        year, month = map(int, re.match(r"(\d{4})年(\d{1,2})月", notes).groups())
        month_end = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
        late += (D(paid_on) - month_end).days - terms[customer_id] > 45
    assert 0.02 <= late / len(monthly) <= 0.5
    old_balance = rows(conn, """SELECT o.customer_id FROM sales_orders o
                                JOIN customers c ON c.id = o.customer_id AND c.payment_terms_days > 0
                                WHERE o.status = 'completed' GROUP BY o.customer_id
                                HAVING SUM(o.total_amount) - COALESCE((SELECT SUM(r.amount) FROM receipts r
                                       WHERE r.customer_id = o.customer_id), 0) >
                                       SUM(CASE WHEN o.order_date >= :cut THEN o.total_amount ELSE 0 END)""",
                       cut=(END - dt.timedelta(days=150)).isoformat())
    assert old_balance, "some account customer should owe for invoices older than 150 days"
    counter = rows(conn, """SELECT COUNT(*), SUM(r.receipt_date = o.order_date) FROM receipts r
                            JOIN sales_orders o ON o.id = r.order_id""")
    assert counter[0][0] > 0 and counter[0][0] == counter[0][1]  # the counter is paid on the spot


def test_stock_has_restock_and_overstock_candidates(conn):
    current = rows(conn, """SELECT p.id, s.quantity, p.reorder_point, s.cost_value, p.cost FROM products p
                            JOIN stock_snapshots s ON s.product_id = p.id AND s.snapshot_date = :end""",
                   end=END.isoformat())
    assert len(current) == DEMO_SIZES["products"]
    assert all(value == round(qty * cost) for _id, qty, _rp, value, cost in current)
    low = [pid for pid, qty, rp, _v, _c in current if qty < rp]
    assert low
    recent_sellers = {r[0] for r in rows(conn, "SELECT DISTINCT product_id FROM sales_lines "
                                               "WHERE quantity > 0 AND order_date > :cut",
                                         cut=(END - dt.timedelta(days=180)).isoformat())}
    dead = [(pid, qty) for pid, qty, _rp, _v, _c in current if pid not in recent_sellers and qty >= 100]
    assert dead
    months = conn.scalar(text("SELECT COUNT(DISTINCT snapshot_date) FROM stock_snapshots"))
    assert months >= 13


def test_customer_status_follows_the_last_purchase(conn):
    last = dict(rows(conn, "SELECT customer_id, MAX(order_date) FROM sales_lines WHERE quantity > 0 "
                           "GROUP BY customer_id"))
    for cid, status in rows(conn, "SELECT id, status FROM customers"):
        if cid in last:
            days = (END - D(last[cid])).days
            expected = "active" if days <= 120 else "dormant" if days <= 365 else "lost"
            assert status == expected, (cid, days, status)
    first = dict(rows(conn, "SELECT customer_id, MIN(order_date) FROM sales_lines WHERE quantity > 0 "
                            "GROUP BY customer_id"))
    for cid, first_order in rows(conn, "SELECT id, first_order_date FROM customers"):
        assert (D(first_order) if first_order else None) == (D(first[cid]) if cid in first else None)


def test_orders_have_a_salesperson_and_due_date(conn):
    orders = rows(conn, """SELECT o.salesperson_id, o.due_date, o.order_date, c.payment_terms_days, o.doc_type
                           FROM sales_orders o JOIN customers c ON c.id = o.customer_id""")
    assert all(sp is not None for sp, *_ in orders)
    assert all(D(due) == D(day) + dt.timedelta(days=terms) for _sp, due, day, terms, kind in orders if kind == "sale")
    assert conn.scalar(select(func.count()).select_from(SalesOrder)) > DEMO_SIZES["lines"] // 20
