"""``crmdesk import`` and ``crmdesk sync``: per-file output and exit codes."""

from __future__ import annotations

import pytest
from data_import.helpers import GJP_SALES, dump, scalar, write
from openpyxl import load_workbook

from crmdesk.cli import main
from crmdesk.db import open_database


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "shop.db"
    open_database(path).dispose()
    return str(path)


def test_import_prints_one_line_per_file_and_exits_0(shop, tmp_path, capsys):
    a = write(tmp_path, "sales.csv", GJP_SALES, "gb18030")
    b = write(tmp_path, "cust.csv", "客户编号,客户名称\nC001,广州文具店\nC009,新客户\n")
    assert main(["--db", shop, "import", str(a), str(b)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "sales.csv: sales, added 4, updated 0, unchanged 0, rejected 0"
    assert "cust.csv: customers, added 1, updated 1, unchanged 0, rejected 0" in out
    assert main(["--db", shop, "import", str(a)]) == 0
    assert "same content as batch 1" in capsys.readouterr().out


def test_rejected_rows_are_reported_not_fatal(shop, tmp_path, capsys):
    bad = write(tmp_path, "bad.csv", GJP_SALES.replace(",20,-20,-15", ",abc,-20,-15"))
    out_xlsx = tmp_path / "rej.xlsx"
    assert main(["--db", shop, "import", str(bad), "--rejected-xlsx", str(out_xlsx)]) == 0
    out = capsys.readouterr().out
    assert "bad.csv: sales, added 3, updated 0, unchanged 0, rejected 1" in out
    assert list(load_workbook(out_xlsx).active.values)[1][:5] == ("bad.csv", 9, "含税单价", "abc", "not an amount")


def test_strict_refusal_exits_1(shop, tmp_path, capsys):
    bad = write(tmp_path, "bad.csv", GJP_SALES.replace(",20,-20,-15", ",abc,-20,-15"))
    assert main(["--db", shop, "import", "--strict", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("crmdesk import: bad.csv: refused (--strict)")


def test_unreadable_file_exits_1_with_one_line_and_writes_nothing(shop, tmp_path, capsys):
    good = write(tmp_path, "good.csv", GJP_SALES)
    garbage = tmp_path / "broken.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + bytes(500))
    db = open_database(shop)
    before = dump(db)
    assert main(["--db", shop, "import", str(garbage)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("crmdesk import: broken.xlsx: not a readable Excel workbook")
    assert dump(db) == before
    assert main(["--db", shop, "import", str(good), str(garbage)]) == 1  # the good one still imports
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 4
    db.dispose()


def test_missing_column_message_names_file_and_column(shop, tmp_path, capsys):
    f = write(tmp_path, "x.csv", "单据编号,录单日期,数量\nA,2024-01-01,1\n")
    assert main(["--db", shop, "import", "--kind", "sales", str(f)]) == 1
    assert capsys.readouterr().err.strip() == \
        "crmdesk import: x.csv: required column missing for sales: product_code/product_name"


def test_dry_run(shop, tmp_path, capsys):
    f = write(tmp_path, "s.csv", GJP_SALES)
    assert main(["--db", shop, "import", "--dry-run", str(f)]) == 0
    assert "(dry run, nothing written)" in capsys.readouterr().out
    db = open_database(shop)
    assert scalar(db, "SELECT COUNT(*) FROM sales_lines") == 0
    db.dispose()


@pytest.mark.parametrize("argv", [
    ["import"], ["import", "nope.csv"], ["import", "--kind", "orders", "x.csv"],
    ["import", "--profile", "no-such-profile", "{file}"], ["import", "--header-row", "0", "{file}"],
    ["sync", "--folder", "no/such/dir"],
])
def test_usage_errors_exit_2(shop, tmp_path, argv, capsys):
    f = write(tmp_path, "s.csv", GJP_SALES)
    argv = [a.replace("{file}", str(f)) for a in argv]
    try:
        code = main(["--db", shop, *argv])
    except SystemExit as exc:
        code = exc.code
    assert code == 2


def test_encoding_and_sheet_options(shop, tmp_path, capsys):
    f = write(tmp_path, "u16.txt", GJP_SALES.replace(",", "\t"), "utf-16")
    assert main(["--db", shop, "import", "--encoding", "utf-16", "--profile", "guanjiapo_sales", str(f)]) == 0
    assert "u16.txt: sales, added 4" in capsys.readouterr().out


def test_sync_command(shop, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "s.csv", GJP_SALES)
    assert main(["--db", shop, "sync"]) == 1  # no inbox set
    assert "no inbox folder set" in capsys.readouterr().err
    assert main(["--db", shop, "sync", "--folder", str(inbox)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("backup: ") and "pre-sync" in out[0]
    assert out[1] == "s.csv: sales, added 4, updated 0, unchanged 0, rejected 0"
    assert main(["--db", shop, "sync", "--folder", str(inbox)]) == 0
    assert "0 files imported, 1 already imported" in capsys.readouterr().out


def test_row_hashes_are_stable_across_processes(shop, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from crmdesk.importers import import_file
    from crmdesk.services.actor import Actor

    f = write(tmp_path, "s.csv", GJP_SALES)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]), PYTHONHASHSEED="123")
    done = subprocess.run([sys.executable, "-m", "crmdesk.cli", "--db", shop, "import", str(f)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    db = open_database(shop)
    r = import_file(db, Actor.system(), f, skip_same_content=False)
    db.dispose()
    assert (r.added, r.updated, r.unchanged) == (0, 0, 4)
