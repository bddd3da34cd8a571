"""Orders, receipts and stock carry the branch of the file they came from: ``import --branch``,
an import profile's ``branch``, the sync inbox's branch or a sub-folder named after a branch
code. Two branches counting the same store name on the same day keep both counts; an unknown
code is refused with a message naming the file and the known codes; the migration keeps data."""

from __future__ import annotations

import pytest
from data_import.helpers import GJP_SALES, rows, scalar, write

from crmdesk.importers import import_file, run_sync, set_setting
from crmdesk.importers.profiles import Profile, save_profile
from crmdesk.services.branches import BranchError, BranchInfo, delete_branch, save_branch

RECEIPTS = "收款单号,收款日期,客户编号,客户名称,收款金额,结算方式\nSK1,2024-03-01,C1,甲,\"1,000.00\",现金\n"
STOCK = "物料代码,物料名称,计量单位,仓库,库存数量,库存金额,日期\nM1,笔,支,总仓,{qty},120,2024-03-31\n"


@pytest.fixture
def chain(db, owner):
    with db.sessions.begin() as s:
        ids = {code: save_branch(s, owner, BranchInfo(None, code, name)) for code, name in
               (("B1", "总店"), ("B2", "二店"))}
    return ids


def _branch_of_orders(db) -> dict[str, int | None]:
    return dict(rows(db, "SELECT number, branch_id FROM sales_orders ORDER BY number"))


def test_import_branch_option_stamps_orders_and_the_batch(db, owner, chain, tmp_path):
    r = import_file(db, owner, write(tmp_path, "sales.csv", GJP_SALES), branch="b2")  # codes: any case
    assert r.ok and r.added > 0
    assert set(_branch_of_orders(db).values()) == {chain["B2"]}
    assert scalar(db, "SELECT branch_id FROM import_batches WHERE id = :i", i=r.batch_id) == chain["B2"]


def test_a_profile_names_the_branch_of_receipts(db, owner, chain, tmp_path):
    path = save_profile(Profile(name="branch-one-receipts", kind="receipts", branch="B1"),
                        tmp_path / "branch-one-receipts.toml")
    r = import_file(db, owner, write(tmp_path, "r.csv", RECEIPTS), profile=str(path))
    assert r.ok, r.message
    assert rows(db, "SELECT number, branch_id FROM receipts") == [("SK1", chain["B1"])]
    # The explicit option wins over the profile's.
    r2 = import_file(db, owner, write(tmp_path, "r2.csv", RECEIPTS.replace("SK1", "SK2")), profile=str(path),
                     branch="B2")
    assert r2.ok and scalar(db, "SELECT branch_id FROM receipts WHERE number = 'SK2'") == chain["B2"]


def test_two_branches_count_the_same_store_name_on_the_same_day(db, owner, chain, tmp_path):
    assert import_file(db, owner, write(tmp_path, "s1.csv", STOCK.format(qty=100)), branch="B1").added == 1
    assert import_file(db, owner, write(tmp_path, "s2.csv", STOCK.format(qty=40)), branch="B2").added == 1
    assert rows(db, "SELECT branch_id, quantity FROM stock_snapshots ORDER BY branch_id") == [
        (chain["B1"], 100.0), (chain["B2"], 40.0)]
    # A new count of B2 replaces B2's only.
    again = import_file(db, owner, write(tmp_path, "s3.csv", STOCK.format(qty=45)), branch="B2")
    assert (again.added, again.updated) == (0, 1)
    assert rows(db, "SELECT branch_id, quantity FROM stock_snapshots ORDER BY branch_id") == [
        (chain["B1"], 100.0), (chain["B2"], 45.0)]


def test_an_unknown_branch_is_refused_and_nothing_lands(db, owner, chain, tmp_path):
    r = import_file(db, owner, write(tmp_path, "sales.csv", GJP_SALES), branch="B9")
    assert r.status == "failed"
    assert "sales.csv" in r.message and "B9" in r.message and "B1, B2" in r.message
    assert scalar(db, "SELECT COUNT(*) FROM sales_orders") == 0


def test_sync_inbox_branch_and_branch_sub_folders(db, owner, chain, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "B2").mkdir(parents=True)
    with db.sessions.begin() as s:
        set_setting(s, owner, "sync.inbox", str(inbox))
        set_setting(s, owner, "sync.branch", "B1")
    write(inbox, "sales.csv", GJP_SALES)
    write(inbox / "B2", "sales-b2.csv", GJP_SALES.replace("XS-00", "B2-XS-00"))
    result = run_sync(db, owner)
    assert result.ok and len(result.files) == 2
    got = _branch_of_orders(db)
    assert {n: b for n, b in got.items() if n.startswith("B2-")} and \
        set(b for n, b in got.items() if n.startswith("B2-")) == {chain["B2"]}
    assert set(b for n, b in got.items() if not n.startswith("B2-")) == {chain["B1"]}
    assert run_sync(db, owner).files == []  # both folders remembered as imported


def test_import_cli_branch_option(db, owner, chain, tmp_path, capsys, monkeypatch):
    from crmdesk.cli import main

    sales = write(tmp_path, "sales.csv", GJP_SALES)
    base = ["--db", str(db.file_path), "--user", "owner", "import"]
    monkeypatch.setenv("CRMDESK_PASSWORD", "secret-pw")
    assert main([*base, "--branch", "NOPE", str(sales)]) == 2
    assert "no branch with code 'NOPE'" in capsys.readouterr().err
    assert main([*base, "--branch", "B2", "--quiet", str(sales)]) == 0
    assert set(_branch_of_orders(db).values()) == {chain["B2"]}


def test_branch_service_codes_audit_and_delete(db, owner, chain, tmp_path):
    with db.sessions.begin() as s:
        with pytest.raises(BranchError, match="exists already"):
            save_branch(s, owner, BranchInfo(None, "b1", "again"))
        save_branch(s, owner, BranchInfo(chain["B2"], "B2", "二店（新）", True, 5))
    assert scalar(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'branches'") >= 3
    import_file(db, owner, write(tmp_path, "r.csv", RECEIPTS), branch="B2")
    with db.sessions.begin() as s, pytest.raises(BranchError, match="deactivate it instead"):
        delete_branch(s, owner, chain["B2"])
    with db.sessions.begin() as s:
        delete_branch(s, owner, chain["B1"])  # unused: goes
    assert rows(db, "SELECT code FROM branches") == [("B2",)]


def test_upgrade_to_0015_keeps_data_and_the_stock_key_takes_the_branch(tmp_path):
    from crmdesk.db import connect
    from crmdesk.db.migrate import upgrade

    db = connect(tmp_path / "old.db")
    upgrade(db, "0014")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO products (code, name, spec, unit, category, brand, barcode, list_price, "
                             "cost, reorder_point, lead_time_days, active, is_incomplete, search_text, notes) "
                             "VALUES ('M1', '笔', '', '', '', '', '', 0, 0, 0, 7, 1, 0, '', '')")
        conn.exec_driver_sql("INSERT INTO stock_snapshots (snapshot_date, product_id, warehouse, quantity, "
                             "cost_value, notes) VALUES ('2024-03-31', 1, '总仓', 7, 70, '')")
    upgrade(db)
    with db.engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT quantity, branch_id FROM stock_snapshots").all() == [(7.0, None)]
        conn.exec_driver_sql("INSERT INTO branches (code, name, active, sort_order) VALUES ('B1', 'x', 1, 1)")
        # The same product, store and day at a branch is a row of its own now.
        conn.exec_driver_sql("INSERT INTO stock_snapshots (snapshot_date, product_id, warehouse, quantity, "
                             "cost_value, notes, branch_id) VALUES ('2024-03-31', 1, '总仓', 3, 30, '', 1)")
    with db.engine.begin() as conn, pytest.raises(Exception, match="UNIQUE"):
        conn.exec_driver_sql("INSERT INTO stock_snapshots (snapshot_date, product_id, warehouse, quantity, "
                             "cost_value, notes, branch_id) VALUES ('2024-03-31', 1, '总仓', 3, 30, '', 1)")
    db.dispose()
