"""The demo shop is deterministic: same seed and end date → the same database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from crmdesk.db import open_database
from crmdesk.demo import generate

SMALL = dict(customers=60, products=40, lines=1500, end_date=dt.date(2025, 12, 31))


def _dump(path) -> dict[str, list[tuple]]:
    """Every row of every table, in a canonical order."""
    database = open_database(path)
    try:
        with database.engine.connect() as conn:
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
            return out
    finally:
        database.dispose()


def _make(path, seed: int) -> None:
    database = open_database(path)
    try:
        generate(database, seed=seed, **SMALL)
    finally:
        database.dispose()


def test_same_seed_gives_identical_database(tmp_path):
    _make(tmp_path / "a.db", 3)
    _make(tmp_path / "b.db", 3)
    a, b = _dump(tmp_path / "a.db"), _dump(tmp_path / "b.db")
    assert a.keys() == b.keys()
    for table in a:
        if table in ("change_feed", "change_log"):  # which process wrote, not shop data
            continue
        assert a[table] == b[table], f"table {table} differs between two runs with the same seed"
    assert len(a["sales_lines"]) == SMALL["lines"]


def test_other_seed_gives_other_data(tmp_path):
    _make(tmp_path / "a.db", 3)
    _make(tmp_path / "c.db", 4)
    a, c = _dump(tmp_path / "a.db"), _dump(tmp_path / "c.db")
    assert a["customers"] != c["customers"]
    assert a["sales_lines"] != c["sales_lines"]
