"""Territory rules and assignment: rule evaluation, preview = apply, manual owners that stick,
overlap and unassigned lists, assignment on the spot (form and import), the import's 业务员
matched to an existing user, priority, product-only territories."""

from __future__ import annotations

import pytest
from data_import.helpers import rows, write
from sqlalchemy import select

from crmdesk.db.models import Customer, User, customer_territories
from crmdesk.importers import import_file
from crmdesk.services import territories
from crmdesk.services.actor import Actor
from crmdesk.services.customer_query import CustomerQuery, search_customer_ids
from crmdesk.services.customers import (CustomerInput, assignment_back_to_rules, create_customer,
                                        input_from_customer, update_customer)
from crmdesk.services.permissions import can_see_customer
from crmdesk.services.territories import TerritoryDef

SYSTEM = Actor.system()


def _user(s, username: str, display: str = "", role: str = "sales") -> int:
    u = User(username=username, display_name=display or username, role=role)
    s.add(u)
    s.flush()
    return u.id


def _customer(s, name: str, **kw) -> int:
    return create_customer(s, SYSTEM, CustomerInput(name=name, **kw)).id


def _members(s, cid: int) -> set[int]:
    return set(s.scalars(select(customer_territories.c.territory_id)
                         .where(customer_territories.c.customer_id == cid)).all())


def _state(s, cid: int) -> tuple:
    c = s.get(Customer, cid)
    s.refresh(c)
    return c.owner_id, c.owner_source, c.territory_id


def _tid(s, name: str) -> int:
    return next(t.id for t in territories.list_territories(s) if t.name == name)


def test_rules_combine_region_type_tag_and_grade(db):
    """Values of one field are alternatives; fields combine with AND; an empty field is "all"."""
    with db.sessions.begin() as s:
        rep = _user(s, "rep")
        hit = _customer(s, "甲", province="广东省", city="广州市", type_id=3, grade="A", tags=["重点"])
        hit2 = _customer(s, "乙", province="广西壮族自治区", type_id=3, grade="B", tags=["重点"])
        misses = [_customer(s, "丙", province="浙江省", type_id=3, grade="A", tags=["重点"]),  # region
                  _customer(s, "丁", province="广东省", type_id=1, grade="A", tags=["重点"]),  # type
                  _customer(s, "戊", province="广东省", type_id=3, grade="A", tags=["普通"]),  # tag
                  _customer(s, "己", province="广东省", type_id=3, grade="C", tags=["重点"])]  # grade
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "两广重点经销", 10, {
            "province": ("广东省", "广西壮族自治区"), "customer_type": ("dealer",), "tag": ("重点",),
            "grade": ("A", "B")}, (rep,))])
        tid = _tid(s, "两广重点经销")
        assert _state(s, hit) == (rep, "rule", tid)
        assert _state(s, hit2) == (rep, "rule", tid)
        for cid in misses:
            assert _members(s, cid) == set() and _state(s, cid) == (None, "", None)
        # The type may be named by its Chinese name too; a city rule narrows further.
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(tid, "两广重点经销", 10, {
            "city": ("广州市",), "customer_type": ("经销商",)}, (rep,))])
        assert _members(s, hit) == {tid} and _members(s, hit2) == set()


def test_preview_equals_apply(db):
    with db.sessions.begin() as s:
        a, b = _user(s, "a"), _user(s, "b")
        ids = [_customer(s, f"客户{i}", province=p) for i, p in enumerate(["广东省", "浙江省", "江苏省"] * 4)]
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (a,)),
                                               TerritoryDef(None, "华东", 20, {"province": ("浙江省",)}, (b,))])
        defs = territories.list_territories(s)
        edited = [TerritoryDef(d.id, d.name, d.priority,
                               {"province": ("广东省", "江苏省")} if d.name == "华南" else d.rules,
                               (b,) if d.name == "华南" else d.salesperson_ids) for d in defs]
        edited.append(TerritoryDef(None, "浙江经销", 5, {"province": ("浙江省",), "customer_type": ("dealer",)}, (a,)))
        before = [_state(s, c) for c in ids]
        shown = territories.preview(s, SYSTEM, edited)
        assert [_state(s, c) for c in ids] == before  # a preview writes nothing
        done = territories.save_and_apply(s, SYSTEM, edited)

        def key(m):
            return (m.customer_id, m.old_owner, m.new_owner, m.old_territory, m.new_territory)

        assert sorted(map(key, shown.moves)) == sorted(map(key, done.moves))
        assert shown.moved == 8 and shown.flows == done.flows  # 广东 a→b (4), 江苏 nobody→b (4)
        assert territories.preview(s, SYSTEM, territories.list_territories(s)).moved == 0


def test_manual_owner_sticks_until_cleared(db):
    with db.sessions.begin() as s:
        a, b = _user(s, "a"), _user(s, "b")
        cid = _customer(s, "广州文具", province="广东省")
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (a,))])
        assert _state(s, cid)[:2] == (a, "rule")
        data = input_from_customer(s, SYSTEM, cid)
        data.owner_id = b  # changed on the form: a manual assignment
        update_customer(s, SYSTEM, cid, data, None)
        assert _state(s, cid)[:2] == (b, "manual")
        territories.reassign(s, SYSTEM)
        defs = territories.list_territories(s)
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(d.id, d.name, 1, d.rules, d.salesperson_ids)
                                               for d in defs])
        assert _state(s, cid)[:2] == (b, "manual")
        assignment_back_to_rules(s, SYSTEM, cid)
        assert _state(s, cid)[:2] == (a, "rule")
        assert territories.customer_assignment(s, cid).source_label() == "rule: 华南"


def test_manual_territory_from_the_form(db):
    with db.sessions.begin() as s:
        a, b = _user(s, "a"), _user(s, "b")
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (a,)),
                                               TerritoryDef(None, "华东", 20, {"province": ("浙江省",)}, (b,))])
        cid = _customer(s, "广州文具", province="广东省")
        east = _tid(s, "华东")
        data = input_from_customer(s, SYSTEM, cid)
        data.territory_id = east
        update_customer(s, SYSTEM, cid, data, None)
        c = s.get(Customer, cid)
        assert (c.territory_id, c.territory_manual, c.owner_id) == (east, True, b)
        assert east in _members(s, cid)
        territories.reassign(s, SYSTEM)
        assert _state(s, cid)[2] == east
        assignment_back_to_rules(s, SYSTEM, cid)
        assert _state(s, cid)[::2] == (a, _tid(s, "华南"))


def test_overlap_and_unassigned_lists(db):
    with db.sessions.begin() as s:
        a, b = _user(s, "a"), _user(s, "b")
        both = _customer(s, "广州经销", province="广东省", type_id=3)
        one = _customer(s, "广州零售", province="广东省", type_id=1)
        none = _customer(s, "南京零售", province="江苏省", type_id=1)
        territories.save_and_apply(s, SYSTEM, [
            TerritoryDef(None, "华南", 20, {"province": ("广东省",)}, (a,)),
            TerritoryDef(None, "全国经销商", 10, {"customer_type": ("dealer",)}, (b,))])
        over = territories.overlapping(s)
        assert over["customer_id"].tolist() == [both]
        assert over.iloc[0]["main"] == "全国经销商"  # the lower priority number wins
        assert set(over.iloc[0]["territories"].split(", ")) == {"华南", "全国经销商"}
        assert territories.unassigned(s)["customer_id"].tolist() == [none]
        assert territories.count_unassigned(s) == 1
        assert _state(s, one)[:2] == (a, "rule")


def test_priority_decides_the_main_territory(db):
    with db.sessions.begin() as s:
        a, b = _user(s, "a"), _user(s, "b")
        cid = _customer(s, "广州经销", province="广东省", type_id=3)
        territories.save_and_apply(s, SYSTEM, [
            TerritoryDef(None, "华南", 100, {"province": ("广东省",)}, (a,)),
            TerritoryDef(None, "广东经销商", 50, {"province": ("广东省",), "customer_type": ("dealer",)}, (b,))])
        assert _state(s, cid) == (b, "rule", _tid(s, "广东经销商"))
        defs = {d.name: d for d in territories.list_territories(s)}
        d = defs["华南"]
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(d.id, d.name, 10, d.rules, d.salesperson_ids)])
        assert _state(s, cid) == (a, "rule", _tid(s, "华南"))


def test_product_only_territory_places_nobody_but_its_salesperson_sees_all(db):
    with db.sessions.begin() as s:
        a, brand = _user(s, "a"), _user(s, "deli")
        south = _customer(s, "广州文具", province="广东省")
        north = _customer(s, "北京文具", province="北京市")
        territories.save_and_apply(s, SYSTEM, [
            TerritoryDef(None, "华南", 100, {"province": ("广东省",)}, (a,)),
            TerritoryDef(None, "得力品牌(全国)", 10, {"brand": ("得力",)}, (brand,))])
        assert _state(s, south) == (a, "rule", _tid(s, "华南"))
        assert _state(s, north) == (None, "", None)
        deli = Actor.from_user(s.get(User, brand), s)
        assert set(search_customer_ids(s, deli, CustomerQuery())) == {south, north}
        assert can_see_customer(s, deli, north)
        assert not can_see_customer(s, Actor.from_user(s.get(User, a), s), north)


def test_new_customer_assigned_on_create(db):
    with db.sessions.begin() as s:
        a = _user(s, "a")
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (a,))])
        cid = _customer(s, "新开文具店", province="广东省")
        assert _state(s, cid) == (a, "rule", _tid(s, "华南"))
        assert _members(s, cid) == {_tid(s, "华南")}
        # A province changed on the form moves it at once.
        data = input_from_customer(s, SYSTEM, cid)
        data.province = "江苏省"
        update_customer(s, SYSTEM, cid, data, None)
        assert _state(s, cid) == (None, "", None) and _members(s, cid) == set()


def test_salesperson_creating_a_customer_outside_the_rules_keeps_it(db):
    with db.sessions.begin() as s:
        a = _user(s, "a")
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (a,))])
        rep = Actor.from_user(s.get(User, _user(s, "rep")), s)
        cid = create_customer(s, rep, CustomerInput(name="上门客户", province="江苏省", tags=["新"])).id
        assert _state(s, cid) == (rep.user_id, "import", None)
        assert can_see_customer(s, rep, cid)
        in_rules = create_customer(s, rep, CustomerInput(name="广州客户", province="广东省")).id
        assert _state(s, in_rules)[:2] == (a, "rule")  # the rules give it to the territory's salesperson


CUSTOMERS = ("客户编号,客户名称,省份,客户类型,业务员\n"
             "K001,广州文具店,广东省,零售客户,王芳\n"
             "K002,南京文具店,江苏省,零售客户,王芳\n"
             "K003,苏州文具店,江苏省,零售客户,lisi\n"
             "K004,无锡文具店,江苏省,零售客户,新人甲\n")


def test_import_assigns_on_the_spot_and_matches_existing_users(db, owner, tmp_path):
    with db.sessions.begin() as s:
        # Accounts made before the import: matched by display name (王芳) and by user name (lisi).
        wang = _user(s, "wangfang", "王芳")
        li = _user(s, "lisi", "李四")
        south = _user(s, "south")
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (south,))])
    result = import_file(db, owner, write(tmp_path, "customers.csv", CUSTOMERS))
    assert (result.kind, result.added) == ("customers", 4)
    got = rows(db, "SELECT c.code, c.import_owner_id, c.owner_id, c.owner_source, t.name FROM customers c "
                   "LEFT JOIN territories t ON t.id = c.territory_id ORDER BY c.code")
    new_user = rows(db, "SELECT id, password_hash FROM users WHERE username = '新人甲'")
    assert len(new_user) == 1 and new_user[0][1] is None  # a stub salesperson, no login yet
    stub = new_user[0][0]
    assert got == [("K001", wang, south, "rule", "华南"),  # the rule wins over the import's 业务员
                   ("K002", wang, wang, "import", None),
                   ("K003", li, li, "import", None),
                   ("K004", stub, stub, "import", None)]
    assert rows(db, "SELECT COUNT(*) FROM users WHERE display_name IN ('王芳', 'lisi', '李四')") == [(2,)]


def test_import_owner_does_not_override_manual_and_without_territories_sets_owner(db, owner, tmp_path):
    with db.sessions.begin() as s:
        wang = _user(s, "wangfang", "王芳")
        boss_pick = _user(s, "zhao", "赵")
    import_file(db, owner, write(tmp_path, "c1.csv", CUSTOMERS))
    with db.sessions.begin() as s:
        k1 = s.scalar(select(Customer.id).where(Customer.code == "K001"))
        assert _state(s, k1) == (wang, "import", None)  # no territories: the 业务员 is the owner
        territories.set_manual(s, SYSTEM, k1, owner_id=boss_pick)
    import_file(db, owner, write(tmp_path, "c2.csv", CUSTOMERS.replace("K001,广州文具店", "K001,广州文具总店")))
    with db.sessions.begin() as s:
        assert _state(s, k1)[:2] == (boss_pick, "manual")
        assert s.get(Customer, k1).import_owner_id == wang
        assignment_back_to_rules(s, SYSTEM, k1)
        assert _state(s, k1)[:2] == (wang, "import")


SALES = ("单据编号,日期,客户编号,客户名称,省份,业务员,商品编号,商品名称,数量,金额\n"
         "XS1,2024-03-01,N001,深圳新客户,广东省,王芳,P1,笔,1,10\n"
         "XS2,2024-03-02,N002,杭州新客户,浙江省,王芳,P1,笔,1,10\n")


def test_sales_import_stubs_are_assigned_on_the_spot(db, owner, tmp_path):
    with db.sessions.begin() as s:
        wang = _user(s, "wangfang", "王芳")
        south = _user(s, "south")
        territories.save_and_apply(s, SYSTEM, [TerritoryDef(None, "华南", 10, {"province": ("广东省",)}, (south,))])
    result = import_file(db, owner, write(tmp_path, "sales.csv", SALES), kind="sales")
    assert result.kind == "sales", result.message
    got = rows(db, "SELECT code, import_owner_id, owner_id, owner_source, is_incomplete FROM customers "
                   "ORDER BY code")
    assert got == [("N001", wang, south, "rule", 1), ("N002", wang, wang, "import", 1)]
    assert rows(db, "SELECT DISTINCT salesperson_id FROM sales_orders") == [(wang,)]


@pytest.mark.parametrize("role", ["sales", "counter"])
def test_only_office_roles_assign_on_create(db, role):
    from crmdesk.services.permissions import PermissionDenied

    with db.sessions.begin() as s:
        actor = Actor.from_user(s.get(User, _user(s, "someone", role=role)), s)
        with pytest.raises(PermissionDenied):
            create_customer(s, actor, CustomerInput(name="指定业务员", owner_id=actor.user_id))
