"""Customer list query: pinyin/phone/contact search, filters, sorting, overdue, saved filters."""

from __future__ import annotations

import datetime as dt

import pytest
from test_customers_support import add_order, add_receipt, make_customer

from crmdesk.db.models import Territory, User
from crmdesk.money import to_units
from crmdesk.services import balances
from crmdesk.services.contacts import ContactInput, add_contact
from crmdesk.services.customer_query import CustomerQuery, count_customers, fetch_customer_rows, list_options, \
    search_customer_ids
from crmdesk.services.saved_filters import delete_filter, list_filters, save_filter

from crmdesk.services.actor import Actor as _Actor

SYSTEM = _Actor.system()


@pytest.fixture
def shop(db, owner):
    """Four customers with types, grades, territories, owners, tags and a contact."""
    with db.sessions.begin() as s:
        north = Territory(name="天河片区")
        south = Territory(name="番禺片区")
        rep = User(username="li", display_name="李销售", role="sales")
        s.add_all([north, south, rep])
        s.flush()
        a = make_customer(s, owner, "广州晨光文具批发部", type_id=3, grade="A", city="广州", phone="020-8888 1234",
                          territory_id=north.id, owner_id=rep.id, tags=["批发"],
                          custom_values={7: "天河"})
        b = make_customer(s, owner, "深圳办公用品店", type_id=1, grade="B", city="深圳", mobile="13812345678",
                          territory_id=south.id, status="dormant")
        c = make_customer(s, owner, "广州文具店", type_id=1, grade="C", city="广州", tags=["会员", "批发"])
        d = make_customer(s, owner, "佛山第一中学", type_id=2, grade="A", city="佛山",
                          custom_values={3: "学校"})
        add_contact(s, owner, d.id, ContactInput(name="欧阳娜", mobile="15900001111"))
        ids = dict(a=a.id, b=b.id, c=c.id, d=d.id, north=north.id, rep=rep.id)
    return ids


def ids_for(db, owner, **kw):
    with db.sessions() as s:
        return search_customer_ids(s, owner, CustomerQuery(**kw))


def test_pinyin_full_and_initials(db, owner, shop):
    # 广州文具店 (gzwjd) and, with characters skipped, 广州晨光文具批发部 (gzcgwjpfb): "广州…文具"
    assert set(ids_for(db, owner, text="gzwj")) == {shop["a"], shop["c"]}
    assert set(ids_for(db, owner, text="gzwjd")) == {shop["c"]}
    assert set(ids_for(db, owner, text="guangzhou")) == {shop["a"], shop["c"]}
    assert set(ids_for(db, owner, text="GuangZhou wenju")) == {shop["a"], shop["c"]}  # words ANDed, any case
    assert ids_for(db, owner, text="gz") and shop["b"] not in ids_for(db, owner, text="gz")


def test_name_code_phone_and_contact_search(db, owner, shop):
    assert set(ids_for(db, owner, text="文具")) == {shop["a"], shop["c"]}
    assert ids_for(db, owner, text="88881234") == [shop["a"]]  # digits of 020-8888 1234
    assert ids_for(db, owner, text="8888 1234") == [shop["a"]]
    assert ids_for(db, owner, text="138123") == [shop["b"]]
    assert ids_for(db, owner, text="欧阳") == [shop["d"]]  # contact name
    assert ids_for(db, owner, text="oyn") == [shop["d"]]  # contact name initials
    assert ids_for(db, owner, text="15900001111") == [shop["d"]]  # contact mobile
    assert ids_for(db, owner, text="C000002") == [shop["b"]]
    assert ids_for(db, owner, text="不存在的名字") == []
    assert ids_for(db, owner, text="%") == []  # LIKE wildcards are literal


def test_full_width_typing(db, owner, shop):
    with db.sessions.begin() as s:
        e = make_customer(s, owner, "广州（天河）文具店").id
    assert ids_for(db, owner, text="１３８１２") == [shop["b"]]  # an IME's full-width digits
    assert ids_for(db, owner, text="ＧＺＷＪ") == [shop["c"]]
    assert ids_for(db, owner, text="（天河）") == [e]  # stored full-width, typed full-width
    assert ids_for(db, owner, text="天河　文具") == [e]  # ideographic space separates words


def test_search_follows_contact_changes(db, owner, shop):
    with db.sessions.begin() as s:
        add_contact(s, owner, shop["c"], ContactInput(name="诸葛亮", phone="13700000000"))
    assert ids_for(db, owner, text="zhugeliang") == [shop["c"]]
    assert ids_for(db, owner, text="1370000") == [shop["c"]]


def test_filters(db, owner, shop):
    assert set(ids_for(db, owner, type_codes=["retail"])) == {shop["b"], shop["c"]}
    assert set(ids_for(db, owner, grades=["A"])) == {shop["a"], shop["d"]}
    assert ids_for(db, owner, statuses=["dormant"]) == [shop["b"]]
    assert ids_for(db, owner, territory_ids=[shop["north"]]) == [shop["a"]]
    assert ids_for(db, owner, owner_ids=[shop["rep"]]) == [shop["a"]]
    assert set(ids_for(db, owner, tags=["批发"])) == {shop["a"], shop["c"]}
    assert ids_for(db, owner, tags=["会员"], grades=["C"]) == [shop["c"]]
    assert ids_for(db, owner, custom_fields={3: "学校"}) == [shop["d"]]
    assert ids_for(db, owner, custom_fields={7: "天"}) == [shop["a"]]  # text fields match a part
    assert ids_for(db, owner, custom_fields={3: "医院"}) == []
    assert ids_for(db, owner, incomplete_only=True) == []


def test_archived_hidden_unless_asked(db, owner, shop):
    from crmdesk.services.customers import archive_customer

    with db.sessions.begin() as s:
        archive_customer(s, owner, shop["b"])
    assert shop["b"] not in ids_for(db, owner)
    assert shop["b"] in ids_for(db, owner, include_archived=True)


def test_sorting(db, owner, shop):
    with db.sessions() as s:
        rows = fetch_customer_rows(s, SYSTEM, ids_for(db, owner, sort_key="code"))
        assert [r.code for r in rows] == sorted(r.code for r in rows)
        down = fetch_customer_rows(s, SYSTEM, ids_for(db, owner, sort_key="city", descending=True))
        assert [r.city for r in down] == sorted((r.city for r in down), reverse=True)
        by_type = fetch_customer_rows(s, SYSTEM, ids_for(db, owner, sort_key="type"))
        assert [r.type_name for r in by_type] == ["零售客户", "零售客户", "直销客户", "经销商"]
        by_owner = ids_for(db, owner, sort_key="owner", descending=True)
        assert by_owner[0] == shop["a"]
        assert len(ids_for(db, owner, sort_key="no_such_column")) == 4  # unknown keys fall back to name


def test_rows_have_display_columns(db, owner, shop):
    with db.sessions() as s:
        rows = fetch_customer_rows(s, SYSTEM, [shop["c"], shop["a"], 99999])
    assert [r.id for r in rows] == [shop["c"], shop["a"]]  # order kept, missing skipped
    a = rows[1]
    assert (a.type_name, a.grade, a.territory_name, a.owner_name, a.tags) == ("经销商", "A", "天河片区", "李销售",
                                                                              ("批发",))
    assert rows[0].tags == ("会员", "批发")


def test_overdue_filter_and_balance(db, owner, shop):
    today = dt.date.today()
    with db.sessions.begin() as s:
        # a: 1000 due 10 days ago, 300 paid → 700 overdue; another 500 not yet due.
        add_order(s, shop["a"], today - dt.timedelta(days=40), ["600", "400"], due=today - dt.timedelta(days=10))
        add_order(s, shop["a"], today - dt.timedelta(days=5), ["500"], due=today + dt.timedelta(days=25))
        add_receipt(s, shop["a"], today - dt.timedelta(days=3), "300")
        # b: 800 overdue but fully paid.
        add_order(s, shop["b"], today - dt.timedelta(days=60), ["800"], due=today - dt.timedelta(days=30))
        add_receipt(s, shop["b"], today - dt.timedelta(days=20), "800")
        # c: not due yet.
        add_order(s, shop["c"], today, ["50"], due=today + dt.timedelta(days=30))
    assert ids_for(db, owner, overdue_only=True) == [shop["a"]]
    # With a search text the overdue test runs per candidate customer: same answer.
    assert ids_for(db, owner, overdue_only=True, text="广州") == [shop["a"]]
    assert ids_for(db, owner, overdue_only=True, text="深圳") == []
    with db.sessions() as s:
        bal = balances.customer_balance(s, shop["a"])
        assert (bal.balance, bal.overdue) == (to_units("1200"), to_units("700"))
        # Before the first due date nothing was overdue.
        early = balances.customer_balance(s, shop["a"], as_of=today - dt.timedelta(days=11))
        assert early.overdue == 0 and early.balance == to_units("1000")
        rows = {r.id: r for r in fetch_customer_rows(s, SYSTEM, [shop["a"], shop["b"], shop["c"]])}
    assert (rows[shop["a"]].balance, rows[shop["a"]].overdue) == (to_units("1200"), to_units("700"))
    assert (rows[shop["b"]].balance, rows[shop["b"]].overdue) == (0, 0)
    assert ids_for(db, owner, sort_key="balance", descending=True)[0] == shop["a"]
    assert ids_for(db, owner, sort_key="overdue", descending=True)[0] == shop["a"]


def test_count_and_limit(db, owner, shop):
    with db.sessions() as s:
        assert count_customers(s, owner, CustomerQuery(text="广州")) == 2
        assert len(search_customer_ids(s, owner, CustomerQuery(), limit=3)) == 3


def test_saved_filters_round_trip(db, owner, shop):
    query = CustomerQuery(text="广州", grades=["A"], tags=["批发"], custom_fields={3: "学校"}, sort_key="city",
                          descending=True, overdue_only=True)
    with db.sessions.begin() as s:
        save_filter(s, owner, "广州A级", query)
        save_filter(s, owner, "广州A级", CustomerQuery(text="广州"))  # same name replaces
        save_filter(s, owner, "全部", query)
    with db.sessions() as s:
        saved = list_filters(s, owner)
    assert [f.name for f in saved] == ["全部", "广州A级"]
    assert saved[0].query == query and saved[1].query == CustomerQuery(text="广州")
    assert CustomerQuery.from_json('{"text": "x", "unknown": 1}') == CustomerQuery(text="x")
    with db.sessions.begin() as s:
        delete_filter(s, owner, saved[0].id)
    with db.sessions() as s:
        assert [f.name for f in list_filters(s, owner)] == ["广州A级"]


def test_list_options(db, owner, shop):
    with db.sessions() as s:
        opts = list_options(s, owner)
    assert [o.label for o in opts.types] == ["零售客户", "直销客户", "经销商"]
    assert opts.grades == ["A", "B", "C"]
    assert opts.tags == ["会员", "批发"]
    assert {o.label for o in opts.territories} == {"天河片区", "番禺片区"}
