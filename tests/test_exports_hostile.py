"""Issue 12 item 8: hostile text never leaves the app as a live formula. Every report of the
registry (a new report is covered without touching this file) × every table format (xlsx file,
csv file, csv on stdout) on a demo shop whose customers, products, brands and categories carry
formula-like names; plus the rejected-rows workbook, the customer/opportunity exports, the
statements and the UI's table export."""

from __future__ import annotations

import csv
import io
import shutil

import openpyxl
import pandas as pd
import pytest
from cli_support import run_cli

from crmdesk.core import table_out
from crmdesk.reports.registry import REPORTS

HOSTILE = ("=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=2+2")
PERIOD = ("--from", "2024-01-01", "--to", "2026-06-30")
# A cell "holds" a hostile text when it contains one (xlsx stores a carriage return as a line feed).
MARKS = tuple(h.lstrip("\t\r") for h in HOSTILE)
STARTS = table_out.FORMULA_STARTS


def _hostile(i: int) -> str:
    return f"{HOSTILE[i % len(HOSTILE)]} {i}"


@pytest.fixture(scope="module")
def hostile_db(demo_db_file, tmp_path_factory):
    """A copy of the demo shop where every customer, product, brand and category is named hostilely."""
    from sqlalchemy import select

    from crmdesk.db import open_database
    from crmdesk.db.models import Customer, Product

    path = tmp_path_factory.mktemp("hostile") / "demo.db"
    shutil.copyfile(demo_db_file, path)
    database = open_database(path)
    try:
        with database.sessions.begin() as s:
            for i, c in enumerate(s.scalars(select(Customer).order_by(Customer.id))):
                c.name = _hostile(i)
            for i, p in enumerate(s.scalars(select(Product).order_by(Product.id))):
                p.name, p.brand, p.category = _hostile(i), _hostile(i % 5), _hostile(i % 3)
        with database.sessions() as s:
            code = s.scalar(select(Customer.code).order_by(Customer.id))
    finally:
        database.dispose()
    return path, code


def _extra_args(name: str, code: str) -> tuple[str, ...]:
    """What a report cannot run without (a report that needs more fails here, never skips)."""
    return {"statement": ("--customer", code), "promotion-targets": (f"--brand={_hostile(0)}",)}.get(name, ())


def _holds_hostile(value) -> bool:
    return isinstance(value, str) and any(m in value for m in MARKS)


def _xlsx_problems(path) -> tuple[list[str], int]:
    """Formula cells and unguarded formula-like text cells; and how many hostile texts were seen."""
    problems, seen = [], 0
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(STARTS):
                    if not cell.quotePrefix:
                        problems.append(f"{ws.title}!{cell.coordinate} unguarded: {cell.value!r}")
                seen += _holds_hostile(cell.value)
    return problems, seen


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _csv_problems(text: str) -> tuple[list[str], int]:
    problems, seen = [], 0
    for r, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        for c, value in enumerate(row, 1):
            if value.startswith(STARTS) and not _is_number(value):
                problems.append(f"row {r} column {c}: {value!r}")
            seen += _holds_hostile(value)
    return problems, seen


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_in_every_table_format_is_formula_free(name, hostile_db, capsys, tmp_path):
    path, code = hostile_db
    base = ("--db", str(path), "report", name, *PERIOD, *_extra_args(name, code))
    seen = 0
    rc, out, err = run_cli(capsys, *base, user="owner")
    assert rc == 0, err
    problems, n = _csv_problems(out)
    assert not problems, f"{name} csv on stdout: {problems[:5]}"
    seen += n
    csv_file = tmp_path / f"{name}.csv"
    rc, _o, err = run_cli(capsys, *base, "--out", str(csv_file), user="owner")
    assert rc == 0, err
    problems, n = _csv_problems(csv_file.read_text(encoding="utf-8-sig"))
    assert not problems, f"{name} csv file: {problems[:5]}"
    seen += n
    xlsx_file = tmp_path / f"{name}.xlsx"
    rc, _o, err = run_cli(capsys, *base, "--out", str(xlsx_file), user="owner")
    assert rc == 0, err
    problems, n = _xlsx_problems(xlsx_file)
    assert not problems, f"{name} xlsx: {problems[:5]}"
    seen += n
    # Reports that name customers or products must really have carried the hostile names.
    if name in ("key-customers", "rfm", "purchases", "receivables", "statement", "margin", "restock",
                "promotion-targets", "lifetime", "preferences"):
        assert seen, f"{name}: no hostile name reached the output, the test proves nothing"


def test_statements_of_every_customer_are_formula_free(hostile_db, capsys, tmp_path):
    path, _code = hostile_db
    out = tmp_path / "all.xlsx"
    rc, _o, err = run_cli(capsys, "--db", str(path), "report", "statement", "--all-with-balance", *PERIOD,
                          "--out", str(out), user="owner")
    assert rc == 0, err
    problems, seen = _xlsx_problems(out)
    assert not problems and seen


def test_values_are_kept_numbers_stay_numbers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    table_out.append_row(wb.active, ["=1+1", -2, 3.5, "-2+3", "ok"])
    wb.save(tmp_path / "t.xlsx")
    cells = next(openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows())
    assert [c.value for c in cells] == ["=1+1", -2, 3.5, "-2+3", "ok"]
    assert [c.data_type for c in cells] == ["s", "n", "n", "s", "s"]
    assert [bool(c.quotePrefix) for c in cells] == [True, False, False, True, False]
    frame = table_out.safe_frame(pd.DataFrame({"name": ["-2+3", "@x", "a"], "n": [-2, 1, 2]}))
    assert list(frame["name"]) == ["'-2+3", "'@x", "a"] and list(frame["n"]) == [-2, 1, 2]
    assert table_out.csv_cell("\r=1") == "'\n=1"  # a lone CR would end the row in Excel
    assert table_out.tsv_text(["a"], [["=1+1\tx"], [-2]]) == "a\n'=1+1 x\n-2\n"


def test_rejected_rows_workbook_is_formula_free(capsys, tmp_path):
    from data_import.helpers import GJP_SALES, write

    text = (GJP_SALES.replace("广州文具店,张三", "=cmd|' /C calc'!A0,@SUM(A1)")
            .replace(",20,-20,-15", ",=1+1,-20,-15"))
    bad = write(tmp_path, "bad.csv", text)
    out = tmp_path / "rejected.xlsx"
    rc, _o, err = run_cli(capsys, "--db", str(tmp_path / "shop.db"), "import", str(bad), "--rejected-xlsx", str(out))
    assert rc == 0, err
    problems, seen = _xlsx_problems(out)
    assert not problems and seen
    values = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert "=1+1" in values and "=cmd|' /C calc'!A0" in values  # kept as they were, as text


def test_customer_and_opportunity_exports_are_formula_free(hostile_db, tmp_path):
    from crmdesk.db import open_database
    from crmdesk.services.customer_export import export_customers
    from crmdesk.services.opportunity_export import export_opportunities
    from crmdesk.services.users import authenticate

    path, _code = hostile_db
    database = open_database(path)
    try:
        with database.sessions.begin() as s:
            actor = authenticate(s, "owner", "demo")
            export_customers(s, actor, tmp_path / "c.xlsx")
            export_customers(s, actor, tmp_path / "c.csv")
            export_opportunities(s, actor, tmp_path / "o.xlsx")
    finally:
        database.dispose()
    for f in ("c.xlsx", "o.xlsx"):
        problems, seen = _xlsx_problems(tmp_path / f)
        assert not problems and seen, f
    problems, seen = _csv_problems((tmp_path / "c.csv").read_text(encoding="utf-8-sig"))
    assert not problems and seen


def test_ui_table_export_is_formula_free(tmp_path):
    from crmdesk.ui.analysis.export import write_dataframe_xlsx

    frame = pd.DataFrame({"customer_name": list(HOSTILE), "revenue": [-2.0] * len(HOSTILE)})
    out = write_dataframe_xlsx(frame, tmp_path / "t.xlsx", money_columns=["revenue"],
                               about=[("Filter: customer", HOSTILE[0])])
    problems, seen = _xlsx_problems(out)
    assert not problems and seen >= len(HOSTILE) + 1
    assert openpyxl.load_workbook(out).active["B2"].value == -2.0


def test_ctrl_c_in_a_table_copies_neutralised_text(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from crmdesk.ui.widgets.table_copy import install_table_copy

    install_table_copy()
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["customer", "balance"])
    for name in HOSTILE:
        model.appendRow([QStandardItem(name), QStandardItem("-2.00")])
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.show()
    view.selectAll()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0] == "customer\tbalance" and len(lines) == len(HOSTILE) + 1
    for line in lines[1:]:
        name, balance = line.split("\t")
        assert name.startswith("'") and balance == "-2.00"
    view.selectionModel().select(model.index(0, 0), view.selectionModel().SelectionFlag.ClearAndSelect)
    # one cell: just its text, still neutralised
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "'" + HOSTILE[0] + "\n"
