"""The importer's table helpers: reading rows back by key, and comparing stored values with a file's."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine

from crmdesk.importers import tables
from crmdesk.importers.raw_csv import STRING
from crmdesk.importers.write_sales import _differs


def _items(tmp_path):
    meta = MetaData()
    items = Table("items", meta, Column("id", Integer, primary_key=True), Column("group_id", Integer),
                  Column("hash", BigInteger, nullable=True), Column("name", String(20)))
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"id": i, "group_id": i % 7, "hash": -(2 ** 62) + i, "name": f"名{i}"}
                                      for i in range(1, 101)])
    return engine, items


def test_fetch_in_reads_whole_numbers_as_int64_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "IN_CHUNK", 3)  # seven groups: three IN queries
    engine, items = _items(tmp_path)
    with engine.connect() as conn:
        frame = tables.fetch_in(conn, items, "group_id", range(7), ["id", "group_id", "hash"])
    assert [str(t) for t in frame.dtypes] == ["int64", "int64", "int64"]
    frame = frame.sort_values("id").reset_index(drop=True)
    assert frame["id"].tolist() == list(range(1, 101))
    assert frame["hash"].iloc[0] == -(2 ** 62) + 1 and (frame["group_id"] == frame["id"] % 7).all()


def test_fetch_in_with_a_null_or_text_keeps_every_value(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "IN_CHUNK", 1)  # the NULL arrives after a block of whole numbers
    engine, items = _items(tmp_path)
    with engine.begin() as conn:
        conn.execute(items.update().where(items.c.id == 5).values(hash=None))
        frame = tables.fetch_in(conn, items, "group_id", [5], ["id", "hash", "name"])
        with_null = tables.fetch_in(conn, items, "id", [4, 5], ["id", "hash"]).sort_values("id")
    assert sorted(frame["name"]) == sorted(f"名{i}" for i in range(1, 101) if i % 7 == 5)
    assert with_null["hash"].isna().tolist() == [False, True]
    assert int(with_null["hash"].iloc[0]) == -(2 ** 62) + 4


def test_stored_and_file_values_differ_only_where_they_really_do():
    text = STRING
    day = dt.date
    assert _differs(pd.Series([1, None, 3, None], dtype=object),
                    pd.Series(pd.array([1, None, 4, 2], dtype="Int64"))).tolist() == [False, False, True, True]
    assert _differs(pd.Series([1.0, np.nan, 3.0]), pd.Series([1, 2, 3])).tolist() == [False, True, False]
    assert _differs(pd.Series([day(2024, 1, 1), day(2024, 1, 2)], dtype=object),
                    pd.Series([day(2024, 1, 1), day(2024, 1, 3)], dtype=object)).tolist() == [False, True]
    assert _differs(pd.Series(["总店", "", "a"], dtype=object),
                    pd.Series(pd.array(["总店", "x", "a"], dtype=text))).tolist() == [False, True, False]
    # codes that look like numbers are text: "01" is not "1"
    assert _differs(pd.Series(["01", "2"], dtype=object),
                    pd.Series(pd.array(["1", "2"], dtype=text))).tolist() == [True, False]


@pytest.mark.parametrize("dtype", [object, STRING])
def test_map_keys_by_dict_agrees_with_the_pandas_path(monkeypatch, dtype):
    ids = {f"SO{i:06d}": i + 1 for i in range(30_000)}
    values = pd.Series(["SO000005", None, "nope", "SO029999", "SO000005"], dtype=dtype)
    by_dict = tables.map_keys(values, ids)
    assert by_dict.dtype == np.int64
    assert tables.map_keys(pd.Index(values), ids).tolist() == by_dict.tolist()
    monkeypatch.setattr(tables, "DICT_LOOKUP_MIN_KEYS", 10**9)
    assert by_dict.tolist() == tables.map_keys(values, ids).tolist() == [6, -1, -1, 30000, 6]
