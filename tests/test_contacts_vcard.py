"""vCard reading from raw bytes (charsets per property, folds inside a UTF-8 character, QP soft
breaks, CR CR LF, bad lines), export 3.0/2.1 round trips, CSV address-book layouts."""

from __future__ import annotations

import datetime as dt

import pytest
from test_customers_support import make_customer

from crmdesk.services.actor import Actor
from crmdesk.services.contact_csv_layouts import read_csv_book
from crmdesk.services.contact_points import PointInput
from crmdesk.services.contacts import ContactInput, add_contact, list_contacts
from crmdesk.services.tasks import birthdays_this_week
from crmdesk.services.vcard import export_vcards, import_vcards
from crmdesk.services.vcard_read import read_vcards


def test_charsets_per_property_folds_and_soft_breaks():
    big5 = "陳大文".encode("big5")
    sjis = "山田太郎".encode("shift_jis")
    utf8 = "欧阳娜娜".encode("utf-8")
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=BIG5:" + big5 + b"\r\nTITLE:Buyer, Stationery\r\n"
            b"NOTE;CHARSET=SHIFT_JIS:" + sjis + b"\r\nTEL;WORK;FAX:020-1\r\nTEL;PAGER:020-2\r\nTEL;CELL;PREF:138\r\n"
            b"X-messaging/twitter-All:@x\r\nthis line is broken\r\nPHOTO;ENCODING=BASE64;JPEG:AAAA\r\r\n"
            b"EMAIL:\"Omega\" <omega@example.com>\r\nBDAY:--0203\r\nEND:VCARD\r\n"
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + utf8[:4] + b"\r\n " + utf8[4:] + b"\r\n"
            b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=AC=A7=E9=98=B3;=\r\n=E5=A8=9C=E5=A8=9C;;;\r\n"
            b"item1.TEL:+86 138 0000 0000\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\nTEL;VALUE=uri:tel:+1-555\r\n"
            b"TEL:sip:a@b.c\r\nX-QQ:12345\r\nIMPP:wechat:wx_1\r\nEND:VCARD\r\n"
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Acme Ltd\r\nTEL;TYPE=work:1\r\nEND:VCARD\r\n")
    r = read_vcards(data)
    a, b, c = r.cards
    assert (a.name, a.title, a.notes) == ("陳大文", "Buyer, Stationery", "山田太郎")
    assert [(p.kind, p.type, p.value) for p in a.points] == [
        ("phone", "fax", "020-1"), ("phone", "pager", "020-2"), ("phone", "mobile", "138"),
        ("other", "other", '"Omega" <omega@example.com>')]
    assert (a.birthday, a.birthday_month, a.birthday_day) == (None, 2, 3)
    assert any("line 10: not a property" in p for p in a.problems)
    assert any("not an email address" in p for p in a.problems)
    assert r.ignored["PHOTO"] == 1 and any(p.startswith("line 9: unreadable") for p in a.problems)
    assert b.name == "欧阳娜娜"
    assert [(p.kind, p.type, p.value) for p in b.points] == [
        ("phone", "mobile", "+86 138 0000 0000"), ("phone", "other", "+1-555"), ("sip", "other", "a@b.c"),
        ("im", "qq", "12345"), ("im", "wechat", "wx_1")]
    assert (c.name, c.organisation) == ("Acme Ltd", "Acme Ltd")


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_export_import_round_trip(db, owner, tmp_path, version):
    points = [PointInput("phone", "13800000001", "mobile", True), PointInput("phone", "020-8888 1234", "work"),
              PointInput("phone", "020-8888 1235", "fax"), PointInput("phone", "9", "other", label="助理"),
              PointInput("email", "a@b.cn", "work", True), PointInput("email", "h@b.cn", "home"),
              PointInput("im", "wx_oy", "wechat", True), PointInput("im", "10001", "qq"),
              PointInput("sip", "oy@sip.cn", "other", True), PointInput("url", "http://x.cn", "other", True)]
    with db.sessions.begin() as s:
        a = make_customer(s, owner, "广州文具店", code="KH1").id
        b = make_customer(s, owner, "深圳文具店", code="KH2").id
        add_contact(s, owner, a, ContactInput(name="欧阳娜娜", role="采购, 主管", notes="周一不在;\n找前台=",
                                              birthday_month=2, birthday_day=29, points=points))
        add_contact(s, owner, a, ContactInput(name="John Smith", birthday=dt.date(1980, 3, 4), phone="1"))
    out = tmp_path / "x.vcf"
    with db.sessions.begin() as s:
        export_vcards(s, owner, [a], out, version)
    assert f"VERSION:{version}" in out.read_text(encoding="utf-8")
    with db.sessions.begin() as s:
        result = import_vcards(s, owner, b, out)
        assert (result.added, result.problems) == (2, [])
        assert import_vcards(s, owner, b, out).added == 0
    with db.sessions() as s:
        before = {c.name: c for c in list_contacts(s, Actor.system(), a)}
        after = {c.name: c for c in list_contacts(s, Actor.system(), b)}
    for name, c in before.items():
        d = after[name]
        assert (sorted(d.points, key=str), d.birthday, d.birthday_month, d.birthday_day, d.notes, d.role) == (
            sorted(c.points, key=str), c.birthday, c.birthday_month, c.birthday_day, c.notes, c.role)


def test_month_day_birthday_reminds_and_phone_finds_customer(db, owner):
    today = dt.date(2026, 12, 2)
    with db.sessions.begin() as s:
        cid = make_customer(s, owner, "生日店", code="KH9").id
        add_contact(s, owner, cid, ContactInput(name="寿星", birthday_month=12, birthday_day=3, points=[
            PointInput("phone", "13900000001", "mobile"), PointInput("phone", "13900000002", "home"),
            PointInput("phone", "13900000003", "work")]))
    with db.sessions() as s:
        got = birthdays_this_week(s, owner, today)
        assert [(b.contact_name, b.birthday, b.birthday_text) for b in got] == [("寿星", None, "--12-03")]
        from crmdesk.db.models import Customer
        assert "13900000003" in s.get(Customer, cid).search_text


def test_csv_layouts_google_outlook_chinese():
    google = ["Name", "Given Name", "Family Name", "Birthday", "Organization 1 - Name", "Organization 1 - Title",
              "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value", "E-mail 1 - Type",
              "E-mail 1 - Value", "Group Membership"]
    book = read_csv_book(google, [(2, ["Li Na", "Na", "Li", "--02-03", "Acme", "Buyer", "* Mobile",
                                       "138 ::: 139", "Work Fax", "020", "Work", "li@acme.cn", "* myContacts"])])
    card = book.cards[0]
    assert (book.layout, card.name, card.organisation, card.title, card.birthday_month) == (
        "google", "Li Na", "Acme", "Buyer", 2)
    assert sorted((p.kind, p.type, p.value) for p in card.points) == [
        ("email", "work", "li@acme.cn"), ("phone", "fax", "020"), ("phone", "mobile", "138"), ("phone", "mobile", "139")]
    assert book.ignored == ["Group Membership"]
    outlook = ["First Name", "Last Name", "Company", "Business Phone", "Mobile Phone", "E-mail Address"]
    book = read_csv_book(outlook, [(2, ["Heiko", "Mustermann", "ACME", "1", "2", "bad-email"])])
    assert (book.layout, book.cards[0].name) == ("outlook", "Heiko Mustermann")
    assert [(p.kind, p.type) for p in book.cards[0].points] == [("phone", "work"), ("phone", "mobile"),
                                                                ("other", "other")]
    book = read_csv_book(["姓名", "手机", "电话", "邮箱", "公司", "微信"],
                         [(2, ["王伟", "13800000000", "020-1", "w@x.cn", "广州文具", "wx"])])
    assert (book.layout, book.cards[0].name, book.cards[0].organisation) == ("chinese", "王伟", "广州文具")
    assert len(book.cards[0].points) == 4
