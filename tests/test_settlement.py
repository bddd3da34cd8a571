"""Settlement of counter sales: each decision path (customer, terms, type, default, file option,
profile, CLI), what the balances, receivables, dashboard and statement make of it, re-applying
the rules, and the migration that adds it."""

from __future__ import annotations

import datetime as dt

import pytest
from data_import.helpers import GJP_HEADER, scalar, write
from sqlalchemy import select, text

from crmdesk.cli import main
from crmdesk.db import connect, open_database
from crmdesk.db.migrate import current_revision, head_revision, upgrade
from crmdesk.db.models import Customer, CustomerType
from crmdesk.importers import import_file
from crmdesk.importers.profiles import load_profile_file
from crmdesk.reports import registry
from crmdesk.reports.dashboard import dashboard_data
from crmdesk.reports.filters import ReportFilters
from crmdesk.services import balances, settlement
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import PermissionDenied

DAY = "2024-03-07"
AS_OF = dt.date(2024, 12, 31)
# code, type code, payment terms, credit limit (yuan), own setting
SHOP = [("WALKIN", "retail", 0, 0, ""), ("TERMS", "retail", 30, 0, ""), ("LIMIT", "retail", 0, 5000, ""),
        ("DEALER", "dealer", 0, 0, ""), ("OWNCASH", "dealer", 30, 0, "at_sale"), ("OWNCREDIT", "retail", 0, 0, "credit")]


def _customers(db) -> None:
    with db.sessions.begin() as s:
        types = {t.code: t.id for t in s.scalars(select(CustomerType))}
        for code, tcode, terms, limit, own in SHOP:
            s.add(Customer(code=code, name=f"客户{code}", type_id=types[tcode], payment_terms_days=terms,
                           credit_limit=limit * 10000, settlement=own))


def _sales_csv(tmp_path, name: str = "sales.csv", amount: int = 100):
    lines = [GJP_HEADER] + [f"{DAY},XS-{code},销售单,{code},客户{code},张三,总店,P001,中性笔,支,1,{amount},{amount},50"
                            for code, *_rest in SHOP]
    return write(tmp_path, name, "\n".join(lines) + "\n")


def _settlements(db) -> dict[str, str]:
    with db.engine.connect() as conn:
        return {number.removeprefix("XS-"): mode for number, mode in  # XS-<customer code> by _sales_csv
                conn.execute(text("SELECT number, settlement FROM sales_orders"))}


def _set_types(db, owner, **by_code) -> None:
    with db.sessions.begin() as s:
        types = {t.code: t.id for t in s.scalars(select(CustomerType))}
        rules = settlement.load_rules(s)
        settlement.save_rules(s, owner, rules.terms_mean_credit, rules.default,
                              {types[c]: mode for c, mode in by_code.items()})


# --- the rules ----------------------------------------------------------------------------------

def test_rules_decide_in_order_customer_terms_type_default():
    rules = settlement.Rules(terms_mean_credit=True, default="at_sale", by_type={2: "credit", 3: "at_sale"})
    own = ["", "", "", "", "", "at_sale", "credit"]
    terms = [0, 30, 0, 0, 0, 30, 0]
    limit = [0, 0, 50000, 0, 0, 0, 0]
    types = [None, 1, 1, 2, 3, 2, 3]
    got = settlement.at_sale_mask(own, terms, limit, types, rules).tolist()
    #        default  terms  limit  type credit  type cash  own cash (beats terms)  own credit (beats type)
    assert got == [True, False, False, False, True, True, False]
    off = settlement.Rules(terms_mean_credit=False, default="credit", by_type={3: "at_sale"})
    assert settlement.at_sale_mask(own, terms, limit, types, off).tolist() == [False, False, False, False, True,
                                                                               True, False]


def test_rules_are_stored_audited_and_refused_to_counter_staff(db, owner):
    with db.sessions.begin() as s:
        dealer = s.scalar(select(CustomerType.id).where(CustomerType.code == "dealer"))
        settlement.save_rules(s, owner, False, "credit", {dealer: "at_sale"})
    with db.sessions() as s:
        rules = settlement.load_rules(s)
        assert (rules.terms_mean_credit, rules.default, rules.by_type) == (False, "credit", {dealer: "at_sale"})
        assert "(off)" in "\n".join(settlement.rule_lines(rules))
        with pytest.raises(ValidationError):
            settlement.save_rules(s, owner, True, "", {})
        counter = Actor(user_id=None, username="c", role="counter")
        with pytest.raises(PermissionDenied):
            settlement.save_rules(s, counter, True, "at_sale", {})
    assert scalar(db, "SELECT COUNT(*) FROM audit_log WHERE field = 'settlement' AND entity = 'customer_types'") == 1


# --- the import ---------------------------------------------------------------------------------

def test_import_settles_each_order_by_its_customers_rule(db, owner, tmp_path):
    _customers(db)
    _set_types(db, owner, dealer="credit")
    r = import_file(db, owner, _sales_csv(tmp_path))
    assert r.status == "done", r.message
    assert _settlements(db) == {"WALKIN": "at_sale", "TERMS": "credit", "LIMIT": "credit", "DEALER": "credit",
                                "OWNCASH": "at_sale", "OWNCREDIT": "credit"}
    # 4 credit orders of 100 yuan, 2 paid at sale
    assert (r.receivable, r.settled_at_sale) == (400 * 10000, 200 * 10000)
    assert any("¥400.00 receivable" in n and "¥200.00 settled at sale" in n for n in r.notes)
    with db.sessions() as s:
        ids = dict(s.execute(select(Customer.code, Customer.id)).all())
        got = balances.balances_for(s, as_of=AS_OF)
        assert got[ids["WALKIN"]].balance == 0 and got[ids["WALKIN"]].settled == 100 * 10000
        assert got[ids["WALKIN"]].sales == 100 * 10000  # still a sale: only not owed
        assert got[ids["DEALER"]].balance == 100 * 10000 and got[ids["DEALER"]].overdue == 100 * 10000
        assert balances.customer_balance(s, ids["OWNCASH"], AS_OF).overdue == 0
        overdue = set(s.scalars(select(Customer.code).where(balances.overdue_condition(Customer.id, AS_OF))))
        overdue_correlated = set(s.scalars(select(Customer.code).where(
            balances.overdue_condition(Customer.id, AS_OF, correlated=True))))
        assert overdue == overdue_correlated == {"TERMS", "LIMIT", "DEALER", "OWNCREDIT"}


def test_default_on_credit_and_type_at_sale(db, owner, tmp_path):
    _customers(db)
    with db.sessions.begin() as s:
        retail = s.scalar(select(CustomerType.id).where(CustomerType.code == "retail"))
        settlement.save_rules(s, owner, True, "credit", {retail: "at_sale"})
    import_file(db, owner, _sales_csv(tmp_path))
    assert _settlements(db) == {"WALKIN": "at_sale", "TERMS": "credit", "LIMIT": "credit", "DEALER": "credit",
                                "OWNCASH": "at_sale", "OWNCREDIT": "credit"}


def test_import_option_marks_the_whole_file_paid_and_is_not_skipped_as_the_same_file(db, owner, tmp_path):
    _customers(db)
    path = _sales_csv(tmp_path)
    first = import_file(db, owner, path)
    assert first.receivable == 300 * 10000  # TERMS, LIMIT, OWNCREDIT (dealer: shop default, pays at sale)
    again = import_file(db, owner, path, paid_at_sale=True)
    assert again.status == "done" and again.unchanged == 6  # not skipped: read another way
    assert set(_settlements(db).values()) == {"file"}
    assert (again.receivable, again.settled_at_sale) == (0, 600 * 10000)
    assert scalar(db, "SELECT profile FROM import_batches WHERE id = :i", i=again.batch_id).endswith("paid at sale")
    with db.sessions() as s:
        assert sum(b.balance for b in balances.balances_for(s, as_of=AS_OF).values()) == 0


def test_profile_key_paid_at_sale(db, owner, tmp_path):
    _customers(db)
    toml = tmp_path / "counter.toml"
    toml.write_text('name = "counter"\nkind = "sales"\npaid_at_sale = true\n', encoding="utf-8")
    profile = load_profile_file(toml)
    assert profile.paid_at_sale
    r = import_file(db, owner, _sales_csv(tmp_path), profile=profile)
    assert r.status == "done", r.message
    assert set(_settlements(db).values()) == {"file"} and r.receivable == 0
    # an explicit False overrides the profile: the customers' rules decide
    other = write(tmp_path, "other.csv", GJP_HEADER + f"\n{DAY},XS-T2,销售单,TERMS,客户TERMS,张三,总店,P001,笔,支,1,7,7,5\n")
    r2 = import_file(db, owner, other, profile=profile, paid_at_sale=False)
    assert r2.status == "done" and r2.receivable == 7 * 10000
    assert scalar(db, "SELECT settlement FROM sales_orders WHERE number = 'XS-T2'") == "credit"


def test_cli_paid_at_sale_option_and_output(tmp_path, capsys):
    shop = tmp_path / "shop.db"
    open_database(shop).dispose()
    path = _sales_csv(tmp_path)
    assert main(["--db", str(shop), "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "of the file's ¥600.00: ¥0.00 receivable (on credit), ¥600.00 settled at sale" in out  # stubs: default
    assert main(["--db", str(shop), "import", str(path), "--paid-at-sale"]) == 0
    assert "¥600.00 settled at sale" in capsys.readouterr().out
    db = open_database(shop)
    try:
        assert set(_settlements(db).values()) == {"file"}
    finally:
        db.dispose()


def test_receipts_of_customers_who_pay_at_sale_are_pointed_out(db, owner, tmp_path):
    _customers(db)
    import_file(db, owner, _sales_csv(tmp_path))
    text_ = "收款单号,收款日期,客户编号,客户名称,收款金额,结算方式\nSK1,2024-03-08,WALKIN,客户WALKIN,100,现金\n" \
            "SK2,2024-03-09,TERMS,客户TERMS,100,转账\n"
    r = import_file(db, owner, write(tmp_path, "r.csv", text_))
    assert r.status == "done"
    assert any(n.startswith("1 receipts (¥100.00) are from customers whose sales were all settled at sale")
               for n in r.notes), r.notes


# --- reports and re-applying --------------------------------------------------------------------

def test_receivables_dashboard_and_statement_follow(db, owner, tmp_path):
    _customers(db)
    import_file(db, owner, _sales_csv(tmp_path))
    f = ReportFilters(as_of=AS_OF)
    with db.sessions() as s:
        ageing = registry.get("receivables").fn(s, owner, f, {})
        collection = registry.get("receivables").fn(s, owner, f, {"view": "collection"})
        stmt = registry.get("statement").fn(s, owner, f, {"customer": "WALKIN"})
        credit_stmt = registry.get("statement").fn(s, owner, f, {"customer": "TERMS"})
    assert set(ageing["customer_code"]) == {"TERMS", "LIMIT", "OWNCREDIT"}
    assert ageing["balance"].sum() == 300.0
    assert collection["billed"].sum() == 300.0
    assert list(stmt["kind"]) == ["opening", "sale", "settled", "closing"]
    assert stmt["balance"].iloc[-1] == 0.0 and stmt["receipt_amount"].iloc[2] == 100.0
    assert credit_stmt["balance"].iloc[-1] == 100.0


def test_dashboard_receivables_tile(db, owner, tmp_path):
    _customers(db)
    import_file(db, owner, _sales_csv(tmp_path))
    with db.sessions() as s:
        d = dashboard_data(s, owner, ReportFilters(date_from=dt.date(2024, 1, 1), date_to=AS_OF))
    kpi = {k.key: k.value for k in d.kpis}
    assert kpi["receivables"] == 300.0


def test_reapply_after_setting_up_types_spares_what_a_file_said(db, owner, tmp_path):
    _customers(db)
    import_file(db, owner, _sales_csv(tmp_path))
    other = write(tmp_path, "paid.csv", GJP_HEADER + f"\n{DAY},XS-P,销售单,DEALER,客户DEALER,张三,总店,P001,笔,支,1,9,9,5\n")
    import_file(db, owner, other, paid_at_sale=True)
    _set_types(db, owner, dealer="credit", retail="credit")
    with db.sessions() as s:
        preview = settlement.reapply(s, owner, dry_run=True)
    # WALKIN (retail → credit) and DEALER (dealer → credit) turn owed; OWNCASH keeps its own word
    assert (preview.orders, preview.to_credit, preview.to_at_sale) == (2, 200 * 10000, 0)
    with db.sessions.begin() as s:
        done = settlement.reapply(s, owner)
    assert (done.orders, done.to_credit, done.to_at_sale) == (2, 200 * 10000, 0)
    got = _settlements(db)
    assert got["WALKIN"] == got["DEALER"] == "credit" and got["OWNCASH"] == "at_sale"
    assert scalar(db, "SELECT settlement FROM sales_orders WHERE number = 'XS-P'") == "file"
    assert scalar(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'settle'") == 1


def test_customer_form_setting_is_validated_and_audited(db, owner):
    from crmdesk.services.customer_profile import financial_summary
    from crmdesk.services.customers import CustomerInput, create_customer, update_customer

    with db.sessions.begin() as s:
        cid = create_customer(s, owner, CustomerInput(name="现金客户", settlement="at_sale")).id
    with db.sessions() as s:
        fin = financial_summary(s, owner, cid)
        assert (fin.settlement, fin.settles, fin.settles_why) == ("at_sale", "at_sale", "set on the customer")
        with pytest.raises(ValidationError):
            update_customer(s, owner, cid, CustomerInput(name="现金客户", settlement="cash"), None)


# --- real files -----------------------------------------------------------------------------------

def test_superstore_after_guanjiapo_receivables_are_the_credit_customers_share(db, owner, shared_data):
    stock = import_file(db, owner, shared_data / "guanjiapo_T3_mrp_report.xls", kind="stock")
    assert stock.ok, stock.message
    r = import_file(db, owner, shared_data / "superstore_2014-2017.csv")
    assert r.ok, r.message
    # Its customers are new (no terms, no limit, types made by the import): the shop's default, paid at sale
    assert (r.receivable, r.settled_at_sale) == (0, r.receivable + r.settled_at_sale)
    assert round(r.settled_at_sale / 10000, 2) == pytest.approx(2297200.86, abs=0.01)
    f = ReportFilters(as_of=dt.date(2017, 12, 31))
    with db.sessions() as s:
        assert registry.get("receivables").fn(s, owner, f, {}).empty
    # The owner sets the segment Corporate on credit and applies the rules to the history
    with db.sessions.begin() as s:
        corporate = s.scalar(select(CustomerType.id).where(CustomerType.name == "Corporate"))
        settlement.save_rules(s, owner, True, "at_sale", {corporate: "credit"})
        done = settlement.reapply(s, owner)
    assert round(done.to_credit / 10000, 2) == 706146.37
    with db.sessions() as s:
        ageing = registry.get("receivables").fn(s, owner, f, {})
        tile = dashboard_data(s, owner, ReportFilters(date_from=dt.date(2017, 1, 1), date_to=f.as_of)).kpi(
            "receivables").value
    assert tile == 706146.37  # summed in units
    assert ageing["balance"].sum() == pytest.approx(706146.37, abs=0.005 * len(ageing))  # each row rounded to fen
    # importing the same file again now (forced) counts Corporate's share as receivable
    again = import_file(db, owner, shared_data / "superstore_2014-2017.csv", skip_same_content=False, dry_run=True)
    assert round(again.receivable / 10000, 2) == 706146.37


# --- the migration --------------------------------------------------------------------------------

def test_migration_0008_keeps_existing_sales_owed(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path)
    upgrade(old, "0007")
    t = {"t": dt.datetime(2024, 1, 1)}
    with old.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO customers (id, code, name, short_name, grade, status, province, city, district, address, "
            "phone, mobile, email, tax_id, credit_limit, payment_terms_days, notes, is_incomplete, archived, "
            "search_text, created_at, updated_at) VALUES (1, 'KH1', '门市客户', '', '', 'active', '', '', '', '', '', "
            "'', '', '', 0, 0, '', 0, 0, '', :t, :t)"), t)
        conn.execute(text("INSERT INTO sales_orders (id, number, order_date, customer_id, status, doc_type, warehouse, "
                          "total_amount, notes, created_at, updated_at) VALUES (1, 'XS-KH1', '2024-01-02', 1, "
                          "'completed', 'sale', '', 1000000, '', :t, :t)"), t)
    old.dispose()
    db = open_database(path)
    try:
        assert current_revision(db) == head_revision()
        assert _settlements(db) == {"KH1": "credit"}  # no silent change of an upgraded shop's balances
        assert scalar(db, "SELECT settlement FROM customers") == ""
        assert scalar(db, "SELECT COUNT(*) FROM customer_types WHERE settlement != ''") == 0
    finally:
        db.dispose()
