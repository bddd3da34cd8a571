"""The contacts tab's CSV import (services.contact_io) reads Google/Outlook/Thunderbird address books
through the layouts into the customer, reports the columns it does not read, and keeps a contact's
points in step with the phone/mobile/email/wechat columns it writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_customers_support import make_customer

from crmdesk.db.models import ContactPoint
from crmdesk.importers.table_file import import_contacts_file
from crmdesk.services.actor import Actor
from crmdesk.services.contact_points import PointInput
from crmdesk.services.contacts import ContactInput, add_contact, list_contacts
from crmdesk.services.customer_errors import CustomerError

CSV = Path(__file__).parent / "data" / "real" / "contacts_csv"
SYSTEM = Actor.system()


def test_outlook_export_goes_into_the_customer_with_every_number(db, owner):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "汉堡客户", code="HH1").id
        result = import_contacts_file(s, owner, CSV / "tine20_outlook2013_de.csv", customer_id=cid)
    assert (result.total, result.added, result.updated, result.rejected, result.warnings) == (2, 2, 0, [], [])
    assert "E-Mail-Typ" in result.ignored and "Straße geschäftlich" in result.ignored
    with db.sessions() as s:
        weiss = {c.name: c for c in list_contacts(s, SYSTEM, cid)}["Cornelius Weiß"]
    assert (weiss.role, weiss.mobile, weiss.phone, weiss.email) == (
        "Softwareengineering", "0176 164321545", "040 6432131545", "c.weiss@unittest.de")
    with db.sessions.begin() as s:
        again = import_contacts_file(s, owner, CSV / "tine20_outlook2013_de.csv", customer_id=cid)
    assert (again.added, again.updated, again.skipped) == (0, 0, 2)


def test_an_address_book_without_a_customer_is_refused_with_the_way_out(db, owner):
    with db.sessions.begin() as s, pytest.raises(CustomerError, match="--match"):
        import_contacts_file(s, owner, CSV / "roundcube_gmail.csv")


def test_columns_not_read_are_reported_and_points_written(db, owner, tmp_path):
    path = tmp_path / "联系人.csv"
    path.write_text("客户编号,联系人,手机,邮箱,QQ,地址\nKH1,王伟,13800000001,wang@qq.com,10001,\n", encoding="utf-8")
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店", code="KH1").id
        result = import_contacts_file(s, owner, path)
        assert (result.added, result.ignored) == (1, ["QQ"])  # 地址 is empty: nothing to say
        assert s.scalar(select(func.count()).select_from(ContactPoint)) == 2
    with db.sessions() as s:
        wang = list_contacts(s, SYSTEM, cid)[0]
    assert [(p.kind, p.type, p.value, p.preferred) for p in wang.points] == [
        ("phone", "mobile", "13800000001", True), ("email", "other", "wang@qq.com", True)]


def test_a_changed_column_replaces_its_point_and_keeps_the_others(db, owner, tmp_path):
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "广州文具店", code="KH1").id
        add_contact(s, owner, cid, ContactInput(name="王伟", points=[
            PointInput("phone", "13800000001", "mobile", True), PointInput("phone", "020-1234567", "work"),
            PointInput("email", "wang@qq.com", "work", True), PointInput("im", "wx_wang", "wechat", True)]))
    path = tmp_path / "联系人.csv"
    path.write_text("客户编号,联系人,手机\nKH1,王伟,13900000009\n", encoding="utf-8")
    with db.sessions.begin() as s:
        assert import_contacts_file(s, owner, path).updated == 1
    with db.sessions() as s:
        wang = list_contacts(s, SYSTEM, cid)[0]
    assert wang.mobile == "13900000009"
    assert sorted((p.kind, p.type, p.value) for p in wang.points) == [
        ("email", "work", "wang@qq.com"), ("im", "wechat", "wx_wang"), ("phone", "mobile", "13900000009"),
        ("phone", "work", "020-1234567")]
    assert wang.preferred_phone == "13900000009"


def test_chinese_contact_manager_headers_mix_english_words():
    """Header set of a Chinese contacts app's CSV export (姓名,手机,电话,WeChat,QQ,E-mail,图像,工作单位 …)."""
    from crmdesk.services.contact_csv_layouts import read_csv_book

    headers = ["姓名", "手机", "电话", "WeChat", "QQ", "E-mail", "图像", "工作单位", "家庭住址", "生日", "邮编", "备注"]
    book = read_csv_book(headers, [(2, ["张三", "13800000000", "020-1", "wx_zs", "10001", "zs@b.cn", "", "晨星文具",
                                        "广州", "--05-06", "510000", "老客户"])])
    card = book.cards[0]
    assert (book.layout, card.name, card.organisation, card.notes) == ("chinese", "张三", "晨星文具", "老客户")
    assert (card.birthday, card.birthday_month, card.birthday_day) == (None, 5, 6)
    assert [(p.kind, p.type, p.value) for p in card.points] == [
        ("phone", "mobile", "13800000000"), ("phone", "work", "020-1"), ("im", "wechat", "wx_zs"),
        ("im", "qq", "10001"), ("email", "other", "zs@b.cn")]
    assert book.ignored == ["家庭住址", "邮编"]
