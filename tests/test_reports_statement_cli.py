"""``crmdesk report statement`` on the demo shop: PDF, xlsx and CSV outputs, errors, and the
closing balance agreeing with the receivables balance."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from cli_support import run_cli
from sqlalchemy import func, select

from crmdesk.db.models import Customer, Receipt
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.statement import statement
from crmdesk.services.actor import Actor
from crmdesk.services.balances import customer_balance

END = dt.date(2026, 6, 30)


@pytest.fixture
def busy_customer(demo_db):
    """The demo customer with the most receipts: (code, name, id)."""
    with demo_db.sessions() as s:
        cid = s.scalar(select(Receipt.customer_id).group_by(Receipt.customer_id)
                       .order_by(func.count().desc(), Receipt.customer_id).limit(1))
        c = s.get(Customer, cid)
        return c.code, c.name, c.id


def test_closing_balance_matches_receivables(demo_db, busy_customer):
    code, _name, cid = busy_customer
    with demo_db.sessions() as s:
        whole = statement(s, Actor.system(), ReportFilters(date_to=END), {"customer": code})
        year = statement(s, Actor.system(), ReportFilters(date_from=dt.date(2026, 1, 1), date_to=END),
                         {"customer": code})
        expected = customer_balance(s, cid, END).balance / 10_000
    assert whole["balance"].iloc[-1] == pytest.approx(expected, abs=0.005)
    assert year["balance"].iloc[-1] == pytest.approx(expected, abs=0.005)  # opening carries the past
    body = year[~year["kind"].isin(["opening", "closing"])]
    moved = body["order_amount"].fillna(0).sum() - body["receipt_amount"].fillna(0).sum()
    assert year["balance"].iloc[0] + moved == pytest.approx(year["balance"].iloc[-1], abs=0.005)
    assert list(body["date"]) == sorted(body["date"])


def test_cli_outputs(demo_db, busy_customer, capsys, tmp_path):
    code, name, _cid = busy_customer
    db = str(demo_db.file_path)
    pdf, xlsx = tmp_path / "st.pdf", tmp_path / "st.xlsx"
    for out in (pdf, xlsx):
        rc, _out, err = run_cli(capsys, "--db", db, "report", "statement", "--customer", code, "--from", "2026-01-01",
                                "--to", "2026-06-30", "--shop-name", "明德办公", "--out", str(out), user="owner")
        assert rc == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")
    ws = openpyxl.load_workbook(xlsx).active
    header_text = " ".join(str(c.value) for row in ws.iter_rows(max_row=6) for c in row if c.value)
    assert name in header_text and "明德办公" in header_text
    rc, out, _err = run_cli(capsys, "--db", db, "report", "statement", "--customer", code, "--to", "2026-06-30",
                            user="owner")
    rows = list(csv.reader(io.StringIO(out)))
    assert rc == 0
    assert rows[0] == ["date", "kind", "number", "description", "order_amount", "receipt_amount", "balance"]
    assert rows[1][1] == "opening" and rows[-1][1] == "closing"


@pytest.mark.parametrize("args", [("--customer", "NO-SUCH"), ()])
def test_cli_errors_exit_2(demo_db, capsys, args):
    rc, _out, err = run_cli(capsys, "--db", str(demo_db.file_path), "report", "statement", *args, user="owner")
    assert rc == 2
    assert len(err.strip().splitlines()) == 1
