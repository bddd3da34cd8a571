"""Migration 0012 on a database at 0011 holding contacts with phone/mobile/email/wechat and
birthdays: upgraded to head, every value is a contact point of the right kind and type with the
right one preferred, birthdays have month and day, and the customer search still finds them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from crmdesk.core.search_text import customer_search_text
from crmdesk.db import connect, open_database
from crmdesk.db.migrate import upgrade
from crmdesk.services.actor import Actor
from crmdesk.services.contacts import ContactInput, list_contacts, update_contact
from crmdesk.services.customer_query import CustomerQuery, search_customer_ids
from crmdesk.services.tasks import birthdays_this_week

T = dt.datetime(2025, 3, 1, 9, 30)
SYSTEM = Actor.system()
# id, name, phone, mobile, email, wechat, birthday
CONTACTS = [
    (11, "王经理", "020-8765 4321", "138 0013 8000", "Wang@Example.CN", "wx_wang", dt.date(1980, 2, 29)),
    (12, "李会计", "0757-8123456", "", "", "", None),
    (13, "赵采购", "", "", "zhao@example.cn", "", dt.date(1991, 12, 31)),
    (14, "钱主任", "", "", "", "qian_wx", None),
    (15, "孙老师", "", "", "", "", dt.date(1975, 6, 1)),
    (16, "周店长", "13900001234", "139-0000-1234", "", "", None),  # one number in both fields
]


def _shop_at_0011(path) -> None:
    old = connect(path)
    upgrade(old, "0011")
    phones = tuple(p for c in CONTACTS for p in (c[2], c[3]) if p)
    search = customer_search_text("广州晨星文具店", "KH1", phones + tuple(p.replace(" ", "").replace("-", "")
                                                                        for p in phones),
                                  tuple(c[1] for c in CONTACTS))
    with old.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO customers (id, code, name, short_name, grade, status, province, city, district, address, "
            "phone, mobile, email, tax_id, credit_limit, payment_terms_days, notes, is_incomplete, archived, "
            "search_text, created_at, updated_at) VALUES (1, 'KH1', '广州晨星文具店', '', 'A', 'active', '广东', "
            "'广州', '', '', '', '', '', '', 0, 0, '', 0, 0, :s, :t, :t)"), {"t": T, "s": search})
        for cid, name, phone, mobile, email, wechat, birthday in CONTACTS:
            conn.execute(text("INSERT INTO contacts (id, customer_id, name, role, phone, mobile, email, wechat, "
                              "birthday, notes, is_primary, created_at, updated_at) VALUES (:id, 1, :n, '', :p, "
                              ":m, :e, :w, :b, '', 0, :t, :t)"),
                         {"id": cid, "n": name, "p": phone, "m": mobile, "e": email, "w": wechat, "b": birthday,
                          "t": T})
    old.dispose()


def test_upgrade_moves_every_value_into_points(tmp_path):
    path = tmp_path / "old.db"
    _shop_at_0011(path)
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT contact_id, kind, type, value, match_key, preferred, sort_order "
                                     "FROM contact_points ORDER BY contact_id, sort_order")).all()
            birthdays = dict(((r[0], (r[1], r[2], r[3])) for r in conn.execute(text(
                "SELECT id, birthday, birthday_month, birthday_day FROM contacts"))))
        got = [(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]
        assert got == [
            (11, "phone", "mobile", "138 0013 8000", "13800138000", True),
            (11, "phone", "work", "020-8765 4321", "02087654321", False),
            (11, "email", "other", "Wang@Example.CN", "wang@example.cn", True),
            (11, "im", "wechat", "wx_wang", "wx_wang", True),
            (12, "phone", "work", "0757-8123456", "07578123456", True),
            (13, "email", "other", "zhao@example.cn", "zhao@example.cn", True),
            (14, "im", "wechat", "qian_wx", "qian_wx", True),
            (16, "phone", "mobile", "139-0000-1234", "13900001234", True),
        ]
        assert [r[6] for r in rows if r[0] == 11] == [0, 1, 2, 3]
        assert {cid: b[1:] for cid, b in birthdays.items()} == {
            11: (2, 29), 12: (None, None), 13: (12, 31), 14: (None, None), 15: (6, 1), 16: (None, None)}
        assert str(birthdays[11][0]).startswith("1980-02-29")  # the full date stays
        with db.sessions() as s:
            infos = {c.name: c for c in list_contacts(s, SYSTEM, 1)}
            wang = infos["王经理"]
            assert (wang.preferred_phone, wang.preferred_email, wang.mobile, wang.phone, wang.wechat) == (
                "138 0013 8000", "Wang@Example.CN", "138 0013 8000", "020-8765 4321", "wx_wang")
            for words in ("13800138000", "87654321", "0757-8123456", "李会计", "chenxing"):
                assert search_customer_ids(s, SYSTEM, CustomerQuery(text=words)) == [1], words
            # Birthday reminders read the month and day the upgrade wrote.
            assert "孙老师" in {b.contact_name for b in birthdays_this_week(s, SYSTEM, dt.date(2026, 6, 1))}
        with db.sessions.begin() as s:  # an edit after the upgrade keeps the search working on the new number
            wang_id = infos["王经理"].id
            update_contact(s, SYSTEM, wang_id, ContactInput(name="王经理", mobile="13912345678",
                                                            phone="020-8765 4321"))
        with db.sessions() as s:
            assert search_customer_ids(s, SYSTEM, CustomerQuery(text="13912345678")) == [1]
    finally:
        db.dispose()
