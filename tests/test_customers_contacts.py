"""Contacts: one primary, audit; import from CSV/XLSX with rejected rows; vCard round trip."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select
from test_customers_support import make_customer

from crmdesk.db.models import AuditLog
from crmdesk.importers.table_file import import_contacts_file
from crmdesk.services.contacts import (ContactInput, ValidationError, add_contact, delete_contact, list_contacts,
                                       set_primary, update_contact)
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.vcard import contacts_to_vcard, export_vcards, import_vcards, parse_vcards, split_name

from crmdesk.services.actor import Actor as _Actor

SYSTEM = _Actor.system()


@pytest.fixture
def cust(db, owner):
    with db.sessions.begin() as s:
        a = make_customer(s, owner, "广州文具店", code="KH001")
        b = make_customer(s, owner, "深圳办公用品店", code="KH002")
        make_customer(s, owner, "同名店", code="KH003")
        make_customer(s, owner, "同名店", code="KH004")
        return a.id, b.id


def test_only_one_primary(db, owner, cust):
    a, _b = cust
    with db.sessions.begin() as s:
        c1 = add_contact(s, owner, a, ContactInput(name="王伟", is_primary=True)).id
        c2 = add_contact(s, owner, a, ContactInput(name="李娜", is_primary=True)).id
    with db.sessions() as s:
        assert [(c.name, c.is_primary) for c in list_contacts(s, SYSTEM, a)] == [("李娜", True), ("王伟", False)]
    with db.sessions.begin() as s:
        set_primary(s, owner, c1)
    with db.sessions() as s:
        assert [c.id for c in list_contacts(s, SYSTEM, a) if c.is_primary] == [c1]
        info = {c.id: c for c in list_contacts(s, SYSTEM, a)}[c2]
    with db.sessions.begin() as s:
        update_contact(s, owner, c2, ContactInput(name="李娜", role="财务", is_primary=True), info.updated_at)
    with db.sessions() as s:
        assert [c.id for c in list_contacts(s, SYSTEM, a) if c.is_primary] == [c2]
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "contacts", AuditLog.field == "role")).all()
        assert [(r.old_value, r.new_value) for r in rows] == [("", "财务")]


def test_contact_validation_and_delete(db, owner, cust):
    a, _b = cust
    with db.sessions.begin() as s:
        with pytest.raises(ValidationError, match="Contact name is required"):
            add_contact(s, owner, a, ContactInput(name=""))
        with pytest.raises(ValidationError, match="not an email"):
            add_contact(s, owner, a, ContactInput(name="王伟", email="wang@"))
        cid = add_contact(s, owner, a, ContactInput(name="王伟")).id
        delete_contact(s, owner, cid)
    with db.sessions() as s:
        assert list_contacts(s, SYSTEM, a) == []


def test_import_contacts_csv_gbk_with_rejects(db, owner, cust, tmp_path):
    a, b = cust
    path = tmp_path / "联系人.csv"
    path.write_bytes((
        "客户编号,客户名称,联系人,职务,电话,手机,邮箱,微信,生日\n"
        "KH001,,王伟,采购,020-1234567,13800000001,wang@qq.com,wx_wang,1980-05-06\n"
        ",深圳办公用品店,李娜,财务,,13900000002,,,1985/7/8\n"
        "KH999,,赵六,,,,,,\n"
        "KH001,,,采购,,,,,\n"
        "KH002,,孙七,,,,bad-mail,,\n"
        "KH002,,周八,,,,,,明天\n"
        ",同名店,吴九,,,,,,\n"
        "KH001,,王伟,采购经理,,,,,\n"
    ).encode("gbk"))
    with db.sessions.begin() as s:
        result = import_contacts_file(s, owner, path)
    assert (result.total, result.added, result.updated) == (8, 2, 1)
    assert [(r.row, r.column, r.value) for r in result.rejected] == [
        (4, "客户编号", "KH999"), (5, "联系人", ""), (6, "邮箱", "bad-mail"), (7, "生日", "明天"),
        (8, "客户名称", "同名店")]
    assert "several customers" in result.rejected[-1].reason
    with db.sessions() as s:
        wang = list_contacts(s, SYSTEM, a)[0]
        assert (wang.role, wang.mobile, wang.birthday, wang.wechat) == ("采购经理", "13800000001",
                                                                       dt.date(1980, 5, 6), "wx_wang")
        assert list_contacts(s, SYSTEM, b)[0].birthday == dt.date(1985, 7, 8)


def test_import_contacts_xlsx_english_headers(db, owner, cust, tmp_path):
    a, _b = cust
    path = tmp_path / "contacts.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Customer Code", "Contact", "Title", "Mobile", "Email", "Birthday"])
    ws.append(["KH001", "Zhang San", "Buyer", "13700000000", "zs@example.com", dt.datetime(1990, 1, 2)])
    ws.append(["KH001", "Li Si", "", "", "", "not a date"])
    wb.save(path)
    with db.sessions.begin() as s:
        result = import_contacts_file(s, owner, path)
    assert (result.added, [(r.row, r.column) for r in result.rejected]) == (1, [(3, "Birthday")])
    with db.sessions() as s:
        c = list_contacts(s, SYSTEM, a)[0]
    assert (c.name, c.role, c.birthday) == ("Zhang San", "Buyer", dt.date(1990, 1, 2))


def test_import_without_name_column_is_refused(db, owner, cust, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("客户编号,电话\nKH001,1\n", encoding="utf-8")
    with db.sessions.begin() as s, pytest.raises(CustomerError, match="no contact name column"):
        import_contacts_file(s, owner, path)


def test_split_chinese_names():
    assert split_name("王伟") == ("王", "伟")
    assert split_name("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_name("John Smith") == ("Smith", "John")


def test_vcard_round_trip_chinese(db, owner, cust, tmp_path):
    a, b = cust
    with db.sessions.begin() as s:
        add_contact(s, owner, a, ContactInput(name="欧阳娜娜", role="采购主管", phone="020-88881234",
                                              mobile="13800000001", email="ouyang@qq.com", wechat="oy_nn",
                                              birthday=dt.date(1988, 2, 29), is_primary=True,
                                              notes="喜欢蓝色; 周一不在, 找前台"))
        add_contact(s, owner, a, ContactInput(name="王伟"))
    out = tmp_path / "广州文具店.vcf"
    with db.sessions() as s:
        assert export_vcards(s, owner, [a], out) == 2
    text = out.read_text(encoding="utf-8")
    assert "VERSION:3.0" in text and "FN:欧阳娜娜" in text and "N:欧阳;娜娜;;;" in text and "ORG:广州文具店" in text
    with db.sessions.begin() as s:
        result = import_vcards(s, owner, b, out)
    assert (result.added, result.skipped, result.problems) == (2, 0, [])
    with db.sessions() as s:
        got = {c.name: c for c in list_contacts(s, SYSTEM, b)}
    oy = got["欧阳娜娜"]
    assert (oy.role, oy.phone, oy.mobile, oy.email, oy.wechat, oy.birthday, oy.notes) == (
        "采购主管", "020-88881234", "13800000001", "ouyang@qq.com", "oy_nn", dt.date(1988, 2, 29),
        "喜欢蓝色; 周一不在, 找前台")
    with db.sessions.begin() as s:
        again = import_vcards(s, owner, b, out)
    assert (again.added, again.skipped) == (0, 2)


def test_parse_vcard_21_quoted_printable_and_bad_cards():
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E;=E5=A8=9C;;;\r\n"
        "TEL;CELL:13800000000\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:123\r\nEND:VCARD\r\n"
    )
    contacts, problems = parse_vcards(text)
    assert [(c.name, [(p.kind, p.type, p.value) for p in c.all_points()]) for c in contacts] == [
        ("李娜", [("phone", "mobile", "13800000000")])]
    assert problems == ["card 2: no name"]
    assert contacts_to_vcard([]) == ""
