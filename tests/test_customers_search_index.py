"""Migration 0003: the customer search index exists on fresh and upgraded databases, triggers
keep it current for rows written without the services, and the LIKE fallback agrees with it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from crmdesk.core.search_text import customer_search_text
from crmdesk.db import connect, open_database, search
from crmdesk.db.migrate import upgrade
from crmdesk.services.customer_query import CustomerQuery, search_customer_ids


def insert_raw(conn, cid: int, name: str, phone: str = "") -> None:
    conn.execute(text(
        "INSERT INTO customers (id, code, name, short_name, grade, status, province, city, district, address, "
        "phone, mobile, email, tax_id, credit_limit, payment_terms_days, notes, is_incomplete, archived, "
        "search_text, created_at, updated_at) VALUES (:id, :code, :name, '', '', 'active', '', '', '', '', "
        ":phone, '', '', '', 0, 0, '', 0, 0, :st, :t, :t)"),
        dict(id=cid, code=f"KH{cid}", name=name, phone=phone, t=dt.datetime(2024, 1, 1),
             st=customer_search_text(name, f"KH{cid}", (phone,))))


def found(database, words: str) -> list[int]:
    from crmdesk.services.actor import Actor

    with database.sessions() as s:
        return search_customer_ids(s, Actor.system(), CustomerQuery(text=words, sort_key="code"))


def test_fresh_database_has_index_and_triggers(db):
    with db.engine.begin() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        assert {"customers_search", "customers_search_keys", "customers_search_ai", "customers_search_au",
                "customers_search_ad"} <= names
        insert_raw(conn, 1, "广州晨光文具店", "020-12345678")
        insert_raw(conn, 2, "深圳办公用品店")
    assert found(db, "chenguang") == [1] and found(db, "广州") == [1] and found(db, "sz") == [2]
    with db.engine.begin() as conn:  # an importer renaming a customer
        conn.execute(text("UPDATE customers SET name = '佛山文具店', search_text = :st WHERE id = 1"),
                     {"st": customer_search_text("佛山文具店", "KH1")})
    assert found(db, "chenguang") == [] and found(db, "foshan") == [1] and found(db, "佛山") == [1]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM customers WHERE id = 2"))
        keys = conn.execute(text("SELECT COUNT(*) FROM customers_search_keys")).scalar()
    assert found(db, "shenzhen") == [] and keys == 1


def test_upgrade_from_0002_indexes_existing_customers(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path)
    upgrade(old, "0002")
    with old.engine.begin() as conn:
        insert_raw(conn, 1, "广州晨光文具店", "020-12345678")
        insert_raw(conn, 2, "佛山第一中学")
    old.dispose()
    search.forget_cached_schema()
    database = open_database(path)
    try:
        assert found(database, "gzcgwj") == [1]
        assert found(database, "中学") == [2]
        assert found(database, "12345678") == [1]
    finally:
        database.dispose()


@pytest.mark.parametrize("words", ["广州", "gz", "wenju", "文具 店", "020", "kh1", "店", "x"])
def test_like_fallback_agrees_with_index(db, words, monkeypatch):
    with db.engine.begin() as conn:
        for i, name in enumerate(["广州晨光文具店", "深圳办公用品店", "广州第一中学", "佛山文具批发部"], start=1):
            insert_raw(conn, i, name, f"020-{i}{i}{i}")
    with_index = found(db, words)
    monkeypatch.setattr(search, "has_fts", lambda session: False)
    assert found(db, words) == with_index
