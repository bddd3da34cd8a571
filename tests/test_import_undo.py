"""Undoing an import (issue 14, item 4): what a batch added goes, what it updated comes back
exactly, refused with a reason when later batches or edits depend on it; backup, audit, history."""

from __future__ import annotations

import sqlite3

import pytest
from data_import.helpers import GJP_HEADER, GJP_SALES, write

from crmdesk.importers import import_file
from crmdesk.importers.undo import UndoRefused, preview_undo, undo_batch
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied

CUSTOMERS = ("往来单位编号,往来单位全名,联系人,联系电话,地址,地区,客户类型,信用额度,信用天数,经手人\n"
             "C001,广州文具店,王经理,020-1234567,广州市天河区,广东,经销商,\"50,000.00\",30,张三\n"
             "C002,深圳办公,李老师,,深圳市,广东,直销客户,,,\n")
# The wrong profile's file: other addresses, limits, types and salespeople, one new customer.
CUSTOMERS_WRONG = ("往来单位编号,往来单位全名,联系人,联系电话,地址,地区,客户类型,信用额度,信用天数,经手人\n"
                   "C001,广州文具店有限公司,赵会计,020-7654321,佛山市,广东,Corporate,\"80,000.00\",60,钱七\n"
                   "C002,深圳办公,李老师,0755-111,深圳市南山区,广东,直销客户,100,15,\n"
                   "C003,东莞新店,陈,,东莞市,广东,Corporate,,,钱七\n")
# Business tables compared before/after (timestamps left out: an undo is a change too).
TABLES = ("customers", "contacts", "customer_types", "users", "products", "sales_orders", "sales_lines", "receipts",
          "stock_snapshots", "customer_territories")
STAMPS = {"updated_at", "created_at", "last_login_at", "failed_logins", "locked_until"}


def snapshot(db) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db.file_path)
    try:
        out = {}
        for table in TABLES:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in STAMPS]
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1, 2").fetchall()
        return out
    finally:
        con.close()


def one(db, sql: str):
    con = sqlite3.connect(db.file_path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_undo_of_a_customer_import_restores_updated_customers_exactly(db, owner, tmp_path):
    first = import_file(db, owner, write(tmp_path, "c.csv", CUSTOMERS, "gbk"))
    before = snapshot(db)
    wrong = import_file(db, owner, write(tmp_path, "c-wrong.csv", CUSTOMERS_WRONG, "gbk"))
    assert (wrong.added, wrong.updated) == (1, 2)
    assert one(db, "SELECT address, credit_limit FROM customers WHERE code = 'C001'") == [("佛山市", 800000000)]

    plan = preview_undo(db, owner, wrong.batch_id)
    assert plan.possible and plan.restored() == {"customers": 2}
    assert plan.removed() == {"contacts": 2, "customers": 1}  # C001's new 联系人 and C003's
    [(seller,)] = one(db, "SELECT id FROM users WHERE username = '钱七'")
    assert plan.created == {"customer_types": [4], "users": [seller]}
    result = undo_batch(db, owner, wrong.batch_id)

    assert snapshot(db) == before  # every column of every customer, contact, type and salesperson
    assert result.removed == {"contacts": 2, "customers": 1, "customer_types": 1, "users": 1}
    assert result.backup is not None and result.backup.is_file()
    assert one(db, f"SELECT status FROM import_batches WHERE id = {wrong.batch_id}") == [("undone",)]
    assert "undone" in one(db, f"SELECT message FROM import_batches WHERE id = {wrong.batch_id}")[0][0]
    assert one(db, f"SELECT action, new_value FROM audit_log WHERE entity = 'import_batches' "
                   f"AND entity_id = {wrong.batch_id} AND action = 'undo'") == [("undo", result.summary)]
    assert one(db, f"SELECT status FROM import_batches WHERE id = {first.batch_id}") == [("done",)]
    # The same file again is imported, not skipped as "same content" as the undone batch.
    again = import_file(db, owner, tmp_path / "c-wrong.csv")
    assert again.status == "done" and (again.added, again.updated) == (1, 2)


def test_undo_of_a_sales_import_removes_its_orders_lines_and_stubs(db, owner, tmp_path):
    import_file(db, owner, write(tmp_path, "c.csv", CUSTOMERS, "gbk"))
    before = snapshot(db)
    sales = import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    assert sales.added == 4
    assert one(db, "SELECT first_order_date FROM customers WHERE code = 'C001'") == [("2024-03-07",)]
    result = undo_batch(db, owner, sales.batch_id)
    assert result.removed["sales_lines"] == 4 and result.removed["sales_orders"] == 3
    assert result.removed["products"] == 3 and result.restored == {"customers": 2}
    assert snapshot(db) == before  # first order dates back to empty, salesperson 李四 gone


def test_undo_of_a_sales_reimport_restores_the_lines_it_rewrote_and_the_totals(db, owner, tmp_path):
    sales = import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    before = snapshot(db)
    changed = GJP_SALES.replace(",10,￥2.50,\"￥1,234.50\",1000", ",12,￥2.50,\"￥1,300.00\",1100") \
        .replace("P002,晨光笔记本,本,５,3.00,15.00,", "P002,晨光笔记本,本,５,3.00,15.00,\n"
                 "2024-03-07,XS-001,销售单,C001,广州文具店,张三,总店,P004,回形针,盒,1,8.00,8.00,5")
    second = import_file(db, owner, write(tmp_path, "s2.csv", changed))
    assert (second.added, second.updated) == (1, 1)
    assert one(db, "SELECT total_amount FROM sales_orders WHERE number = 'XS-001'") == [(13230000,)]
    result = undo_batch(db, owner, second.batch_id)
    assert result.restored == {"sales_lines": 1} and result.removed == {"sales_lines": 1, "products": 1}
    assert snapshot(db) == before
    assert sales.batch_id < second.batch_id


def test_reports_line_cache_rereads_lines_an_undo_rewrote(db, owner, tmp_path):
    from crmdesk.reports import linecache

    import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    second = import_file(db, owner, write(tmp_path, "s2.csv", GJP_SALES.replace(",\"￥1,234.50\",", ",\"￥1,300.00\",")))
    with db.sessions() as s:
        assert int(linecache.get(s).amount.sum()) == 12900000
    undo_batch(db, owner, second.batch_id)  # same line count, same ids: only the audit log tells
    with db.sessions() as s:
        assert int(linecache.get(s).amount.sum()) == 12245000


def test_refused_when_a_later_batch_changed_the_same_rows(db, owner, tmp_path):
    first = import_file(db, owner, write(tmp_path, "c.csv", CUSTOMERS, "gbk"))
    moved = CUSTOMERS.replace("深圳市", "深圳市福田区")
    later = import_file(db, owner, write(tmp_path, "c2.csv", moved, "gbk"))
    assert later.updated == 1
    before = snapshot(db)
    with pytest.raises(UndoRefused, match=f"later batch {later.batch_id} changed 1 rows"):
        undo_batch(db, owner, first.batch_id)
    assert snapshot(db) == before
    assert one(db, f"SELECT status FROM import_batches WHERE id = {first.batch_id}") == [("done",)]
    undo_batch(db, owner, later.batch_id)  # newest first: then the earlier one can go too
    undo_batch(db, owner, first.batch_id)
    assert one(db, "SELECT COUNT(*) FROM customers") == [(0,)]


def test_refused_when_a_later_sales_file_uses_its_customers_and_products(db, owner, tmp_path):
    sales = import_file(db, owner, write(tmp_path, "s.csv", GJP_SALES))
    more = "\n".join([GJP_HEADER,
                      "2024-04-01,XS-100,销售单,C002,深圳办公,李四,总店,P001,得力中性笔,支,1,2.50,2.50,2"])
    import_file(db, owner, write(tmp_path, "s4.csv", more + "\n"))
    plan = preview_undo(db, owner, sales.batch_id)
    text = "; ".join(plan.reasons)
    assert "order lines refer to 1 customers this batch created (e.g. C002 深圳办公)" in text
    assert "refer to 1 products this batch created (e.g. P001 得力中性笔)" in text


def test_refused_when_people_edited_or_logged_against_its_customers(db, owner, tmp_path):
    from crmdesk.services.customers import input_from_customer, update_customer
    from crmdesk.services.interactions import InteractionInput, log_interaction

    batch = import_file(db, owner, write(tmp_path, "c.csv", CUSTOMERS, "gbk"))
    [(c1,)] = one(db, "SELECT id FROM customers WHERE code = 'C001'")
    [(c2,)] = one(db, "SELECT id FROM customers WHERE code = 'C002'")
    with db.sessions.begin() as s:
        log_interaction(s, owner, c1, InteractionInput(channel="call", notes="问了价格"))
    plan = preview_undo(db, owner, batch.batch_id)
    assert any("contact-log entries refer to 1 customers" in r and "C001 广州文具店" in r for r in plan.reasons)
    con = sqlite3.connect(db.file_path)
    con.execute("UPDATE custom_field_defs SET required = 0")  # the seeded 行业 field is not this test's
    con.commit()
    con.close()
    with db.sessions.begin() as s:
        data = input_from_customer(s, owner, c2)
        data.grade = "A"
        update_customer(s, owner, c2, data, None)
    plan = preview_undo(db, owner, batch.batch_id)
    assert any("were changed since (update by owner" in r and "C002 深圳办公" in r for r in plan.reasons)
    with pytest.raises(UndoRefused):
        undo_batch(db, owner, batch.batch_id)
    assert one(db, "SELECT COUNT(*) FROM customers") == [(2,)]


def test_refused_after_a_merge_and_when_already_undone(db, owner, tmp_path):
    from crmdesk.services.merge import merge_customers

    batch = import_file(db, owner, write(tmp_path, "c.csv", CUSTOMERS, "gbk"))
    [(c1,)] = one(db, "SELECT id FROM customers WHERE code = 'C001'")
    [(c2,)] = one(db, "SELECT id FROM customers WHERE code = 'C002'")
    with db.sessions.begin() as s:
        merge_customers(s, owner, c1, c2)
    assert any("a merge involved" in r for r in preview_undo(db, owner, batch.batch_id).reasons)

    other = import_file(db, owner, write(tmp_path, "p.csv", "商品编号,商品名称\nA1,中性笔\n"))
    undo_batch(db, owner, other.batch_id)
    assert preview_undo(db, owner, other.batch_id).reasons == [f"batch {other.batch_id} was already undone"]
    with pytest.raises(LookupError):
        preview_undo(db, owner, 999)


@pytest.mark.parametrize("role, allowed", [("manager", True), ("sales", False), ("counter", False),
                                           ("scheduler", False)])
def test_only_owner_and_manager_may_undo(db, owner, tmp_path, role, allowed):
    batch = import_file(db, owner, write(tmp_path, "p.csv", "商品编号,商品名称\nA1,中性笔\n"))
    actor = Actor(user_id=None, username=role, role=role)
    if allowed:
        undo_batch(db, actor, batch.batch_id)
    else:
        with pytest.raises(PermissionDenied):
            undo_batch(db, actor, batch.batch_id)
        assert one(db, "SELECT COUNT(*) FROM products") == [(1,)]


def test_cli_batch_list_and_undo_exit_codes(db, owner, tmp_path, capsys):
    from cli_support import run_cli

    first = import_file(db, owner, write(tmp_path, "c.csv", CUSTOMERS, "gbk"))
    later = import_file(db, owner, write(tmp_path, "c2.csv", CUSTOMERS_WRONG, "gbk"))
    path = str(db.file_path)
    code, out, _err = run_cli(capsys, "--db", path, "batch", "list", user="owner", password="secret-pw")
    lines = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and lines[0] == ["id", "when", "file", "kind", "profile", "status", "added", "updated",
                                      "rejected", "user"]
    assert lines[1][0] == str(later.batch_id) and lines[1][2:] == ["c2.csv", "customers", "auto", "done", "1", "2",
                                                                    "0", "owner"]
    code, _out, err = run_cli(capsys, "--db", path, "batch", "undo", str(first.batch_id), "--yes",
                              user="owner", password="secret-pw")
    assert code == 2 and f"later batch {later.batch_id} changed" in err and len(err.splitlines()) == 1
    code, out, _err = run_cli(capsys, "--db", path, "batch", "undo", str(later.batch_id), "--dry-run",
                              user="owner", password="secret-pw")
    assert code == 0 and "would undo" in out and "restores the earlier values of 2 customers" in out
    code, _out, err = run_cli(capsys, "--db", path, "batch", "undo", str(later.batch_id),
                              user="owner", password="secret-pw")
    assert code == 2 and "--yes" in err  # no terminal to ask: nothing done
    code, out, _err = run_cli(capsys, "--db", path, "batch", "undo", str(later.batch_id), "--yes",
                              user="owner", password="secret-pw")
    assert code == 0 and f"batch {later.batch_id} undone: removed" in out and "backup before the undo" in out
    code, out, _err = run_cli(capsys, "--db", path, "batch", "list", user="owner", password="secret-pw")
    assert out.splitlines()[1].split("\t")[5] == "undone"
    assert run_cli(capsys, "--db", path, "batch", "undo", "999", "--yes", user="owner", password="secret-pw")[0] == 2
    assert run_cli(capsys, "--db", path, "batch", "undo", "x", user="owner", password="secret-pw")[0] == 2


def test_superstore_imported_by_mistake_is_undone_to_the_shop_it_was(db, owner, tmp_path, shared_data):
    """The real file, first on top of a customer list (so some customers are updated), then undone."""
    import_file(db, owner, write(tmp_path, "c.csv", "Customer ID,Customer Name\nCG-12520,Claire Gute\n"))
    before = snapshot(db)
    r = import_file(db, owner, shared_data / "superstore_2014-2017.csv", profile="superstore")
    assert r.status == "done" and r.added == 9994
    result = undo_batch(db, owner, r.batch_id)
    assert result.removed["sales_lines"] == 9994 and result.removed["sales_orders"] == 5009
    assert snapshot(db) == before  # Claire Gute's first order date and type back to none
