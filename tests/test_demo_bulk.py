"""crmdesk.db.bulk: the column-wise insert and set-based trigger replay the demo relies on."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, text

from crmdesk.db.bulk import insert_columns, set_based_triggers


def _tables():
    meta = MetaData()
    items = Table("items", meta, Column("id", Integer, primary_key=True), Column("name", String(20)),
                  Column("day", Date), Column("kind", String(10), default="plain"))
    return meta, items


def test_insert_columns_takes_lists_arrays_and_defaults(tmp_path):
    meta, items = _tables()
    engine = create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    meta.create_all(engine)
    with engine.begin() as conn:
        n = insert_columns(conn, items, {
            "id": np.arange(1, 6), "name": ["甲", "乙", "丙", "丁", "戊"],
            "day": np.datetime64("2025-01-30") + np.arange(5),
        }, chunk_rows=2)
        assert n == 5
    with engine.connect() as conn:
        rows = conn.execute(items.select().order_by(items.c.id)).all()
    assert [r.name for r in rows] == ["甲", "乙", "丙", "丁", "戊"]
    assert rows[2].day == dt.date(2025, 2, 1) and {r.kind for r in rows} == {"plain"}


def test_many_rows_per_statement_keep_their_order_and_the_tail(tmp_path, monkeypatch):
    import crmdesk.db.bulk as bulk

    monkeypatch.setattr(bulk, "MULTIROW_ROWS", 7)  # 1,003 rows: whole statements, then a tail of 2
    meta, items = _tables()
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    meta.create_all(engine)
    names = [f"n{i}" for i in range(1003)]
    with engine.begin() as conn:
        assert bulk._rows_per_statement(conn, 4) == 7
        insert_columns(conn, items, {"name": names, "day": [dt.date(2025, 1, 1 + i % 28) for i in range(1003)]},
                       chunk_rows=500)
    with engine.connect() as conn:
        rows = conn.execute(items.select().order_by(items.c.id)).all()
    assert [r.name for r in rows] == names  # ids follow the given order
    assert [r.id for r in rows] == list(range(1, 1004))
    assert rows[29].day == dt.date(2025, 1, 2) and {r.kind for r in rows} == {"plain"}


def test_copy_triggers_are_replayed_once_and_restored(tmp_path):
    meta, items = _tables()
    engine = create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE copies (id INTEGER PRIMARY KEY, name TEXT)")
        conn.exec_driver_sql("CREATE TABLE seen (n INTEGER)")
        conn.exec_driver_sql("CREATE TRIGGER items_copy AFTER INSERT ON items BEGIN "
                             "INSERT INTO copies (id, name) VALUES (new.id, new.name); END")
        # Not a plain copy: must keep firing per row.
        conn.exec_driver_sql("CREATE TRIGGER items_count AFTER INSERT ON items BEGIN "
                             "INSERT INTO seen (n) VALUES (1); END")
        insert_columns(conn, items, {"id": [1], "name": ["old"], "day": [None]})
    with engine.begin() as conn:
        with set_based_triggers(conn, items):
            names = [t for (t,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))]
            assert names == ["items_count"]
            insert_columns(conn, items, {"id": [2, 3], "name": ["a", "b"], "day": [None, None]})
        names = sorted(t for (t,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        assert names == ["items_copy", "items_count"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, name FROM copies ORDER BY id")).all() == [(1, "old"), (2, "a"), (3, "b")]
        assert conn.execute(text("SELECT COUNT(*) FROM seen")).scalar() == 3
