"""``crmdesk demo``: exit codes and output."""

from __future__ import annotations

from sqlalchemy import func, select

from crmdesk.cli import main
from crmdesk.db import open_database
from crmdesk.db.models import Customer, SalesLine

ARGS = ["--customers", "40", "--products", "30", "--lines", "800", "--seed", "5", "--end-date", "2025-03-31"]


def test_demo_fills_an_empty_database_and_exits_0(tmp_path, capsys):
    path = tmp_path / "shop.db"
    assert main(["--db", str(path), "demo", *ARGS]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip().splitlines()) == 1
    assert "40 customers" in out and "owner / demo" in out
    assert "%" in err  # progress went to stderr
    database = open_database(path)
    try:
        with database.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Customer)) == 40
            assert s.scalar(select(func.count()).select_from(SalesLine)) == 800
    finally:
        database.dispose()


def test_demo_refuses_a_database_with_data(tmp_path, capsys, monkeypatch):
    path = tmp_path / "shop.db"
    assert main(["--db", str(path), "demo", "--quiet", *ARGS]) == 0
    capsys.readouterr()
    monkeypatch.setenv("CRMDESK_PASSWORD", "demo")  # the demo made accounts: its owner tries again
    assert main(["--db", str(path), "--user", "owner", "demo", "--quiet", *ARGS]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "already has data" in lines[0]


def test_demo_bad_option_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "shop.db"
    for bad in (["--customers", "many"], ["--lines", "-5"], ["--end-date", "2025-13-01"], ["--seed", "-1"],
                ["--colour", "red"]):
        try:
            code = main(["--db", str(path), "demo", *bad])
        except SystemExit as exc:  # argparse exits on its own for bad options
            code = exc.code
        assert code == 2, bad
    assert main(["--db", str(path), "demo", "--customers", "3"]) == 2
