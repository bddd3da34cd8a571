"""Issue 14, item 8: the statement takes a name or pinyin, prints the shop's details from
Settings, translates its 类型 column, and comes in batches for every customer with a balance."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest
from cli_support import run_cli
from test_reports_statement import _pdf_strings, _pdf_text_streams

from crmdesk.db.models import AuditLog, Customer, Product, Receipt, SalesLine, SalesOrder
from crmdesk.money import to_units
from crmdesk.reports.common import ReportError
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.statement import find_customer, statement
from crmdesk.reports.statement_batch import customers_with_balance, write_statement_files
from crmdesk.services.actor import Actor
from crmdesk.services.permissions import PermissionDenied
from crmdesk.services.shop_settings import ShopDetails, load_shop, save_shop

D = dt.date
SHOP = ShopDetails(name="明德办公用品商行", address="杭州市文三路 9 号", phone="0571-1234",
                   bank_account="工商银行文三路支行 6222 0000 1111", footer="对账有差异请于 7 日内联系王会计")


def _sale(s, customer, number, day, amount):
    order = SalesOrder(number=number, order_date=day, customer_id=customer.id, doc_type="sale", status="completed",
                       total_amount=to_units(amount))
    s.add(order)
    s.flush()
    s.add(SalesLine(order_id=order.id, line_no=1, product_id=s.query(Product).first().id, order_date=day,
                    customer_id=customer.id, quantity=1, unit_price=to_units(amount), amount=to_units(amount),
                    cost_amount=0))


@pytest.fixture
def shop(db, owner):
    """华联文具店 owes 300, 华联百货 owes 50, 晨星文具 paid all (balance 0), 预付客户 paid ahead (−20)."""
    from crmdesk.services.customers import refresh_search_texts

    with db.sessions.begin() as s:
        s.add(Product(code="P1", name="签字笔", list_price=0, cost=0))
        people = [Customer(code="C001", name="华联文具店"), Customer(code="C002", name="华联百货"),
                  Customer(code="C003", name="晨星文具"), Customer(code="C004", name="预付客户")]
        s.add_all(people)
        s.flush()
        hl, bh, cx, pre = people
        _sale(s, hl, "SO-1", D(2026, 3, 2), "500")
        s.add(Receipt(number="RC-1", receipt_date=D(2026, 3, 9), customer_id=hl.id, amount=to_units("200")))
        _sale(s, bh, "SO-2", D(2026, 3, 3), "50")
        _sale(s, cx, "SO-3", D(2026, 3, 4), "80")
        s.add(Receipt(number="RC-2", receipt_date=D(2026, 3, 5), customer_id=cx.id, amount=to_units("80")))
        s.add(Receipt(number="RC-3", receipt_date=D(2026, 3, 6), customer_id=pre.id, amount=to_units("20")))
        save_shop(s, owner, SHOP)
        refresh_search_texts(s)
    return db


MARCH = ReportFilters(date_from=D(2026, 3, 1), date_to=D(2026, 3, 31))


@pytest.mark.parametrize("typed, code", [("C001", "C001"), ("华联文具店", "C001"), ("hlwj", "C001"),
                                         ("hualianbaihuo", "C002"), ("晨星", "C003")])
def test_customer_by_code_name_or_pinyin(shop, owner, typed, code):
    with shop.sessions() as s:
        assert find_customer(s, owner, typed).code == code


def test_an_ambiguous_name_lists_the_candidates(shop, owner):
    with shop.sessions() as s, pytest.raises(ReportError) as info:
        find_customer(s, owner, "华联")
    assert "华联文具店 (C001)" in str(info.value) and "华联百货 (C002)" in str(info.value)


def test_shop_settings_are_kept_audited_and_need_the_right(shop, owner):
    with shop.sessions() as s:
        assert load_shop(s) == SHOP
        fields = set(s.scalars(AuditLog.__table__.select().with_only_columns(AuditLog.field)
                               .where(AuditLog.entity == "settings")))
    assert {"shop.name", "shop.bank_account", "shop.footer"} <= fields
    counter = Actor(user_id=None, username="front", role="counter", display_name="前台")
    with shop.sessions() as s, pytest.raises(PermissionDenied):
        save_shop(s, counter, ShopDetails(name="别的店"))


def test_kind_is_translated_in_xlsx_and_pdf_but_not_in_csv(shop, owner, tmp_path):
    from crmdesk.i18n import set_language
    from crmdesk.reports.statement_xlsx import write_statement_xlsx
    from crmdesk.reports.statement_pdf import write_statement_pdf

    set_language("zh_CN")
    try:
        with shop.sessions() as s:
            df = statement(s, owner, MARCH, {"customer": "C001"})
        write_statement_xlsx(df, tmp_path / "st.xlsx")
        write_statement_pdf(df, tmp_path / "st.pdf", prefer_embedded=False)  # CID text can be read back
    finally:
        set_language("en")
    assert list(df["kind"]) == ["opening", "sale", "receipt", "closing"]  # the data (CSV) keeps the codes
    ws = openpyxl.load_workbook(tmp_path / "st.xlsx").active
    start = next(c.row for c in ws["A"] if c.value == "日期")  # the table's header, in Chinese
    assert ws.cell(row=start, column=2).value == "类型"
    assert [ws.cell(row=start + i, column=2).value for i in range(1, 5)] == ["期初", "销售", "收款", "期末"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert SHOP.bank_account in text and SHOP.footer in text and SHOP.name in text
    pdf = _pdf_strings(_pdf_text_streams((tmp_path / "st.pdf").read_bytes()))
    for word in ("期初", "销售", "收款", "期末", "6222 0000 1111", "王会计", "杭州市文三路"):
        assert word in pdf, word


def test_batch_takes_every_customer_with_a_balance(shop, owner, tmp_path):
    with shop.sessions() as s:
        assert customers_with_balance(s, owner, MARCH, D(2026, 3, 31)) == [
            ("C001", "华联文具店"), ("C002", "华联百货"), ("C004", "预付客户")]  # C003 is square
        df = statement(s, owner, MARCH, {"all_with_balance": True})
    assert list(df.columns[:2]) == ["customer_code", "customer_name"]
    closing = df[df["kind"] == "closing"].set_index("customer_code")["balance"]
    assert closing.to_dict() == {"C001": 300.0, "C002": 50.0, "C004": -20.0}
    files = write_statement_files(df, tmp_path / "out", "pdf")
    assert [f.name for f in files] == ["C001_华联文具店.pdf", "C002_华联百货.pdf", "C004_预付客户.pdf"]
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)


def test_batch_with_nobody_owing_says_so(shop, owner, tmp_path):
    from crmdesk.reports.statement import _export_pdf

    early = ReportFilters(date_to=D(2026, 1, 31))
    with shop.sessions() as s:
        df = statement(s, owner, early, {"all_with_balance": True})
    assert df.empty
    with pytest.raises(ReportError, match="no customer has a balance"):
        _export_pdf(df, {}, tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_cli_batch_to_one_pdf_and_to_a_folder(demo_db, capsys, tmp_path):
    db = str(demo_db.file_path)
    args = ("--db", db, "report", "statement", "--all-with-balance", "--from", "2026-06-01", "--to", "2026-06-30",
            "--customer-type", "dealer")
    rc, out, err = run_cli(capsys, *args, user="owner")
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    codes = list(dict.fromkeys(r["customer_code"] for r in rows))
    assert codes and all(r["kind"] in ("opening", "sale", "return", "receipt", "closing", "settled") for r in rows)
    closing = [r for r in rows if r["kind"] == "closing"]
    assert len(closing) == len(codes) and all(float(r["balance"]) != 0 for r in closing)

    rc, _out, err = run_cli(capsys, *args, "--out", str(tmp_path / "all.pdf"), user="owner")
    assert rc == 0, err
    data = (tmp_path / "all.pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", data)) >= len(codes)

    rc, _out, err = run_cli(capsys, *args, "--batch-format", "xlsx", "--out", str(tmp_path / "folder"), user="owner")
    assert rc == 0 and f"{len(codes)} files written to" in err, err
    written = sorted(p.name.split("_")[0] for p in (tmp_path / "folder").glob("*.xlsx"))
    assert written == sorted(codes)

    rc, _out, err = run_cli(capsys, *args, "--out", str(tmp_path / "all.xlsx"), user="owner")
    assert rc == 0, err
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames == codes


def test_cli_customer_by_name_and_still_needs_one(demo_db, capsys):
    with demo_db.sessions() as s:
        name, code = s.query(Customer.name, Customer.code).filter(Customer.archived.is_(False)).first()
    db = str(demo_db.file_path)
    rc, out, err = run_cli(capsys, "--db", db, "report", "statement", "--customer", name, "--to", "2026-06-30",
                           user="owner")
    assert rc == 0, err
    assert pd.read_csv(io.StringIO(out))["kind"].iloc[0] == "opening"
    rc, _out, err = run_cli(capsys, "--db", db, "report", "statement", user="owner")
    assert rc == 2 and len(err.strip().splitlines()) == 1
