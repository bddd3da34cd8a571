"""Near-duplicate customers (issue 14, item 5): name keys without place names and legal/shop
forms, similar names (rapidfuzz), phone, mobile and tax id — on entry and over the whole base."""

from __future__ import annotations

from test_customers_support import make_customer

from crmdesk.core.name_keys import name_key, place_names
from crmdesk.services.contacts import ContactInput, add_contact
from crmdesk.services.duplicates import find_duplicate_pairs, find_similar


def test_name_keys_drop_places_and_legal_forms():
    places = place_names(["广东省", "佛山市", "南海区", "天河区"])
    assert name_key("佛山市南海华通文具批发", places) == "华通文具"
    assert name_key("佛山南海华通文具批发部", places) == "华通文具"
    assert name_key("广东省佛山市南海区华通文具有限公司", places) == "华通文具"
    assert name_key("（广东）晨光文具商行", places) == "晨光文具"
    # 市场 is a word, not a city; a name never vanishes.
    assert name_key("南方市场批发", places) == "南方市场"
    assert name_key("华通店", places) == "华通"
    assert name_key("商店", places) == "商店"


def test_the_issues_pair_warns_with_the_reason(db, owner):
    with db.sessions.begin() as s:
        known = make_customer(s, owner, "佛山市南海华通文具批发", city="佛山", district="南海区").id
        make_customer(s, owner, "佛山华强文具店", city="佛山")
    with db.sessions() as s:
        hits = find_similar(s, "佛山南海华通文具批发部")
    assert [(h.id, h.reason) for h in hits] == [(known, "name_key")]
    assert "华通文具" in hits[0].why


def test_without_place_data_an_unknown_place_in_front_still_warns(db, owner):
    with db.sessions.begin() as s:
        known = make_customer(s, owner, "南海华通文具批发部").id
    with db.sessions() as s:
        hits = find_similar(s, "华通文具店")
    assert [(h.id, h.reason) for h in hits] == [(known, "similar")]
    assert "南海" in hits[0].why


def test_names_in_different_places_are_different_customers(db, owner):
    with db.sessions.begin() as s:
        make_customer(s, owner, "中山市中医院", city="中山市")
        make_customer(s, owner, "珠海市香洲区市场监督管理局")
        near = make_customer(s, owner, "南海区第二人民医院").id
    with db.sessions() as s:
        assert find_similar(s, "广州市中医院") == []
        assert find_similar(s, "东莞市莞城街道市场监督管理局") == []
        # A place the other name does not say is no contradiction.
        assert [h.id for h in find_similar(s, "佛山市南海区第二人民医院")] == [near]
        scan = find_duplicate_pairs(s, owner)
    assert scan.total == 0


def test_similar_long_names_and_different_short_ones(db, owner):
    with db.sessions.begin() as s:
        long_ = make_customer(s, owner, "深圳市晨星教育咨询服务中心有限公司", city="深圳市").id
        make_customer(s, owner, "华强文具店")
    with db.sessions() as s:
        hits = find_similar(s, "深圳晨星教育咨讯服务中心有限公司")  # 询 → 讯, a typo in ten characters of the key
        assert [(h.id, h.reason) for h in hits] == [(long_, "similar")]
        assert "%" in hits[0].why
        # One character apart in a four-character key is another shop.
        assert find_similar(s, "华通文具店") == []


def test_phone_mobile_contact_and_tax_id_each_say_why(db, owner):
    with db.sessions.begin() as s:
        a = make_customer(s, owner, "甲文具", phone="0757-8888 1234", tax_id="91440605MA4W1234X1").id
        b = make_customer(s, owner, "乙办公").id
        add_contact(s, owner, b, ContactInput(name="李娜", mobile="138 1234 5678"))
    with db.sessions() as s:
        hits = find_similar(s, "丙商行", ["075788881234", "+86 13812345678"], tax_id="91440605 ma4w1234x1")
    by_id = {h.id: h for h in hits}
    assert by_id[a].reason == "tax_id" and "075788881234" in by_id[a].why and "91440605MA4W1234X1" in by_id[a].why
    assert by_id[b].reason == "phone" and "13812345678" in by_id[b].why
    assert hits[0].id == a  # the tax id is the strongest reason


def test_find_pairs_over_the_whole_base(db, owner):
    with db.sessions.begin() as s:
        a = make_customer(s, owner, "佛山市南海华通文具批发", city="佛山", district="南海区").id
        b = make_customer(s, owner, "佛山南海华通文具批发部").id
        c = make_customer(s, owner, "深圳市晨星教育咨询服务中心有限公司", city="深圳市").id
        d = make_customer(s, owner, "深圳晨星教育咨讯服务中心有限公司").id
        e = make_customer(s, owner, "甲文具", mobile="13900001111").id
        f = make_customer(s, owner, "乙办公").id
        add_contact(s, owner, f, ContactInput(name="王伟", mobile="139-0000-1111"))
        make_customer(s, owner, "华强文具店")
        make_customer(s, owner, "华通书店")
    with db.sessions() as s:
        scan = find_duplicate_pairs(s, owner)
    found = {(p.a_id, p.b_id): p for p in scan.pairs}
    assert set(found) == {(a, b), (c, d), (e, f)}
    assert scan.total == 3 and scan.customers == 8
    assert any("华通文具" in r for r in found[(a, b)].reasons)
    assert any("13900001111" in r for r in found[(e, f)].reasons)
