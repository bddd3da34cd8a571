"""``crmdesk report``: CSV on stdout, --out xlsx/png/csv, --list, exit codes."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from cli_support import run_cli as run_any_cli
from test_reports_tiny_data import build_tiny_shop



@pytest.fixture
def dbfile(db):
    build_tiny_shop(db)
    return str(db.file_path)


def run_cli(capsys, dbfile, *args):
    """``crmdesk --db DBFILE report ARGS``."""
    return run_any_cli(capsys, "--db", dbfile, "report", *args)


def test_csv_to_stdout(dbfile, capsys):
    code, out, err = run_cli(capsys, dbfile, "margin", "--by", "customer")
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["customer", "customer_name", "revenue", "cost", "gross_profit", "margin_pct", "quantity"]
    assert table[1] == ["C001", "甲公司", "1700.00", "1040.00", "660.00", "38.82", "105.0"]


def test_filter_options(dbfile, capsys):
    code, out, _ = run_cli(capsys, dbfile, "margin", "--by", "customer", "--customer-type", "dealer,retail",
                           "--salesperson", "张三")
    assert code == 0
    assert [r[0] for r in csv.reader(io.StringIO(out))][1:] == ["C001"]
    code, out, _ = run_cli(capsys, dbfile, "margin", "--by", "category", "--category", "纸品", "--territory", "East",
                           "--from", "2024-03-01", "--to", "2024-03-31")
    assert code == 0
    assert list(csv.reader(io.StringIO(out)))[1][:2] == ["纸品", "600.00"]


def test_empty_result_prints_header_only(dbfile, capsys):
    code, out, _ = run_cli(capsys, dbfile, "key-customers", "--from", "2030-01-01")
    assert code == 0
    assert out.splitlines() == ["customer_code,customer_name,customer_type,revenue,cost,gross_profit,margin_pct,"
                                "gp_share_pct,cumulative_share_pct,abc_class"]


@pytest.mark.parametrize("args", [
    ["nosuch"], ["margin", "--by", "colour"], ["margin", "--from", "2024-13-01"], ["margin", "--territory", "Mars"],
    ["margin", "--salesperson", "nobody"], ["promotion-targets"], ["margin", "--out", "x.txt"], ["margin", "--bogus"],
    ["margin", "--price-min", "abc"],
])
def test_usage_errors_exit_2_with_one_line(dbfile, capsys, args):
    code, out, err = run_cli(capsys, dbfile, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_list(dbfile, capsys):
    for args in (["--list"], ["list"]):
        code, out, _ = run_cli(capsys, dbfile, *args)
        assert code == 0
        names = [line.split()[0] for line in out.splitlines()]
        for expected in ("margin", "key-customers", "rfm", "preferences", "purchases", "restock", "overstock",
                         "promotion-targets", "trends", "receivables"):
            assert expected in names


def test_xlsx_output(dbfile, capsys, tmp_path):
    out = tmp_path / "kc.xlsx"
    code, _, err = run_cli(capsys, dbfile, "key-customers", "--out", str(out))
    assert code == 0, err
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]][:4] == ["customer_code", "customer_name", "customer_type", "revenue"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws["D2"].value == 1700.0 and ws["D2"].number_format == "#,##0.00"
    assert ws["G2"].number_format == "0.00"  # margin_pct
    assert ws.column_dimensions["B"].width >= 8
    assert len(ws._charts) == 1


def test_png_and_csv_files(dbfile, capsys, tmp_path):
    png = tmp_path / "trends.png"
    assert run_cli(capsys, dbfile, "trends", "--out", str(png))[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    no_chart = tmp_path / "purchases.png"  # no chart of its own: the default bar chart
    assert run_cli(capsys, dbfile, "purchases", "--out", str(no_chart))[0] == 0
    assert no_chart.stat().st_size > 1000
    csv_file = tmp_path / "r.csv"
    assert run_cli(capsys, dbfile, "receivables", "--view", "collection", "--out", str(csv_file))[0] == 0
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "month,billed,collected,balance,dso_days"
    assert text.splitlines()[3] == "2024-03,1450.00,0.00,1950.00,60.2"
