"""A phone's whole address book matched to customers (services.address_book): by phone, email and
company name, the actor's scope, new customers only when ticked, and a second apply adds nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from service_support import shop  # noqa: F401  (fixture)
from sqlalchemy import func, select

from crmdesk.db.models import Contact, Customer
from crmdesk.importers.address_book_file import plan_files, read_address_book
from crmdesk.services.actor import Actor
from crmdesk.services.address_book import apply_address_book, plan_address_book
from crmdesk.services.contact_points import PointInput
from crmdesk.services.contacts import ContactInput, add_contact, list_contacts
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customers import CustomerInput, create_customer

SYSTEM = Actor.system()

BOOK = """BEGIN:VCARD
VERSION:3.0
FN:李四
TEL;TYPE=WORK:020 8765 4321
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:张三
TEL;TYPE=CELL:+86 138-0013-8000
EMAIL;TYPE=HOME:zhang.home@example.cn
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:王五
EMAIL:ZS@HUA.CN
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:赵六
ORG:广州晨星文具批发部
TITLE:采购
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:钱七
ORG:佛山新星办公用品有限公司
TEL;TYPE=CELL:13911112222
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:孙八
ORG:佛山新星办公用品
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:周九
TEL:13700001111
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:吴十
ORG:美华办公设备维修服务中芯
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:;;;;
TEL:020 8765 4321
END:VCARD
"""


@pytest.fixture
def book_shop(db, owner, tmp_path):
    with db.sessions.begin() as s:
        ids = {
            "chenxing": create_customer(s, owner, CustomerInput(name="广州晨星文具店", city="广州市",
                                                                phone="020-87654321")).id,
            "huatong": create_customer(s, owner, CustomerInput(name="深圳华通文具店", city="深圳市")).id,
            "meihua": create_customer(s, owner, CustomerInput(name="美华办公设备维修服务中心有限公司")).id,
        }
        add_contact(s, owner, ids["huatong"], ContactInput(name="张三", points=[
            PointInput("phone", "13800138000", "mobile", True), PointInput("email", "zs@hua.cn", "work", True)]))
    path = tmp_path / "phone.vcf"
    path.write_text(BOOK, encoding="utf-8")
    return db, owner, ids, path


def _by_name(plan):
    return {m.name or "?": m for m in plan.cards}


def test_plan_matches_by_phone_email_company_and_offers_new_customers(book_shop):
    db, owner, ids, path = book_shop
    with db.sessions() as s:
        plan = plan_files(s, owner, [path])
        contacts_before = s.scalar(select(func.count()).select_from(Contact))
    cards = _by_name(plan)
    assert [m.index for m in plan.cards] == list(range(9))
    got = {n: (m.outcome, m.customer_id, m.matched_by, m.contact_action) for n, m in cards.items()}
    assert got == {
        "李四": ("matched", ids["chenxing"], "phone", "add"),  # the customer's own phone, written differently
        "张三": ("matched", ids["huatong"], "phone", "update"),  # +86 ignored; brings a new email
        "王五": ("matched", ids["huatong"], "email", "add"),  # email in another case
        "赵六": ("matched", ids["chenxing"], "company", "add"),  # same name key 广州晨星文具
        "钱七": ("new_customer", None, "", "add"),
        "孙八": ("new_customer", None, "", "add"),
        "周九": ("unmatched", None, "", ""),
        "吴十": ("matched", ids["meihua"], "company", "add"),  # one character in eleven differs
        "?": ("matched", ids["chenxing"], "phone", ""),  # no name: matched, but nothing to import
    }
    assert "%" in cards["吴十"].why and "91" in cards["吴十"].why
    assert cards["钱七"].customer_name == "佛山新星办公用品有限公司"
    assert "card 5" in cards["孙八"].why  # the same new company as 钱七's card
    assert any("no name" in p for p in cards["?"].problems) and not cards["?"].importable
    assert cards["张三"].phones == ("+86 138-0013-8000",) and cards["张三"].emails == ("zhang.home@example.cn",)
    assert plan.counts() == {"cards": 9, "matched": 6, "new_customer": 2, "unmatched": 1, "add": 4, "update": 1,
                             "same": 0, "problems": 1}
    with db.sessions() as s:  # planning wrote nothing
        assert s.scalar(select(func.count()).select_from(Contact)) == contacts_before


def test_apply_creates_only_ticked_customers_and_second_apply_adds_nothing(book_shop):
    db, owner, ids, path = book_shop
    with db.sessions.begin() as s:
        plan = plan_files(s, owner, [path])
        qian = _by_name(plan)["钱七"].index
        result = apply_address_book(s, owner, plan, {qian})
    assert (result.added, result.updated, result.same, result.customers_created, result.not_imported) == \
        (5, 1, 0, 1, 3)  # 孙八 not ticked, 周九 unmatched, the nameless card
    with db.sessions() as s:
        new = s.scalars(select(Customer).where(Customer.name == "佛山新星办公用品有限公司")).one()
        assert [c.name for c in list_contacts(s, SYSTEM, new.id)] == ["钱七"]
        zhang = next(c for c in list_contacts(s, SYSTEM, ids["huatong"]) if c.name == "张三")
        assert {(p.kind, p.value) for p in zhang.points} == {
            ("phone", "13800138000"), ("email", "zs@hua.cn"), ("email", "zhang.home@example.cn")}
        zhao = next(c for c in list_contacts(s, SYSTEM, ids["chenxing"]) if c.name == "赵六")
        assert zhao.role == "采购"
        assert s.scalar(select(func.count()).select_from(Customer).where(Customer.name.like("%周九%"))) == 0
        contacts = s.scalar(select(func.count()).select_from(Contact))
        customers = s.scalar(select(func.count()).select_from(Customer))
    with db.sessions.begin() as s:
        again = plan_files(s, owner, [path])
        cards = _by_name(again)
        # 孙八's company now exists: matched by its name; everything applied before is "same".
        assert (cards["孙八"].outcome, cards["孙八"].customer_id, cards["孙八"].contact_action) == \
            ("matched", new.id, "add")
        assert {m.contact_action for n, m in cards.items() if n not in ("孙八", "周九", "?")} == {"same"}
        second = apply_address_book(s, owner, again, set())
    assert (second.added, second.updated, second.customers_created) == (1, 0, 0)
    with db.sessions.begin() as s:
        third = apply_address_book(s, owner, plan_files(s, owner, [path]), set())
        assert (third.added, third.updated, third.customers_created) == (0, 0, 0)
        assert s.scalar(select(func.count()).select_from(Contact)) == contacts + 1
        assert s.scalar(select(func.count()).select_from(Customer)) == customers


def test_cards_of_one_new_company_share_one_customer(book_shop):
    db, owner, _ids, path = book_shop
    with db.sessions.begin() as s:
        plan = plan_files(s, owner, [path])
        cards = _by_name(plan)
        result = apply_address_book(s, owner, plan, {cards["钱七"].index, cards["孙八"].index})
        assert result.customers_created == 1
        new = s.scalars(select(Customer).where(Customer.name == "佛山新星办公用品有限公司")).one()
        assert sorted(c.name for c in list_contacts(s, SYSTEM, new.id)) == ["孙八", "钱七"]


def test_ticking_a_card_that_offers_no_customer_is_refused(book_shop):
    db, owner, _ids, path = book_shop
    with db.sessions() as s:
        plan = plan_files(s, owner, [path])
        with pytest.raises(CustomerError, match="offer no new customer"):
            apply_address_book(s, owner, plan, {_by_name(plan)["李四"].index})


def test_salesperson_matches_only_customers_they_see(shop, tmp_path):  # noqa: F811
    with shop.db.sessions.begin() as s:
        add_contact(s, SYSTEM, shop.customers["b1"], ContactInput(name="陈东", mobile="13566667777"))
    path = tmp_path / "a.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:陈东\nTEL:135 6666 7777\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:3.0\nFN:林一\nORG:杭州文具店\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:3.0\nFN:林二\nORG:广州晨星文具批发部\nEND:VCARD\n", encoding="utf-8")
    with shop.db.sessions() as s:
        mine = plan_files(s, shop.actors["sales_a"], [path])
        everyone = plan_files(s, shop.actors["owner"], [path])
    got = [(m.outcome, m.customer_id) for m in mine.cards]
    assert got == [("unmatched", None), ("unmatched", None), ("matched", shop.customers["a1"])]
    assert any("outside your territories" in p for p in mine.cards[1].problems)  # not offered as a new customer
    assert [(m.outcome, m.customer_id) for m in everyone.cards] == [
        ("matched", shop.customers["b1"]), ("matched", shop.customers["b1"]), ("matched", shop.customers["a1"])]


def test_files_that_are_not_address_books_are_reported_not_raised(book_shop, tmp_path):
    db, owner, _ids, path = book_shop
    bad = tmp_path / "sales.csv"
    bad.write_text("单号,金额\n1,2\n", encoding="utf-8")
    with db.sessions() as s:
        plan = plan_files(s, owner, [bad, path])
    assert plan.failed_files == ["sales.csv"] and "sales.csv: not a known address book" in plan.problems[0]
    assert len(plan.cards) == 9


def test_csv_address_book_is_matched_like_vcards(book_shop, tmp_path):
    db, owner, ids, _path = book_shop
    csv = tmp_path / "google.csv"
    csv.write_text("Name,Given Name,Family Name,Organization 1 - Name,Phone 1 - Type,Phone 1 - Value,"
                   "E-mail 1 - Type,E-mail 1 - Value\n"
                   "Zhang Wei,Wei,Zhang,,Mobile,138 0013 8000,,\n"
                   "Li Na,Na,Li,深圳华通文具店,Work,,Work,li@x.cn\n", encoding="utf-8")
    book = read_address_book(csv)
    assert book.layout == "google" and not book.error
    with db.sessions() as s:
        plan = plan_address_book(s, owner, [book])
    assert [(m.outcome, m.customer_id, m.matched_by) for m in plan.cards] == [
        ("matched", ids["huatong"], "phone"), ("matched", ids["huatong"], "company")]


def test_a_contact_written_around_the_services_is_already_there(book_shop, tmp_path):
    """The demo and the customer-file import write contacts with a birthday but no month/day
    columns and no points: the same card again is "same", not an update."""
    db, owner, ids, _path = book_shop
    with db.sessions.begin() as s:
        s.add(Contact(customer_id=ids["meihua"], name="老周", role="", phone="", mobile="13700009999", email="",
                      wechat="", birthday=dt.date(1980, 5, 6), notes="", is_primary=False))
    card = tmp_path / "zhou.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:老周\nTEL;TYPE=CELL:13700009999\nBDAY:1980-05-06\nEND:VCARD\n",
                    encoding="utf-8")
    with db.sessions.begin() as s:
        plan = plan_files(s, owner, [card])
        assert [(m.outcome, m.customer_id, m.contact_action) for m in plan.cards] == [("matched", ids["meihua"], "same")]
        result = apply_address_book(s, owner, plan)
    assert (result.added, result.updated, result.same) == (0, 0, 1)


def test_a_new_company_in_two_files_names_the_first_card(book_shop, tmp_path):
    db, owner, _ids, path = book_shop
    other = tmp_path / "second.vcf"
    other.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:冯一\nORG:佛山新星办公用品\nEND:VCARD\n", encoding="utf-8")
    with db.sessions.begin() as s:
        plan = plan_files(s, owner, [path, other])
        last = plan.cards[-1]
        assert (last.file, last.card_no, last.outcome, last.why) == (
            "second.vcf", 1, "new_customer", "same new company as phone.vcf, card 5")
        result = apply_address_book(s, owner, plan, {_by_name(plan)["钱七"].index, last.index})
        assert result.customers_created == 1
        new = s.scalars(select(Customer).where(Customer.name == "佛山新星办公用品有限公司")).one()
        assert sorted(c.name for c in list_contacts(s, SYSTEM, new.id)) == ["冯一", "钱七"]


def test_the_real_corpus_as_one_book_twice_adds_nothing(db, owner):
    """All real vCards and CSV books of tests/data/real as one address book: every new company
    created, then the book again — the same person under several companies (ez-vcard's John Doe
    as IBM, IBM Accounting, IBM Accounting Dungeon) and cards without a company sharing a phone
    with one land where they landed the first time."""
    real = Path(__file__).parent / "data" / "real"
    files = sorted(real.glob("vcard/*.vcf")) + sorted(real.glob("contacts_csv/*.csv"))
    with db.sessions.begin() as s:
        plan = plan_files(s, owner, files)
        offered = {m.index for m in plan.cards if m.outcome == "new_customer"}
        first = apply_address_book(s, owner, plan, offered)
    assert first.customers_created > 0 and first.added > 0
    assert any(m.outcome == "new_customer" and not m.organisation for m in plan.cards)  # joined by a phone
    with db.sessions.begin() as s:
        again = plan_files(s, owner, files)
        assert {m.contact_action for m in again.cards if m.importable} == {"same"}
        assert [m.index for m in again.cards if m.importable] == [m.index for m in plan.cards if m.importable]
        second = apply_address_book(s, owner, again, set())
    assert (second.added, second.updated, second.customers_created) == (0, 0, 0)
