"""The demo shop's people: staff, customers, contacts, and what happened with them."""

from __future__ import annotations

import datetime as dt
import re

from demo_sql_support import END, D, conn, rows  # noqa: F401 - conn is a fixture
from sqlalchemy import select

from crmdesk.core.search_text import pinyin_keys
from crmdesk.db.models import User, user_territories
from crmdesk.services.passwords import verify_password

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_staff_log_in_with_demo(demo_db):
    with demo_db.sessions() as s:
        users = s.scalars(select(User)).all()
    by_role: dict[str, list[User]] = {}
    for user in users:
        by_role.setdefault(user.role, []).append(user)
    assert [u.display_name for u in by_role["owner"]] == ["王老板"]
    assert len(by_role["manager"]) == 1 and len(by_role["sales"]) == 5 and len(by_role["counter"]) == 2
    # Every account has a salt of its own: no two hashes are the same.
    assert len({u.password_hash for u in users}) == len(users)
    assert all(verify_password(u.password_hash, "demo") for u in users)
    assert not verify_password(users[0].password_hash, "secret")
    with demo_db.sessions() as s:
        worked = {u for (u,) in s.execute(select(user_territories.c.user_id))}
    assert {u.id for u in by_role["sales"]} <= worked


def test_customers_sit_in_their_provinces_territory(conn):
    rules = {province: tid for tid, province in rows(conn, "SELECT territory_id, value FROM territory_rules "
                                                           "WHERE field = 'province' AND territory_id IN "
                                                           "(SELECT id FROM territories WHERE priority = 100)")}
    names = dict(rows(conn, "SELECT name, id FROM territories"))
    assert {"华南", "华东", "华北", "华中", "西南", "广东经销商", "得力品牌(全国)"} <= set(names)
    sellers: dict[int, set[int]] = {}
    for uid, tid in rows(conn, "SELECT user_id, territory_id FROM user_territories"):
        sellers.setdefault(tid, set()).add(uid)
    checked = dealers = 0
    for province, kind, territory, owner, source in rows(
            conn, "SELECT c.province, t.code, c.territory_id, c.owner_id, c.owner_source FROM customers c "
                  "JOIN customer_types t ON t.id = c.type_id WHERE c.is_incomplete = 0"):
        # Dealers of 广东 belong to the dealers' territory (priority 50), everyone else to their region's.
        expected = names["广东经销商"] if (province, kind) == ("广东省", "dealer") else rules[province]
        dealers += expected == names["广东经销商"]
        assert territory == expected
        assert source == "rule" and owner in sellers[territory]
        checked += 1
    assert checked > 0 and dealers > 0
    # The brand territory places no customer but lets its salesperson see all of them.
    brand = names["得力品牌(全国)"]
    assert not rows(conn, f"SELECT 1 FROM customers WHERE territory_id = {brand}")
    assert rows(conn, f"SELECT COUNT(*) FROM customer_territories WHERE territory_id = {brand}")[0][0] == \
        rows(conn, "SELECT COUNT(*) FROM customers")[0][0]


def test_customers_look_like_a_chinese_shops(conn):
    customers = rows(conn, """SELECT c.code, c.name, t.code, c.search_text, c.grade, c.tax_id, c.payment_terms_days
                              FROM customers c LEFT JOIN customer_types t ON t.id = c.type_id""")
    assert {c[2] for c in customers} >= {"retail", "direct", "dealer"}
    for code, name, kind, search, _grade, tax_id, terms in customers:
        assert re.fullmatch(r"KH\d{6}", code)
        assert CHINESE.search(name)
        assert pinyin_keys(name)[1] in search, name
        if kind == "direct":
            assert re.search(r"(学|学校|学院|园|局|院|法院|公司|支行|事务所|办事处|馆|中心)$", name.split("（")[0]), name
        if kind == "dealer":
            assert re.search(r"(文具|办公|贸易|文化)", name), name
        if kind in ("direct", "dealer"):
            assert terms >= 30 and len(tax_id) == 18
        if kind == "retail":
            assert terms == 0
    assert {c[4] for c in customers} >= {"A", "B", "C", "D"}
    assert rows(conn, "SELECT COUNT(*) FROM customers WHERE is_incomplete = 1")[0][0] >= 1


def test_custom_fields_tags_and_relations_are_filled(conn):
    by_type = dict(rows(conn, """SELECT t.code, COUNT(*) FROM custom_field_values v
                                 JOIN custom_field_defs d ON d.id = v.field_id
                                 JOIN customer_types t ON t.id = d.customer_type_id GROUP BY t.code"""))
    assert set(by_type) == {"retail", "direct", "dealer"}
    missing_required = rows(conn, """SELECT c.id FROM customers c JOIN custom_field_defs d
                                     ON d.customer_type_id = c.type_id AND d.required = 1
                                     WHERE c.is_incomplete = 0 AND NOT EXISTS (SELECT 1 FROM custom_field_values v
                                     WHERE v.customer_id = c.id AND v.field_id = d.id)""")
    assert missing_required == []
    tags = {r[0] for r in rows(conn, "SELECT DISTINCT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id")}
    assert {"重点客户", "学校", "月结"} <= tags
    kinds = {r[0] for r in rows(conn, "SELECT DISTINCT relation_type FROM customer_relations")}
    assert kinds == {"branch_of", "buys_through", "referred_by"}
    branches = rows(conn, """SELECT f.name, t.name FROM customer_relations r JOIN customers f
                             ON f.id = r.from_customer_id JOIN customers t ON t.id = r.to_customer_id
                             WHERE r.relation_type = 'branch_of'""")
    assert all(branch.startswith(head) for branch, head in branches)


def test_products_cover_categories_and_brands(conn):
    assert rows(conn, "SELECT COUNT(DISTINCT category) FROM products")[0][0] >= 8
    assert rows(conn, "SELECT COUNT(DISTINCT brand) FROM products")[0][0] >= 15
    for code, name, unit, price, cost, search in rows(
            conn, "SELECT code, name, unit, list_price, cost, search_text FROM products"):
        assert re.fullmatch(r"SP\d{5}", code) and CHINESE.search(name) and unit
        assert price > cost > 0
        assert pinyin_keys(name)[1] in search


def test_contacts(conn):
    per_customer = rows(conn, """SELECT c.id, t.code, COUNT(k.id), SUM(k.is_primary) FROM customers c
                                 JOIN customer_types t ON t.id = c.type_id
                                 LEFT JOIN contacts k ON k.customer_id = c.id
                                 WHERE c.is_incomplete = 0 GROUP BY c.id, t.code""")
    for _cid, kind, count, primaries in per_customer:
        if kind != "retail":
            assert 1 <= count <= 3
        if count:
            assert primaries == 1
    contacts = rows(conn, "SELECT name, role, mobile, birthday FROM contacts")
    assert all(CHINESE.search(name) and re.fullmatch(r"1\d{10}", mobile) for name, _r, mobile, _b in contacts)
    assert {"采购", "财务", "老板", "行政"} <= {r for _n, r, _m, _b in contacts}
    upcoming = [b for *_x, b in contacts if b and (D(b).month, D(b).day) != (2, 29)
                and 0 <= (D(b).replace(year=END.year) - END).days < 7]
    assert upcoming


def test_contact_log_and_tasks(conn):
    log = rows(conn, "SELECT channel, subject, notes, outcome FROM interactions")
    assert {c for c, *_ in log} >= {"visit", "call", "wechat", "store"}
    assert all(CHINESE.search(subject) and CHINESE.search(notes) for _c, subject, notes, _o in log)
    tasks = rows(conn, """SELECT t.status, t.due_date, i.next_follow_up FROM tasks t
                          JOIN interactions i ON i.id = t.interaction_id""")
    assert all(D(due) == D(follow) for _s, due, follow in tasks)
    overdue = [t for t in tasks if t[0] == "open" and D(t[1]) < END]
    due_today = [t for t in tasks if t[0] == "open" and D(t[1]) == END]
    this_week = [t for t in tasks if t[0] == "open" and END < D(t[1]) <= END + dt.timedelta(days=6)]
    done = [t for t in tasks if t[0] == "done"]
    assert overdue and due_today and this_week and done


def test_pipeline_and_service_cases(conn):
    stages = rows(conn, """SELECT s.name, s.is_won, s.is_lost, o.closed_on, o.lost_reason, o.amount
                           FROM opportunities o JOIN opportunity_stages s ON s.id = o.stage_id""")
    assert {s[0] for s in stages} == {"线索", "需求确认", "报价", "谈判", "成交", "失败"}
    for _name, won, lost, closed_on, reason, amount in stages:
        assert amount > 0
        assert (closed_on is not None) == bool(won or lost)
        assert bool(reason) == bool(lost)
    cases = rows(conn, "SELECT number, case_type, subject, status, satisfaction, feedback, opened_at, closed_at "
                       "FROM service_cases")
    assert {c[1] for c in cases} >= {"complaint", "repair", "return", "delivery", "consult"}
    for number, _type, subject, status, score, feedback, opened, closed in cases:
        assert re.fullmatch(r"FW-\d{8}-\d{4}", number) and CHINESE.search(subject)
        if status == "closed":
            assert 1 <= score <= 5 and CHINESE.search(feedback) and str(closed) >= str(opened)
        else:
            assert score is None
    assert any(c[3] in ("open", "in_progress") for c in cases)


def test_customers_are_found_by_the_search_index(demo_db):
    from crmdesk.db.models import Customer
    from crmdesk.db.search import customer_text_condition

    with demo_db.sessions() as s:
        sample = s.execute(select(Customer.id, Customer.name).order_by(Customer.id).limit(40)).all()
        for cid, name in sample:
            full = pinyin_keys(name)[0]
            found = s.scalars(select(Customer.id).where(customer_text_condition(s, [full]))).all()
            assert cid in found, name
            like = s.scalars(select(Customer.id).where(Customer.search_text.contains(full))).all()
            assert sorted(found) == sorted(like)


def test_service_satisfaction_improves_over_the_years(db):
    from crmdesk.db.models import ServiceCase
    from crmdesk.demo import generate

    generate(db, customers=1500, products=30, lines=3000, seed=11, end_date=END)
    with db.sessions() as s:
        rated = s.execute(select(ServiceCase.opened_at, ServiceCase.satisfaction)
                          .where(ServiceCase.satisfaction.is_not(None))).all()
    first_year = [score for opened, score in rated if opened.date() < END - dt.timedelta(days=730)]
    last_year = [score for opened, score in rated if opened.date() > END - dt.timedelta(days=365)]
    assert len(first_year) > 20 and len(last_year) > 20
    assert sum(last_year) / len(last_year) > sum(first_year) / len(first_year) + 0.2
    scores = {score for _o, score in rated}
    assert scores <= {1, 2, 3, 4, 5} and scores & {1, 2} and 5 in scores
