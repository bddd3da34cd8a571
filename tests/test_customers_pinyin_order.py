"""Names sort by pinyin, not by character code (issue 14, item 7): the customer list (query and
page), an old database upgraded by migration 0010, report tables and the rows of reports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select, text
from test_customers_support import make_customer

from crmdesk.core.search_text import customer_search_text, pinyin_sort_key, pinyin_sort_series
from crmdesk.db.models import Customer
from crmdesk.services.customer_query import CustomerQuery, search_customer_ids

NAMES = ["张家文具店", "安徽办公用品", "北京晨光商行", "Acme Stationery", "章氏文具", "重庆印务", "爱心文具"]
# 重庆 is chongqing (a phrase), not zhongqing: after 北京, before 张.
PINYIN_ORDER = ["Acme Stationery", "爱心文具", "安徽办公用品", "北京晨光商行", "重庆印务", "张家文具店", "章氏文具"]


def test_the_search_key_starts_with_the_names_pinyin():
    key = customer_search_text("广州晨光文具店", "KH0001", ("020-8888 1234",), ("张伟",))
    assert key.split()[0] == "guangzhouchenguangwenjudian"
    assert "广州晨光文具店" in key and "02088881234" in key and "zhangwei" in key and key.endswith("~gzcgwjd")


def test_pinyin_sort_key_orders_chinese_by_pinyin_with_latin_mixed_in():
    assert sorted(NAMES, key=pinyin_sort_key) == PINYIN_ORDER
    assert sorted(NAMES)[0] != "爱心文具"  # by character code it would not be
    frame = pd.DataFrame({"brand": ["张", "安", "北"], "n": [1, 1, 1]})
    assert frame.sort_values(["n", "brand"], key=pinyin_sort_series)["brand"].tolist() == ["安", "北", "张"]


def test_customer_list_sorts_names_by_pinyin(db, owner):
    with db.sessions.begin() as s:
        for name in NAMES:
            make_customer(s, owner, name)
    with db.sessions() as s:
        def names(query):
            return [s.get(Customer, i).name for i in search_customer_ids(s, owner, query)]

        assert names(CustomerQuery()) == PINYIN_ORDER
        assert names(CustomerQuery(descending=True)) == PINYIN_ORDER[::-1]
        assert names(CustomerQuery(text="文具")) == [n for n in PINYIN_ORDER if "文具" in n]
        plan = s.execute(text("EXPLAIN QUERY PLAN SELECT id FROM customers WHERE archived = 0 "
                              "ORDER BY substr(search_text, 1, 48), id")).all()
    assert "ix_customers_archived_sort" in str(plan)


def test_migration_0010_rewrites_old_keys_into_pinyin_order(tmp_path):
    from crmdesk.db import connect
    from crmdesk.db.migrate import upgrade

    old = connect(tmp_path / "old.db")
    upgrade(old, "0009")
    with old.engine.begin() as conn:
        for n, name in enumerate(NAMES, start=1):
            conn.execute(text(
                "INSERT INTO customers (id, code, name, short_name, grade, status, province, city, district, address, "
                "phone, mobile, email, tax_id, credit_limit, payment_terms_days, notes, is_incomplete, archived, "
                "search_text, created_at, updated_at) VALUES (:id, :code, :name, '', '', 'active', '', '', '', '', "
                "'020-1234 5678', '', '', '', 0, 0, '', 0, 0, :old, :t, :t)"),
                {"id": n, "code": f"KH{n:04d}", "name": name, "old": name.lower(), "t": dt.datetime(2024, 1, 1)})
        conn.execute(text("INSERT INTO contacts (customer_id, name, role, phone, mobile, email, wechat, is_primary, "
                          "notes, created_at, updated_at) VALUES (1, '李娜', '', '', '13900001111', '', '', 1, '', "
                          ":t, :t)"), {"t": dt.datetime(2024, 1, 1)})
    upgrade(old)
    with old.sessions() as s:
        ordered = s.scalars(select(Customer.name).where(Customer.archived.is_(False))
                            .order_by(text("substr(search_text, 1, 48)"), Customer.id)).all()
        first = s.scalar(select(Customer.search_text).where(Customer.id == 1))
    old.dispose()
    assert list(ordered) == PINYIN_ORDER
    assert first.startswith("zhangjiawenjudian ") and "13900001111" in first and "lina" in first


@pytest.mark.gui
def test_report_table_sorts_text_by_pinyin(qtbot):
    from PySide6.QtCore import Qt

    from crmdesk.ui.analysis.dataframe_model import DataFrameModel

    model = DataFrameModel()
    model.set_frame(pd.DataFrame({"customer_name": NAMES, "amount": range(len(NAMES))}))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    shown = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert shown == PINYIN_ORDER
