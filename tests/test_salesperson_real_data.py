"""A salesperson's figures on real data, end to end through the CLI.

Superstore (real sample data, not ours) names a regional manager per region in its "People"
sheet. Each customer is given, in a customers file with a 业务员 column, the manager of the
region of its first order; the real Superstore sales file is imported unchanged. A manager who
logs in sees exactly their customers: `report margin --by customer` equals, customer by
customer, the sums computed here independently with exact decimals from the source file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from cli_support import run_cli

# Superstore's People sheet: Region → Regional Manager.
PEOPLE = {"West": "Anna Andreadi", "East": "Chuck Magee", "Central": "Kelly Williams", "South": "Cassandra Brandow"}


def _owners_and_expected(source):
    with open(source, encoding="cp1252", newline="") as fh:
        rows = list(csv.DictReader(fh))
    first: dict[str, tuple] = {}
    for r in rows:
        key = (dt.datetime.strptime(r["Order Date"], "%m/%d/%Y").date(), int(r["Row ID"]))
        if r["Customer ID"] not in first or key < first[r["Customer ID"]][0]:
            first[r["Customer ID"]] = (key, r["Customer Name"], PEOPLE[r["Region"]])
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        revenue[r["Customer ID"]] += Decimal(r["Sales"])
    return first, revenue


@pytest.mark.parametrize("manager", ["Anna Andreadi", "Cassandra Brandow"])
def test_regional_manager_sees_exactly_their_customers_sales(tmp_path, capsys, monkeypatch, shared_data, manager):
    source = shared_data / "superstore_2014-2017.csv"
    first, revenue = _owners_and_expected(source)
    customers = tmp_path / "客户.csv"
    with open(customers, "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["客户编号", "客户名称", "业务员"])
        for code, (_key, name, person) in sorted(first.items()):
            w.writerow([code, name, person])
    db = str(tmp_path / "shop.db")
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "owner-pass-1")
    assert run_cli(capsys, "--db", db, "user", "add", "boss", "--role", "owner")[0] == 0
    monkeypatch.setenv("CRMDESK_PASSWORD", "owner-pass-1")
    code, out, err = run_cli(capsys, "--db", db, "--user", "boss", "import", str(source), "--profile", "superstore")
    assert code == 0, err
    code, out, err = run_cli(capsys, "--db", db, "--user", "boss", "import", str(customers), "--kind", "customers")
    assert code == 0, err
    # The imported 业务员 becomes a login account with the same id (their customers stay theirs).
    monkeypatch.setenv("CRMDESK_NEW_PASSWORD", "manager-pass-1")
    code, out, err = run_cli(capsys, "--db", db, "--user", "boss", "user", "add", manager, "--role", "sales")
    assert code == 0, err
    monkeypatch.setenv("CRMDESK_PASSWORD", "manager-pass-1")
    code, out, err = run_cli(capsys, "--db", db, "--user", manager, "report", "margin", "--by", "customer")
    assert code == 0, err
    got = {r["customer"]: Decimal(r["revenue"]) for r in csv.DictReader(io.StringIO(out))}
    mine = {c for c, (_k, _n, person) in first.items() if person == manager}
    expected = {c: revenue[c].quantize(Decimal("0.01"), ROUND_HALF_UP) for c in mine}
    assert set(got) == mine
    assert got == expected
    # And another manager's customers are not there.
    assert not set(got) & {c for c, (_k, _n, p) in first.items() if p != manager}
