"""``crmdesk contacts import FILE… --match [--dry-run] [--create-customers]``: the plan per card,
the counts, nothing changed by a dry run, exit codes; --customer still works and excludes --match."""

from __future__ import annotations

from cli_support import run_cli
from sqlalchemy import func, select
from test_contacts_match import BOOK, book_shop  # noqa: F401  (fixture)

from crmdesk.db.models import Contact, Customer


def _counts(db):
    with db.sessions() as s:
        return (s.scalar(select(func.count()).select_from(Contact)),
                s.scalar(select(func.count()).select_from(Customer)))


def _cli(capsys, db, *args):
    return run_cli(capsys, "--db", str(db.engine.url.database), *args, user="owner", password="secret-pw")


def test_dry_run_prints_the_plan_and_changes_nothing(book_shop, capsys):  # noqa: F811
    db, _owner, _ids, path = book_shop
    before = _counts(db)
    code, out, err = _cli(capsys, db, "contacts", "import", str(path), "--match", "--dry-run")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "phone.vcf, card 1 李四 → matched 广州晨星文具店 [phone 020 8765 4321]: add contact" in lines
    assert "phone.vcf, card 2 张三 → matched 深圳华通文具店 [phone +86 138-0013-8000]: update contact" in lines
    assert any(line.startswith("phone.vcf, card 5 钱七 (佛山新星办公用品有限公司) → new customer 佛山新星办公用品有限公司")
               and line.endswith("offered (--create-customers creates it)") for line in lines)
    assert "phone.vcf, card 7 周九 → unmatched: not imported" in lines
    assert any("card 9" in line and "no name" in line for line in lines)
    assert ("9 cards: 6 matched (4 to add, 1 to update, 0 already there), 2 new customers offered, 1 unmatched; "
            "0 lines skipped") in lines
    assert lines[-1] == "dry run: nothing changed"
    assert _counts(db) == before


def test_match_applies_and_creates_customers_only_when_asked(book_shop, capsys):  # noqa: F811
    db, _owner, _ids, path = book_shop
    contacts, customers = _counts(db)
    code, out, _err = _cli(capsys, db, "contacts", "import", str(path), "--match")
    assert code == 0
    assert out.splitlines()[-1] == ("contacts: 4 added, 1 updated, 0 already there; new customers: 0;"
                                    " cards not imported: 4")
    assert _counts(db) == (contacts + 4, customers)
    code, out, _err = _cli(capsys, db, "contacts", "import", str(path), "--match", "--create-customers")
    assert code == 0
    assert "create customer, add contact" in out
    assert out.splitlines()[-1] == ("contacts: 2 added, 0 updated, 5 already there; new customers: 1;"
                                    " cards not imported: 2")
    assert _counts(db) == (contacts + 6, customers + 1)
    code, out, _err = _cli(capsys, db, "contacts", "import", str(path), "--match", "--create-customers")
    assert out.splitlines()[-1].startswith("contacts: 0 added, 0 updated, 7 already there; new customers: 0")
    assert _counts(db) == (contacts + 6, customers + 1)


def test_usage_errors_and_unreadable_files(book_shop, capsys, tmp_path):  # noqa: F811
    db, _owner, _ids, path = book_shop
    code, _out, err = _cli(capsys, db, "contacts", "import", str(path), "--match", "--customer", "C000001")
    assert code == 2 and "not allowed with argument" in err
    code, _out, err = _cli(capsys, db, "contacts", "import", str(path))
    assert code == 2 and "one of the arguments --customer --match is required" in err
    code, _out, err = _cli(capsys, db, "contacts", "import", str(path), "--customer", "C000001", "--dry-run")
    assert code == 2 and err.strip() == "crmdesk contacts: --dry-run and --create-customers go with --match"
    bad = tmp_path / "sales.csv"
    bad.write_text("单号,金额\n1,2\n", encoding="utf-8")
    contacts, customers = _counts(db)
    code, out, _err = _cli(capsys, db, "contacts", "import", str(bad), str(path), "--match")
    assert code == 1 and out.splitlines()[0].startswith("sales.csv: not a known address book")
    assert _counts(db) == (contacts + 4, customers)  # the readable file was still imported


def test_customer_option_still_imports_into_one_customer(book_shop, capsys):  # noqa: F811
    db, _owner, ids, path = book_shop
    with db.sessions() as s:
        code = s.scalar(select(Customer.code).where(Customer.id == ids["meihua"]))
    status, out, _err = _cli(capsys, db, "contacts", "import", str(path), "--customer", code)
    assert status == 0 and out.startswith("phone.vcf: 8 added, 0 updated, 0 skipped (already there), 1 without a name")
